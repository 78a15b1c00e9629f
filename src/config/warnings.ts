/**
 * Settings sluice accepts (dlt configs carry them) but that change nothing in a sluice run. They are
 * not errors, because the config is still right for dlt and loads correct data here, but a user
 * must not believe they act: `validate`, `run` and every command that loads a config print these.
 * When sluice learns to honour one, its entry goes.
 */
import { type ConfigProblem, type PathSegment, problem } from './problems';
import type { ResourceInput } from './schema';

/** Column hints that are accepted and ignored, and what happens instead. */
const IGNORED_COLUMN_HINTS: Record<string, string> = {
  dedup_sort: 'within a batch the later record of a key wins',
};

/** replace strategies: sluice has one way to replace, whichever dlt strategy is named. */
const REPLACE_STRATEGY_NOTE = 'sluice always loads into a staging table and swaps it in atomically';

function columnEntries(columns: ResourceInput['columns']): Array<[string, Record<string, unknown>]> {
  if (columns === undefined) return [];
  if (Array.isArray(columns)) return columns.map((c) => [c.name, c as Record<string, unknown>]);
  return Object.entries(columns) as Array<[string, Record<string, unknown>]>;
}

export function noEffectWarnings(resource: ResourceInput, at: PathSegment[]): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const listForm = Array.isArray(resource.columns);
  columnEntries(resource.columns).forEach(([name, hint], i) => {
    for (const [key, instead] of Object.entries(IGNORED_COLUMN_HINTS)) {
      if (hint[key] === undefined) continue;
      warnings.push(problem([...at, 'columns', listForm ? i : name, key], `column hint "${key}" has no effect in sluice`, instead));
    }
  });
  const w = resource.write_disposition;
  if (w !== undefined && typeof w !== 'string' && w.disposition === 'replace' && w.strategy !== undefined) {
    warnings.push(problem([...at, 'write_disposition', 'strategy'], `replace strategy "${w.strategy}" has no effect in sluice`, REPLACE_STRATEGY_NOTE));
  }
  return warnings;
}
