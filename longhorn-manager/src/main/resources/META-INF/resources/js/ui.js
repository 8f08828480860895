// Shared widgets: badges, progress bars, dialogs with forms that show API errors next to the field
// they concern, confirmation dialogs, action menus and toasts. Dialogs are native <dialog>s, so
// Escape closes them and focus stays inside while they are open.

import { ApiError } from './api.js';
import { h } from './dom.js';

/** A coloured state word: healthy, degraded, faulted, detached, attached, RW, WO, ERR, ... */
export function badge(text, kind = String(text).toLowerCase(), title) {
  return h('span.badge', { class: `badge-${kind}`, title }, text || '–');
}

/** A progress bar with its percentage as text (and for screen readers). */
export function progress(value, label) {
  const pct = Math.max(0, Math.min(100, Number(value) || 0));
  return h('span.progress', { role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-label': label || 'progress' },
  h('span.progress-bar', { style: { width: `${pct}%` } }), h('span.progress-text', `${pct}%`));
}

/** An error message shown where the user acted. */
export function inlineError(message, key) {
  return message ? h('p.inline-error', { role: 'alert', dataset: key ? { errorFor: key } : undefined }, message) : null;
}

/** A section with a heading and optional tools on the right. */
export function section(title, tools, ...body) {
  return h('section.card', h('div.card-head', h('h2', title), tools ? h('div.tools', tools) : null), ...body);
}

/** The page title row with its action buttons. */
export function pageHead(title, subtitle, ...tools) {
  return h('div.page-head', h('div', h('h1', title), subtitle ? h('p.subtitle', subtitle) : null),
    h('div.tools', ...tools));
}

/** A table wrapped for horizontal scrolling; cells carry data-label for the phone layout. */
export function table(columns, rows, { empty = 'Nothing here yet.', caption, className } = {}) {
  if (!rows.length) {
    return h('p.empty', empty);
  }
  return h('div.table-wrap', h('table', { class: className },
    caption ? h('caption.sr-only', caption) : null,
    h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.className, 'aria-sort': c.sort },
      c.header)))),
    h('tbody', rows)));
}

/** One table row; `cells` align with `columns`. */
export function row(columns, cells, attrs = {}) {
  return h('tr', attrs, cells.map((cell, i) => h('td', { class: columns[i].className, 'data-label': columns[i].label
    ?? (typeof columns[i].header === 'string' ? columns[i].header : '') }, cell)));
}

let formCounter = 0;

/**
 * Opens a dialog with a form. `submit(values)` does the work; an ApiError it throws is shown next
 * to the field the API named (`fieldName`, mapped through `fieldMap`) or above the buttons. Resolves
 * with submit's result, or undefined when cancelled.
 */
