/**
 * The physical limit of a sync: how fast the API's pages can be read (undici with one keep-alive
 * Agent, body read and parsed, nothing else) and how fast ClickHouse takes the same rows in the same
 * batch sizes (@clickhouse/client, into a ReplacingMergeTree shaped like sluice's table), in either
 * insert format; and what each costs in CPU, summed over every process on the machine.
 */
import { createClient } from '@clickhouse/client';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { binaryEncoderFor, RowBinaryWriter, type BinaryEncoder } from '../src/destination/row-binary';
import { encodeJsonEachRow } from '../src/destination/connection';
import { makeEvent, type AnalyticsEvent } from '../test/fixtures/mock-analytics-api';

export interface FetchLimit {
  rows: number;
  pages: number;
  seconds: number;
  /** CPU time every process on the machine spent meanwhile (the API, ClickHouse, this process…), in ms. */
  cpuMs: number;
}

/**
 * CPU time the whole machine has spent busy since boot, in ms (/proc/stat's first line: everything but
 * idle and iowait; in USER_HZ ticks, 100 a second on Linux), so a phase's cost includes the servers it drives.
 */
export function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + (steal ?? 0)) * 10;
}

/** Reads every page (offsets known from the total) with `parallelism` requests in flight. */
export async function rawFetch(baseUrl: string, apiKey: string, total: number, pageSize: number, parallelism: number): Promise<FetchLimit> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const offsets = Array.from({ length: Math.ceil(total / pageSize) }, (_, i) => i * pageSize);
  let next = 0;
  let rows = 0;
  const cpuBefore = machineBusyMs();
  const started = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    for (let i = next++; i < offsets.length; i = next++) {
      const res = await request(`${baseUrl}/v1/resource?api_key=${encodeURIComponent(apiKey)}&offset=${offsets[i]}&limit=${pageSize}`, { dispatcher: agent });
      const body = JSON.parse(await res.body.text()) as { data: unknown[] };
      if (res.statusCode !== 200) throw new Error(`raw fetch: status ${res.statusCode}`);
      rows += body.data.length;
    }
  };
  await Promise.all(Array.from({ length: parallelism }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuMs = machineBusyMs() - cpuBefore;
  await agent.close();
  return { rows, pages: offsets.length, seconds, cpuMs };
}

/** The mock API's events as sluice stores them: nested objects flattened with `__`, plus sluice's columns. */
function flatRow(id: number, version: number): Record<string, unknown> {
  const e = makeEvent(id);
  return {
    id: e.id,
    customer_id: e.customer_id,
    event_timestamp: e.event_timestamp,
    event_type: e.event_type,
    updated_at: e.updated_at,
    properties__page: e.properties.page,
    properties__browser: e.properties.browser,
    properties__duration_ms: e.properties.duration_ms,
    properties__campaign__source: e.properties.campaign.source,
    properties__campaign__medium: e.properties.campaign.medium,
    _sluice_load_id: 'bench',
    _sluice_version: version,
  };
}

const RAW_COLUMNS: ReadonlyArray<[string, string]> = [
  ['id', 'Int64'],
  ['customer_id', 'Nullable(Int64)'],
  ['event_timestamp', 'String'],
  ['event_type', 'Nullable(String)'],
  ['updated_at', 'String'],
  ['properties__page', 'String'],
  ['properties__browser', 'String'],
  ['properties__duration_ms', 'Int64'],
  ['properties__campaign__source', 'String'],
  ['properties__campaign__medium', 'Nullable(String)'],
  ['_sluice_load_id', 'String'],
  ['_sluice_version', 'UInt64'],
];

export type RawFormat = 'JSONEachRow' | 'RowBinary';

/** A fresh table shaped like sluice's for the mock API's events (RAW_COLUMNS), in `database`. */
async function createRawTable(client: ReturnType<typeof createClient>, database: string, table: string): Promise<void> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS \`${database}\`` });
  await client.command({ query: `DROP TABLE IF EXISTS \`${database}\`.${table}` });
  await client.command({
    query: `CREATE TABLE \`${database}\`.${table} (
      ${RAW_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}, _sluice_loaded_at DateTime DEFAULT now()
    ) ENGINE = ReplacingMergeTree(_sluice_version) ORDER BY id`,
  });
}

/** A batch's body in `format`, made before the clock starts: this measures ClickHouse taking rows, not us making them. */
function encode(rows: Record<string, unknown>[], format: RawFormat, encoders: BinaryEncoder[]): string | Buffer {
  if (format === 'JSONEachRow') return encodeJsonEachRow(rows);
  const w = new RowBinaryWriter(rows.length * 128);
  for (const row of rows) {
    RAW_COLUMNS.forEach(([name], i) => {
      if (!encoders[i](w, row[name])) throw new Error(`raw insert: ${name} = ${String(row[name])} has no RowBinary encoding`);
    });
  }
  return w.bytes();
}

