// The single-page app: hash routes, one page at a time, polled so that state changes (attaching,
// rebuilds, backups) show up by themselves. A page renders its whole view from its data and its own
// state; the app keeps focus, caret and scroll across re-renders, and holds them while a menu is open.

import { ApiError, api, session } from './api.js';
import { renderLogin } from './login.js';
import { clearToasts, menuOpen } from './ui.js';
import { BackupsPage } from './pages/backups.js';
import { DashboardPage } from './pages/dashboard.js';
import { JobsPage } from './pages/jobs.js';
import { SettingsPage } from './pages/settings.js';
import { TokensPage } from './pages/tokens.js';
import { VolumePage } from './pages/volume.js';
import { VolumesPage } from './pages/volumes.js';
import { h } from './dom.js';

const ROUTES = [
  [/^\/dashboard$/, DashboardPage],
  [/^\/volumes$/, VolumesPage],
  [/^\/volumes\/([^/]+)$/, VolumePage],
  [/^\/backups$/, BackupsPage],
  [/^\/jobs$/, JobsPage],
  [/^\/settings$/, SettingsPage],
  [/^\/tokens$/, TokensPage],
];

class App {
  constructor(main) {
    this.main = main;
    this.page = null;
    this.data = null;
    this.dataJson = null;
    this.error = null;
    this.timer = null;
    this.generation = 0;
    this.pendingRender = false;
    this.routed = false;
    window.addEventListener('hashchange', () => this.route());
    window.addEventListener('unauthenticated', () => this.showLogin());
    document.getElementById('logout-button').addEventListener('click', () => this.logout());
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) {
        this.refresh();
      }
    });
    document.addEventListener('menuclosed', () => {
      if (this.pendingRender) {
        this.render();
      }
    });
  }

  /** The log-in page, with the rest of the app out of the way. */
  showLogin() {
    clearTimeout(this.timer);
    this.generation++;
    this.page = null;
    clearToasts();
    document.body.classList.add('signed-out');
    document.getElementById('user').textContent = '';
    renderLogin(this.main, () => this.signedIn());
  }

  signedIn() {
    document.body.classList.remove('signed-out');
    api.whoami().then((who) => {
      document.getElementById('user').textContent = who.role ? `${who.name} (${who.role})` : who.name;
      document.querySelector('[data-nav=tokens]').hidden = !who.tokensManaged;
    }).catch(() => {});
    this.route();
  }

  async logout() {
    try {
      await api.logout();
    } catch (e) {
      // Logged out either way: the tab forgets the token.
    }
    session.clear();
    this.showLogin();
  }

  route() {
    if (!session.token()) {
      this.showLogin();
      return;
    }
    const path = decodeURIComponent(location.hash.replace(/^#/, '').split('?')[0]) || '/dashboard';
    let match = null;
    let Page = null;
    for (const [pattern, candidate] of ROUTES) {
      match = path.match(pattern);
      if (match) {
        Page = candidate;
        break;
      }
    }
    if (!Page) {
      location.replace('#/dashboard');
      return;
    }
    clearTimeout(this.timer);
    this.generation++;
    clearToasts();
    this.page = new Page(this, ...match.slice(1));
    this.data = null;
    this.dataJson = null;
    this.error = null;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === this.page.nav) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    }
    document.title = `${this.page.title} · Longhorn`;
    this.main.replaceChildren(h('p.loading', 'Loading…'));
    // After a navigation, focus goes to the new content (as a page load would put it at the top); on
    // the first load it stays at the start of the document, where the skip link is.
    const navigated = this.routed;
    this.routed = true;
    this.refresh().then(() => {
      window.scrollTo(0, 0);
      if (navigated && (document.activeElement === document.body || !document.activeElement)) {
        this.main.focus({ preventScroll: true });
      }
    });
  }

  /** Fetches the page's data now and re-renders when it changed. */
  async refresh() {
    clearTimeout(this.timer);
    const page = this.page;
    const generation = this.generation;
    if (!page) {
      return;
    }
    try {
      const data = await page.load();
      if (generation !== this.generation) {
        return;
      }
      this.setConnection(null);
      const json = JSON.stringify(data);
      const wasError = this.error;
      this.error = null;
      if (json !== this.dataJson || wasError) {
        this.data = data;
        this.dataJson = json;
        this.render();
      }
    } catch (e) {
      if (generation !== this.generation) {
        return;
      }
      this.error = e;
      // The badge is for the manager not answering at all; an answer such as a 404 is the page's to show.
      this.setConnection(e instanceof ApiError && e.status === 0 ? e : null);
      this.render();
    } finally {
      if (generation === this.generation) {
        const interval = page.interval ? page.interval() : 2000;
        this.timer = setTimeout(() => this.refresh(), document.hidden ? 10000 : interval);
      }
    }
  }

  /** Re-renders the page from its last data (after a change of the page's own state). */
  render() {
    if (!this.page) {
      return;
    }
    if (menuOpen()) {
      this.pendingRender = true;
      return;
    }
    this.pendingRender = false;
    const active = document.activeElement;
    const key = active && this.main.contains(active) ? active.dataset.key : undefined;
    const selection = key && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
    const scroll = [window.scrollX, window.scrollY];
    let view;
    if (this.data === null && this.error) {
      view = h('div.page', h('h1', this.page.title), h('p.inline-error', { role: 'alert' },
        `Could not load: ${this.error.message}`));
    } else if (this.data === null) {
      return;
    } else {
      view = this.page.render(this.data);
      if (this.error) {
        view.prepend(h('p.banner', { role: 'alert' }, `Showing the last known state: ${this.error.message}`));
      }
    }
    this.main.replaceChildren(view);
    if (key) {
      const again = this.main.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again) {
        again.focus({ preventScroll: true });
        if (selection && 'setSelectionRange' in again) {
          try {
            again.setSelectionRange(selection[0], selection[1]);
          } catch (e) {
            // number inputs have no selection; focus is enough
          }
        }
      }
    }
    window.scrollTo(scroll[0], scroll[1]);
  }

  setConnection(error) {
    const el = document.getElementById('conn');
    el.textContent = error ? 'Manager unreachable' : '';
    el.classList.toggle('conn-down', Boolean(error));
    el.title = error ? error.message : '';
  }
}

const main = document.getElementById('main');
// The skip link must not change the hash: the hash is the route.
document.querySelector('.skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
const app = new App(main);
if (session.token()) {
  app.signedIn();
} else {
  app.showLogin();
}
