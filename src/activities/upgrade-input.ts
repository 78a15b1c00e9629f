/**
 * The activity boundary: every activity input is parsed here before anything else reads it, and the shapes
 * older workflow code scheduled are upgraded to the current one, so the activities, src/http and
 * src/destination see one shape of each input.
 *
 * Parsed because a workflow input is untrusted and an activity input is built from it; upgraded because a
 * history can hold inputs older code scheduled (an activity retried across a deploy), and a workflow
 * started before a change keeps sending the older shape while its `patched()` marker keeps the old branch
 * (src/workflows/versions.ts) or its own input lacks what later code adds. Each upgrade is listed in
 * INPUT_UPGRADES with what it answers to: the marker whose old branch sends that shape (it goes when the
 * marker is deprecated; test/unit/workflows/versions.test.ts keeps both lists in step), or the commit
 * before which the shape was scheduled (it goes when no workflow started before that commit still runs: the
 * ledger's step-1 query).
 *
 * Not upgraded, on purpose: `writeVersion` absent (inputs scheduled before 4f5f4ef). Its fallback, a
 * version above every stored one, reads ClickHouse, and it is how `sluice state reset` writes state too, so
 * an absent version is a current shape of the destination's API, not only an old one.
 * Objects are parsed loosely: a key this module does not know passes through unchanged (an input from newer
 * code during a rolling deploy), and nothing the activities read is left unchecked.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import {
  DEFAULT_BATCH_SECONDS,
  type BatchLimits,
  type BeginResourceLoadInput,
  type BeginWindowsInput,
  type CommitResourceCursorInput,
  type CommitResourceLoadInput,
  type CommitWindowsInput,
  type FetchAndLoadChildrenInput,
  type FetchAndLoadPagesInput,
  type RecordFailedLoadInput,
} from '../core/activity-types';

/** Every limit a batch stops at, none left to a default: what BatchCollector reads. */
export type CompleteBatchLimits = Required<BatchLimits>;

/**
 * How a batch's rows are keyed (destination/page.ts, PageMeta). `page`: by (load, the ordinal in the load
 * of the API page, or of the parent, the row came from, its place there), the first ordinal being
 * `firstPage`. `batch`: the keys of batches scheduled before pages and parents were numbered, (load, `page`,
 * place in the batch), kept so a retry writes onto the keys its first attempt wrote.
 */
export type RowKeys = { by: 'page'; firstPage: number } | { by: 'batch'; page: number };

/** A page batch's input in the current shape. */
export type PagesBatchInput = Omit<FetchAndLoadPagesInput, 'firstPage' | 'limits'> & { rowKeys: RowKeys; limits: CompleteBatchLimits };

/** A child batch's input in the current shape. */
export type ChildrenBatchInput = Omit<FetchAndLoadChildrenInput, 'parentsBefore' | 'limits'> & { rowKeys: RowKeys; limits: CompleteBatchLimits };

export interface InputUpgrade {
  id: string;
  /** The older shape, and the current one it becomes. */
  upgrade: string;
  /** The `patched()` marker whose old branch still sends the older shape (src/workflows/versions.ts). */
  patch?: string;
  /** Else the commit before which activities were scheduled in the older shape. */
  landed?: string;
}

export const INPUT_UPGRADES: readonly InputUpgrade[] = [
  {
    id: 'batch-limits-defaults',
    upgrade:
      'batch limits without bytes, keptRows, keptBytes or seconds: no byte bound, the kept limits equal to the full ones, DEFAULT_BATCH_SECONDS (as BatchCollector applied them)',
    landed: '5c72b4c (bytes), 06f52f1 (keptRows, keptBytes), 93ea800 (seconds)',
  },
  {
    id: 'child-batch-unbounded',
    upgrade: 'a child batch without limits: limits that never stop it, so only its parent batch bounds it',
    landed: '9ecf588',
  },
  {
    id: 'page-rows-by-batch',
    upgrade: 'a page batch without firstPage: rowKeys by batch, `page` = the batch number',
    landed: 'ae0765c',
  },
  {
    id: 'child-rows-by-batch-part',
    upgrade: 'a child batch without parentsBefore: rowKeys by batch, `page` = batch × 100,000 + firstParent; with it, by page from parentsBefore + firstParent',
    patch: 'child-rows-keyed-by-parent',
  },
];

/**
 * Row identities (load, page, row) of child batches scheduled before child rows were keyed by parent: they
 * must differ between the parts of one child batch. This overflows `_sluice_page` (UInt32) after 42,949
 * parent batches; such a page is refused (batch-store.ts, pageOrdinalsFit), never wrapped onto another
 * batch's keys.
 */
export const PARTS_PER_BATCH = 100_000;

const count = z.number().int().min(0);
const ordinal = z.number().int().min(0);
const name = z.string().min(1);
const positive = z.number().positive();
const jsonPrimitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const jsonObject = z.record(z.string(), z.unknown());
/** The resolved resource is the config resolver's output; what every activity reads first is checked here. */
const resource = z.looseObject({ name, table_name: z.string(), endpoint: z.looseObject({}) });

const resourceRef = {
  pipeline: name,
  database: name,
  resource,
  loadId: name,
  fullRefresh: z.boolean(),
  configModule: z.string().optional(),
  cluster: z.string().optional(),
};

const limits = z.looseObject({
  rows: positive,
  pages: positive,
  bytes: positive.optional(),
  keptRows: positive.optional(),
  keptBytes: positive.optional(),
  seconds: positive.optional(),
});

