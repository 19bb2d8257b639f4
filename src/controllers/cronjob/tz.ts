// Wall-clock arithmetic in an IANA time zone, the part of Go's time package that robfig/cron
// needs: the fields of an instant in a zone, and time.Date (fields in a zone → instant, with
// Go's normalisation of out-of-range fields and its choice for skipped/repeated wall times).
// Instants are epoch milliseconds. Zone data comes from Intl (the ICU database Node ships).

export interface Wall {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export class Zone {
  private static readonly cache = new Map<string, Zone>();
  private readonly fmt?: Intl.DateTimeFormat;

  private constructor(readonly name: string) {
    if (name !== 'UTC') {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: name, hourCycle: 'h23', weekday: 'short',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    }
  }

  /** A zone by IANA name ('' and 'UTC' are UTC). Throws RangeError for unknown names. */
  static get(name: string): Zone {
    if (name === 'Local') return Zone.local();
    const key = name === '' ? 'UTC' : name;
    let z = Zone.cache.get(key);
    if (!z) {
      z = new Zone(key);
      Zone.cache.set(key, z);
    }
    return z;
  }

  /** The zone this process runs in (Go's time.Local; honours $TZ). */
  static local(): Zone {
    const name = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    return Zone.get(!name || name === 'Local' ? 'UTC' : name);
  }

  wall(ms: number): Wall {
    if (!this.fmt) {
      const d = new Date(ms);
      return {
        year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
        hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay(),
      };
    }
    const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
    for (const p of this.fmt.formatToParts(new Date(ms))) {
      switch (p.type) {
        case 'year': w.year = Number(p.value); break;
        case 'month': w.month = Number(p.value); break;
        case 'day': w.day = Number(p.value); break;
        case 'hour': w.hour = Number(p.value); break;
        case 'minute': w.minute = Number(p.value); break;
        case 'second': w.second = Number(p.value); break;
        case 'weekday': w.weekday = WEEKDAYS[p.value] ?? 0; break;
      }
    }
    return w;
  }

  /** Seconds-resolution offset from UTC at an instant, in ms (wall - utc). */
  offset(ms: number): number {
    if (!this.fmt) return 0;
    const base = Math.floor(ms / 1000) * 1000;
    const w = this.wall(base);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - base;
  }

  /**
   * Go's time.Date(y, mo, d, h, mi, s, 0, zone): out-of-range fields normalise (month 13 is
   * January of the next year); a wall time a transition skips or repeats takes the offset in
   * force just before it, as Go's lookup does.
   */
  date(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
    const asUTC = Date.UTC(year, month - 1, day, hour, minute, second);
    if (!this.fmt) return asUTC;
    const off1 = this.offset(asUTC);
    const utc = asUTC - off1;
    const off2 = this.offset(utc);
    return off2 === off1 ? utc : asUTC - off2;
  }

  /** RFC 3339 with the zone's numeric offset ("Z" for UTC), as Go's time.RFC3339 prints. */
  rfc3339(ms: number): string {
    const w = this.wall(ms);
    const off = Math.round(this.offset(ms) / 60000);
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const tz = off === 0
      ? 'Z'
      : `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
    return `${String(w.year).padStart(4, '0')}-${p2(w.month)}-${p2(w.day)}T${p2(w.hour)}:${p2(w.minute)}:${p2(w.second)}${tz}`;
  }
}
