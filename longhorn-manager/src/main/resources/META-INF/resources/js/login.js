// The log-in page: a token (standalone: the admin token the manager printed at its first start, or
// one made with "longhorn-manager token create"; in Kubernetes: a service account's or user's token).
// The manager answers a session token, which the tab keeps until it logs out or the session expires.

import { api, session } from './api.js';
import { h } from './dom.js';

/** Shows the log-in form in `main`; `done` runs once the session is set. */
export function renderLogin(main, done) {
  const error = h('p.form-error', { id: 'login-error', role: 'alert', hidden: true });
  const input = h('input', { id: 'login-token', name: 'token', type: 'password', autocomplete: 'current-password',
    required: true, 'aria-describedby': 'login-hint login-error', spellcheck: 'false' });
  const submit = h('button.primary', { type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form.login-form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        const s = await api.login(input.value.trim());
        session.set(s.token);
        input.value = '';
        done(s);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        input.focus();
        input.select();
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('div.field', h('label', { for: 'login-token' }, 'Token'), input,
    h('p.hint', { id: 'login-hint' }, 'Standalone: the admin token the manager printed at its first start, or a '
      + 'token made with "longhorn-manager token create". In Kubernetes: a service account\'s or user\'s token, '
      + 'e.g. "kubectl -n longhorn-system create token NAME".')),
  error,
  h('div.form-actions', submit));
  main.replaceChildren(h('div.page.login', h('h1', 'Log in to Longhorn'), form));
  document.title = 'Log in · Longhorn';
  input.focus();
}
