// One volume: what it is and where it runs, its replicas (with rebuild progress), its snapshot
// tree with snapshot actions, its backups as they progress, its recurring jobs and its events.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ago, backupSize, bytes, dateTime, health, labels } from '../format.js';
import { snapshotTree } from '../snapshot-tree.js';
import { badge, confirm, inlineError, menuButton, openForm, pageHead, progress, row, section, table, toast }
  from '../ui.js';
import { attach, backup, deleteVolume, detach, revertDetached, snapshot, volumeMenuItems } from '../volume-actions.js';
import { Page } from './page.js';

const RUNNING_BACKUP = new Set(['', 'Pending', 'InProgress', 'New']);

export class VolumePage extends Page {
  constructor(app, name) {
    super(app);
    this.name = name;
    this.title = name;
    this.nav = 'volumes';
    /** Backups asked for here that the backup list does not show yet: {snapshot, at}. */
    this.requested = [];
  }

  interval() {
    const d = this.app.data;
    if (!d) {
      return 1500;
    }
    const busy = !['attached', 'detached'].includes(d.volume.state) || d.volume.rebuildStatus.length
      || (d.backups || []).some((b) => RUNNING_BACKUP.has(b.state));
    return busy ? 1000 : 2000;
  }

  async load() {
    const volume = await api.volume(this.name);
    const soft = (p) => p.catch((e) => ({ error: e.message }));
    // Attached, the engine lists the snapshots; detached, the manager lists what the engine last reported.
    const listable = volume.state === 'attached' || volume.state === 'detached';
    const [snapshots, backupVolumes, events, jobs, volumeJobs] = await Promise.all([
      listable ? soft(api.snapshots(this.name)) : null,
      soft(api.backupVolumes()),
      soft(api.events()),
      soft(api.recurringJobs()),
      soft(api.volumeAction(this.name, 'recurringJobList').then((c) => c.data)),
    ]);
    const backupVolume = Array.isArray(backupVolumes)
      ? backupVolumes.find((b) => b.volumeName === this.name) || backupVolumes.find((b) => b.name === this.name)
      : null;
    const backups = backupVolume ? await soft(api.backups(backupVolume.name)) : [];
    return { volume, snapshots, backupVolume, backups, events, jobs, volumeJobs };
  }

  render(d) {
    const v = d.volume;
    const after = () => this.refresh();
    const attached = v.state === 'attached' || v.state === 'attaching';
    const primary = attached
      ? h('button', { type: 'button', id: 'detach-button', dataset: { key: 'detach' }, onclick: () => detach(v).then(after) },
        'Detach')
      : h('button.primary', { type: 'button', id: 'attach-button', dataset: { key: 'attach' },
        onclick: () => attach(v).then(after) }, 'Attach');
    // The header has its own attach/detach button; after a delete there is nothing left to show here.
    const items = volumeMenuItems(v, after).filter((i) => i && i.id !== 'attach' && i.id !== 'detach')
      .map((i) => (i.id === 'delete' ? { ...i, run: () => deleteVolume(v).then((ok) => {
        if (ok) {
          location.hash = '#/volumes';
        }
      }) } : i));
    return h('div.page',
      h('nav.crumbs', { 'aria-label': 'Breadcrumb' }, h('a', { href: '#/volumes' }, 'Volumes'), ' / ', v.name),
      pageHead(v.name, h('span.head-badges', badge(v.state), ' ', badge(v.robustness, health(v) === 'detached'
        ? 'muted' : v.robustness), v.standby ? [' ', badge('DR standby', 'standby')] : null),
      primary, menuButton('More', items, { key: 'more', title: `More actions for ${v.name}` })),
      inlineError(this.errors.get('volume')),
      this.conditions(v),
      this.info(v),
      this.replicas(v),
      this.snapshots(v, d.snapshots),
      this.backups(v, d.backupVolume, d.backups, d.events),
      this.jobs(v, d.jobs, d.volumeJobs),
      this.events(v, d.events));
  }