/**
 * Inserts `total` rows in batches of `batchRows`, one INSERT after the other, into `database`.raw_events;
 * the clock and the CPU count run only while an INSERT is in flight.
 */
export async function rawInsert(clickhouseUrl: string, database: string, total: number, batchRows: number, format: RawFormat): Promise<FetchLimit> {
  const client = createClient({ url: clickhouseUrl, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' });
  const encoders = RAW_COLUMNS.map(([, type]) => binaryEncoderFor(type)!);
  try {
    await createRawTable(client, database, 'raw_events');
    let seconds = 0;
    let cpuMs = 0;
    let batches = 0;
    for (let from = 1; from <= total; from += batchRows) {
      const rows = Array.from({ length: Math.min(batchRows, total - from + 1) }, (_, i) => flatRow(from + i, batches));
      const body = encode(rows, format, encoders);
      const cpuBefore = machineBusyMs();
      const started = process.hrtime.bigint();
      const result = await client.exec({
        query: `INSERT INTO \`${database}\`.raw_events (${RAW_COLUMNS.map(([name]) => name).join(', ')}) FORMAT ${format}`,
        values: Readable.from([body], { objectMode: false }),
      });
      await new Promise((resolve, reject) => result.stream.on('end', resolve).on('error', reject).resume());
      seconds += Number(process.hrtime.bigint() - started) / 1e9;
      cpuMs += machineBusyMs() - cpuBefore;
      batches += 1;
    }
    return { rows: total, pages: batches, seconds, cpuMs };
  } finally {
    await client.close();
  }
}

/**
 * The fastest pipeline one could write by hand for this API and this table, with nothing of a product in
 * it: pages read with `parallelism` requests in flight, each parsed and its rows written straight into
 * the batch's RowBinary body (fields picked by name, no schema, no ids, no durability), and each batch of
 * `batchRows` inserted while the next one is being fetched (one INSERT in flight). It shares the machine
 * as a real sync does, so it shows what the limit's two halves give once they run together.
 */
export async function rawPipeline(
  baseUrl: string,
  apiKey: string,
  clickhouseUrl: string,
  database: string,
  total: number,
  pageSize: number,
  parallelism: number,
  batchRows: number,
): Promise<FetchLimit> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const client = createClient({ url: clickhouseUrl, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' });
  const encoders = RAW_COLUMNS.map(([, type]) => binaryEncoderFor(type)!);
  const columns = RAW_COLUMNS.map(([name]) => name).join(', ');
  try {
    await createRawTable(client, database, 'pipeline_events');
    const insert = async (body: Buffer): Promise<void> => {
      const result = await client.exec({
        query: `INSERT INTO \`${database}\`.pipeline_events (${columns}) FORMAT RowBinary`,
        values: Readable.from([body], { objectMode: false }),
      });
      await new Promise((resolve, reject) => result.stream.on('end', resolve).on('error', reject).resume());
    };
    const pages = Math.ceil(total / pageSize);
    let next = 0;
    let rows = 0;
    let batch = new RowBinaryWriter(batchRows * 128);
    let batchCount = 0;
    let batches = 0;
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      const body = batch.bytes();
      batch = new RowBinaryWriter(batchRows * 128);
      batchCount = 0;
      batches += 1;
      await inFlight;
      inFlight = insert(body);
    };
    const cpuBefore = machineBusyMs();
    const started = process.hrtime.bigint();
    const lane = async (): Promise<void> => {
      for (let i = next++; i < pages; i = next++) {
        const res = await request(`${baseUrl}/v1/resource?api_key=${encodeURIComponent(apiKey)}&offset=${i * pageSize}&limit=${pageSize}`, { dispatcher: agent });
        const body = JSON.parse(await res.body.text()) as { data: AnalyticsEvent[] };
        if (res.statusCode !== 200) throw new Error(`raw pipeline: status ${res.statusCode}`);
        for (const e of body.data) {
          const values = [
            e.id,
            e.customer_id,
            e.event_timestamp,
            e.event_type,
            e.updated_at,
            e.properties.page,
            e.properties.browser,
            e.properties.duration_ms,
            e.properties.campaign.source,
            e.properties.campaign.medium,
            'bench',
            batches,
          ];
          for (let c = 0; c < values.length; c++) {
            if (!encoders[c](batch, values[c])) throw new Error(`raw pipeline: ${RAW_COLUMNS[c][0]} = ${String(values[c])} has no RowBinary encoding`);
          }
        }
        rows += body.data.length;
        batchCount += body.data.length;
        if (batchCount >= batchRows) await flush();
      }
    };
    await Promise.all(Array.from({ length: parallelism }, lane));
    if (batchCount > 0) await flush();
    await inFlight;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows, pages, seconds, cpuMs: machineBusyMs() - cpuBefore };
  } finally {
    await agent.close();
    await client.close();
  }
}