export function openForm({ title, intro, fields = [], submitLabel = 'Save', danger = false, submit, fieldMap = {},
  id }) {
  const formId = id || `form${++formCounter}`;
  const opener = document.activeElement;
  const openerKey = opener?.dataset?.key;
  return new Promise((resolve) => {
    const inputs = new Map();
    const errors = new Map();
    const formError = h('p.form-error', { role: 'alert', hidden: true, id: `${formId}-error` });
    const submitButton = h(danger ? 'button.danger' : 'button.primary', { type: 'submit', id: `${formId}-submit` },
      submitLabel);
    const cancelButton = h('button', { type: 'button', id: `${formId}-cancel` }, 'Cancel');
    const values = () => Object.fromEntries(fields.filter((f) => f.type !== 'note').map((f) => [f.name,
      f.type === 'checkbox' ? inputs.get(f.name).checked : inputs.get(f.name).value]));
    const previews = [];

    const body = fields.map((f) => {
      if (f.type === 'note') {
        return h('p.note', f.text);
      }
      const inputId = `${formId}-${f.name}`;
      const errorEl = h('p.field-error', { id: `${inputId}-error`, role: 'alert', hidden: true,
        dataset: { errorFor: f.name } });
      errors.set(f.name, errorEl);
      const hintId = f.hint ? `${inputId}-hint` : null;
      const common = { id: inputId, name: f.name, required: f.required, autocomplete: 'off',
        'aria-describedby': [hintId, `${inputId}-error`].filter(Boolean).join(' '), disabled: f.disabled };
      let input;
      if (f.type === 'select') {
        input = h('select', common, f.options.map((o) => {
          const opt = typeof o === 'object' ? o : { value: o, label: o };
          return h('option', { value: opt.value, selected: String(opt.value) === String(f.value ?? '') }, opt.label);
        }));
      } else if (f.type === 'checkbox') {
        input = h('input', { ...common, type: 'checkbox', checked: Boolean(f.value) });
      } else if (f.type === 'textarea') {
        input = h('textarea', { ...common, rows: f.rows || 3, placeholder: f.placeholder, spellcheck: 'false' });
        input.value = f.value ?? '';
      } else {
        input = h('input', { ...common, type: f.type || 'text', value: f.value ?? '', placeholder: f.placeholder,
          inputmode: f.inputmode, min: f.min, max: f.max, spellcheck: 'false', autocapitalize: 'off' });
      }
      inputs.set(f.name, input);
      input.addEventListener('input', () => clearError(f.name));
      let preview = null;
      if (f.preview) {
        preview = h('p.preview', { 'aria-live': 'polite', id: `${inputId}-preview` });
        previews.push(() => { preview.textContent = f.preview(input.value, values()); });
        input.addEventListener('input', () => previews.forEach((p) => p()));
        input.addEventListener('change', () => previews.forEach((p) => p()));
      }
      if (f.type === 'checkbox') {
        return h('div.field.field-check', h('label', { for: inputId }, input, ' ', f.label),
          f.hint ? h('p.hint', { id: hintId }, f.hint) : null, errorEl);
      }
      return h('div.field', { class: f.half ? 'field-half' : undefined }, h('label', { for: inputId }, f.label), input,
        f.hint ? h('p.hint', { id: hintId }, f.hint) : null, preview, errorEl);
    });

    const form = h('form', { method: 'dialog', id: formId, novalidate: false },
      h('h2', { id: `${formId}-title` }, title),
      intro ? (intro instanceof Node ? intro : h('p.intro', intro)) : null,
      ...body, formError,
      h('div.dialog-buttons', cancelButton, submitButton));
    const dialog = h('dialog', { 'aria-labelledby': `${formId}-title` }, form);

    function clearError(name) {
      const el = errors.get(name);
      if (el) {
        el.hidden = true;
        el.textContent = '';
        inputs.get(name)?.removeAttribute('aria-invalid');
      }
      formError.hidden = true;
    }

    function showError(err) {
      const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      const field = err?.fieldName ? (fieldMap[err.fieldName] || err.fieldName) : null;
      if (field && errors.has(field)) {
        const el = errors.get(field);
        el.textContent = message;
        el.hidden = false;
        const input = inputs.get(field);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        formError.textContent = message;
        formError.hidden = false;
      }
    }

    let done = false;
    function close(result) {
      if (done) {
        return;
      }
      done = true;
      dialog.close();
      dialog.remove();
      restoreFocus(openerKey, opener);
      resolve(result);
    }

    cancelButton.addEventListener('click', () => close(undefined));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(undefined);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const name of errors.keys()) {
        clearError(name);
      }
      submitButton.disabled = true;
      submitButton.classList.add('busy');
      try {
        const result = await submit(values());
        close(result === undefined ? true : result);
      } catch (err) {
        showError(err);
      } finally {
        submitButton.disabled = false;
        submitButton.classList.remove('busy');
      }
    });

    document.body.appendChild(dialog);
    dialog.showModal();
    previews.forEach((p) => p());
    const first = fields.find((f) => f.autofocus && !f.disabled) || fields.find((f) => f.type !== 'note' && !f.disabled);
    (danger || !first ? cancelButton : inputs.get(first.name)).focus();
  });
}

