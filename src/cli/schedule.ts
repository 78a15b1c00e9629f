/**
 * `sluice schedule …`: cron schedules on Temporal Schedules. The schedule ID is `sluice/<pipeline>`; its
 * action starts `syncSource` with the same input `sluice run` builds, under the workflow ID
 * `sluice/<pipeline>`, to which Temporal appends the scheduled time (`sluice/<pipeline>-2024-05-01T06:00:00Z`).
 * The overlap policy keeps scheduled runs apart; `sluice run` refuses to start while one is running.
 */
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleDescription,
  ScheduleNotFoundError,
  ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
  ScheduleUpdateOptions,
} from '@temporalio/client';
import { z } from 'zod';
import { readEnv } from '../settings';
import { workflowUiUrl } from '../temporal-connection';
import { duration, identifier, isoTime, parseOptions } from './args';
import { connectTemporal, TemporalContext } from './connect';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';
import { knowsSearchAttributes, pipelineWorkflowId, prepareSyncStart, SEARCH_ATTRIBUTES_NOTE, withSearchAttributes } from './sync-start';

const OVERLAP = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
const overlap = z.enum(['skip', 'buffer-one', 'cancel-other', 'allow-all']);

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as UTC or Europe/Berlin');

// Five fields (minute hour day month weekday), six with seconds, or a @macro such as @hourly / @every 10m.
const cron = z
  .string()
  .refine((c) => /^@\w+(\s+\S+)?$/.test(c.trim()) || [5, 6, 7].includes(c.trim().split(/\s+/).length), 'a cron expression such as "*/15 * * * *" or "@hourly"');

export const scheduleCreateSchema = z.object({
  cron,
  timezone: timezone.optional(),
  overlap: overlap.default('skip'),
  catchup: duration.optional(),
  jitter: duration.optional(),
  pipeline: identifier.optional(),
  database: identifier.optional(),
  resource: z.array(z.string().min(1)).default([]),
  fullRefresh: z.boolean().default(false),
  paused: z.boolean().default(false),
  note: z.string().optional(),
});

interface ScheduleMemo {
  cron: string;
  config: string;
  database: string;
}

export function scheduleId(pipeline: string): string {
  return pipelineWorkflowId(pipeline);
}

function notFound(pipeline: string): CliError {
  return new CliError(`no schedule for pipeline ${pipeline} (schedule ID ${scheduleId(pipeline)}); see \`sluice schedule list\``, EXIT_BAD_INPUT);
}

/** Runs `use` with a schedule client; a missing schedule or a server-side rejection (bad cron) is bad input. */
async function withSchedules<T>(use: (client: Client, temporal: TemporalContext, connection: Connection) => Promise<T>, pipeline?: string): Promise<T> {
  const { connection, client, temporal } = await connectTemporal();
  try {
    return await use(client, temporal, connection);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError && pipeline) throw notFound(pipeline);
    // The SDK wraps the gRPC error (ServiceError with the status as cause); INVALID_ARGUMENT is a bad cron, zone…
    const grpc = ((err as { cause?: unknown }).cause ?? err) as { code?: number; details?: string; message?: string };
    if (grpc.code === 3 /* INVALID_ARGUMENT */) {
      throw new CliError(`Temporal rejected the schedule: ${grpc.details ?? grpc.message}`, EXIT_BAD_INPUT);
    }
    throw err;
  } finally {
    await connection.close();
  }
}

