// Recurring jobs: snapshots, backups and cleanups on a cron schedule, which volumes each one runs
// on, and a form with a plain-English preview of the schedule.

import { api } from '../api.js';
import { cronPreview, describeCron } from '../cron.js';
import { h } from '../dom.js';
import { ago, compareText, dateTime, labels } from '../format.js';
import { confirm, openForm, pageHead, row, section, table, toast } from '../ui.js';
import { intOrRaw, parseLabels } from '../volume-actions.js';
import { Page } from './page.js';

const TASKS = [
  { value: 'snapshot', label: 'snapshot: take a snapshot, keep the newest "retain"' },
  { value: 'snapshot-force-create', label: 'snapshot-force-create: snapshot even past the snapshot limit' },
  { value: 'snapshot-cleanup', label: 'snapshot-cleanup: purge removed and system snapshots' },
  { value: 'snapshot-delete', label: 'snapshot-delete: delete snapshots beyond "retain"' },
  { value: 'backup', label: 'backup: snapshot and back up, keep the newest "retain" backups' },
  { value: 'backup-force-create', label: 'backup-force-create: back up even past the snapshot limit' },
];

const JOB_LABEL = 'recurring-job.longhorn.io/';
const GROUP_LABEL = 'recurring-job-group.longhorn.io/';

/** The volumes a job runs on, decided as the manager does (explicit job, one of its groups, or "default"). */

/**
 * The runs the job keeps (recurring-successful-jobs-history-limit and
 * recurring-failed-jobs-history-limit), newest first, folded away.
 */
function history(j) {
  const runs = (j.history || []).slice().reverse();
  if (!runs.length) {
    return null;
  }
  return h('details.small', h('summary.muted', `History (${runs.length})`),
    h('ul.plain', runs.map((r) => h('li', { dataset: { state: r.state } },
      h('span', { title: dateTime(r.finishedAt) }, `${r.state === 'failed' ? '✗' : '✓'} ${ago(r.finishedAt)}`),
      h('span.muted', ` · ${r.volumes.length ? r.volumes.join(', ') : 'no volume'}`),
      r.error ? h('div.inline-error', r.error) : null))));
}

export function volumesOf(job, volumes) {
  return volumes.filter((v) => {
    const l = v.labels || {};
    if (l[JOB_LABEL + job.name] === 'enabled') {
      return true;
    }
    if (job.groups.some((g) => l[GROUP_LABEL + g] === 'enabled')) {
      return true;
    }
    const unlabelled = !Object.keys(l).some((k) => k.startsWith(JOB_LABEL) || k.startsWith(GROUP_LABEL));
    return unlabelled && job.groups.includes('default');
  });
}

