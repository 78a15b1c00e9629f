/**
 * Settings sluice accepts (dlt configs carry them) but that change nothing in a sluice run. They are
 * not errors, because the config is still right for dlt and loads correct data here, but a user
 * must not believe they act: `validate`, `run` and every command that loads a config print these.
 * When sluice learns to honour one, its entry goes.
 */
import { isCredentialHeader } from './credential-headers';
import { type ConfigProblem, type PathSegment, problem } from './problems';
import { isClickHouseHint, isExtensionHint, type ResourceInput, type SourceConfigInput } from './schema';
import { isRecord } from './schema-helpers';
import { listSecretRefs } from './secrets';

/** Column hints that are accepted and ignored, and what happens instead. */
const IGNORED_COLUMN_HINTS: Record<string, string> = {
  unique: 'ClickHouse has no unique constraint; a merge resource keeps one row per primary key',
  cluster: "a table's ORDER BY is its dedupe key (primary key, or load, page and row), which a cluster column would change (docs/clickhouse.md)",
};

/** dlt's `x-*` hints address particular dlt destinations or normalizers. */
const EXTENSION_HINT_NOTE = 'dlt extension hints address dlt destinations and normalizers; sluice has none of them';

/** ReplacingMergeTree collapses rows of one sort key only inside one partition. */
const PARTITION_ON_MERGE =
  'partition by a column that never changes for a key (a creation date): a key whose partition column changes keeps a row in each partition (docs/clickhouse.md, "Hints that shape tables")';

/** dlt's dedup_sort only chooses among records of one primary key, so it needs a merged resource with one. */
const DEDUP_SORT_NEEDS_KEY = 'it chooses among records of one primary key: only a merge resource with a primary key has them';

/** scd2 identifies a version by its row hash; dlt ignores primary_key with it too. */
const SCD2_PRIMARY_KEY_NOTE = 'scd2 tells versions apart by their row hash (or row_version_column_name); use merge_key for a natural key';

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
      // `false` asks for what sluice does anyway.
      if (hint[key] === undefined || hint[key] === false) continue;
      warnings.push(problem([...at, 'columns', listForm ? i : name, key], `column hint "${key}" has no effect in sluice`, instead));
    }
    for (const key of Object.keys(hint).filter((k) => isExtensionHint(k) && !isClickHouseHint(k))) {
      warnings.push(problem([...at, 'columns', listForm ? i : name, key], `column hint "${key}" has no effect in sluice`, EXTENSION_HINT_NOTE));
    }
  });
  warnings.push(...dedupSortWarnings(resource, at));
  if (mergesOnKey(resource, columnEntries(resource.columns))) {
    columnEntries(resource.columns).forEach(([name, hint], i) => {
      if (hint.partition !== true) return;
      warnings.push(problem([...at, 'columns', listForm ? i : name, 'partition'], 'a merge table collapses a key only within one partition', PARTITION_ON_MERGE));
    });
  }
  const w = resource.write_disposition;
  if (w !== undefined && typeof w !== 'string' && w.disposition === 'replace' && w.strategy !== undefined) {
    warnings.push(problem([...at, 'write_disposition', 'strategy'], `replace strategy "${w.strategy}" has no effect in sluice`, REPLACE_STRATEGY_NOTE));
  }
  if (w !== undefined && typeof w !== 'string' && w.strategy === 'scd2' && hasPrimaryKey(resource, columnEntries(resource.columns))) {
    warnings.push(problem([...at, 'primary_key'], 'primary_key has no effect with the scd2 strategy', SCD2_PRIMARY_KEY_NOTE));
  }
  return warnings;
}

/** A dedup_sort that cannot act: on a resource without merge and a primary key, or on a second column. */
function dedupSortWarnings(resource: ResourceInput, at: PathSegment[]): ConfigProblem[] {
  const listForm = Array.isArray(resource.columns);
  const entries = columnEntries(resource.columns);
  const sorted = entries.map(([name, hint], i) => ({ name, i, hint })).filter((c) => c.hint.dedup_sort !== undefined);
  if (sorted.length === 0) return [];
  const where = (c: (typeof sorted)[number]) => [...at, 'columns', listForm ? c.i : c.name, 'dedup_sort'];
  if (!mergesOnKey(resource, entries)) return sorted.map((c) => problem(where(c), 'column hint "dedup_sort" has no effect here', DEDUP_SORT_NEEDS_KEY));
  return sorted.slice(1).map((c) => problem(where(c), 'column hint "dedup_sort" has no effect here', `only one column sorts the records of a key: "${sorted[0].name}"`));
}

function mergesOnKey(resource: ResourceInput, entries: Array<[string, Record<string, unknown>]>): boolean {
  const w = resource.write_disposition;
  const disposition = typeof w === 'string' ? w : w?.disposition;
  if (disposition !== 'merge' || (typeof w !== 'string' && w?.strategy === 'scd2')) return false;
  return hasPrimaryKey(resource, entries);
}

function hasPrimaryKey(resource: ResourceInput, entries: Array<[string, Record<string, unknown>]>): boolean {
  const key = resource.primary_key;
  const declared = typeof key === 'string' ? key.length > 0 : Array.isArray(key) && key.length > 0;
  return declared || entries.some(([, hint]) => hint.primary_key === true);
}

/** Headers written with a literal credential: it would travel in workflow input and history as written. */
export function literalCredentialWarnings(headers: Readonly<Record<string, string>> | undefined, at: PathSegment[]): ConfigProblem[] {
  return Object.entries(headers ?? {})
    .filter(([name, value]) => isCredentialHeader(name) && value.trim() !== '' && listSecretRefs(value).length === 0)
    .map(([name]) =>
      problem(
        [...at, name],
        `header "${name}" holds a literal credential`,
        `write it as a reference such as "\${API_TOKEN}" (with its scheme: "Token \${API_TOKEN}") and give the worker API_TOKEN (SLUICE_SECRETS_ALLOW or .dlt/secrets.toml): a literal travels in workflow input and history`,
      ),
    );
}

/** Every header map a config writes: client, resource_defaults and each resource's own endpoint. */
export function configCredentialWarnings(config: SourceConfigInput): ConfigProblem[] {
  const warnings = [
    ...literalCredentialWarnings(config.client.headers, ['client', 'headers']),
    ...literalCredentialWarnings(endpointHeaders(config.resource_defaults), ['resource_defaults', 'endpoint', 'headers']),
  ];
  config.resources.forEach((raw, index) => warnings.push(...literalCredentialWarnings(endpointHeaders(raw), ['resources', index, 'endpoint', 'headers'])));
  return warnings;
}

function endpointHeaders(resource: unknown): Record<string, string> | undefined {
  const endpoint = isRecord(resource) ? resource.endpoint : undefined;
  const headers = isRecord(endpoint) ? endpoint.headers : undefined;
  return isRecord(headers) ? (headers as Record<string, string>) : undefined;
}