const batchCommon = {
  ...resourceRef,
  batch: ordinal,
  version: count,
  previousCursor: jsonPrimitive.optional(),
  store: z.boolean(),
  keepForChildren: z.boolean(),
  pacing: z.looseObject({ requestsPerSecond: positive, lastRequestAtMs: z.number().optional() }).optional(),
};

const writeVersion = count.optional();
const boundaryHashes = z.array(z.string()).optional();

const schemas = {
  beginResourceLoad: z.looseObject(resourceRef),
  fetchAndLoadPages: z.looseObject({
    ...batchCommon,
    pageToken: jsonObject.nullable(),
    firstPage: ordinal.optional(),
    limits,
    loopGuard: z.looseObject({ seen: z.array(z.string()), last: z.string().optional() }).optional(),
    positionsEnd: count.optional(),
    pageRows: count.optional(),
  }),
  fetchAndLoadChildren: z.looseObject({
    ...batchCommon,
    parent: name,
    firstParent: ordinal,
    concurrency: z.number().int().min(1),
    parentsBefore: ordinal.optional(),
    limits: limits.optional(),
  }),
  commitResourceLoad: z.looseObject({
    ...resourceRef,
    rows: count,
    pages: count,
    cursorValue: jsonPrimitive.optional(),
    boundaryHashes,
    startedAtMs: z.number(),
    writeVersion,
  }),
  commitResourceCursor: z.looseObject({ pipeline: name, database: name, resource, cursorValue: jsonPrimitive, boundaryHashes, writeVersion }),
  recordFailedLoad: z.looseObject({ ...resourceRef, rows: count, pages: count, startedAtMs: z.number(), writeVersion }),
  dropParentRecords: z.looseObject({ pipeline: name, database: name, resource: name, keepLoadId: name }),
  beginWindows: z.looseObject({ pipeline: name, database: name, resource: name, cluster: z.string().optional() }),
  commitWindows: z.looseObject({
    pipeline: name,
    database: name,
    resource: name,
    cluster: z.string().optional(),
    watermark: jsonPrimitive.optional(),
    finished: z.array(z.tuple([jsonPrimitive, jsonPrimitive])),
    writeVersion,
  }),
};

export type ActivityName = keyof typeof schemas;

/**
 * Parses an activity's input; an input that does not parse fails the activity for good (a retry sends the
 * same input). The message names the fields and what was wrong, never their values.
 */
function parsed(activity: ActivityName, input: unknown): unknown {
  const result = schemas[activity].safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
  throw ApplicationFailure.create({ type: 'invalid_input', message: `activity ${activity}: invalid input: ${issues}`, nonRetryable: true });
}

/** Upgrade `batch-limits-defaults`: every limit present, with the values BatchCollector used for absent ones. */
export function completeBatchLimits(limits: BatchLimits): CompleteBatchLimits {
  const bytes = limits.bytes ?? Infinity;
  return {
    rows: limits.rows,
    pages: limits.pages,
    bytes,
    keptRows: limits.keptRows ?? limits.rows,
    keptBytes: limits.keptBytes ?? bytes,
    seconds: limits.seconds ?? DEFAULT_BATCH_SECONDS,
  };
}

/** Upgrade `child-batch-unbounded`: limits that never stop a batch. */
export const UNBOUNDED_LIMITS: CompleteBatchLimits = { rows: Infinity, pages: Infinity, bytes: Infinity, keptRows: Infinity, keptBytes: Infinity, seconds: Infinity };

export function beginResourceLoadInput(input: unknown): BeginResourceLoadInput {
  return parsed('beginResourceLoad', input) as BeginResourceLoadInput;
}

export function pagesBatchInput(input: unknown): PagesBatchInput {
  const { firstPage, limits, ...rest } = parsed('fetchAndLoadPages', input) as FetchAndLoadPagesInput;
  // Upgrade `page-rows-by-batch`.
  const rowKeys: RowKeys = firstPage !== undefined ? { by: 'page', firstPage } : { by: 'batch', page: rest.batch };
  return { ...rest, rowKeys, limits: completeBatchLimits(limits) };
}

export function childrenBatchInput(input: unknown): ChildrenBatchInput {
  const { parentsBefore, limits, ...rest } = parsed('fetchAndLoadChildren', input) as FetchAndLoadChildrenInput;
  // Upgrade `child-rows-by-batch-part`: each parent's children are one "page", numbered by the parent's
  // ordinal in the load; the old branch numbered the part of the child batch instead.
  const rowKeys: RowKeys =
    parentsBefore !== undefined ? { by: 'page', firstPage: parentsBefore + rest.firstParent } : { by: 'batch', page: rest.batch * PARTS_PER_BATCH + rest.firstParent };
  return { ...rest, rowKeys, limits: limits ? completeBatchLimits(limits) : UNBOUNDED_LIMITS };
}

export function commitResourceLoadInput(input: unknown): CommitResourceLoadInput {
  return parsed('commitResourceLoad', input) as CommitResourceLoadInput;
}

export function commitResourceCursorInput(input: unknown): CommitResourceCursorInput {
  return parsed('commitResourceCursor', input) as CommitResourceCursorInput;
}

export function recordFailedLoadInput(input: unknown): RecordFailedLoadInput {
  return parsed('recordFailedLoad', input) as RecordFailedLoadInput;
}

export function dropParentRecordsInput(input: unknown): { pipeline: string; database: string; resource: string; keepLoadId: string } {
  return parsed('dropParentRecords', input) as { pipeline: string; database: string; resource: string; keepLoadId: string };
}

export function beginWindowsInput(input: unknown): BeginWindowsInput {
  return parsed('beginWindows', input) as BeginWindowsInput;
}

export function commitWindowsInput(input: unknown): CommitWindowsInput {
  return parsed('commitWindows', input) as CommitWindowsInput;
}