  conditions(v) {
    // Conditions worth reading: those with a message, and a volume that could not be scheduled.
    const bad = Object.values(v.conditions || {}).filter((c) => c.message
      || (c.type === 'Scheduled' && c.status === 'False'));
    return bad.length ? h('div.notices', bad.map((c) => h('p.notice', h('strong', `${c.type}: `),
      c.message || c.reason || c.status))) : null;
  }

  info(v) {
    const item = (label, value) => h('div', h('dt', label), h('dd', value === '' || value === null || value === undefined
      ? h('span.muted', '–') : value));
    return h('section.card', h('dl.info',
      item('Size', `${bytes(v.size)}`),
      item('Actual size', bytes(v.actualSize)),
      item('Replicas', `${v.numberOfReplicas} wanted, ${v.replicas.filter((r) => r.mode === 'RW').length} RW`),
      item('Frontend', v.disableFrontend ? 'none (maintenance mode)' : v.frontend),
      item('Endpoint', v.endpoint ? h('code.copyable', { title: v.frontend === 'nbd' ? 'NBD export' : 'block device' },
        v.endpoint) : ''),
      (v.controllers || []).some((c) => c.frontendDevice)
        ? item('Block device', h('span', { dataset: { device: '' } },
          v.controllers.find((c) => c.frontendDevice).frontendDevice)) : null,
      item('Attached to', v.currentNodeID),
      item('Created', v.created ? h('span', { title: dateTime(v.created) }, ago(v.created)) : ''),
      item('Last backup', v.lastBackup ? h('span', v.lastBackup, h('span.muted', ` ${ago(v.lastBackupAt)}`)) : ''),
      v.fromBackup ? item('Restored from', h('code.wrap', v.fromBackup)) : null,
      item('Data locality', v.dataLocality),
      item('Access mode', v.accessMode),
      Object.keys(v.labels || {}).length ? item('Labels', labels(v.labels)) : null));
  }

  replicas(v) {
    const rebuilds = new Map((v.rebuildStatus || []).map((r) => [r.replica, r]));
    // The engine names the source of a rebuild by address; the replica's name says more.
    const byAddress = new Map(v.replicas.filter((r) => r.address).map((r) => [r.address, r.name]));
    const source = (address) => byAddress.get(address) || byAddress.get(`tcp://${address}`) || address;
    const columns = [{ header: 'Replica' }, { header: 'Mode' }, { header: 'Node' }, { header: 'Disk' },
      { header: 'Address' }, { header: h('span.sr-only', 'Actions'), label: '', className: 'actions' }];
    const rows = v.replicas.map((r) => {
      const rebuild = rebuilds.get(r.name);
      const mode = r.mode
        ? [badge(r.mode), r.mode === 'WO' ? h('span.rebuild', progress(rebuild ? rebuild.progress : 0,
          `rebuild of ${r.name}`), h('span.muted.small', rebuild?.fromReplica ? ` from ${source(rebuild.fromReplica)}` : ' rebuilding'))
          : null, rebuild?.error ? h('span.inline-error', rebuild.error) : null]
        : r.failedAt ? badge('ERR', 'err', `failed at ${r.failedAt}`) : h('span.muted', r.running ? 'running' : 'stopped');
      return row(columns, [
        h('span.mono', r.name),
        h('span.mode', mode),
        r.hostId,
        h('span.mono.small', r.diskPath),
        r.address ? h('span.mono.small', r.address) : h('span.muted', '–'),
        [h('button.small', { type: 'button', dataset: { key: `remove-${r.name}` }, onclick: () => confirm({
          title: `Remove replica ${r.name}?`,
          message: `Its data is deleted. ${v.state === 'attached'
            ? 'If the volume then has fewer replicas than wanted, a new one is built.' : ''}`,
          confirmLabel: 'Remove replica',
          action: () => api.volumeAction(v.name, 'replicaRemove', { name: r.name }),
        }).then((ok) => ok && toast(`Replica ${r.name} removed`)).then(() => this.refresh()) }, 'Remove'),
        inlineError(this.errors.get(r.name))],
      ], { dataset: { replica: r.name } });
    });
    return section('Replicas', null, table(columns, rows, { empty: 'No replicas scheduled.', caption: 'Replicas' }));
  }