export async function scheduleCreateCommand(configPath: string, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(scheduleCreateSchema, rawOptions);
  const env = readEnv();
  const prepared = await prepareSyncStart(configPath, options, env);
  await withSchedules(async (client, temporal, connection) => {
    const searchAttributes = await knowsSearchAttributes(connection, temporal.env.TEMPORAL_NAMESPACE);
    if (!searchAttributes) print(SEARCH_ATTRIBUTES_NOTE);
    const start = withSearchAttributes(prepared, searchAttributes);
    // Kept in the action's memo (a schedule's own memo cannot be updated) so describe can show the cron as written.
    const memo: ScheduleMemo = { cron: options.cron, config: configPath, database: start.database };
    const action: ScheduleOptionsStartWorkflowAction<never> = {
      type: 'startWorkflow',
      workflowType: 'syncSource',
      workflowId: start.workflowId,
      taskQueue: env.SLUICE_TASK_QUEUE,
      args: [start.input] as never,
      staticSummary: `scheduled ${start.staticSummary}`,
      memo: { sluice: memo },
      ...(start.searchAttributes ? { searchAttributes: start.searchAttributes } : {}),
    };
    const update: ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<never>> = {
      spec: {
        cronExpressions: [options.cron],
        ...(options.timezone ? { timezone: options.timezone } : {}),
        ...(options.jitter !== undefined ? { jitter: options.jitter } : {}),
      },
      action,
      policies: {
        overlap: OVERLAP[options.overlap],
        ...(options.catchup !== undefined ? { catchupWindow: options.catchup } : {}),
      },
      state: { paused: options.paused, ...(options.note ? { note: options.note } : {}) },
    };
    const id = scheduleId(start.pipeline);
    try {
      await createOrUpdate(client, id, update, options, print);
    } catch (err) {
      // The SDK checks the spec (cron fields, ranges) before sending it and throws a TypeError.
      if (err instanceof TypeError) throw new CliError(`--cron: ${err.message}`, EXIT_BAD_INPUT);
      throw err;
    }
  });
}

async function createOrUpdate(
  client: Client,
  id: string,
  update: ScheduleUpdateOptions<ScheduleOptionsStartWorkflowAction<never>>,
  options: z.infer<typeof scheduleCreateSchema>,
  print: (line: string) => void,
): Promise<void> {
  {
    try {
      await client.schedule.create({ scheduleId: id, ...update });
      print(`created schedule ${id}: ${options.cron}${options.timezone ? ` (${options.timezone})` : ''}, overlap ${options.overlap}`);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      // `create` on an existing name updates it: spec, action (the config as it is now), policies, state.
      // The memo cannot be changed by an update, so the cron shown by describe comes from the spec then.
      await client.schedule.getHandle(id).update(() => update);
      print(`updated schedule ${id}: ${options.cron}${options.timezone ? ` (${options.timezone})` : ''}, overlap ${options.overlap}`);
    }
  }
}

function memoOf(description: Pick<ScheduleDescription, 'action'>): Partial<ScheduleMemo> {
  return (description.action.memo as { sluice?: Partial<ScheduleMemo> } | undefined)?.sluice ?? {};
}

