/**
 * The state of a partitioned resource, in the resource's `_sluice_state` row beside dlt's `last_value`:
 * `last_value` is the watermark (the end of the longest run of finished windows from the range's start),
 * `finished_windows` the windows finished beyond it. A plain incremental run reads `last_value` alone, so
 * removing `partition` from the config goes on from the watermark.
 */
import { z } from 'zod';
import { MAX_WINDOWS_AHEAD } from '../core/windows';
import type { BeginWindowsInput, BeginWindowsResult, CommitWindowsInput } from '../core/activity-types';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const storedWindows = z.object({
  last_value: primitive.optional(),
  finished_windows: z
    .array(z.tuple([primitive, primitive]))
    .max(MAX_WINDOWS_AHEAD)
    .optional(),
});

export function beginWindows(deps: ActivityDeps, input: BeginWindowsInput): Promise<BeginWindowsResult> {
  return guarded(async () => {
    const destination = await deps.destination();
    await destination.ensureDatabase(input.database, input.cluster);
    const parsed = storedWindows.safeParse(await destination.readState(input.database, input.pipeline, input.resource));
    // No state, or one sluice never wrote: the range starts at initial_value with nothing finished.
    if (!parsed.success) return { finished: [] };
    const { last_value: watermark, finished_windows: finished = [] } = parsed.data;
    return { ...(watermark !== undefined ? { watermark } : {}), finished };
  });
}

/** Written after every window that changes the picture; written twice (a retry), it stores the same state. */
export function commitWindows(deps: ActivityDeps, input: CommitWindowsInput): Promise<void> {
  return guarded(async () => {
    const destination = await deps.destination();
    await destination.writeState(
      input.database,
      input.pipeline,
      input.resource,
      {
        ...(input.watermark !== undefined ? { last_value: input.watermark } : {}),
        finished_windows: input.finished.slice(0, MAX_WINDOWS_AHEAD),
      },
      input.writeVersion,
    );
  });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toActivityFailure(err, (text) => text);
  }
}