/** A confirmation dialog; `action` runs on confirm and its error is shown in the dialog. */
export function confirm({ title, message, confirmLabel = 'Confirm', danger = true, action, id }) {
  return openForm({ title, intro: message, submitLabel: confirmLabel, danger, submit: action, id });
}

function restoreFocus(key, fallback) {
  const byKey = key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  const target = byKey || (fallback && fallback.isConnected ? fallback : document.getElementById('main'));
  target?.focus({ preventScroll: true });
}

let openMenu = null;

/** Whether an action menu is open (the app holds re-renders meanwhile so the menu keeps its anchor). */
export function menuOpen() {
  return openMenu !== null;
}

/**
 * A button opening a menu of actions. Items: {label, run, disabled, danger, title}. Arrow keys move,
 * Escape closes and returns focus to the button.
 */
export function menuButton(label, items, { key, title } = {}) {
  const button = h('button.menu-button', { type: 'button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    title: title || label, dataset: key ? { key } : undefined }, label, h('span.caret', { 'aria-hidden': 'true' }, '▾'));
  button.addEventListener('click', () => {
    if (openMenu && openMenu.button === button) {
      closeMenu();
    } else {
      showMenu(button, items);
    }
  });
  button.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      showMenu(button, items);
    }
  });
  return button;
}

function showMenu(button, items) {
  closeMenu();
  const entries = items.filter(Boolean).map((item) => h('button', {
    type: 'button', role: 'menuitem', class: item.danger ? 'danger-text' : undefined, disabled: item.disabled,
    title: item.title, dataset: { action: item.id || item.label },
    onclick: () => {
      closeMenu(false);
      item.run();
    },
  }, item.label));
  const menu = h('div.menu', { role: 'menu' }, entries);
  document.body.appendChild(menu);
  const rect = button.getBoundingClientRect();
  const width = menu.offsetWidth;
  const left = Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8));
  const below = rect.bottom + 4 + menu.offsetHeight < window.innerHeight;
  menu.style.left = `${left}px`;
  menu.style.top = below ? `${rect.bottom + 4}px` : `${Math.max(8, rect.top - 4 - menu.offsetHeight)}px`;
  button.setAttribute('aria-expanded', 'true');
  const enabled = () => entries.filter((b) => !b.disabled);
  menu.addEventListener('keydown', (e) => {
    const list = enabled();
    const i = list.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      list[(i + 1) % list.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      list[(i - 1 + list.length) % list.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      closeMenu();
    } else if (e.key === 'Tab') {
      closeMenu();
    }
  });
  openMenu = { button, menu };
  enabled()[0]?.focus();
  setTimeout(() => document.addEventListener('pointerdown', outside), 0);
}

function outside(e) {
  if (openMenu && !openMenu.menu.contains(e.target) && !openMenu.button.contains(e.target)) {
    closeMenu(false);
  }
}

function closeMenu(focusButton = true) {
  if (!openMenu) {
    return;
  }
  const { button, menu } = openMenu;
  openMenu = null;
  document.removeEventListener('pointerdown', outside);
  menu.remove();
  button.setAttribute('aria-expanded', 'false');
  if (focusButton) {
    button.focus();
  }
  document.dispatchEvent(new Event('menuclosed'));
}

/**
 * A short message at the corner of the screen, about the page it was raised on: errors stay until
 * dismissed or the user goes to another page, others go after 4 s; at most three are shown.
 */
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  const close = h('button.toast-close', { type: 'button', 'aria-label': 'Dismiss' }, '×');
  const el = h('div.toast', { class: `toast-${kind}` }, h('span', message), close);
  close.addEventListener('click', () => el.remove());
  box.appendChild(el);
  while (box.children.length > 3) {
    box.firstElementChild.remove();
  }
  if (kind !== 'error') {
    setTimeout(() => el.remove(), 4000);
  }
}

/** Removes every toast (a new page starts without the last page's messages). */
export function clearToasts() {
  document.getElementById('toasts').replaceChildren();
}
