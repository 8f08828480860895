// The volume list: state, robustness, sizes, replicas and where each volume is attached, with a
// filter, sortable columns, and the volume actions in a menu per row.

import { api } from '../api.js';
import { h } from '../dom.js';
import { bytes, compareText, health } from '../format.js';
import { badge, inlineError, menuButton, pageHead, row, table } from '../ui.js';
import { createVolume, volumeMenuItems } from '../volume-actions.js';
import { Page } from './page.js';

const HEALTH_FILTERS = ['all', 'healthy', 'degraded', 'faulted', 'detached'];

const SORTS = {
  name: (v) => v.name,
  state: (v) => v.state,
  robustness: (v) => health(v),
  size: (v) => Number(v.size),
  actualSize: (v) => Number(v.actualSize),
  replicas: (v) => v.numberOfReplicas,
  node: (v) => v.currentNodeID,
};

export class VolumesPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Volumes';
    this.nav = 'volumes';
    const query = new URLSearchParams(location.hash.split('?')[1] || '');
    this.filter = '';
    this.health = HEALTH_FILTERS.includes(query.get('health')) ? query.get('health') : 'all';
    this.sort = 'name';
    this.descending = false;
  }

  load() {
    return api.volumes();
  }

  render(volumes) {
    const shown = this.visible(volumes);
    return h('div.page',
      pageHead('Volumes', `${volumes.length} volume${volumes.length === 1 ? '' : 's'}`,
        h('button.primary', { type: 'button', id: 'create-volume-button', dataset: { key: 'create' },
          onclick: () => createVolume().then((v) => v && this.refresh()) }, '+ Create volume')),
      inlineError(this.errors.get('list')),
      h('div.toolbar', { role: 'search' },
        h('label.sr-only', { for: 'volume-filter' }, 'Filter volumes'),
        h('input.filter', { id: 'volume-filter', type: 'search', placeholder: 'Filter by name, state, node…',
          value: this.filter, dataset: { key: 'filter' }, autocomplete: 'off',
          oninput: (e) => { this.filter = e.target.value; this.rerender(); } }),
        h('div.segmented', { role: 'group', 'aria-label': 'Robustness' },
          HEALTH_FILTERS.map((f) => h('button', { type: 'button', 'aria-pressed': String(this.health === f),
            dataset: { key: `health-${f}` }, onclick: () => { this.health = f; this.rerender(); } },
          f === 'all' ? 'All' : f[0].toUpperCase() + f.slice(1), f === 'all' ? null
            : h('span.count', String(volumes.filter((v) => health(v) === f).length)))))),
      this.table(shown, volumes.length));
  }

  visible(volumes) {
    const words = this.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const key = SORTS[this.sort];
    const list = volumes.filter((v) => (this.health === 'all' || health(v) === this.health)
      && words.every((w) => [v.name, v.state, v.robustness, v.currentNodeID, v.frontend, v.standby ? 'standby dr' : '']
        .some((field) => String(field).toLowerCase().includes(w))));
    list.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' ? x - y : compareText(String(x), String(y));
      return (this.descending ? -c : c) || compareText(a.name, b.name);
    });
    return list;
  }

  sortHeader(key, label) {
    const active = this.sort === key;
    return {
      header: h('button.sort', { type: 'button', dataset: { key: `sort-${key}` }, onclick: () => {
        this.descending = active ? !this.descending : false;
        this.sort = key;
        this.rerender();
      } }, label, h('span.sort-mark', { 'aria-hidden': 'true' }, active ? (this.descending ? ' ▼' : ' ▲') : '')),
      label,
      sort: active ? (this.descending ? 'descending' : 'ascending') : undefined,
    };
  }

  table(volumes, total) {
    const columns = [
      this.sortHeader('name', 'Name'),
      this.sortHeader('state', 'State'),
      this.sortHeader('robustness', 'Robustness'),
      { ...this.sortHeader('size', 'Size'), className: 'num' },
      { ...this.sortHeader('actualSize', 'Actual size'), className: 'num' },
      { ...this.sortHeader('replicas', 'Replicas'), className: 'num' },
      this.sortHeader('node', 'Attached to'),
      { header: h('span.sr-only', 'Actions'), label: '', className: 'actions' },
    ];
    const rows = volumes.map((v) => {
      const rw = v.replicas.filter((r) => r.mode === 'RW').length;
      const after = () => this.refresh();
      return row(columns, [
        h('div.name-cell', h('a.strong', { href: `#/volumes/${encodeURIComponent(v.name)}`, dataset: { key: `open-${v.name}` } },
          v.name), v.standby ? badge('DR standby', 'standby') : null, v.fromBackup && !v.standby
          ? h('span.muted.small', 'restored') : null, inlineError(this.errors.get(v.name))),
        badge(v.state),
        // A detached volume has no engine to judge it by: its robustness says little, so it is muted.
        health(v) === 'detached' && v.robustness === 'unknown' ? h('span.muted', '–')
          : badge(v.robustness, health(v) === 'detached' ? 'muted' : v.robustness),
        bytes(v.size),
        bytes(v.actualSize),
        h('span', { title: `${rw} of ${v.numberOfReplicas} replicas in RW mode` },
          v.state === 'attached' ? `${rw}/${v.numberOfReplicas}` : String(v.numberOfReplicas)),
        v.currentNodeID || h('span.muted', '–'),
        menuButton('Actions', volumeMenuItems(v, after), { key: `menu-${v.name}`, title: `Actions for ${v.name}` }),
      ], { dataset: { volume: v.name } });
    });
    return table(columns, rows, {
      caption: 'Volumes',
      className: 'volumes',
      empty: total ? 'No volume matches the filter.' : 'No volumes yet. Create one to get started.',
    });
  }
}
