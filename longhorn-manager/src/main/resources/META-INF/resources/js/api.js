// The manager's /v1 REST API. Every failure becomes an ApiError carrying the API's own message and,
// when one field was wrong, its name, so that forms can show the message next to that field.

/** An error answered by the API (or the network failing on the way). */
export class ApiError extends Error {
  constructor(status, code, message, fieldName) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldName = fieldName || null;
  }
}

const BASE = 'v1';
const TOKEN_KEY = 'longhorn-token';

/**
 * The signed-in session's bearer token, kept for this tab only (sessionStorage): a standalone
 * session token from the log-in, or the cluster token the user logged in with.
 */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  const token = session.token();
  if (token) {
    init.headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`${BASE}/${path}`, init);
  } catch (e) {
    throw new ApiError(0, 'Unreachable', `the manager did not answer (${e.message})`);
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    // Not JSON: a proxy or a crash page. Its first line is still the best message there is.
  }
  if (response.status === 401 && path !== 'auth/login') {
    // The session expired or was revoked: back to the log-in page.
    session.clear();
    window.dispatchEvent(new CustomEvent('unauthenticated'));
  }
  if (!response.ok) {
    if (json && json.type === 'error') {
      throw new ApiError(json.status || response.status, json.code || '', json.message || response.statusText,
        json.fieldName);
    }
    const detail = text ? text.split('\n')[0].slice(0, 200) : response.statusText;
    throw new ApiError(response.status, 'HttpError', `${method} /${BASE}/${path} failed: ${response.status} ${detail}`);
  }
  return json;
}

const enc = encodeURIComponent;

/** The calls the UI makes; names follow the API's collections and actions. */
export const api = {
  list: (collection) => request('GET', collection).then((c) => c.data),
  get: (collection, name) => request('GET', `${collection}/${enc(name)}`),
  create: (collection, body) => request('POST', collection, body),
  update: (collection, name, body) => request('PUT', `${collection}/${enc(name)}`, body),
  remove: (collection, name, query = '') => request('DELETE', `${collection}/${enc(name)}${query}`),
  action: (collection, name, action, body = {}) =>
    request('POST', `${collection}/${enc(name)}?action=${enc(action)}`, body),

  volumes: () => api.list('volumes'),
  volume: (name) => api.get('volumes', name),
  volumeAction: (name, action, body) => api.action('volumes', name, action, body),
  snapshots: (volume) => api.volumeAction(volume, 'snapshotList').then((c) => c.data),
  nodes: () => api.list('nodes'),
  events: () => api.list('events'),
  settings: () => api.list('settings'),
  backupTargets: () => api.list('backuptargets'),
  backupVolumes: () => api.list('backupvolumes'),
  backups: (backupVolume) => api.action('backupvolumes', backupVolume, 'backupList').then((c) => c.data),
  recurringJobs: () => api.list('recurringjobs'),
  login: (token) => request('POST', 'auth/login', { token }),
  logout: () => request('POST', 'auth/logout', {}),
  whoami: () => request('GET', 'auth/whoami'),
  tokens: () => api.list('tokens'),
};
