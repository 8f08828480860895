// The first page: storage capacity, volumes by robustness, nodes and their disks, recent events.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ago, bytes, dateTime, health, percent } from '../format.js';
import { badge, row, section, table } from '../ui.js';
import { Page } from './page.js';

const BUCKETS = [
  ['healthy', 'Healthy'],
  ['degraded', 'Degraded'],
  ['faulted', 'Faulted'],
  ['detached', 'Detached'],
  ['unknown', 'In transition'],
];

export class DashboardPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Dashboard';
    this.nav = 'dashboard';
  }

  async load() {
    const [volumes, nodes, events] = await Promise.all([api.volumes(), api.nodes(),
      api.events().catch((e) => ({ error: e.message }))]);
    return { volumes, nodes, events };
  }

  render({ volumes, nodes, events }) {
    return h('div.page',
      h('div.page-head', h('h1', 'Dashboard')),
      h('div.grid-3', this.capacity(nodes), this.volumes(volumes), this.nodesSummary(nodes)),
      this.disks(nodes),
      this.events(events));
  }

  capacity(nodes) {
    const disks = nodes.flatMap((n) => Object.values(n.disks || {}));
    const total = sum(disks, (d) => d.storageMaximum);
    const used = sum(disks, (d) => Math.max(0, d.storageMaximum - d.storageAvailable));
    const scheduled = sum(disks, (d) => d.storageScheduled);
    const reserved = sum(disks, (d) => d.storageReserved);
    const schedulable = Math.max(0, total - reserved);
    return section('Storage', null,
      h('p.big', bytes(total), h('span.muted', ' total')),
      meter('Used', used, total, 'used'),
      meter('Scheduled', scheduled, schedulable, 'scheduled', `of ${bytes(schedulable)} schedulable`),
      meter('Reserved', reserved, total, 'reserved'));
  }

  volumes(volumes) {
    const counts = Object.fromEntries(BUCKETS.map(([k]) => [k, 0]));
    for (const v of volumes) {
      counts[health(v)]++;
    }
    const total = volumes.length;
    let offset = 0;
    const arcs = [];
    for (const [key] of BUCKETS) {
      if (!counts[key]) {
        continue;
      }
      const share = (counts[key] / total) * 100;
      arcs.push(h('circle', { class: `arc arc-${key}`, cx: 21, cy: 21, r: 15.9155, fill: 'none', 'stroke-width': 6,
        'stroke-dasharray': `${share} ${100 - share}`, 'stroke-dashoffset': String(25 - offset) }));
      offset += share;
    }
    const donut = h('svg.donut', { viewBox: '0 0 42 42', width: 120, height: 120, role: 'img',
      'aria-label': BUCKETS.map(([k, label]) => `${counts[k]} ${label.toLowerCase()}`).join(', ') },
    h('circle', { class: 'arc-track', cx: 21, cy: 21, r: 15.9155, fill: 'none', 'stroke-width': 6 }), ...arcs,
    h('text', { x: 21, y: 23.5, 'text-anchor': 'middle', class: 'donut-total' }, String(total)));
    return section('Volumes', h('a', { href: '#/volumes' }, 'All volumes'),
      h('div.donut-row', donut, h('ul.legend', BUCKETS.filter(([k]) => k !== 'unknown' || counts[k]).map(([k, label]) =>
        h('li', h('span.swatch', { class: `swatch-${k}`, 'aria-hidden': 'true' }),
          h('a', { href: `#/volumes?health=${k}`, dataset: { health: k } }, h('strong', String(counts[k])), ` ${label}`))))));
  }

  nodesSummary(nodes) {
    const ready = nodes.filter((n) => n.conditions?.Ready?.status === 'True').length;
    const schedulable = nodes.filter((n) => n.allowScheduling && n.conditions?.Schedulable?.status !== 'False').length;
    const disks = nodes.flatMap((n) => Object.values(n.disks || {}));
    return section('Nodes', null,
      h('p.big', String(nodes.length), h('span.muted', ` node${nodes.length === 1 ? '' : 's'}`)),
      h('ul.stats', h('li', h('strong', String(ready)), ' ready'),
        h('li', h('strong', String(schedulable)), ' schedulable'),
        h('li', h('strong', String(disks.length)), ` disk${disks.length === 1 ? '' : 's'}`)));
  }

  disks(nodes) {
    const columns = [{ header: 'Node' }, { header: 'Disk' }, { header: 'Path' }, { header: 'Status' },
      { header: 'Used', className: 'wide' }, { header: 'Scheduled', className: 'num' }, { header: 'Replicas',
        className: 'num' }];
    const rows = nodes.flatMap((n) => {
      const entries = Object.entries(n.disks || {});
      const nodeCell = h('div', h('strong', n.name), ' ', badge(n.conditions?.Ready?.status === 'True' ? 'ready'
        : 'down', n.conditions?.Ready?.status === 'True' ? 'healthy' : 'faulted'));
      if (!entries.length) {
        return [row(columns, [nodeCell, h('span.muted', 'no disks'), '', '', '', '', ''])];
      }
      return entries.map(([name, d]) => {
        const used = Math.max(0, d.storageMaximum - d.storageAvailable);
        const ready = d.conditions?.Ready?.status !== 'False';
        const schedulable = d.allowScheduling && d.conditions?.Schedulable?.status !== 'False';
        return row(columns, [nodeCell.cloneNode(true), name, h('span.mono.small', d.path),
          ready ? badge(schedulable ? 'schedulable' : 'no scheduling', schedulable ? 'healthy' : 'muted')
            : badge('not ready', 'faulted', d.conditions?.Ready?.message),
          meter(null, used, d.storageMaximum, 'used'),
          bytes(d.storageScheduled), String(Object.keys(d.scheduledReplica || {}).length)]);
      });
    });
    return section('Nodes and disks', null, table(columns, rows, { caption: 'Nodes and disks', empty: 'No nodes.' }));
  }

  events(events) {
    if (events.error) {
      return section('Recent events', null, h('p.inline-error', events.error));
    }
    const list = events.slice(-12).reverse();
    return section('Recent events', null, list.length
      ? h('ul.events', list.map((e) => h('li', { class: e.eventType === 'Warning' ? 'event-warning' : undefined },
        h('span.event-time', { title: dateTime(e.lastTimestamp) }, ago(e.lastTimestamp)),
        h('span.event-reason', e.reason),
        h('span.event-object', `${e.involvedObject?.kind || ''} ${e.involvedObject?.name || ''}`),
        h('span.event-message', e.message, e.count > 1 ? h('span.muted', ` ×${e.count}`) : null))))
      : h('p.muted', 'Nothing happened yet.'));
  }
}

function sum(list, f) {
  return list.reduce((acc, x) => acc + (Number(f(x)) || 0), 0);
}

function meter(label, part, total, kind, note) {
  const pct = percent(part, total);
  return h('div.meter', { class: `meter-${kind}` },
    label ? h('div.meter-label', h('span', label), h('span', `${bytes(part)} · ${pct}%`, note ? h('span.muted', ` ${note}`)
      : null)) : h('div.meter-label', h('span', `${bytes(part)} of ${bytes(total)}`), h('span', `${pct}%`)),
    h('div.meter-track', { role: 'meter', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-label': `${label || 'used'} ${pct}%` }, h('div.meter-fill', { style: { width: `${pct}%` } })));
}