  snapshots(v, snapshots) {
    const attached = v.state === 'attached';
    const detached = v.state === 'detached';
    const maintenance = attached && v.disableFrontend;
    const needsEngine = 'Snapshots are taken through the engine: attach the volume first';
    const tools = [
      h('button', { type: 'button', id: 'snapshot-button', dataset: { key: 'snapshot' }, disabled: !attached,
        title: attached ? undefined : needsEngine,
        onclick: () => snapshot(v).then(() => this.refresh()) }, 'Take snapshot'),
      h('button', { type: 'button', id: 'purge-button', dataset: { key: 'purge' }, disabled: !attached,
        title: attached ? undefined : 'Purging goes through the engine: attach the volume first',
        onclick: () => confirm({
          id: 'purge-snapshots',
          title: `Purge snapshots of ${v.name}?`,
          message: 'Merges removed and system snapshots into their neighbours and frees their space. User snapshots stay.',
          confirmLabel: 'Purge', danger: false,
          action: () => api.volumeAction(v.name, 'snapshotPurge', {}),
        }).then((ok) => ok && toast(`Purging snapshots of ${v.name}`)).then(() => this.refresh()) }, 'Purge'),
    ];
    const maintenanceAttach = () => h('button.small', { type: 'button', id: 'attach-maintenance-button',
      dataset: { key: 'attach-maintenance' }, onclick: () => attach(v, { maintenance: true }).then(() => this.refresh()) },
    'Attach in maintenance mode');
    let body;
    if (!attached && !detached) {
      body = h('p.empty', `The volume is ${v.state}: its snapshots show once it is attached or detached.`);
    } else if (!snapshots) {
      body = h('p.loading', 'Loading…');
    } else if (snapshots.error) {
      body = inlineError(`Could not list snapshots: ${snapshots.error}`);
    } else if (detached) {
      // Every snapshot action goes through the engine; revert attaches the volume for its duration.
      const revertOnly = (s) => s.removed ? [] : [
        h('button.small', { type: 'button', dataset: { key: `revert-${s.name}` },
          title: `Attach ${v.name} in maintenance mode, revert it to ${s.name}, detach it again`,
          onclick: () => revertDetached(v, s.name).then(() => this.refresh()) }, 'Revert'),
      ];
      body = [
        h('div.notice.snap-detached', { id: 'snapshots-detached' },
          h('p', 'Detached: this is the tree as the engine last reported it. Taking, backing up, deleting and'
            + ' purging snapshots need the volume attached. Revert attaches it in maintenance mode (without a'
            + ' frontend, so that no client sees the data change), reverts and detaches it again; or attach it'
            + ' in maintenance mode yourself.'),
          maintenanceAttach()),
        snapshotTree(snapshots, revertOnly),
      ];
    } else {
      const actions = (s) => s.removed ? [] : [
        h('button.small', { type: 'button', dataset: { key: `backup-${s.name}` },
          onclick: () => backup(v, s.name).then((ok) => {
            if (ok) {
              this.requested.push({ snapshot: s.name, at: Date.now() });
            }
            this.refresh();
          }) }, 'Back up'),
        h('button.small', { type: 'button', dataset: { key: `revert-${s.name}` }, disabled: !maintenance,
          title: maintenance ? `Revert ${v.name} to ${s.name}`
            : 'Revert needs the volume detached (revert from the tree then) or attached in maintenance mode',
          onclick: () => confirm({
            id: 'revert-snapshot',
            title: `Revert ${v.name} to ${s.name}?`,
            message: 'The volume head is replaced by the content of this snapshot. Newer snapshots stay in the tree.',
            confirmLabel: 'Revert',
            action: () => api.volumeAction(v.name, 'snapshotRevert', { name: s.name }),
          }).then((ok) => ok && toast(`${v.name} reverted to ${s.name}`)).then(() => this.refresh()) }, 'Revert'),
        h('button.small.danger-text', { type: 'button', dataset: { key: `delete-${s.name}` },
          onclick: () => confirm({
            id: 'delete-snapshot',
            title: `Delete snapshot ${s.name}?`,
            message: 'The snapshot is marked removed; its data is merged away by the next purge.',
            confirmLabel: 'Delete snapshot',
            action: () => api.volumeAction(v.name, 'snapshotDelete', { name: s.name }),
          }).then((ok) => ok && toast(`Snapshot ${s.name} deleted`)).then(() => this.refresh()) }, 'Delete'),
        inlineError(this.errors.get(`snap-${s.name}`)),
      ];
      body = [
        snapshotTree(snapshots, actions),
        maintenance ? null : h('p.hint', { id: 'revert-hint' }, 'Revert needs the volume detached or in maintenance mode:'
          + ' detach it and revert from its snapshot tree (the volume is attached in maintenance mode for the revert),'
          + ' or attach it with "Maintenance mode" checked.'),
      ];
    }
    return section('Snapshots', tools, inlineError(this.errors.get('snapshots')), body);
  }

