// The dialogs behind the volume actions, shared by the volume list and the volume page. Each one
// sends what the user typed to the API unchanged (sizes and counts included), so that the API's
// own validation message is what the user sees next to the field.

import { api } from './api.js';
import { bytes } from './format.js';
import { h } from './dom.js';
import { confirm, openForm, toast } from './ui.js';

/** "3" → 3; "" → undefined; anything else as typed, for the API to name what is wrong. */
// blockdev: /dev/longhorn/<volume> on the node; nbd: the engine's NBD export itself.
const FRONTENDS = [
  { value: 'blockdev', label: 'Block device (/dev/longhorn/<name>)' },
  { value: 'nbd', label: 'NBD export (nbd://…)' },
];

export function intOrRaw(value) {
  const v = String(value ?? '').trim();
  if (v === '') {
    return undefined;
  }
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

/** "a=1, b=2" or one pair per line → {a: "1", b: "2"}. */
export function parseLabels(text) {
  const out = {};
  for (const part of String(text || '').split(/[\n,]/)) {
    const p = part.trim();
    if (!p) {
      continue;
    }
    const eq = p.indexOf('=');
    if (eq <= 0) {
      throw Object.assign(new Error(`label "${p}" must be key=value`), { fieldName: 'labels' });
    }
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

async function defaultReplicaCount() {
  try {
    return (await api.get('settings', 'default-replica-count')).value;
  } catch (e) {
    return '3';
  }
}

export async function createVolume() {
  const replicas = await defaultReplicaCount();
  return openForm({
    id: 'create-volume',
    title: 'Create volume',
    submitLabel: 'Create',
    fields: [
      { name: 'name', label: 'Name', required: true, placeholder: 'vol1', autofocus: true,
        hint: 'Lower-case letters, digits and dashes.' },
      { name: 'size', label: 'Size', placeholder: '10Gi', hint: 'Bytes, or a number with a unit: 512m, 10g, 10Gi, 1Ti (powers of 1024).' },
      { name: 'numberOfReplicas', label: 'Replicas', type: 'number', value: replicas, min: 1, max: 20,
        inputmode: 'numeric', half: true },
      { name: 'frontend', label: 'Frontend', type: 'select', value: 'blockdev', half: true,
        options: FRONTENDS },
    ],
    submit: (v) => api.create('volumes', { name: v.name.trim(), size: v.size.trim(),
      numberOfReplicas: intOrRaw(v.numberOfReplicas), frontend: v.frontend }),
  }).then((created) => {
    if (created) {
      toast(`Volume ${created.name} created`);
    }
    return created;
  });
}

/** The nodes as select options; empty when they cannot be listed (the attach then names a wrong node itself). */
async function nodeOptions() {
  try {
    return (await api.nodes()).map((n) => ({ value: n.name, label: n.name }));
  } catch (e) {
    return [];
  }
}

/** The attach dialog; {maintenance: true} checks maintenance mode (the way to revert to a snapshot). */
export async function attach(volume, { maintenance = false } = {}) {
  const options = await nodeOptions();
  return openForm({
    id: 'attach-volume',
    title: `Attach ${volume.name}`,
    submitLabel: 'Attach',
    fields: [
      options.length
        ? { name: 'hostId', label: 'Node', type: 'select', options, value: volume.currentNodeID || options[0].value }
        : { name: 'hostId', label: 'Node', placeholder: 'node name' },
      { name: 'disableFrontend', label: 'Maintenance mode (no frontend)', type: 'checkbox', value: maintenance,
        hint: 'Starts the engine without exporting the device; needed to revert to a snapshot.' },
    ],
    submit: (v) => api.volumeAction(volume.name, 'attach', { hostId: v.hostId, disableFrontend: v.disableFrontend }),
  }).then((r) => r && toast(`Attaching ${volume.name}`));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the volume until `done(volume)` holds; fails when it faults or after `limitMs`. */
async function waitForVolume(name, done, what, limitMs = 300000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await api.volume(name);
    if (done(v)) {
      return v;
    }
    if (v.robustness === 'faulted') {
      throw new Error(`${name} is faulted while ${what}`);
    }
    if (Date.now() > until) {
      throw new Error(`${name} did not finish ${what} within ${limitMs / 1000} s (state ${v.state})`);
    }
    await sleep(1000);
  }
}

/**
 * Reverts a detached volume to a snapshot: attaches it in maintenance mode (no frontend, so no
 * client sees the data change), reverts, and detaches it again, showing each step in the dialog.
 * A failure after the attach still detaches the volume, so it is left as it was found.
 */
export async function revertDetached(volume, snapshotName) {
  const options = await nodeOptions();
  const step = h('p.revert-step', { id: 'revert-detached-step', 'aria-live': 'polite' });
  return openForm({
    id: 'revert-detached',
    title: `Revert ${volume.name} to ${snapshotName}?`,
    intro: h('div', h('p.intro', `The volume head is replaced by the content of ${snapshotName}; newer snapshots stay`
      + ' in the tree. The volume is attached in maintenance mode (without a frontend) for the revert and detached'
      + ' again afterwards.'), step),
    submitLabel: 'Revert',
    danger: true,
    fields: options.length > 1
      ? [{ name: 'hostId', label: 'Node for the revert', type: 'select', options, value: options[0].value }]
      : [],
    submit: async (values) => {
      const hostId = values.hostId || (options[0] && options[0].value) || '';
      step.textContent = `Attaching ${volume.name} in maintenance mode…`;
      await api.volumeAction(volume.name, 'attach', { hostId, disableFrontend: true });
      let failure = null;
      try {
        await waitForVolume(volume.name, (v) => v.state === 'attached', 'attaching');
        step.textContent = `Reverting to ${snapshotName}…`;
        await api.volumeAction(volume.name, 'snapshotRevert', { name: snapshotName });
      } catch (e) {
        failure = e;
      }
      step.textContent = `Detaching ${volume.name}…`;
      try {
        await api.volumeAction(volume.name, 'detach', {});
        await waitForVolume(volume.name, (v) => v.state === 'detached', 'detaching');
      } catch (e) {
        step.textContent = '';
        throw new Error(failure ? `${failure.message}; detaching again failed too: ${e.message}`
          : `Reverted to ${snapshotName}, but detaching again failed: ${e.message}`);
      }
      step.textContent = '';
      if (failure) {
        throw new Error(`Revert failed (the volume is detached again, unchanged): ${failure.message}`);
      }
      return true;
    },
  }).then((r) => r && toast(`${volume.name} reverted to ${snapshotName}`));
}

export function detach(volume) {
  return confirm({
    id: 'detach-volume',
    title: `Detach ${volume.name}?`,
    message: volume.endpoint
      ? `Clients using ${volume.endpoint} lose the device. Data stays on the replicas.`
      : 'The engine stops. Data stays on the replicas.',
    confirmLabel: 'Detach',
    danger: false,
    action: () => api.volumeAction(volume.name, 'detach', {}),
  }).then((r) => r && toast(`Detaching ${volume.name}`));
}

export function deleteVolume(volume) {
  return confirm({
    id: 'delete-volume',
    title: `Delete ${volume.name}?`,
    message: h('div',
      h('p.intro', 'This removes the volume and the data of all its ', h('strong', `${volume.replicas.length}`),
        ' replicas. Backups stay in the backup target.'),
      volume.state === 'detached' ? null : h('p.intro', { dataset: { attached: '' } },
        `It is ${volume.state}${volume.currentNodeID ? ` on ${volume.currentNodeID}` : ''}: it is detached first`,
        volume.endpoint ? `, and clients using ${volume.endpoint} lose the device.` : '.')),
    confirmLabel: 'Delete volume',
    action: () => api.remove('volumes', volume.name),
  }).then((r) => r && toast(`Deleting ${volume.name}`));
}

export function expand(volume) {
  return openForm({
    id: 'expand-volume',
    title: `Expand ${volume.name}`,
    intro: `Now ${bytes(volume.size)} (${volume.size} bytes). A volume only grows.`,
    submitLabel: 'Expand',
    fields: [{ name: 'size', label: 'New size', placeholder: '20Gi', autofocus: true,
      hint: 'Bytes, or a number with a unit: 512m, 10g, 10Gi, 1Ti (powers of 1024).' }],
    submit: (v) => api.volumeAction(volume.name, 'expand', { size: v.size.trim() }),
  }).then((r) => r && toast(`Expanding ${volume.name}`));
}

export function replicaCount(volume) {
  return openForm({
    id: 'replica-count',
    title: `Replicas of ${volume.name}`,
    submitLabel: 'Change',
    fields: [{ name: 'replicaCount', label: 'Number of replicas', type: 'number', value: volume.numberOfReplicas,
      min: 1, max: 20, inputmode: 'numeric', autofocus: true }],
    submit: (v) => api.volumeAction(volume.name, 'updateReplicaCount', { replicaCount: intOrRaw(v.replicaCount) }),
  }).then((r) => r && toast(`${volume.name} now wants ${r.numberOfReplicas} replicas`));
}

export function snapshot(volume) {
  return openForm({
    id: 'create-snapshot',
    title: `Snapshot ${volume.name}`,
    submitLabel: 'Take snapshot',
    fields: [
      { name: 'name', label: 'Name', placeholder: 'before-upgrade', autofocus: true,
        hint: 'Leave empty for a generated name.' },
      { name: 'labels', label: 'Labels', type: 'textarea', rows: 2, placeholder: 'key=value, one per line' },
    ],
    submit: (v) => api.volumeAction(volume.name, 'snapshotCreate', { name: v.name.trim() || undefined,
      labels: parseLabels(v.labels) }),
  }).then((s) => s && toast(`Snapshot ${s.name} taken`));
}

export function backup(volume, snapshotName) {
  return openForm({
    id: 'backup-snapshot',
    title: `Back up ${snapshotName}`,
    intro: `Copies snapshot ${snapshotName} of ${volume.name} to the backup target; only blocks not already there are uploaded.`,
    submitLabel: 'Back up',
    fields: [{ name: 'labels', label: 'Labels', type: 'textarea', rows: 2, placeholder: 'key=value, one per line' }],
    submit: (v) => api.volumeAction(volume.name, 'snapshotBackup', { name: snapshotName, labels: parseLabels(v.labels) }),
  }).then((r) => {
    if (r) {
      toast(`Backup of ${snapshotName} requested`);
    }
    return r;
  });
}

export function activate(volume) {
  return openForm({
    id: 'activate-volume',
    title: `Activate ${volume.name}`,
    intro: `The standby volume restores the last backup of ${volume.fromBackup ? 'its backup volume' : 'its source'} and becomes a normal volume.`,
    submitLabel: 'Activate',
    fields: [{ name: 'frontend', label: 'Frontend', type: 'select', value: 'blockdev',
      options: FRONTENDS }],
    submit: (v) => api.volumeAction(volume.name, 'activate', { frontend: v.frontend }),
  }).then((r) => r && toast(`Activating ${volume.name}`));
}

/** The menu items every volume has, in the list and on its page. */
export function volumeMenuItems(volume, after) {
  const attached = volume.state === 'attached' || volume.state === 'attaching';
  const run = (fn) => () => fn(volume).then(after);
  return [
    !attached && { id: 'attach', label: 'Attach…', run: run(attach) },
    attached && { id: 'detach', label: 'Detach…', run: run(detach) },
    volume.standby && { id: 'activate', label: 'Activate…', run: run(activate) },
    { id: 'expand', label: 'Expand…', run: run(expand) },
    { id: 'replicas', label: 'Change replica count…', run: run(replicaCount) },
    attached && !volume.standby && { id: 'snapshot', label: 'Take snapshot…', run: run(snapshot) },
    { id: 'delete', label: 'Delete…', danger: true, run: run(deleteVolume) },
  ];
}
