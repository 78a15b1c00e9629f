/**
 * dlt's schema contract, applied to one page: what happens to a new table, a new column, and a value that
 * does not fit its column's type. Modes, as in dlt:
 *  - evolve: new tables and columns are created; a misfit value goes to a variant column `<col>__v_<type>`;
 *  - freeze: the page fails with destination_fatal naming resource, field, a value excerpt and the type;
 *  - discard_row: the whole record (its root row and nested rows) goes to `_sluice_rejected` with the reason;
 *  - discard_value: the offending value is left out; the rest of the row is loaded.
 * The resource's own table is always created on its first load (a contract freezes a shape that exists);
 * a table created in this page takes every column it needs, as dlt does for new tables.
 */
import type { ResolvedResource, SchemaContract, SchemaContractMode } from '../config/types';
import { SluiceError } from '../errors';
import { LINK, type ColumnDef } from './ddl';
import type { ServerFeatures } from './features';
import { JsonText } from './flatten';
import { rowPlace, type PageMeta, type TableRows } from './page';
import type { TableColumns } from './schema';
import { RoundedTimestamps } from './timestamps';
import { clickHouseType, inferDataType, integerTypeFor, isNullableType, type DataType } from './types';
import { converterFor, excerpt, Misfit, type Converter } from './values';
import { META } from './ddl';

export const EVOLVE: SchemaContract = { tables: 'evolve', columns: 'evolve', data_type: 'evolve' };

export function contractOf(resource: ResolvedResource): SchemaContract {
  return resource.schema_contract ?? EVOLVE;
}

/** dlt's variant column name: the column, `__v_`, and the data type of the value that did not fit. */
export function variantColumnName(column: string, dataType: DataType): string {
  return `${column}__v_${dataType}`;
}

/** Records of the page (by index after dedupe) that a contract discarded, with the first reason. */
export class Rejections {
  readonly reasons = new Map<number, string>();

  reject(record: number, reason: string): void {
    if (!this.reasons.has(record)) this.reasons.set(record, reason);
  }

  has(record: number): boolean {
    return this.reasons.has(record);
  }
}

export interface Admitted {
  /** Columns to make sure exist (create or ADD COLUMN). */
  columns: ColumnDef[];
  /** New columns whose values are dropped (discard_value). */
  dropped: Set<string>;
}

/**
 * Apply the `tables` and `columns` contract to one table of the page. Returns undefined when the table is
 * not to be written at all (a new child table under discard_*: its records were rejected).
 */
export function admitColumns(
  t: TableRows,
  existing: TableColumns | undefined,
  wanted: readonly ColumnDef[],
  declared: ReadonlySet<string>,
  resource: ResolvedResource,
  rejections: Rejections,
): Admitted | undefined {
  const contract = contractOf(resource);
  if (!existing) {
    if (t.root || contract.tables === 'evolve') return { columns: [...wanted], dropped: new Set() };
    const reason = `new table ${t.table} (schema_contract tables: ${contract.tables})`;
    if (contract.tables === 'freeze') throw new SluiceError('destination_fatal', `resource "${resource.name}": ${reason}`);
    for (const r of t.records) rejections.reject(r, reason);
    return undefined;
  }
  const fresh = wanted.filter((c) => !existing.has(c.name) && !declared.has(c.name) && !c.name.startsWith('_sluice_'));
  if (fresh.length === 0 || contract.columns === 'evolve') return { columns: [...wanted], dropped: new Set() };
  const freshNames = new Set(fresh.map((c) => c.name));
  const kept = wanted.filter((c) => !freshNames.has(c.name));
  applyMode(
    contract.columns,
    t,
    freshNames,
    resource,
    rejections,
    (name, value) => `new column "${name}" in ${t.table} (value ${excerpt(plain(value))}; schema_contract columns: ${contract.columns})`,
  );
  return { columns: kept, dropped: contract.columns === 'discard_value' ? freshNames : new Set() };
}

function applyMode(
  mode: SchemaContractMode,
  t: TableRows,
  names: ReadonlySet<string>,
  resource: ResolvedResource,
  rejections: Rejections,
  reason: (name: string, value: unknown) => string,
): void {
  if (mode === 'discard_value') return;
  t.rows.forEach((row, i) => {
    for (const name of names) {
      const value = row.get(name);
      if (value === undefined || value === null) continue;
      if (mode === 'freeze') throw new SluiceError('destination_fatal', `resource "${resource.name}": ${reason(name, value)}`);
      rejections.reject(t.records[i], reason(name, value));
      return;
    }
  });
}

function plain(value: unknown): unknown {
  return value instanceof JsonText ? value.text : value;
}

export interface Converted {
  /** One object per row of `t.rows`; undefined where the row's record was rejected. */
  rows: (Record<string, unknown> | undefined)[];
  /** Variant columns this page needs that the table does not have yet. */
  variants: ColumnDef[];
  /** Timestamps rounded to their columns' precision (timestamps.ts). */
  rounded: RoundedTimestamps;
}