export class JobsPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Recurring jobs';
    this.nav = 'jobs';
  }

  interval() {
    return 3000;
  }

  async load() {
    const [jobs, volumes] = await Promise.all([api.recurringJobs(), api.volumes()]);
    jobs.sort((a, b) => compareText(a.name, b.name));
    return { jobs, volumes };
  }

  render({ jobs, volumes }) {
    const columns = [{ header: 'Name' }, { header: 'Task' }, { header: 'Schedule' }, { header: 'Retain', className: 'num' },
      { header: 'Concurrency', className: 'num' }, { header: 'Groups' }, { header: 'Labels' }, { header: 'Applies to' },
      { header: 'Last run' }, { header: h('span.sr-only', 'Actions'), label: '', className: 'actions' }];
    const rows = jobs.map((j) => {
      const applies = volumesOf(j, volumes);
      let schedule;
      try {
        schedule = describeCron(j.cron);
      } catch (e) {
        schedule = '';
      }
      return row(columns, [
        h('strong', j.name),
        j.task,
        h('div', h('code', j.cron), schedule ? h('div.muted.small', schedule) : null),
        String(j.retain),
        String(j.concurrency),
        j.groups.length ? j.groups.join(', ') : h('span.muted', '–'),
        labels(j.labels) || h('span.muted', '–'),
        applies.length ? h('span', applies.map((v, i) => [i ? ', ' : '',
          h('a', { href: `#/volumes/${encodeURIComponent(v.name)}` }, v.name)])) : h('span.muted', 'no volume'),
        h('div', j.lastRunAt ? h('span', { title: dateTime(j.lastRunAt) }, ago(j.lastRunAt)) : h('span.muted', 'never'),
          j.executionCount ? h('span.muted.small', ` · ${j.executionCount} run${j.executionCount === 1 ? '' : 's'}`) : null,
          j.lastError ? h('p.inline-error', j.lastError) : null,
          history(j)),
        h('div.row-actions',
          h('button.small', { type: 'button', dataset: { key: `edit-${j.name}` }, onclick: () => this.edit(j) }, 'Edit'),
          h('button.small.danger-text', { type: 'button', dataset: { key: `delete-${j.name}` },
            onclick: () => this.remove(j) }, 'Delete')),
      ], { dataset: { job: j.name } });
    });
    return h('div.page',
      pageHead('Recurring jobs', 'Snapshots, backups and cleanups on a schedule.',
        h('button.primary', { type: 'button', id: 'create-job-button', dataset: { key: 'create' },
          onclick: () => this.edit(null) }, '+ Create job')),
      section('Jobs', null, table(columns, rows, { caption: 'Recurring jobs', className: 'jobs',
        empty: 'No recurring jobs. A job in the "default" group runs on every volume that has no job of its own.' })),
      h('p.hint', 'A volume runs a job when the job was added to it (or one of the job\'s groups was), or, for a job '
        + 'in the "default" group, when no job or group was added to the volume at all.'));
  }

  edit(job) {
    const editing = Boolean(job);
    return openForm({
      id: editing ? 'edit-job' : 'create-job',
      title: editing ? `Edit ${job.name}` : 'Create recurring job',
      submitLabel: editing ? 'Save' : 'Create',
      fields: [
        { name: 'name', label: 'Name', required: true, value: job?.name || '', disabled: editing, autofocus: !editing,
          placeholder: 'nightly-backup' },
        { name: 'task', label: 'Task', type: 'select', options: TASKS, value: job?.task || 'snapshot' },
        { name: 'cron', label: 'Schedule (cron)', value: job?.cron || '0 2 * * *', placeholder: '0 2 * * *',
          hint: 'minute hour day-of-month month day-of-week, as in crontab', preview: (value) => cronPreview(value),
          autofocus: editing },
        { name: 'retain', label: 'Retain', type: 'number', value: job?.retain ?? 1, min: 0, inputmode: 'numeric',
          half: true, hint: 'Snapshots or backups kept per volume.' },
        { name: 'concurrency', label: 'Concurrency', type: 'number', value: job?.concurrency ?? 1, min: 1,
          inputmode: 'numeric', half: true, hint: 'Volumes worked on at once.' },
        { name: 'groups', label: 'Groups', value: (job?.groups || ['default']).join(', '), placeholder: 'default',
          half: true, hint: 'Comma separated; "default" covers volumes with no job of their own.' },
        { name: 'labels', label: 'Labels', type: 'textarea', rows: 2, value: Object.entries(job?.labels || {})
          .map(([k, v]) => `${k}=${v}`).join('\n'), placeholder: 'key=value, one per line', half: true,
        hint: 'Put on the snapshots and backups it makes.' },
      ],
      submit: (v) => {
        const body = {
          name: editing ? job.name : v.name.trim(),
          task: v.task,
          cron: v.cron.trim(),
          retain: intOrRaw(v.retain),
          concurrency: intOrRaw(v.concurrency),
          groups: v.groups.split(',').map((g) => g.trim()).filter(Boolean),
          labels: parseLabels(v.labels),
        };
        return editing ? api.update('recurringjobs', job.name, body) : api.create('recurringjobs', body);
      },
    }).then((saved) => {
      if (saved) {
        toast(`Recurring job ${saved.name} ${editing ? 'saved' : 'created'}`);
        this.refresh();
      }
    });
  }

  remove(job) {
    return confirm({
      title: `Delete recurring job ${job.name}?`,
      message: 'It stops running. Snapshots and backups it made stay.',
      confirmLabel: 'Delete job',
      action: () => api.remove('recurringjobs', job.name),
    }).then((ok) => {
      if (ok) {
        toast(`Recurring job ${job.name} deleted`);
        this.refresh();
      }
    });
  }
}

