/**
 * One window's `Retry-After` holds back its sibling windows: a window about to wait on a durable timer (the
 * API asked it to slow down) makes every window wait as long before its next batch. Windows streamed by
 * their coordinator share one hold in its memory (sharedHold). Windows run as child workflows, as older
 * coordinators still do, tell their coordinator until when, and it passes that on to each (windowHold).
 * Resources that are not windows do nothing here.
 */
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
    holdUntil = Math.max(holdUntil, until);
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
      await getExternalWorkflowHandle(coordinator).signal(holdWindowsSignal, Date.now() + ms).catch(() => undefined);
    },
  };
}
