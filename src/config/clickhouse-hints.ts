/**
 * sluice's `x-clickhouse-*` column hints: what they may say, read by a strict grammar, so that nothing a
 * config writes reaches DDL as text. A codec chain and a TTL interval are parsed into parts here and
 * written back from those parts by the DDL (src/destination/ddl.ts), never copied. Pure; core of both the
 * config schema (zod refinements) and the DDL.
 */

/** A codec and its integer arguments, e.g. ZSTD(3) → { name: 'ZSTD', args: [3] }. */
export interface Codec {
  name: string;
  args: number[];
}

/**
 * The codecs a column may name and the arguments each takes (inclusive bounds; [] for none). The general
 * purpose ones and the specialised ones of every supported server; encryption codecs are left out (they need
 * server keys) as are the hardware ones (QAT, DEFLATE_QPL) that most servers lack.
 */
const CODECS: Record<string, Array<{ min: number; max: number; allowed?: readonly number[] }>> = {
  NONE: [],
  LZ4: [],
  LZ4HC: [{ min: 0, max: 12 }],
  ZSTD: [{ min: 1, max: 22 }],
  Delta: [{ min: 1, max: 8, allowed: [1, 2, 4, 8] }],
  DoubleDelta: [],
  Gorilla: [],
  T64: [],
  FPC: [{ min: 1, max: 28 }],
};

/** The longest chain accepted: every codec of a chain works on each block, and real chains have 1–3. */
export const MAX_CODECS = 4;

const CODEC_RE = /^([A-Za-z][A-Za-z0-9]*)(?:\((\d{1,2})\))?$/;

/** A codec chain (`ZSTD(3)`, `Delta(4), ZSTD`) as its parts, or an error message. */
export function parseCodecs(text: string): Codec[] | string {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > MAX_CODECS) return `at most ${MAX_CODECS} codecs`;
  const out: Codec[] = [];
  for (const part of parts) {
    const m = CODEC_RE.exec(part);
    const name = m && Object.keys(CODECS).find((c) => c.toLowerCase() === m[1].toLowerCase());
    if (!m || name === undefined || name === null)
      return `unknown codec ${JSON.stringify(part)} (allowed: ${Object.keys(CODECS).join(', ')}, with an integer level where they take one)`;
    const spec = CODECS[name];
    const args = m[2] === undefined ? [] : [Number(m[2])];
    if (args.length > spec.length) return `codec ${name} takes no argument`;
    for (const [i, a] of args.entries()) {
      const { min, max, allowed } = spec[i];
      if (a < min || a > max || (allowed && !allowed.includes(a))) return `codec ${name}: argument ${a} is outside ${allowed ? allowed.join('|') : `${min}..${max}`}`;
    }
    out.push({ name, args });
  }
  return out;
}

/** The codec chain as ClickHouse DDL: rebuilt from the parsed parts. */
export function codecSql(codecs: readonly Codec[]): string {
  return `CODEC(${codecs.map((c) => (c.args.length > 0 ? `${c.name}(${c.args.join(', ')})` : c.name)).join(', ')})`;
}

export const TTL_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type TtlUnit = (typeof TTL_UNITS)[number];

/** A TTL: rows expire this long after the hinted column's time. */
export interface TtlInterval {
  count: number;
  unit: TtlUnit;
}

/** The longest TTL count accepted (100,000 days is 270 years: far past any retention). */
export const MAX_TTL_COUNT = 100_000;

const TTL_RE = /^(\d{1,6})\s*([a-z]+?)s?$/;

/** `90 days`, `1 year`, `12 hours` → its parts, or an error message. */
export function parseTtl(text: string): TtlInterval | string {
  const m = TTL_RE.exec(text.trim().toLowerCase());
  const unit = m && (TTL_UNITS as readonly string[]).includes(m[2]) ? (m[2] as TtlUnit) : undefined;
  if (!m || unit === undefined) return `expected a count and a unit such as "90 days" (units: ${TTL_UNITS.join(', ')})`;
  const count = Number(m[1]);
  if (count < 1 || count > MAX_TTL_COUNT) return `the count must be 1..${MAX_TTL_COUNT}`;
  return { count, unit };
}

/** How a partition column is cut into partitions: its value, or the day, month or year of a date or timestamp. */
export const PARTITION_GRAINS = ['value', 'day', 'month', 'year'] as const;
export type PartitionGrain = (typeof PARTITION_GRAINS)[number];

/** How a `data_type: json` column is stored where ClickHouse has the JSON type (25.3+): as it, or as JSON text. */
export const JSON_STORAGE = ['native', 'string'] as const;
export type JsonStorage = (typeof JSON_STORAGE)[number];
