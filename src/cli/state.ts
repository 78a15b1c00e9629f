/**
 * `sluice state show|reset <pipeline> [resource]`: the incremental state sluice keeps in `_sluice_state` in
 * the target database. Reads and writes go through the destination (readState / writeState). The
 * destination has no delete and no listing yet, so:
 *   - reset writes the state `null`; a run reads null as "no stored cursor" and starts from `initial_value`;
 *   - listing every resource of a pipeline reads `_sluice_state` directly (read-only, escaped with the
 *     destination's own SQL helpers).
 */
import { createClient } from '@clickhouse/client';
import { z } from 'zod';
import type { JsonValue } from '../config/types';
import { clickHouseSettingsFromEnv, createDestination, Destination } from '../destination';
import { literal, qualified } from '../destination/sql';
import { SESSION_SETTINGS } from '../destination/connection';
import { readEnv } from '../settings';
import { identifier, parseOptions } from './args';
import { assertClickHouseReachable } from './connect';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';

const STATE_TABLE = '_sluice_state';

const stateOptionsSchema = z.object({
  pipeline: identifier,
  resource: z.string().min(1).optional(),
  database: identifier.optional(),
  json: z.boolean().default(false),
});

export interface StoredState {
  resource: string;
  state: JsonValue;
  updatedAt: string;
}

/** Every resource of a pipeline with its latest state (the newest version wins, as ReplacingMergeTree will). */
async function listStates(database: string, pipeline: string): Promise<StoredState[]> {
  const settings = clickHouseSettingsFromEnv();
  const client = createClient({ url: settings.url, username: settings.username, password: settings.password, clickhouse_settings: SESSION_SETTINGS });
  try {
    const exists = await client.query({
      query: `SELECT count() AS n FROM system.tables WHERE database = ${literal(database)} AND name = ${literal(STATE_TABLE)}`,
      format: 'JSONEachRow',
    });
    if (Number((await exists.json<{ n: string }>())[0]?.n ?? 0) === 0) return [];
    const result = await client.query({
      query:
        `SELECT resource, argMax(state, version) AS state, toString(max(updated_at)) AS updated_at ` +
        `FROM ${qualified(database, STATE_TABLE)} WHERE pipeline = ${literal(pipeline)} GROUP BY resource ORDER BY resource`,
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ resource: string; state: string; updated_at: string }>();
    return rows.map((r) => ({ resource: r.resource, state: JSON.parse(r.state) as JsonValue, updatedAt: r.updated_at }));
  } finally {
    await client.close();
  }
}

async function withDestination<T>(use: (destination: Destination) => Promise<T>): Promise<T> {
  await assertClickHouseReachable(readEnv());
  const destination = await createDestination(clickHouseSettingsFromEnv());
  try {
    return await use(destination);
  } finally {
    await destination.close();
  }
}

function resolveTarget(pipeline: string, resource: string | undefined, rawOptions: unknown) {
  const options = parseOptions(stateOptionsSchema, { ...(rawOptions as object), pipeline, resource });
  const database = options.database ?? readEnv().CLICKHOUSE_DATABASE ?? options.pipeline;
  return { ...options, database };
}

export async function stateShowCommand(pipeline: string, resource: string | undefined, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const target = resolveTarget(pipeline, resource, rawOptions);
  const states = await withDestination(async (destination) => {
    if (!target.resource) return listStates(target.database, target.pipeline);
    const state = await destination.readState(target.database, target.pipeline, target.resource);
    return state === undefined ? [] : [{ resource: target.resource, state, updatedAt: '' }];
  });
  if (target.json) {
    print(JSON.stringify({ pipeline: target.pipeline, database: target.database, resources: states }));
    return;
  }
  if (states.length === 0) {
    print(`no stored state for ${target.pipeline}${target.resource ? `/${target.resource}` : ''} in ${target.database}`);
    return;
  }
  for (const s of states) {
    print(`${target.pipeline}/${s.resource}: ${JSON.stringify(s.state)}${s.updatedAt ? `  (updated ${s.updatedAt} UTC)` : ''}`);
    const unfinished = unfinishedWindows(s.state);
    if (unfinished) print(`  unfinished windows: ${unfinished}`);
  }
}

const windowState = z.object({
  last_value: z.union([z.string(), z.number(), z.null()]).optional(),
  finished_windows: z.array(z.tuple([z.union([z.string(), z.number()]), z.union([z.string(), z.number()])])).min(1),
});

/**
 * A partitioned resource's gaps (src/activities/window-state.ts): from the watermark to the first window
 * finished beyond it, between those windows, and after the last one (up to where the next run's range ends).
 * Undefined when nothing is finished beyond the watermark.
 */
export function unfinishedWindows(state: JsonValue): string | undefined {
  const parsed = windowState.safeParse(state);
  if (!parsed.success) return undefined;
  const { last_value: watermark, finished_windows: finished } = parsed.data;
  const gaps: string[] = [];
  let from: string | number | null | undefined = watermark;
  for (const [start, end] of finished) {
    if (from === undefined || from === null) gaps.push(`up to ${start}`);
    else if (from !== start) gaps.push(`[${from}, ${start})`);
    from = end;
  }
  gaps.push(`from ${from} on`);
  return gaps.join(', ');
}

export async function stateResetCommand(pipeline: string, resource: string | undefined, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const target = resolveTarget(pipeline, resource, rawOptions);
  await withDestination(async (destination) => {
    const resources = target.resource ? [target.resource] : (await listStates(target.database, target.pipeline)).map((s) => s.resource);
    if (resources.length === 0) {
      throw new CliError(`no stored state for ${target.pipeline} in ${target.database}: nothing to reset`, EXIT_BAD_INPUT);
    }
    for (const name of resources) {
      await destination.writeState(target.database, target.pipeline, name, null);
      // A child resource also keeps a cursor per parent record.
      await destination.resetChildCursors(target.database, target.pipeline, name);
      print(`${target.pipeline}/${name}: state reset; the next run starts from initial_value`);
    }
  });
}
