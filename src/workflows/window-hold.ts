/**
 * One window's `Retry-After` holds back its sibling windows: a window about to wait on a durable timer (the
 * API asked it to slow down) makes every window wait as long before its next batch. Windows streamed by
 * their coordinator share one hold in its memory (sharedHold). Windows run as child workflows, as older
 * coordinators still do, tell their coordinator until when, and it passes that on to each (windowHold).
 * Resources that are not windows do nothing here.
 */
import { MAX_WAIT_CEILING_SECONDS } from '../core/bounded-wait';
import { defineSignal, getExternalWorkflowHandle, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';

/** Until when (epoch ms) windows hold back: sent by a window to its coordinator, and by it to the windows. */
export const holdWindowsSignal = defineSignal<[number]>('holdWindows');

export interface WindowHold {
  /** Before a batch: wait out a hold a sibling window passed on. */
  wait(): Promise<void>;
  /** Before this window waits `ms`: ask the coordinator to hold the others as long. */
  share(ms: number): Promise<void>;
}

const NO_HOLD: WindowHold = { wait: async () => undefined, share: async () => undefined };

/** The hold of the windows one coordinator streams: a wait any of them is asked for holds back them all. */
export function sharedHold(): WindowHold {
  let holdUntil = 0;
  return {
    async wait() {
      const ms = holdUntil - Date.now();
      if (ms > 0) await sleep(ms);
    },
    async share(ms) {
      holdUntil = Math.max(holdUntil, Date.now() + ms);
    },
  };
}

/** `coordinator`: the workflow ID of the window's coordinator; undefined for a resource that is not a window. */
export function windowHold(coordinator: string | undefined): WindowHold {
  if (coordinator === undefined) return NO_HOLD;
  let holdUntil = 0;
  setHandler(holdWindowsSignal, (until) => {
    // Anyone who may signal the workflow can send any value: only a time a wait can reach holds the window
    // (a NaN or a time past what a Date holds would throw below, failing the workflow task forever).
    if (typeof until !== 'number' || !Number.isFinite(until)) return;
    holdUntil = Math.max(holdUntil, Math.min(until, Date.now() + MAX_WAIT_CEILING_SECONDS * 1000));
  });
  return {
    async wait() {
      const ms = holdUntil - Date.now();
      if (ms <= 0) return;
      setCurrentDetails(`another window was asked to slow down: waiting until ${new Date(holdUntil).toISOString()}`);
      await sleep(ms);
    },
    async share(ms) {
      // A coordinator that is gone (cancelled, failed) has no windows left to hold.
      await getExternalWorkflowHandle(coordinator)
        .signal(holdWindowsSignal, Date.now() + ms)
        .catch(() => undefined);
    },
  };
}
