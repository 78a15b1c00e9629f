/**
 * scd2 settings that load, but not quite as a dlt user may expect: `validate`, `run` and every command
 * that loads a config print these (as the no-effect warnings of warnings.ts).
 */
import { type ConfigProblem, type PathSegment, problem } from './problems';
import { MAX_DATE_TIME_SECONDS, timestampSeconds, type ResourceInput } from './schema';

export function scd2Warnings(resource: ResourceInput, at: PathSegment[]): ConfigProblem[] {
  const w = resource.write_disposition;
  if (w === undefined || typeof w === 'string' || w.strategy !== 'scd2') return [];
  const warnings: ConfigProblem[] = [];
  const active = typeof w.active_record_timestamp === 'string' ? timestampSeconds(w.active_record_timestamp) : undefined;
  if (active !== undefined && active > MAX_DATE_TIME_SECONDS) {
    warnings.push(
      problem(
        [...at, 'write_disposition', 'active_record_timestamp'],
        `${JSON.stringify(w.active_record_timestamp)} is past the last second every supported ClickHouse's DateTime holds: current rows get 2105-12-31 23:59:59 UTC`,
        "query current rows with valid_to = toDateTime('2105-12-31 23:59:59', 'UTC'), or give a date before 2106",
      ),
    );
  }
  const mergeKey = resource.merge_key;
  const hasNaturalKey = (typeof mergeKey === 'string' ? mergeKey.length > 0 : Array.isArray(mergeKey) && mergeKey.length > 0) || hintsMergeKey(resource);
  if (w.retire_absent_rows === false && !hasNaturalKey) {
    warnings.push(
      problem(
        [...at, 'write_disposition', 'retire_absent_rows'],
        'without a merge_key (the natural key) nothing is ever retired: a changed record keeps its earlier version current beside the new one',
        'set merge_key to the column(s) that name a record, so its new version retires the old',
      ),
    );
  }
  return warnings;
}

function hintsMergeKey(resource: ResourceInput): boolean {
  const columns = resource.columns;
  if (columns === undefined) return false;
  const hints: Array<Record<string, unknown>> = Array.isArray(columns) ? columns : Object.values(columns);
  return hints.some((h) => h.merge_key === true);
}
