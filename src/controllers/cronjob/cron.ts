// Cron schedules as the CronJob controller evaluates them (robfig/cron v3 ParseStandard):
// five fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and
// month/day names, the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly and
// @every <duration> descriptors, and an optional TZ=/CRON_TZ= prefix. Next(t) walks the
// calendar in the schedule's zone exactly as robfig does (including its DST adjustments and
// its five-year search limit), so job names and start times match kube-controller-manager.
//
// Syntax errors are checked by the API's validator (same texts as robfig); this file turns a
// valid spec into something that answers next().

import { parseCronSchedule } from '../../api/validation/cron.js';
import { Zone } from './tz.js';

export interface Schedule {
  /** The first activation strictly after `ms` (epoch ms), or null if none within 5 years. */
  next(ms: number): number | null;
}

interface Bounds { min: number; max: number; names?: Record<string, number> }

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTHS };
const DOW: Bounds = { min: 0, max: 6, names: DAYS };

/** A field's allowed values plus robfig's "star bit" (the field was `*` or `?`, unstepped). */
class Field {
  readonly bits = new Set<number>();
  star = false;
  has(n: number): boolean {
    return this.bits.has(n);
  }
  static all(b: Bounds): Field {
    const f = new Field();
    for (let i = b.min; i <= b.max; i++) f.bits.add(i);
    f.star = true;
    return f;
  }
  static one(n: number): Field {
    const f = new Field();
    f.bits.add(n);
    return f;
  }
}

function num(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : Number(expr);
}

/** robfig's getRange, on a spec the validator accepted. */
function addRange(f: Field, expr: string, b: Bounds): void {
  const [range, stepStr] = expr.split('/');
  const lowHigh = range.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowHigh[0] === '*' || lowHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = num(lowHigh[0], b.names);
    end = lowHigh.length === 2 ? num(lowHigh[1], b.names) : start;
  }
  let step = 1;
  if (stepStr !== undefined) {
    step = Number(stepStr);
    if (lowHigh.length === 1) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  }
  for (let i = start; i <= end; i += step) f.bits.add(i);
  if (star) f.star = true;
}

function field(spec: string, b: Bounds): Field {
  const f = new Field();
  for (const expr of spec.split(',')) addRange(f, expr, b);
  return f;
}

class SpecSchedule implements Schedule {
  constructor(
    private readonly minute: Field, private readonly hour: Field, private readonly dom: Field,
    private readonly month: Field, private readonly dow: Field, private readonly zone: Zone,
  ) {}

  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.dom.has(day);
    const dowMatch = this.dow.has(weekday);
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(from: number): number | null {
    const z = this.zone;
    // The earliest possible time: the upcoming whole second.
    let t = Math.floor(from / 1000) * 1000 + 1000;
    let added = false;
    const yearLimit = z.wall(t).year + 5;
    wrap: for (;;) {
      let w = z.wall(t);
      if (w.year > yearLimit) return null;
      while (!this.month.has(w.month)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, 1);
          w = z.wall(t);
        }
        t = z.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = z.wall(t);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w.day, w.weekday)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day);
          w = z.wall(t);
        }
        t = z.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = z.wall(t);
        // A DST change can leave us off midnight: move back onto it.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
          w = z.wall(t);
        }
        if (w.day === 1) continue wrap;
      }
      while (!this.hour.has(w.hour)) {
        if (!added) {
          added = true;
          t = z.date(w.year, w.month, w.day, w.hour);
        }
        t += 3_600_000;
        w = z.wall(t);
        if (w.hour === 0) continue wrap;
      }
      while (!this.minute.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = z.wall(t);
        if (w.minute === 0) continue wrap;
      }
      // Standard specs fire at second 0 only.
      while (w.second !== 0) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = z.wall(t);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }
}

/** @every: a fixed delay after the previous activation (whole seconds, at least one). */
class ConstantDelaySchedule implements Schedule {
  constructor(private readonly delayMs: number) {}
  next(from: number): number {
    return Math.floor(from / 1000) * 1000 + this.delayMs;
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms (the validator already accepted the text). */
export function parseGoDuration(s: string): number {
  if (s === '0') return 0;
  const neg = s.startsWith('-');
  let total = 0;
  for (const m of s.replace(/^[+-]/, '').matchAll(/([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return neg ? -total : total;
}

/**
 * Parses a standard cron spec (robfig's ParseStandard). Without a TZ= prefix the schedule is
 * evaluated in `local` (Go's time.Local: the controller process's zone). Throws an Error with
 * robfig's message when the spec is invalid.
 */
export function parseStandard(spec: string, local: Zone = Zone.local()): Schedule {
  parseCronSchedule(spec); // robfig's errors, word for word
  let s = spec;
  let zone = local;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const sp = s.indexOf(' ');
    zone = Zone.get(s.slice(s.indexOf('=') + 1, sp));
    s = s.slice(sp).trim();
  }
  if (s.startsWith('@')) {
    if (s.startsWith('@every ')) {
      const d = parseGoDuration(s.slice('@every '.length));
      const ms = Math.max(1000, d);
      return new ConstantDelaySchedule(ms - (ms % 1000));
    }
    const all = Field.all;
    switch (s) {
      case '@yearly':
      case '@annually':
        return new SpecSchedule(Field.one(0), Field.one(0), Field.one(1), Field.one(1), all(DOW), zone);
      case '@monthly':
        return new SpecSchedule(Field.one(0), Field.one(0), Field.one(1), all(MONTH), all(DOW), zone);
      case '@weekly':
        return new SpecSchedule(Field.one(0), Field.one(0), all(DOM), all(MONTH), Field.one(0), zone);
      case '@daily':
      case '@midnight':
        return new SpecSchedule(Field.one(0), Field.one(0), all(DOM), all(MONTH), all(DOW), zone);
      case '@hourly':
        return new SpecSchedule(Field.one(0), all(HOURS), all(DOM), all(MONTH), all(DOW), zone);
    }
    throw new Error(`unrecognized descriptor: ${s}`);
  }
  const f = s.split(/\s+/).filter((x) => x !== '');
  return new SpecSchedule(field(f[0], MINUTES), field(f[1], HOURS), field(f[2], DOM), field(f[3], MONTH), field(f[4], DOW), zone);
}
