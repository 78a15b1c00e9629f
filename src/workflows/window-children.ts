/**
 * Windows as child workflows `<coordinator ID>/<window start>`: how syncWindows ran them before windows
 * became batch streams of the coordinator itself (window-stream.ts). Kept for coordinators that started
 * on that code, which replay and go on this way (the WINDOW_STREAMS_PATCH branch in sync-windows.ts).
 */
import { executeChild, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { syncResource } from './sync-resource';
import type { ResourceResult } from './types';
import { holdWindowsSignal } from './window-hold';
import { rangeText, windowLoadInput, type WindowRange } from './window-load';
import type { SyncWindowsInput } from './window-types';

export interface WindowChildren {
  run(window: WindowRange, index: number, total: number, parallelism: number): Promise<ResourceResult>;
}

export function windowChildren(input: SyncWindowsInput): WindowChildren {
  const running = relayHolds();
  return {
    async run(window, index, total, parallelism) {
      const { resource } = input;
      const id = `${workflowInfo().workflowId}/${String(window.start)}`;
      const range = rangeText(window);
      running.add(id);
      try {
        return await executeChild(syncResource, {
          workflowId: id,
          args: [{ ...windowLoadInput(input, window, index, total, parallelism), windowOf: workflowInfo().workflowId }],
          staticSummary: `${input.pipeline} / ${resource.name} window ${range} → ${input.database}.${resource.table_name}`,
          staticDetails: `window ${index + 1} of ${total}: ${resource.endpoint.method} ${resource.endpoint.url} for ${resource.endpoint.incremental?.cursor_path} in ${range}`,
          ...(input.searchAttributes ? { searchAttributes: { SluicePipeline: [input.pipeline], SluiceResource: [resource.name], SluiceMode: ['incremental'] } } : {}),
        });
      } finally {
        running.delete(id);
      }
    },
  };
}

/** A window asked to slow down: every running window (IDs in the returned set) holds back as long (window-hold.ts). */
function relayHolds(): Set<string> {
  const running = new Set<string>();
  setHandler(holdWindowsSignal, async (until) => {
    await Promise.all(
      [...running].map((id) =>
        getExternalWorkflowHandle(id)
          .signal(holdWindowsSignal, until)
          .catch(() => undefined),
      ),
    );
  });
  return running;
}
