// The backup target and what it holds: backup volumes, their backups (with progress while they
// run), restoring a backup into a new volume, disaster-recovery standby volumes and their activation.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ago, backupSize, bytes, compareText, dateTime, labels } from '../format.js';
import { badge, confirm, inlineError, menuButton, openForm, pageHead, progress, row, section, table, toast }
  from '../ui.js';
import { activate, intOrRaw } from '../volume-actions.js';
import { Page } from './page.js';

const RUNNING = new Set(['', 'Pending', 'InProgress', 'New']);

export class BackupsPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Backups';
    this.nav = 'backups';
    this.collapsed = new Set();
  }

  interval() {
    const d = this.app.data;
    const running = d && d.backupVolumes.some((bv) => {
      const list = d.backups[bv.name];
      return Array.isArray(list) && list.some((b) => RUNNING.has(b.state));
    });
    return running ? 1000 : 2500;
  }

  async load() {
    const [targets, backupVolumes, volumes] = await Promise.all([
      api.backupTargets().catch((e) => ({ error: e.message })), api.backupVolumes(), api.volumes()]);
    const lists = await Promise.all(backupVolumes.map((bv) => api.backups(bv.name).catch((e) => ({ error: e.message }))));
    const backups = Object.fromEntries(backupVolumes.map((bv, i) => [bv.name, lists[i]]));
    backupVolumes.sort((a, b) => compareText(a.name, b.name));
    return { targets, backupVolumes, backups, volumes };
  }

  render(d) {
    return h('div.page',
      pageHead('Backups', 'Backup volumes in the backup target, and their backups.'),
      this.target(d.targets),
      d.backupVolumes.length
        ? d.backupVolumes.map((bv) => this.backupVolume(bv, d.backups[bv.name], d.volumes))
        : h('section.card', h('p.empty', 'No backups yet. Back up a snapshot from a volume\'s page.')));
  }

  target(targets) {
    if (targets.error) {
      return inlineError(`Could not read the backup target: ${targets.error}`);
    }
    return h('div.target-bar', targets.map((t) => h('div.target',
      h('span.muted', t.name === 'default' ? 'Backup target' : `Backup target ${t.name}`), ' ',
      h('code.wrap', t.backupTargetURL || 'not set'), ' ',
      t.available ? badge('available', 'healthy') : badge('unavailable', 'faulted'),
      !t.available && t.message ? h('p.inline-error', t.message) : null,
      ' ', h('a', { href: '#/settings' }, 'Change'))));
  }

  backupVolume(bv, backups, volumes) {
    const open = !this.collapsed.has(bv.name);
    const standbys = volumes.filter((v) => v.standby && backupVolumeOf(v.fromBackup) === bv.name);
    const toggle = h('button.link', { type: 'button', 'aria-expanded': String(open), dataset: { key: `toggle-${bv.name}` },
      onclick: () => {
        if (open) {
          this.collapsed.add(bv.name);
        } else {
          this.collapsed.delete(bv.name);
        }
        this.rerender();
      } }, open ? 'Hide backups' : 'Show backups');
    const remove = h('button.small.danger-text', { type: 'button', dataset: { key: `delete-bv-${bv.name}` },
      onclick: () => confirm({
        title: `Delete all backups of ${bv.name}?`,
        message: 'Every backup of this volume and the blocks only they use are deleted from the backup target.',
        confirmLabel: 'Delete backup volume',
        action: () => api.remove('backupvolumes', bv.name),
      }).then((ok) => ok && toast(`Deleting backups of ${bv.name}`)).then(() => this.refresh()) }, 'Delete all');
    const count = Array.isArray(backups) ? backups.length : 0;
    return h('section.card.backup-volume', { dataset: { backupVolume: bv.name } },
      h('div.card-head', h('h2', bv.name), h('div.tools', toggle, remove)),
      h('dl.info.info-compact',
        h('div', h('dt', 'Volume size'), h('dd', bytes(bv.size))),
        h('div', h('dt', 'Backups'), h('dd', String(count))),
        h('div', h('dt', 'Last backup'), h('dd', bv.lastBackupAt ? [
          h('span.mono.small.backup-name', { title: bv.lastBackupName }, bv.lastBackupName), ' ',
          h('span.muted.nowrap', { title: dateTime(bv.lastBackupAt) }, ago(bv.lastBackupAt))] : '–')),
        h('div', h('dt', 'Data stored'), h('dd', bytes(bv.dataStored))),
        Object.keys(bv.labels || {}).length ? h('div', h('dt', 'Labels'), h('dd', labels(bv.labels))) : null),
      standbys.length ? h('div.standbys', h('h3', 'Disaster recovery volumes'), h('ul', standbys.map((v) => h('li',
        h('a', { href: `#/volumes/${encodeURIComponent(v.name)}` }, v.name), ' ', badge(v.state), ' ',
        v.lastRestoredBackup ? h('span.muted.small', `restored up to ${lastPart(v.lastRestoredBackup)} `) : null,
        h('button.small', { type: 'button', dataset: { key: `activate-${v.name}` },
          onclick: () => activate(v).then(() => this.refresh()) }, 'Activate'))))) : null,
      inlineError(this.errors.get(bv.name)),
      open ? this.backupTable(bv, backups) : null);
  }

  backupTable(bv, backups) {
    if (backups && backups.error) {
      return inlineError(`Could not list backups: ${backups.error}`);
    }
    const list = [...(backups || [])].sort((a, b) => String(b.created || '~').localeCompare(String(a.created || '~')));
    const columns = [{ header: 'Backup' }, { header: 'Snapshot' }, { header: 'State' }, { header: 'Size', className: 'num' },
      { header: 'Created' }, { header: 'Labels' }, { header: h('span.sr-only', 'Actions'), label: '', className: 'actions' }];
    const rows = list.map((b) => {
      const done = b.state === 'Completed' && b.url;
      return row(columns, [
        h('span.mono.small.backup-name', { title: b.name }, b.name),
        b.snapshotName || h('span.muted', '–'),
        h('span.backup-state', badge(b.state, String(b.state).toLowerCase()),
          RUNNING.has(b.state) ? progress(b.progress, `backup ${b.name}`) : null,
          b.error ? h('span.inline-error', b.error) : null),
        backupSize(b) === '–' ? h('span.muted', '–') : backupSize(b),
        b.created ? h('span.nowrap', { title: dateTime(b.created) }, ago(b.created)) : h('span.muted', '–'),
        labels(b.labels) || h('span.muted', '–'),
        menuButton('Actions', [
          { id: 'restore', label: 'Restore to a new volume…', disabled: !done, run: () => this.restore(bv, b, false) },
          { id: 'standby', label: 'Create DR standby volume…', disabled: !done, run: () => this.restore(bv, b, true) },
          { id: 'delete', label: 'Delete backup…', danger: true, run: () => this.deleteBackup(bv, b) },
        ], { key: `menu-${b.name}`, title: `Actions for backup ${b.name}` }),
      ], { dataset: { backup: b.name } });
    });
    return table(columns, rows, { caption: `Backups of ${bv.name}`, empty: 'No backups.' });
  }

  async restore(bv, b, standby) {
    let replicas = '3';
    try {
      replicas = (await api.get('settings', 'default-replica-count')).value;
    } catch (e) {
      // the default of the form then; the API still validates
    }
    const created = await openForm({
      id: standby ? 'standby-volume' : 'restore-volume',
      title: standby ? `DR standby volume from ${bv.name}` : `Restore ${b.name}`,
      intro: standby
        ? 'A standby volume keeps restoring the newest backups of this backup volume until you activate it.'
        : `Restores snapshot ${b.snapshotName} of ${bv.volumeName || bv.name} (${bytes(b.volumeSize || bv.size)}) into a new volume.`,
      submitLabel: standby ? 'Create standby volume' : 'Restore',
      fields: [
        { name: 'name', label: 'New volume name', required: true, autofocus: true,
          value: `${bv.volumeName || bv.name}-${standby ? 'dr' : 'restore'}` },
        { name: 'numberOfReplicas', label: 'Replicas', type: 'number', value: replicas, min: 1, max: 20,
          inputmode: 'numeric' },
      ],
      submit: (v) => api.create('volumes', { name: v.name.trim(), numberOfReplicas: intOrRaw(v.numberOfReplicas),
        fromBackup: b.url, standby: standby || undefined }),
    });
    if (created) {
      toast(`${standby ? 'Standby volume' : 'Volume'} ${created.name} created from ${b.name}`);
      this.refresh();
    }
  }

  deleteBackup(bv, b) {
    return confirm({
      id: 'delete-backup',
      title: `Delete backup ${b.name}?`,
      message: 'The backup is removed from the target, with the blocks no other backup uses.',
      confirmLabel: 'Delete backup',
      action: () => api.action('backupvolumes', bv.name, 'backupDelete', { name: b.name }),
    }).then((ok) => ok && toast(`Backup ${b.name} deleted`)).then(() => this.refresh());
  }
}

/** The backup volume a backup URL names (its `volume=` parameter). */
function backupVolumeOf(url) {
  const q = String(url || '').split('?')[1] || '';
  return new URLSearchParams(q).get('volume');
}

function lastPart(url) {
  const q = String(url || '').split('?')[1] || '';
  return new URLSearchParams(q).get('backup') || url;
}
