// Formatting of what the API returns: sizes are bytes as strings, times are RFC 3339.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1073741824 → "1 GiB"; 1610612736 → "1.5 GiB". */
export function bytes(value) {
  let n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    return '–';
  }
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  const digits = n >= 100 || unit === 0 || Number.isInteger(n) ? 0 : n >= 10 ? 1 : 2;
  return `${Number(n.toFixed(digits))} ${UNITS[unit]}`;
}

/**
 * A backup's size: known once the backup completed (0 B for a snapshot with no data); while it runs
 * the target has not counted it yet: "–".
 */
export function backupSize(backup) {
  const known = backup.state === 'Completed' || (backup.size && backup.size !== '0');
  return known ? bytes(backup.size || 0) : '–';
}

/** "2026-11-26T21:22:18Z" → a local date and time; "" → "–". */
export function dateTime(value) {
  const d = parseDate(value);
  return d ? d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '–';
}

/** "3 min ago", "2 h ago", or the date when older than a week. */
export function ago(value, now = Date.now()) {
  const d = parseDate(value);
  if (!d) {
    return '–';
  }
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 0) {
    return dateTime(value);
  }
  if (s < 45) {
    return 'just now';
  }
  if (s < 3600) {
    return `${Math.round(s / 60)} min ago`;
  }
  if (s < 86400) {
    return `${Math.round(s / 3600)} h ago`;
  }
  if (s < 7 * 86400) {
    return `${Math.round(s / 86400)} d ago`;
  }
  return dateTime(value);
}

function parseDate(value) {
  if (!value) {
    return null;
  }
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A percentage 0..100 of part in total, rounded; 0 when total is 0. */
export function percent(part, total) {
  return total > 0 ? Math.min(100, Math.max(0, Math.round((part / total) * 100))) : 0;
}

/** The robustness bucket the dashboard and the list colour a volume by. */
export function health(volume) {
  if (volume.state === 'detached' && volume.robustness !== 'faulted') {
    return 'detached';
  }
  return ['healthy', 'degraded', 'faulted'].includes(volume.robustness) ? volume.robustness : 'unknown';
}

/** Labels as "k=v, k2=v2". */
export function labels(map) {
  const entries = Object.entries(map || {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '';
}

/** Case-insensitive "natural" comparison, so that vol2 sorts before vol10. */
export const compareText = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
