/**
 * The coordinator's writes of its state (the watermark and the windows finished beyond it). One write at a
 * time, so a later picture never lands before an earlier one; each write takes the picture as it is when
 * the write starts, so windows that finish while a write runs share the next one, and a picture already
 * written is not written again. Windows do not wait for a write before the next one starts: with eight
 * finishing together, eight writes one after the other held the last lane back by the sum of them.
 */
import { CancellationScope } from '@temporalio/workflow';

export function latestStateWriter<S>(snapshotOf: () => S, write: (snapshot: S) => Promise<void>): () => Promise<void> {
  /** Writes asked for, and how many of them the writes so far cover. */
  let asked = 0;
  let covered = 0;
  let written: string | undefined;
  let running: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    while (covered < asked) {
      const upTo = asked;
      const snapshot = snapshotOf();
      const text = JSON.stringify(snapshot);
      if (text !== written) {
        // Written even while the run is cancelled: a window that finished must not be loaded again.
        await CancellationScope.nonCancellable(() => write(snapshot));
        written = text;
      }
      covered = upTo;
    }
  };
  /** Resolves once the state as it is now (or later) is written; rejects if that write failed. */
  return async () => {
    const mine = ++asked;
    while (covered < mine) {
      // `running` is cleared before the promise awaited here settles, so a finished drain is never awaited again.
      running ??= drain().finally(() => {
        running = undefined;
      });
      await running;
    }
  };
}
