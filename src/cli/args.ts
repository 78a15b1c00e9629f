/** Validation of CLI options with zod: every problem on its own line, naming the flag, exit 2. */
import { z } from 'zod';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';

function flagName(path: PropertyKey[]): string {
  const key = String(path[0] ?? '');
  return key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'arguments';
}

export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(parsed.error.issues.map((i) => `${flagName(i.path)}: ${i.message}`).join('\n'), EXIT_BAD_INPUT);
  }
  return parsed.data;
}

/** Pipeline, database and resource names: they become workflow IDs and ClickHouse identifiers. */
export const identifier = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'use letters, digits, _ and -');

/** Durations as Temporal writes them: 90s, 5m, 1h, 2d (or plain milliseconds). */
export const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 30s, 5m, 1h or 2d')
  .transform((text) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text)!;
    const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] ?? 1;
    return Number(m[1]) * unit;
  });

/** An ISO 8601 date-time (or date); parsed to a Date. */
export const isoTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'an ISO 8601 time such as 2024-05-01T00:00:00Z')
  .transform((s) => new Date(s));
