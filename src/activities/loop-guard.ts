/**
 * Stops a resource that would page forever: a next-page token (cursor, next link, page) that was
 * already used, or a page identical to the one before it (typically an API that ignores the paging
 * parameter, e.g. a misspelt `offset_param`). The state is a few short hashes, carried from one batch
 * to the next through the workflow.
 */
import { hash as digest } from 'node:crypto';
import type { JsonObject } from '../config/types';
import type { LoopGuardState } from '../core/activity-types';
import { SluiceError } from '../errors';

const REMEMBERED_STATES = 64;

/** One-shot `crypto.hash`: about half the cost of a Hash object per call, which shows at page sizes of 100 and below. */
function hash(text: string): string {
  return digest('sha1', text, 'base64url').slice(0, 12);
}

/** Cheap enough for every page: the count and the first and last record say whether a page repeats. */
function fingerprint(records: JsonObject[]): string | undefined {
  if (records.length === 0) return undefined;
  return hash(`${records.length}\u0000${JSON.stringify(records[0])}\u0000${JSON.stringify(records[records.length - 1])}`);
}

export class LoopGuard {
  private readonly seen: string[];
  private last: string | undefined;

  constructor(state?: LoopGuardState) {
    this.seen = [...(state?.seen ?? [])];
    this.last = state?.last;
  }

  /** Checks one fetched page and the token it points to; throws `pagination_loop` on a loop. */
  check(records: JsonObject[], next: JsonObject | null, describeNext: string): void {
    const page = fingerprint(records);
    if (page !== undefined && page === this.last) {
      throw new SluiceError(
        'pagination_loop',
        `a page came back identical to the one before it (${records.length} records); the API probably ignores the paging parameter: check the paginator's *_param settings`,
      );
    }
    this.last = page;
    if (next === null) return;
    const state = hash(JSON.stringify(next.state ?? next));
    if (this.seen.includes(state)) {
      throw new SluiceError('pagination_loop', `the paginator came back to a page it already fetched (${describeNext}); pagination would never end`);
    }
    this.seen.push(state);
    if (this.seen.length > REMEMBERED_STATES) this.seen.shift();
  }

  state(): LoopGuardState {
    return { seen: [...this.seen], ...(this.last !== undefined ? { last: this.last } : {}) };
  }
}