function time(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

export async function scheduleListCommand(rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(z.object({ json: z.boolean().default(false) }), rawOptions);
  await withSchedules(async (client) => {
    const rows = [];
    for await (const s of client.schedule.list()) {
      if (!s.scheduleId.startsWith('sluice/')) continue;
      // The listing lacks the action's memo (where the cron is kept): describe each one.
      const d = await client.schedule.getHandle(s.scheduleId).describe();
      rows.push({
        pipeline: s.scheduleId.slice('sluice/'.length),
        scheduleId: s.scheduleId,
        cron: memoOf(d).cron ?? '(calendar)',
        paused: d.state.paused,
        nextRun: d.info.nextActionTimes[0]?.toISOString() ?? null,
        lastRun: d.info.recentActions.at(-1)?.action.workflow.workflowId ?? null,
      });
    }
    rows.sort((a, b) => a.pipeline.localeCompare(b.pipeline));
    if (options.json) return print(JSON.stringify(rows));
    if (rows.length === 0) return print('no schedules');
    for (const r of rows) {
      print(`${r.pipeline}  ${r.cron}  ${r.paused ? 'paused' : 'active'}  next ${r.nextRun ?? '-'}${r.lastRun ? `  last ${r.lastRun}` : ''}`);
    }
  });
}

export async function scheduleDescribeCommand(pipeline: string, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(z.object({ pipeline: identifier, json: z.boolean().default(false) }), { ...(rawOptions as object), pipeline });
  await withSchedules(async (client, temporal) => {
    const d = await client.schedule.getHandle(scheduleId(options.pipeline)).describe();
    const memo = memoOf(d);
    const recent = d.info.recentActions.map((a) => ({ scheduledAt: time(a.scheduledAt), workflowId: a.action.workflow.workflowId }));
    const running = d.info.runningActions.map((a) => a.workflow.workflowId);
    const summary = {
      scheduleId: d.scheduleId,
      cron: memo.cron ?? '(calendar)',
      timezone: d.spec.timezone || 'UTC',
      overlap: d.policies.overlap,
      catchupWindowMs: d.policies.catchupWindow,
      paused: d.state.paused,
      note: d.state.note || null,
      config: memo.config ?? null,
      database: memo.database ?? null,
      nextRuns: d.info.nextActionTimes.slice(0, 3).map(time),
      running,
      recent,
      actionsTaken: d.info.numActionsTaken,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    };
    if (options.json) return print(JSON.stringify(summary));
    print(
      `schedule ${summary.scheduleId}: ${summary.cron} (${summary.timezone}), overlap ${summary.overlap}, ${summary.paused ? 'paused' : 'active'}${summary.note ? ` — ${summary.note}` : ''}`,
    );
    if (summary.config) print(`  config ${summary.config} → database ${summary.database}`);
    print(`  next runs: ${summary.nextRuns.join(', ') || '-'}`);
    print(`  taken ${summary.actionsTaken}, skipped (overlap) ${summary.skippedOverlap}, missed (catch-up window) ${summary.missedCatchupWindow}`);
    for (const id of running) print(`  running: ${id}  ${workflowUiUrl(temporal.env, id)}`);
    for (const r of recent.slice(-5)) print(`  recent: ${r.workflowId}`);
  }, options.pipeline);
}

const pipelineArg = z.object({ pipeline: identifier, note: z.string().optional(), overlap: overlap.optional() });

export async function scheduleSimpleCommand(
  verb: 'pause' | 'unpause' | 'trigger' | 'delete',
  pipeline: string,
  rawOptions: unknown,
  print: (line: string) => void,
): Promise<void> {
  const options = parseOptions(pipelineArg, { ...(rawOptions as object), pipeline });
  await withSchedules(async (client) => {
    const handle = client.schedule.getHandle(scheduleId(options.pipeline));
    switch (verb) {
      case 'pause':
        await handle.pause(options.note ?? 'paused with sluice schedule pause');
        break;
      case 'unpause':
        await handle.unpause(options.note ?? 'unpaused with sluice schedule unpause');
        break;
      case 'trigger': {
        // The SDK's default for a trigger is ALLOW_ALL; a sluice trigger obeys the schedule's own policy.
        const policy = options.overlap ? OVERLAP[options.overlap] : (await handle.describe()).policies.overlap;
        await handle.trigger(policy);
        break;
      }
      case 'delete':
        await handle.delete();
        break;
    }
    print(`${verb === 'trigger' ? 'triggered' : `${verb}d`} schedule ${scheduleId(options.pipeline)}`);
  }, options.pipeline);
}

export async function scheduleBackfillCommand(pipeline: string, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(
    z
      .object({ pipeline: identifier, from: isoTime, to: isoTime, overlap: overlap.optional() })
      .refine((o) => o.from < o.to, { message: 'must be after --from', path: ['to'] }),
    { ...(rawOptions as object), pipeline },
  );
  await withSchedules(async (client) => {
    const handle = client.schedule.getHandle(scheduleId(options.pipeline));
    // Buffer every backfilled run by default: they then run one after another, never side by side.
    const policy = options.overlap ? OVERLAP[options.overlap] : ScheduleOverlapPolicy.BUFFER_ALL;
    await handle.backfill({ start: options.from, end: options.to, overlap: policy });
    print(`backfill of ${scheduleId(options.pipeline)} requested: ${time(options.from)} → ${time(options.to)} (${policy.toLowerCase()})`);
  }, options.pipeline);
}
