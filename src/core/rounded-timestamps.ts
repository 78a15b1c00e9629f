/**
 * Counts of timestamps a load rounded to its columns' precision (src/destination/timestamps.ts), as they
 * travel from a batch's result through the workflow to `sluice run`'s warnings. Bounded, so that a table
 * with many timestamp columns cannot grow the batch results in history: at most MAX_ROUNDED_COLUMNS
 * entries, the rest summed into the last one.
 */

/** How many values of one column were rounded, and the column's type (`DateTime64(3, 'UTC')`). */
export interface RoundedColumn {
  column: string;
  type: string;
  values: number;
}

export const MAX_ROUNDED_COLUMNS = 8;
/** Where the columns past MAX_ROUNDED_COLUMNS are counted. */
export const OTHER_COLUMNS = '(other columns)';
const MAX_NAME = 128;

/** `a` and `b` summed per column, bounded; undefined when neither has any. */
export function mergeRounded(a: readonly RoundedColumn[] | undefined, b: readonly RoundedColumn[] | undefined): RoundedColumn[] | undefined {
  if (!b?.length) return a?.length ? [...a] : undefined;
  const out = (a ?? []).map((c) => ({ ...c }));
  for (const c of b) {
    if (!Number.isSafeInteger(c.values) || c.values <= 0) continue;
    const column = c.column.slice(0, MAX_NAME);
    const found = out.find((o) => o.column === column) ?? (out.length >= MAX_ROUNDED_COLUMNS ? otherEntry(out) : undefined);
    if (found) found.values += c.values;
    else out.push({ column, type: c.type.slice(0, MAX_NAME), values: c.values });
  }
  return out.length > 0 ? out : undefined;
}

function otherEntry(out: RoundedColumn[]): RoundedColumn {
  const last = out[out.length - 1];
  if (last.column !== OTHER_COLUMNS) out[out.length - 1] = { column: OTHER_COLUMNS, type: '', values: last.values };
  return out[out.length - 1];
}

/** The warning `sluice run` prints for a resource (one line per column). */
export function roundedWarnings(resource: string, rounded: readonly RoundedColumn[] | undefined): string[] {
  return (rounded ?? []).map((c) =>
    c.column === OTHER_COLUMNS
      ? `warning: resource ${resource}: ${c.values} timestamps in other columns had more digits than their columns keep; rounded`
      : `warning: resource ${resource}: ${c.values} timestamp${c.values === 1 ? '' : 's'} had more digits than column ${c.column} keeps (${c.type}); rounded`,
  );
}
