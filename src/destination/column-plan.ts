/**
 * What the row shaper (shaper.ts) knows of a table before it walks a page: its columns in the order rows
 * hold them, how each value becomes an insert value, and where each raw field of a record lands. All of it
 * is cached per table version and per field name, so that a page's walk does one map lookup a field.
 */
import { LINK, META } from './ddl';
import { joinPath, normalizeIdentifier } from './naming';
import { binaryEncoderFor, type BinaryEncoder } from './row-binary';
import type { TableColumns } from './schema';
import { converterFor, type Converter } from './values';
import { isNullableType } from './types';

/** A table's columns, in the order its rows hold them, with what each needs to become an insert value. */
export interface ColumnPlan {
  names: string[];
  index: Map<string, number>;
  converters: Converter[];
  /** RowBinary encoders, or undefined when a column's type has none: the table's rows go as JSONEachRow. */
  encoders: BinaryEncoder[] | undefined;
  /** Data columns that may not be null (the primary key). */
  required: number[];
  /** Where raw fields go, per primary key layout (see Slot), and how many slots are cached. */
  slots: Map<ReadonlyMap<string, number>, Map<string, Slot>>;
  slotCount: number;
  /** Where sluice's own columns sit (-1 where the table lacks one). */
  meta: Record<'id' | 'parentId' | 'rootId' | 'listIdx' | 'loadId' | 'loadedAt' | 'version' | 'page' | 'row', number>;
}

/**
 * Where a raw field goes in a row of one table: its column's name, its index in the table's plan and its
 * place in the primary key, found once; and, for a field holding an object, the slots of that object's
 * fields. One map lookup a field instead of four (two for the name, one each for column and key).
 */
export interface Slot {
  name: string;
  index: number | undefined;
  key: number | undefined;
  nested: Map<string, Slot> | undefined;
}

// Per table version: the schema registry hands out the same columns map until the table changes.
const plans = new WeakMap<TableColumns, ColumnPlan>();

export function planFor(columns: TableColumns): ColumnPlan {
  let plan = plans.get(columns);
  if (!plan) {
    const names = [...columns.keys()];
    const types = [...columns.values()];
    const index = new Map(names.map((name, i) => [name, i]));
    const encoders = types.map((type, i) => binaryEncoderFor(type, names[i]));
    const at = (name: string) => index.get(name) ?? -1;
    plan = {
      names,
      index,
      converters: types.map((type, i) => converterFor(type, names[i])),
      encoders: encoders.every((e) => e !== undefined) ? (encoders as BinaryEncoder[]) : undefined,
      required: names.flatMap((name, i) => (!name.startsWith('_sluice_') && !isNullableType(types[i]) ? [i] : [])),
      slots: new Map(),
      slotCount: 0,
      meta: {
        id: at(LINK.id),
        parentId: at(LINK.parentId),
        rootId: at(LINK.rootId),
        listIdx: at(LINK.listIdx),
        loadId: at(META.loadId),
        loadedAt: at(META.loadedAt),
        version: at(META.version),
        page: at(META.page),
        row: at(META.row),
      },
    };
    plans.set(columns, plan);
  }
  return plan;
}

/** The plan of a table with no columns yet (or none known without I/O): every field of its rows is new. */
export const NO_COLUMNS_PLAN: ColumnPlan = planFor(new Map());

export const NO_KEY: ReadonlyMap<string, number> = new Map();

/** The primary key's columns → their places in it, one map per key so that slots can be cached by it. */
const keyIndexes = new Map<string, ReadonlyMap<string, number>>();

export function keyIndexFor(key: readonly string[]): ReadonlyMap<string, number> {
  if (key.length === 0) return NO_KEY;
  const text = key.join('\u0000');
  let found = keyIndexes.get(text);
  if (!found) {
    if (keyIndexes.size >= 1_000) keyIndexes.clear();
    keyIndexes.set(text, (found = new Map(key.map((k, i) => [k, i]))));
  }
  return found;
}

/** A source with unbounded distinct keys (ids as keys) must not grow a table's slots without end. */
const SLOTS_PER_PLAN = 10_000;

export function slotsFor(plan: ColumnPlan, keyIndex: ReadonlyMap<string, number>): Map<string, Slot> {
  let slots = plan.slots.get(keyIndex);
  if (!slots) plan.slots.set(keyIndex, (slots = new Map()));
  return slots;
}

/** The slot of raw field `rawKey` of an object whose column prefix is `prefix`, made and cached on first use. */
export function slotOf(slots: Map<string, Slot>, prefix: string, rawKey: string, plan: ColumnPlan, keyIndex: ReadonlyMap<string, number>): Slot {
  const found = slots.get(rawKey);
  if (found) return found;
  const name = columnName(prefix, rawKey);
  const slot: Slot = { name, index: plan.index.get(name), key: keyIndex.get(name), nested: undefined };
  if (plan.slotCount < SLOTS_PER_PLAN) {
    plan.slotCount += 1;
    slots.set(rawKey, slot);
  }
  return slot;
}

// Nested field names repeat in every record: building `parent__child` once per pair saves a string each time.
const columnNames = new Map<string, Map<string, string>>();
const NAMES_LIMIT = 10_000;
let nameCount = 0;

function columnName(prefix: string, rawKey: string): string {
  let byKey = columnNames.get(prefix);
  if (!byKey) columnNames.set(prefix, (byKey = new Map()));
  let name = byKey.get(rawKey);
  if (name === undefined) {
    // A source with unbounded distinct keys (ids as keys) must not grow the cache without end.
    if (++nameCount > NAMES_LIMIT) {
      columnNames.clear();
      nameCount = 1;
      columnNames.set(prefix, byKey);
      byKey.clear();
    }
    name = joinPath(prefix, normalizeIdentifier(rawKey));
    byKey.set(rawKey, name);
  }
  return name;
}

/** Whether a row has every value its plan requires; a row for schema work always (conversion names what is missing: contract.ts). */
export function hasRequired(row: { fields?: unknown; plan: ColumnPlan; values: unknown[] }): boolean {
  if (row.fields) return true;
  for (const i of row.plan.required) {
    if (row.values[i] === undefined || row.values[i] === null) return false;
  }
  return true;
}