/**
 * Rows ready for JSONEachRow: values converted to their columns' types (one converter per column, built
 * once), misfits handled by the `data_type` contract, metadata and the hard-delete marker added.
 */
export function convertRows(
  t: TableRows,
  columns: TableColumns,
  dropped: ReadonlySet<string>,
  resource: ResolvedResource,
  features: ServerFeatures,
  meta: PageMeta,
  loadedAt: string,
  rejections: Rejections,
  hardDelete?: string,
): Converted {
  const mode = contractOf(resource).data_type;
  // One lookup per value: the column's converter, or null when the value is not written (a discard_value
  // column, or one that only held nulls so far and does not exist yet).
  const plans = new Map<string, Converter | null>();
  const planFor = (name: string): Converter | null => {
    let plan = plans.get(name);
    if (plan === undefined) {
      const type = columns.get(name);
      plan = dropped.has(name) || type === undefined ? null : converterFor(type, name);
      plans.set(name, plan);
    }
    return plan;
  };
  const variants = new Map<string, string>();
  const variantConverters = new Map<string, Converter>();
  const required = [...columns].filter(([name, type]) => !name.startsWith('_sluice_') && !isNullableType(type));
  const withMarker = hardDelete !== undefined && columns.has(LINK.deleted);
  const rounded = new RoundedTimestamps();

  const rows = t.rows.map((row, i) => {
    const record = t.records[i];
    if (rejections.has(record)) return undefined;
    // Data fields first, metadata last, on a fresh literal: spreading a shared object with a computed key
    // per row pushed V8 into slow dictionary-mode objects (measured with bench/normalise.ts).
    const out: Record<string, unknown> = {};
    for (const [name, raw] of row) {
      const convert = planFor(name);
      if (convert === null) continue;
      const value = raw instanceof JsonText ? raw.text : raw;
      const converted = convert(value, rounded);
      if (!(converted instanceof Misfit)) {
        out[name] = converted;
        continue;
      }
      const type = columns.get(name)!;
      if (value === null || mode === 'freeze') throw misfit(resource, name, value, type, converted.reason);
      if (mode === 'discard_value') continue;
      if (mode === 'discard_row') {
        rejections.reject(record, `field "${name}" value ${excerpt(value)} does not fit column type ${type} (${converted.reason})`);
        return undefined;
      }
      const dataType = raw instanceof JsonText ? 'json' : inferDataType(value, features);
      const variant = variantColumnName(name, dataType);
      let variantType = columns.get(variant) ?? variants.get(variant);
      if (variantType === undefined) {
        // An integer past the column's type: a variant of the integer type that holds it (integerTypeFor).
        const big = dataType === 'bigint' && typeof value === 'string' && value.length <= 80 ? BigInt(value.trim()) : undefined;
        const integerType = big === undefined ? undefined : integerTypeFor(big, big, features);
        variantType = clickHouseType({ name: variant, dataType, nullable: true, ...(integerType ? { integerType } : {}) }, features);
        variants.set(variant, variantType);
      }
      let toVariant = variantConverters.get(variant);
      if (!toVariant) variantConverters.set(variant, (toVariant = converterFor(variantType, variant)));
      const inVariant = toVariant(value, rounded);
      if (inVariant instanceof Misfit) throw misfit(resource, variant, value, variantType, inVariant.reason);
      out[variant] = inVariant;
    }
    for (const [name, type] of required) {
      if (out[name] === undefined || out[name] === null) throw misfit(resource, name, null, type, 'required field is missing or null');
    }
    if (withMarker) out[LINK.deleted] = isDeleteMark(row.get(hardDelete!)) ? 1 : 0;
    return addMeta(out, meta, loadedAt, record);
  });
  return { rows, variants: [...variants].map(([name, type]) => ({ name, type })), rounded };
}

/** The load metadata every row carries, set last so that a data field of the same name cannot stand. */
export function addMeta(out: Record<string, unknown>, meta: PageMeta, loadedAt: string, record: number): Record<string, unknown> {
  out[META.loadId] = meta.loadId;
  out[META.loadedAt] = loadedAt;
  out[META.version] = meta.version;
  const place = rowPlace(meta, record);
  out[META.page] = place.page;
  out[META.row] = place.row;
  return out;
}

/** dlt's hard_delete: a boolean column deletes on true; any other type deletes on any non-null value. */
function isDeleteMark(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  return true;
}

function misfit(resource: ResolvedResource, field: string, value: unknown, type: string, reason: string): SluiceError {
  return new SluiceError('destination_fatal', `resource "${resource.name}": field "${field}" value ${excerpt(value)} does not fit column type ${type} (${reason})`);
}