  backups(v, backupVolume, backups, events) {
    const link = h('a', { href: '#/backups' }, 'All backups');
    if (backups && backups.error) {
      return section('Backups', link, inlineError(`Could not list backups: ${backups.error}`));
    }
    const list = [...(backups || [])].sort((a, b) => String(b.created || '~').localeCompare(String(a.created || '~')));
    const pending = this.pendingBackups(v, list, Array.isArray(events) ? events : []);
    const columns = [{ header: 'Backup' }, { header: 'Snapshot' }, { header: 'State' }, { header: 'Size',
      className: 'num' }, { header: 'Created' }];
    const rows = list.map((b) => row(columns, [
      h('span.mono.small.backup-name', { title: b.name }, b.name),
      b.snapshotName,
      h('span.backup-state', badge(b.state, String(b.state).toLowerCase()),
        RUNNING_BACKUP.has(b.state) ? progress(b.progress, `backup ${b.name}`) : null,
        b.error ? h('span.inline-error', b.error) : null),
      backupSize(b) === '–' ? h('span.muted', '–') : backupSize(b),
      b.created ? h('span.nowrap', { title: dateTime(b.created) }, ago(b.created)) : h('span.muted', '–'),
    ], { dataset: { backup: b.name } }));
    const waiting = pending.map((p) => row(columns, [
      h('span.mono.small', p.name || '–'),
      p.snapshot,
      h('span.backup-state', p.error ? badge('Error', 'error') : badge('Requested', 'pending'),
        p.error ? h('span.inline-error', p.error) : h('span.muted.small', 'waiting for the backup to be listed')),
      h('span.muted', '–'),
      h('span', ago(new Date(p.at).toISOString())),
    ], { dataset: { backupRequest: p.snapshot } }));
    const view = section('Backups', link, table(columns, [...waiting, ...rows], { caption: 'Backups of this volume',
      empty: backupVolume ? 'No backups in the target.' : 'No backups yet: use "Back up" on a snapshot.' }));
    view.dataset.backups = v.name;
    return view;
  }

  /**
   * The backups requested from this page that the list does not show yet. The backup's name is only
   * known from the manager's "BackupRequested" event; a "Failed" event of that backup is its error
   * (a first backup that fails leaves no backup volume to list it in).
   */
  pendingBackups(v, list, events) {
    const requested = events.filter((e) => e.reason === 'BackupRequested' && e.involvedObject?.name === v.name)
      .map((e) => ({ match: /^backup (\S+) of snapshot (\S+)/.exec(e.message || ''), at: Date.parse(e.lastTimestamp) }))
      .filter((e) => e.match);
    const now = Date.now();
    this.requested = this.requested.filter((r) => now - r.at < 10 * 60 * 1000);
    const out = [];
    for (const r of this.requested) {
      // The newest request of this snapshot made around or after the click (clocks may differ a little).
      const event = requested.filter((e) => e.match[2] === r.snapshot && !(e.at < r.at - 60000)).pop();
      const name = event?.match[1];
      if (name && list.some((b) => b.name === name)) {
        continue;
      }
      const failed = name ? events.find((e) => e.involvedObject?.kind === 'Backup' && e.involvedObject?.name === name
        && e.eventType === 'Warning') : null;
      out.push({ snapshot: r.snapshot, at: r.at, name, error: failed?.message });
    }
    this.requested = this.requested.filter((r) => out.some((p) => p.at === r.at));
    return out;
  }

