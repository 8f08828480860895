// API tokens of the standalone manager: who may use the API and the UI, with which role. A new
// token is shown once, right after it was made; the manager keeps only its hash.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ago, dateTime } from '../format.js';
import { confirm, openForm, pageHead, row, section, table, toast } from '../ui.js';
import { Page } from './page.js';

const ROLES = [
  { value: 'viewer', label: 'viewer: reads everything, changes nothing' },
  { value: 'editor', label: 'editor: also creates, changes and deletes volumes, backups, jobs, settings' },
  { value: 'admin', label: 'admin: also manages tokens' },
];

export class TokensPage extends Page {
  constructor(app) {
    super(app);
    this.title = 'Tokens';
    this.nav = 'tokens';
    /** The token just created, shown until the page is left. */
    this.created = null;
  }

  interval() {
    return 5000;
  }

  async load() {
    return { tokens: await api.tokens() };
  }

  render({ tokens }) {
    const columns = [{ header: 'Name' }, { header: 'ID' }, { header: 'Role' }, { header: 'Created' },
      { header: 'Expires' }, { header: h('span.sr-only', 'Actions'), label: '', className: 'actions' }];
    const rows = tokens.map((t) => row(columns, [
      h('strong', t.name, t.session ? h('span.muted.small', ' (UI session)') : null),
      h('code', t.id),
      t.role,
      h('span', { title: dateTime(t.created) }, ago(t.created)),
      t.expires ? h('span', { title: dateTime(t.expires) }, dateTime(t.expires)) : h('span.muted', 'never'),
      h('div.row-actions', h('button.small.danger-text', { type: 'button', dataset: { key: `revoke-${t.id}` },
        onclick: () => this.revoke(t) }, 'Revoke')),
    ], { dataset: { token: t.name } }));
    return h('div.page',
      pageHead('Tokens', 'Who may use the API and this UI: send a token as "Authorization: Bearer <token>".',
        h('button.primary', { type: 'button', id: 'create-token-button', dataset: { key: 'create' },
          onclick: () => this.create() }, '+ Create token')),
      this.created ? h('div.notice', { id: 'new-token', role: 'status' },
        h('p', `Token ${this.created.name} (${this.created.role}). Copy it now: it is not shown again.`),
        h('code.secret', { id: 'new-token-value' }, this.created.token)) : null,
      section('Tokens', null, table(columns, rows, { caption: 'API tokens', className: 'tokens',
        empty: 'No tokens.' })));
  }

  create() {
    return openForm({
      id: 'create-token',
      title: 'Create token',
      submitLabel: 'Create',
      fields: [
        { name: 'name', label: 'Name', required: true, autofocus: true, placeholder: 'ci' },
        { name: 'role', label: 'Role', type: 'select', options: ROLES, value: 'viewer' },
        { name: 'ttl', label: 'Expires after', placeholder: 'never', hint: 'A duration such as 24h or 90m; empty: never.' },
      ],
      submit: (v) => api.create('tokens', { name: v.name.trim(), role: v.role, ttl: v.ttl.trim() || undefined }),
    }).then((created) => {
      if (created) {
        this.created = created;
        toast(`Token ${created.name} created`);
        this.refresh();
      }
    });
  }

  revoke(t) {
    return confirm({
      title: `Revoke token ${t.name}?`,
      message: 'Requests with it are refused from now on.',
      confirmLabel: 'Revoke token',
      action: () => api.remove('tokens', t.id),
    }).then((ok) => {
      if (ok) {
        toast(`Token ${t.name} revoked`);
        this.refresh();
      }
    });
  }
}
