// Five-field unix cron (minute hour day-of-month month day-of-week), the form Longhorn's recurring
// jobs use: turned into an English sentence and the next run times, for the job form's preview.
// The manager validates the expression itself; this only explains it.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = MONTHS.map((m) => m.slice(0, 3).toUpperCase());
const DAY_NAMES = DAYS.map((d) => d.slice(0, 3).toUpperCase());

const MACROS = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, base: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, base: 0 },
];

/** A parsed field: the allowed values and how it was written. */
class Field {
  constructor(spec, text) {
    this.spec = spec;
    this.text = text;
    this.any = text === '*' || text === '?';
    this.values = new Set();
    this.step = null;
    for (const part of text.split(',')) {
      this.addPart(part);
    }
    if (spec.name === 'day of week' && this.values.has(7)) {
      this.values.delete(7);
      this.values.add(0);
    }
  }

  addPart(part) {
    const { min, max, name } = this.spec;
    const [range, stepText] = part.split('/');
    let step = 1;
    if (stepText !== undefined) {
      step = this.number(stepText);
      if (step < 1) {
        throw new Error(`${name}: step must be at least 1`);
      }
    }
    let from;
    let to;
    if (range === '*' || range === '?') {
      [from, to] = [min, max];
      if (stepText !== undefined && !this.text.includes(',')) {
        this.step = step;
      }
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [this.number(a), this.number(b)];
    } else {
      from = this.number(range);
      to = stepText !== undefined ? max : from;
    }
    if (from < min || to > max || from > to) {
      throw new Error(`${name}: "${part}" is outside ${min}-${max}`);
    }
    for (let v = from; v <= to; v += step) {
      this.values.add(v);
    }
  }

  number(text) {
    const t = String(text).trim().toUpperCase();
    if (this.spec.names) {
      const i = this.spec.names.indexOf(t);
      if (i >= 0) {
        return i + this.spec.base;
      }
    }
    if (!/^\d+$/.test(t)) {
      throw new Error(`${this.spec.name}: "${text}" is not a number`);
    }
    return Number(t);
  }

  sorted() {
    return [...this.values].sort((a, b) => a - b);
  }

  single() {
    return this.values.size === 1 ? this.sorted()[0] : null;
  }
}

/** Parses an expression; throws an Error saying what is wrong. */
export function parseCron(expression) {
  let text = String(expression || '').trim();
  if (!text) {
    throw new Error('the expression is empty');
  }
  text = MACROS[text.toLowerCase()] || text;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const [minute, hour, dom, month, dow] = parts.map((p, i) => new Field(FIELDS[i], p));
  return { minute, hour, dom, month, dow };
}

const pad = (n) => String(n).padStart(2, '0');

function list(words) {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Three or more consecutive values. */
const isRun = (xs) => xs.length > 2 && xs.every((x, i) => i === 0 || x === xs[i - 1] + 1);

function timePhrase(minute, hour) {
  const m = minute.single();
  if (minute.any && hour.any) {
    return 'every minute';
  }
  if (minute.step && hour.any) {
    return `every ${minute.step} minutes`;
  }
  if (m !== null && hour.any) {
    return m === 0 ? 'every hour, on the hour' : `every hour at minute ${m}`;
  }
  if (m !== null && hour.step) {
    return m === 0 ? `every ${hour.step} hours, on the hour` : `every ${hour.step} hours at minute ${m}`;
  }
  if (m !== null && hour.values.size <= 6) {
    return `at ${list(hour.sorted().map((x) => `${pad(x)}:${pad(m)}`))}`;
  }
  const minutes = minute.any ? 'every minute' : minute.step ? `every ${minute.step} minutes`
    : `at minute ${list(minute.sorted().map(String))}`;
  const hs = hour.sorted();
  const hours = hour.any ? 'of every hour' : hour.step ? `of every ${hour.step}th hour`
    : isRun(hs) ? `during hours ${pad(hs[0])}–${pad(hs[hs.length - 1])}` : `past hour ${list(hs.map(pad))}`;
  return `${minutes} ${hours}`;
}

function dayPhrase(dom, month, dow) {
  const parts = [];
  const weekdays = dow.sorted();
  if (!dow.any) {
    parts.push(isRun(weekdays) ? `${DAYS[weekdays[0]]} through ${DAYS[weekdays[weekdays.length - 1]]}`
      : `on ${list(weekdays.map((d) => DAYS[d]))}`);
  }
  if (!dom.any) {
    const days = dom.step ? `every ${dom.step} days` : `on day ${list(dom.sorted().map(String))} of the month`;
    parts.push(parts.length ? `or ${days}` : days);
  }
  if (!month.any) {
    parts.push(`in ${list(month.sorted().map((x) => MONTHS[x - 1]))}`);
  }
  return parts.length ? parts.join(' ') : 'every day';
}

/** "0 2 * * *" → "At 02:00, every day". */
export function describeCron(expression) {
  const c = parseCron(expression);
  const time = timePhrase(c.minute, c.hour);
  const days = dayPhrase(c.dom, c.month, c.dow);
  const sentence = days === 'every day' && time.startsWith('every ') ? time : `${time}, ${days}`;
  return sentence[0].toUpperCase() + sentence.slice(1);
}

/** The next `count` run times after `from`, looking at most a little over four years ahead. */
export function nextRuns(expression, count = 3, from = new Date()) {
  const c = parseCron(expression);
  const out = [];
  const t = new Date(from.getTime());
  t.setSeconds(0, 0);
  t.setMinutes(t.getMinutes() + 1);
  const limit = from.getTime() + 4.1 * 366 * 86400000;
  const dayMatches = (d) => {
    const domOk = c.dom.values.has(d.getDate());
    const dowOk = c.dow.values.has(d.getDay());
    if (!c.dom.any && !c.dow.any) {
      return domOk || dowOk;
    }
    return domOk && dowOk;
  };
  while (out.length < count && t.getTime() < limit) {
    if (!c.month.values.has(t.getMonth() + 1)) {
      t.setMonth(t.getMonth() + 1, 1);
      t.setHours(0, 0, 0, 0);
    } else if (!dayMatches(t)) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
    } else if (!c.hour.values.has(t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
    } else if (!c.minute.values.has(t.getMinutes())) {
      t.setMinutes(t.getMinutes() + 1, 0, 0);
    } else {
      out.push(new Date(t.getTime()));
      t.setMinutes(t.getMinutes() + 1, 0, 0);
    }
  }
  return out;
}

/** The sentence and the next runs, or why the expression is not valid. */
export function cronPreview(expression) {
  try {
    const year = new Date().getFullYear();
    const runs = nextRuns(expression, 3).map((d) => d.toLocaleString(undefined, { weekday: 'short', day: 'numeric',
      month: 'short', year: d.getFullYear() === year ? undefined : 'numeric', hour: '2-digit', minute: '2-digit',
      hourCycle: 'h23' }));
    return `${describeCron(expression)}.${runs.length ? ` Next: ${runs.join('; ')}.` : ''}`;
  } catch (e) {
    return `Not a valid cron expression: ${e.message}.`;
  }
}
