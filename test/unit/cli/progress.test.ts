/** The pure parts of the CLI's progress, preview and argument handling. */
import { z } from 'zod';
import { duration, parseOptions } from '../../../src/cli/args';
import { CliError } from '../../../src/cli/exit-codes';
import { summarizeFields } from '../../../src/cli/preview';
import { describeView, LineRenderer } from '../../../src/cli/progress';
import { rate, retryWaiting, ResourceView } from '../../../src/cli/progress-poll';

const running: ResourceView = { resource: 'events', state: 'running', pages: 3, rows: 300, rowsPerSecond: 150, next: 'offset=300 limit=100' };

test('plain lines are printed only when pages, state or a retry change', () => {
  const lines: string[] = [];
  const renderer = new LineRenderer((l) => lines.push(l));
  renderer.update([running]);
  renderer.update([{ ...running, rowsPerSecond: 170 }]);
  renderer.update([{ ...running, retry: 'retry 2 in 4s: 503 Service Unavailable' }]);
  renderer.update([{ ...running, state: 'done', pages: 4, rows: 350 }]);
  expect(lines).toEqual([
    'events: 3 pages, 300 rows, 150 rows/s, next offset=300 limit=100',
    'events: 3 pages, 300 rows, 150 rows/s, next offset=300 limit=100 (retry 2 in 4s: 503 Service Unavailable)',
    'events: done, 4 pages, 350 rows, 150 rows/s',
  ]);
  expect(describeView({ ...running, state: 'pending' })).toBe('events: waiting to start');
});

test('a retry is waiting when the pending page activity failed before', () => {
  const now = Date.UTC(2024, 0, 1, 0, 0, 0);
  const description = {
    raw: {
      pendingActivities: [
        { attempt: 3, lastFailure: { message: '503 Service Unavailable from GET http://api/x\nstack' }, nextAttemptScheduleTime: { seconds: now / 1000 + 4, nanos: 0 } },
      ],
    },
  } as never;
  expect(retryWaiting(description, now)).toBe('retry 3 in 4s: 503 Service Unavailable from GET http://api/x');
  expect(retryWaiting({ raw: { pendingActivities: [{ attempt: 1 }] } } as never, now)).toBeUndefined();
  expect(rate(500, 0, 2_000)).toBe(250);
});

test('preview summarises fields with the JSON types seen and how often they are missing', () => {
  expect(
    summarizeFields([
      { id: 1, a: { b: 'x' }, tags: [1] },
      { id: 2.5, a: { b: null } },
    ]),
  ).toEqual([
    { path: 'id', types: ['integer', 'number'], missing: 0 },
    { path: 'a.b', types: ['null', 'string'], missing: 0 },
    { path: 'tags', types: ['array'], missing: 1 },
  ]);
});

test('CLI options: durations parse, problems name the flag and exit 2', () => {
  expect(duration.parse('90s')).toBe(90_000);
  expect(duration.parse('2h')).toBe(7_200_000);
  const schema = z.object({ catchupWindow: duration });
  try {
    parseOptions(schema, { catchupWindow: 'soon' });
    throw new Error('expected a CliError');
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toBe('--catchup-window: a duration such as 30s, 5m, 1h or 2d');
  }
});

test('on a terminal, log lines (the in-process worker) are written above the bars, never inside a bar line', async () => {
  const { PassThrough } = await import('node:stream');
  const { BarRenderer } = await import('../../../src/cli/progress');
  const tty = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 120,
    rows: 40,
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    clearScreenDown: () => true,
  });
  let written = '';
  tty.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const afterStop: string[] = [];
  const renderer = new BarRenderer(tty, ['events'], (line) => afterStop.push(line));
  renderer.update([running]);
  renderer.log('worker WARN: first');
  await new Promise((r) => setTimeout(r, 300)); // a redraw (5 a second)
  renderer.log('worker WARN: second');
  renderer.stop();
  renderer.log('worker WARN: after the bars');
  // Each log line is written from the start of a line (a newline, or the cursor sent to column 1), alone
  // on it, and a bar is drawn after the last of them.
  const lines = written.split(/\r?\n|\r|\x1b\[\d*G/).map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
  expect(lines.filter((l) => l.includes('worker WARN'))).toEqual(['worker WARN: first', 'worker WARN: second']);
  expect(written.lastIndexOf('3 pages')).toBeGreaterThan(written.lastIndexOf('worker WARN: second'));
  expect(afterStop).toEqual(['worker WARN: after the bars']);
});

test('a partitioned resource shows its windows done of the run', () => {
  const lines: string[] = [];
  const renderer = new LineRenderer((l) => lines.push(l));
  const windowed: ResourceView = { ...running, next: 'windows [2024-01-03, 2024-01-04)', windows: { done: 2, total: 7 } };
  renderer.update([windowed]);
  // A window finishing with no new page still changes the line.
  renderer.update([{ ...windowed, windows: { done: 3, total: 7 } }]);
  expect(lines).toEqual([
    'events: windows 2/7, 3 pages, 300 rows, 150 rows/s, next windows [2024-01-03, 2024-01-04)',
    'events: windows 3/7, 3 pages, 300 rows, 150 rows/s, next windows [2024-01-03, 2024-01-04)',
  ]);
});

test('a progress line escapes the control characters of the API text it shows (next cursor, retry message)', () => {
  const view: ResourceView = {
    resource: 'events',
    state: 'running',
    pages: 1,
    rows: 2,
    rowsPerSecond: 0,
    next: 'cursor=\u001b[2J\nforged',
    retry: 'retry 2: bad\u0007\u009b',
  };
  const line = describeView(view);
  expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  expect(line).toContain('cursor=\\u001b[2J\\u000aforged');
  expect(line).toContain('bad\\u0007\\u009b');
});
