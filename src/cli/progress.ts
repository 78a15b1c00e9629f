/**
 * Live progress of `sluice run`: on a terminal, one cli-progress bar per resource redrawn in place; in a
 * log or pipe, one plain line whenever a resource's pages or state change (no escape codes). Other lines
 * (the in-process worker's log) go through `log`, so on a terminal they appear above the bars instead of
 * breaking them.
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import type { Client } from '@temporalio/client';
import { escapeControls, stderrLine } from '../terminal-text';
import { pollResource, rate, ResourceView } from './progress-poll';

export interface ProgressRenderer {
  update(views: ResourceView[]): void;
  /** A line that is not progress (a worker's warning): printed without disturbing the display. */
  log(line: string): void;
  stop(): void;
}

export function describeView(view: ResourceView): string {
  if (view.state === 'pending') return `${view.resource}: waiting to start`;
  const head = `${view.resource}: ${view.state === 'failed' ? 'failed after ' : view.state === 'done' ? 'done, ' : ''}${windowsDone(view)}${view.pages} pages, ${view.rows} rows, ${view.rowsPerSecond} rows/s`;
  if (view.state !== 'running') return head;
  // The next page (a cursor) and the retry's message are the API's text: one line, escaped.
  return `${head}, next ${escapeControls(view.next)}${view.retry ? ` (${escapeControls(view.retry)})` : ''}`;
}

/** "windows 3/20, " for a partitioned resource (the coordinator's query tells both). */
function windowsDone(view: ResourceView): string {
  return view.windows ? `windows ${view.windows.done}/${view.windows.total}, ` : '';
}

/** Plain lines, printed only when something a reader cares about changed. */
export class LineRenderer implements ProgressRenderer {
  private readonly last = new Map<string, string>();
  constructor(
    private readonly print: (line: string) => void,
    private readonly printLog: (line: string) => void = stderrLine,
  ) {}

  log(line: string): void {
    this.printLog(line);
  }

  update(views: ResourceView[]): void {
    for (const view of views) {
      const key = `${view.state}|${view.pages}|${view.windows?.done ?? ''}|${view.retry ?? ''}`;
      if (this.last.get(view.resource) === key) continue;
      this.last.set(view.resource, key);
      this.print(describeView(view));
    }
  }

  stop(): void {}
}

/** cli-progress multi-bar: the bar fills when the resource is done (the number of pages is not known ahead). */
export class BarRenderer implements ProgressRenderer {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<string, SingleBar>();
  private stopped = false;

  constructor(
    stream: NodeJS.WritableStream,
    resources: string[],
    /** Where log lines go once the bars are stopped (the worker may still log while it shuts down). */
    private readonly afterStop: (line: string) => void = stderrLine,
  ) {
    this.multibar = new MultiBar(
      {
        stream,
        format: '{resource} {bar} {state} | {pages} pages | {rows} rows | {rate} rows/s | {detail}',
        barsize: 12,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        fps: 5,
        // Log lines are written where the bars were; a bar whose text did not change would not be drawn again.
        forceRedraw: true,
      },
      Presets.shades_classic,
    );
    const width = Math.max(...resources.map((r) => r.length));
    for (const resource of resources) {
      this.bars.set(resource, this.multibar.create(1, 0, { ...payload(emptyView(resource)), resource: resource.padEnd(width) }));
    }
  }

  update(views: ResourceView[]): void {
    for (const view of views) {
      const bar = this.bars.get(view.resource);
      bar?.update(view.state === 'done' ? 1 : 0, payload(view));
    }
  }

  log(line: string): void {
    // MultiBar writes buffered log lines above the bars at its next redraw (on the bars' own stream).
    if (this.stopped) this.afterStop(line);
    else this.multibar.log(`${escapeControls(line, { lines: true })}\n`);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    // A last redraw writes log lines still buffered since the previous one (stop does not).
    this.multibar.update();
    this.multibar.stop();
  }
}

function emptyView(resource: string): ResourceView {
  return { resource, state: 'pending', pages: 0, rows: 0, rowsPerSecond: 0, next: 'first page' };
}

function payload(view: ResourceView): Record<string, string | number> {
  const detail = view.state === 'running' ? `${windowsDone(view)}next ${view.next}${view.retry ? ` · ${view.retry}` : ''}` : view.state === 'pending' ? 'waiting' : '';
  // The bars bypass the CLI's printer: the next page and the retry's message are the API's text.
  return { state: view.state.padEnd(7), pages: view.pages, rows: view.rows, rate: view.rowsPerSecond, detail: escapeControls(detail) };
}

/**
 * Polls every resource of the run until `finished` settles, then once more so the last numbers are shown.
 * Rates are measured from the first run a resource was seen in, so a continue-as-new does not reset them.
 */
export async function watchProgress(
  client: Client,
  pipeline: string,
  resources: string[],
  sinceMs: number,
  renderer: ProgressRenderer,
  finished: Promise<unknown>,
  intervalMs = 1000,
): Promise<void> {
  let settled = false;
  const done = finished.then(
    () => (settled = true),
    () => (settled = true),
  );
  const firstStart = new Map<string, number>();
  const pollAll = async (): Promise<void> => {
    const views = await Promise.all(resources.map((r) => pollResource(client, pipeline, r, sinceMs).catch(() => emptyView(r))));
    for (const view of views) {
      if (view.startedMs === undefined) continue;
      const first = firstStart.get(view.resource) ?? view.startedMs;
      firstStart.set(view.resource, first);
      view.rowsPerSecond = rate(view.rows, first, view.closedMs ?? Date.now());
    }
    renderer.update(views);
  };
  try {
    while (!settled) {
      await pollAll();
      await Promise.race([done, new Promise((r) => setTimeout(r, intervalMs))]);
    }
    await pollAll();
  } finally {
    renderer.stop();
  }
}
