/**
 * Just enough ISO-8601 handling for incremental cursors: compare timestamps that differ in offset or
 * precision, and shift one by a lag while keeping the exact format the API used (dlt keeps the
 * format too, so a lagged `since=` looks like the values the API returns).
 */

export interface IsoTime {
  /** Milliseconds since the epoch (UTC), whole-millisecond part. */
  epochMs: number;
  /** Fraction digits beyond milliseconds, as written ("" when none). */
  subMs: string;
  dateOnly: boolean;
  /** "YYYYMMDD" instead of "YYYY-MM-DD". */
  compactDate: boolean;
  sep: string;
  seconds: boolean;
  fracDigits: number;
  /** As written: "Z", "+02:00", "+0200" or "" (naive, treated as UTC). */
  offset: string;
  offsetMinutes: number;
}

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseIso(value: string): IsoTime | undefined {
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, sep, hh, mi, ss, frac, off] = m;
  const compactDate = /^\d{8}/.test(value.trim());
  // "2024-0101" is neither form.
  if (!compactDate && !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return undefined;
  if (sep === undefined && off !== undefined) return undefined;
  let offsetMinutes = 0;
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const fracDigits = frac?.length ?? 0;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0), ms);
  if (Number.isNaN(local)) return undefined;
  return {
    epochMs: local - offsetMinutes * 60_000,
    subMs: frac && frac.length > 3 ? frac.slice(3) : '',
    dateOnly: sep === undefined,
    compactDate,
    sep: sep ?? 'T',
    seconds: ss !== undefined,
    fracDigits,
    offset: off ?? '',
    offsetMinutes,
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatIso(t: IsoTime): string {
  const local = new Date(t.epochMs + t.offsetMinutes * 60_000);
  const dash = t.compactDate ? '' : '-';
  const date = `${pad(local.getUTCFullYear(), 4)}${dash}${pad(local.getUTCMonth() + 1)}${dash}${pad(local.getUTCDate())}`;
  if (t.dateOnly) return date;
  let time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  if (t.seconds) time += `:${pad(local.getUTCSeconds())}`;
  if (t.fracDigits > 0) time += `.${(pad(local.getUTCMilliseconds(), 3) + t.subMs).slice(0, t.fracDigits).padEnd(t.fracDigits, '0')}`;
  return `${date}${t.sep}${time}${t.offset}`;
}

/** Orders two parsed instants; sub-millisecond digits break ties. */
export function compareIso(a: IsoTime, b: IsoTime): number {
  if (a.epochMs !== b.epochMs) return a.epochMs < b.epochMs ? -1 : 1;
  const fa = a.subMs.padEnd(9, '0');
  const fb = b.subMs.padEnd(9, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** Shifts by seconds (days for a date-only value, like dlt), keeping the format. */
export function shiftIso(t: IsoTime, seconds: number): IsoTime {
  const ms = t.dateOnly ? seconds * 86_400_000 : seconds * 1000;
  return { ...t, epochMs: t.epochMs + Math.round(ms) };
}
