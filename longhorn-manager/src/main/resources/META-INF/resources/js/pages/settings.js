// Settings: the backup target (URL, credentials, poll interval) and every other setting with its
// description and default. What the user typed stays while the page refreshes underneath, and the
// API's refusal is shown under the field that was refused.

import { api } from '../api.js';
import { h } from '../dom.js';
import { compareText } from '../format.js';
import { badge, inlineError, pageHead, section, toast } from '../ui.js';
import { Page } from './page.js';

const TARGET_SETTINGS = new Set(['backup-target', 'backup-target-credential-secret', 'backupstore-poll-interval']);
const CATEGORY_ORDER = ['general', 'backup', 'scheduling', 'snapshot', 'danger zone'];

export class SettingsPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Settings';
    this.nav = 'settings';
    /** What the user typed and did not save yet, by setting name (and "target.<field>"). */
    this.drafts = new Map();
  }

  interval() {
    // While a changed backup target is being checked, follow it closely.
    return (this.app.data?.targets || []).some((t) => t.pending) ? 1000 : 4000;
  }

  async load() {
    const [settings, targets] = await Promise.all([api.settings(), api.backupTargets()]);
    return { settings, targets };
  }

  render({ settings, targets }) {
    const byCategory = new Map();
    for (const s of settings.filter((x) => !TARGET_SETTINGS.has(x.name))) {
      const c = s.definition?.category || 'general';
      if (!byCategory.has(c)) {
        byCategory.set(c, []);
      }
      byCategory.get(c).push(s);
    }
    const categories = [...byCategory.keys()].sort((a, b) => rank(a) - rank(b) || compareText(a, b));
    return h('div.page',
      pageHead('Settings', 'Changes apply at once.'),
      this.target(targets.find((t) => t.name === 'default') || targets[0], settings),
      categories.map((c) => section(title(c), null, h('div.settings', byCategory.get(c)
        .sort((a, b) => (b.name === 'default-replica-count') - (a.name === 'default-replica-count')
          || compareText(a.definition?.displayName || a.name, b.definition?.displayName || b.name))
        .map((s) => this.setting(s))))));
  }

  draft(key, current) {
    return this.drafts.has(key) ? this.drafts.get(key) : current;
  }

  target(t, settings) {
    if (!t) {
      return section('Backup target', null, h('p.muted', 'No backup target is defined.'));
    }
    const description = (name) => settings.find((s) => s.name === name)?.definition?.description;
    const field = (name, label, value, hint, placeholder) => {
      const id = `target-${name}`;
      const key = `target.${name}`;
      const error = this.errors.get(key);
      return h('div.field',
        h('label', { for: id }, label),
        h('input', { id, name, value: this.draft(key, value), placeholder, autocomplete: 'off', spellcheck: 'false',
          autocapitalize: 'off', dataset: { key }, 'aria-invalid': error ? 'true' : undefined,
          'aria-describedby': `${id}-hint ${id}-error`,
          oninput: (e) => this.drafts.set(key, e.target.value) }),
        hint ? h('p.hint', { id: `${id}-hint` }, hint) : null,
        h('p.field-error', { id: `${id}-error`, role: 'alert', hidden: !error, dataset: { errorFor: name } }, error || ''));
    };
    const submit = async (e) => {
      e.preventDefault();
      const body = {
        backupTargetURL: this.draft('target.backupTargetURL', t.backupTargetURL).trim(),
        credentialSecret: this.draft('target.credentialSecret', t.credentialSecret).trim(),
        pollInterval: this.draft('target.pollInterval', t.pollInterval).trim(),
      };
      for (const k of ['backupTargetURL', 'credentialSecret', 'pollInterval']) {
        this.errors.delete(`target.${k}`);
      }
      this.errors.delete('target');
      try {
        await api.update('backuptargets', t.name, body);
        for (const k of ['backupTargetURL', 'credentialSecret', 'pollInterval']) {
          this.drafts.delete(`target.${k}`);
        }
        toast('Backup target saved');
      } catch (err) {
        const k = `target.${err.fieldName}`;
        this.errors.set(['backupTargetURL', 'credentialSecret', 'pollInterval'].includes(err.fieldName) ? k : 'target',
          err.message);
      }
      this.rerender();
      this.refresh();
    };
    const secret = this.draft('target.credentialSecret', t.credentialSecret) || '<name>';
    // Until the manager checked a changed target, its availability and message are the old target's.
    const status = t.pending ? badge('checking…', 'pending', 'The manager is checking the saved target')
      : t.available ? badge('available', 'healthy') : badge('unavailable', 'faulted');
    status.id = 'backup-target-status';
    return section('Backup target', h('span', status),
      h('form.target-form', { id: 'backup-target-form', onsubmit: submit },
        t.pending ? h('p.notice', { id: 'backup-target-message' }, `Checking ${t.backupTargetURL || 'the target'}…`)
          : !t.available && t.message ? h('p.notice', { id: 'backup-target-message' }, t.message) : null,
        field('backupTargetURL', 'URL', t.backupTargetURL, description('backup-target'),
          's3://bucket@region/path, nfs://server:/export/path, file:///path'),
        field('credentialSecret', 'Credential secret', t.credentialSecret,
          `Standalone: the directory secrets/${secret}/ in the manager's data directory, with one file per key: `
          + 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_ENDPOINTS (for S3-compatible servers). '
          + 'In Kubernetes: a Secret with these keys in longhorn-system.', 'none'),
        field('pollInterval', 'Poll interval', t.pollInterval, description('backupstore-poll-interval')
          || 'How often the target is listed for new backups.', '300s'),
        inlineError(this.errors.get('target')),
        h('div.form-buttons', h('button.primary', { type: 'submit', id: 'backup-target-save', dataset: { key: 'target-save' } },
          'Save backup target'))));
  }

  setting(s) {
    const d = s.definition || {};
    const id = `setting-${s.name}`;
    const value = this.draft(s.name, s.value);
    const error = this.errors.get(s.name);
    const changed = value !== s.value;
    const common = { id, name: s.name, dataset: { key: s.name }, 'aria-describedby': `${id}-desc ${id}-error`,
      'aria-invalid': error ? 'true' : undefined, disabled: d.readOnly };
    const update = (e) => {
      this.drafts.set(s.name, e.target.value);
      const same = e.target.value === s.value;
      e.target.form.querySelector('.save').hidden = same;
      e.target.form.querySelector('.revert').hidden = same;
    };
    let input;
    if (d.type === 'bool' || d.type === 'boolean') {
      input = h('select', { ...common, onchange: update }, ['true', 'false'].map((o) => h('option', { value: o,
        selected: o === value }, o)));
    } else if (d.options && d.options.length) {
      input = h('select', { ...common, onchange: update }, d.options.map((o) => h('option', { value: o, selected: o === value },
        o)));
    } else {
      input = h('input', { ...common, type: d.type === 'int' ? 'number' : 'text', inputmode: d.type === 'int' ? 'numeric'
        : undefined, value, autocomplete: 'off', spellcheck: 'false', oninput: update });
    }
    const save = async (e) => {
      e.preventDefault();
      this.errors.delete(s.name);
      try {
        await api.update('settings', s.name, { value: this.draft(s.name, s.value) });
        this.drafts.delete(s.name);
        toast(`${d.displayName || s.name} saved`);
      } catch (err) {
        this.errors.set(s.name, err.message);
      }
      this.rerender();
      this.refresh();
    };
    return h('form.setting', { dataset: { setting: s.name }, onsubmit: save },
      h('div.setting-text',
        h('label', { for: id }, d.displayName || s.name),
        h('code.setting-name', s.name),
        h('p.hint', { id: `${id}-desc` }, d.description || '',
          d.defaultValue !== undefined ? h('span.default', ` Default: ${d.defaultValue === '' ? '(empty)' : d.defaultValue}.`)
            : null)),
      h('div.setting-control',
        input,
        h('button.primary.small.save', { type: 'submit', hidden: !changed, dataset: { key: `save-${s.name}` } }, 'Save'),
        h('button.small.revert', { type: 'button', hidden: !changed, dataset: { key: `revert-${s.name}` },
          onclick: () => { this.drafts.delete(s.name); this.errors.delete(s.name); this.rerender(); } }, 'Undo'),
        value !== d.defaultValue && !changed && d.defaultValue !== undefined
          ? h('button.small.link.reset', { type: 'button', dataset: { key: `reset-${s.name}` }, onclick: () => {
            this.drafts.set(s.name, d.defaultValue);
            this.rerender();
          } }, 'Use default') : null,
        h('p.field-error', { id: `${id}-error`, role: 'alert', hidden: !error, dataset: { errorFor: s.name } },
          error || '')));
  }
}

function rank(category) {
  const i = CATEGORY_ORDER.indexOf(category);
  return i < 0 ? CATEGORY_ORDER.length : i;
}

function title(category) {
  return category.split(' ').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
}