  jobs(v, jobs, volumeJobs) {
    if (volumeJobs && volumeJobs.error) {
      return section('Recurring jobs', null, inlineError(volumeJobs.error));
    }
    const joined = volumeJobs || [];
    const all = Array.isArray(jobs) ? jobs : [];
    const explicit = joined.length > 0;
    const applying = all.filter((j) => joined.some((x) => (x.isGroup ? j.groups.includes(x.name) : x.name === j.name))
      || (!explicit && j.groups.includes('default')));
    const add = h('button', { type: 'button', dataset: { key: 'job-add' }, onclick: () => this.addJob(v, all) },
      'Add job or group');
    const chips = joined.map((x) => h('span.chip', x.isGroup ? `group ${x.name}` : x.name,
      h('button.chip-remove', { type: 'button', 'aria-label': `Remove ${x.isGroup ? 'group ' : ''}${x.name}`,
        dataset: { key: `job-remove-${x.name}` }, onclick: () => this.act('jobs', () => api.volumeAction(v.name,
          'recurringJobDelete', { name: x.name, isGroup: x.isGroup }), `${x.name} removed from ${v.name}`) }, '×')));
    return section('Recurring jobs', add, inlineError(this.errors.get('jobs')),
      joined.length ? h('div.chips', chips) : h('p.muted', 'No job or group added: jobs of the default group apply.'),
      applying.length
        ? h('p', 'Runs: ', applying.map((j, i) => [i ? ', ' : '', h('strong', j.name), ` (${j.task}, ${j.cron})`]))
        : h('p.muted', 'No recurring job runs on this volume.'));
  }

  addJob(v, jobs) {
    const groups = [...new Set(jobs.flatMap((j) => j.groups))].sort();
    const options = [
      ...jobs.map((j) => ({ value: `job:${j.name}`, label: `Job ${j.name} (${j.task}, ${j.cron})` })),
      ...groups.map((g) => ({ value: `group:${g}`, label: `Group ${g}` })),
    ];
    return openForm({
      id: 'add-job',
      title: `Add a recurring job to ${v.name}`,
      submitLabel: 'Add',
      fields: options.length
        ? [{ name: 'job', label: 'Job or group', type: 'select', options }]
        : [{ type: 'note', text: 'There are no recurring jobs yet: create one on the Recurring jobs page.' }],
      submit: (x) => {
        if (!x.job) {
          return undefined;
        }
        const [kind, name] = [x.job.slice(0, x.job.indexOf(':')), x.job.slice(x.job.indexOf(':') + 1)];
        return api.volumeAction(v.name, 'recurringJobAdd', { name, isGroup: kind === 'group' });
      },
    }).then(() => this.refresh());
  }

  events(v, events) {
    if (!Array.isArray(events)) {
      return null;
    }
    // "volume vol1" but not "volume vol1-restored": names may contain dashes.
    const mine = new RegExp(`\\bvolume ${v.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`);
    // Events of this volume's backups name the backup, not the volume: take them by the requested names.
    const backupNames = new Set(events.filter((e) => e.reason === 'BackupRequested' && e.involvedObject?.name === v.name)
      .map((e) => /^backup (\S+)/.exec(e.message || '')?.[1]).filter(Boolean));
    const list = events.filter((e) => e.involvedObject?.name === v.name || mine.test(e.message)
      || (e.involvedObject?.kind === 'Backup' && backupNames.has(e.involvedObject.name))).slice(-8).reverse();
    return section('Events', null, list.length ? h('ul.events.events-short', list.map((e) => h('li', { class: e.eventType === 'Warning'
      ? 'event-warning' : undefined }, h('span.event-time', { title: dateTime(e.lastTimestamp) }, ago(e.lastTimestamp)),
    h('span.event-reason', e.reason), h('span.event-message', e.message)))) : h('p.muted', 'No events.'));
  }
}
