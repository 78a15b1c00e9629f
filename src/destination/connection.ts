/**
 * The ClickHouse connection: one @clickhouse/client per destination, every call's failure mapped onto
 * sluice's error kinds, and server feature detection cached per process.
 *
 * @clickhouse/client cannot read error codes from 18.16's error text ("Code: 44, e.displayText() = …"),
 * so we read the code from the message ourselves.
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { SluiceError } from '../errors';
import { featuresFromProbe, type ServerFeatures } from './features';
import { isRetryableClickHouseCode } from './retryable-codes';
import { unmarkRawNumbers } from './values';
import { identList } from './sql';
import { z } from 'zod';

export interface ClickHouseSettings {
  url: string;
  username: string;
  password: string;
  /** How pages that fit their tables are sent (default RowBinary); JSONEachRow is the way back, and an A/B switch. */
  insertFormat?: InsertFormat;
  /**
   * `insert_quorum` of every insert (CLICKHOUSE_INSERT_QUORUM): a number of replicas, or `auto` (a majority).
   * Unset: the server's own setting (0 by default: an insert returns once one replica has it).
   */
  insertQuorum?: InsertQuorum;
}

const insertFormatSchema = z.enum(['RowBinary', 'JSONEachRow']);
export type InsertFormat = z.infer<typeof insertFormatSchema>;

// 1 is allowed (a quorum of one: the insert still registers in Keeper, so sequentially consistent reads see
// it); no replica set has more than a few dozen replicas.
const insertQuorumSchema = z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]);
export type InsertQuorum = z.infer<typeof insertQuorumSchema>;

/** The settings every insert carries for the quorum (none when unset). */
export function quorumSettings(quorum: InsertQuorum | undefined): Record<string, number | string> {
  // insert_quorum_parallel stays the server's (1 since 21.x): a batch's inserts to several tables may overlap.
  return quorum === undefined ? {} : { insert_quorum: quorum };
}

export function clickHouseSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClickHouseSettings {
  const format = insertFormatSchema.safeParse(env.SLUICE_INSERT_FORMAT || 'RowBinary');
  if (!format.success) throw new SluiceError('config', `SLUICE_INSERT_FORMAT must be RowBinary or JSONEachRow, not ${JSON.stringify(env.SLUICE_INSERT_FORMAT)}`);
  const quorum = env.CLICKHOUSE_INSERT_QUORUM ? insertQuorumSchema.safeParse(env.CLICKHOUSE_INSERT_QUORUM) : undefined;
  if (quorum && !quorum.success) {
    throw new SluiceError('config', `CLICKHOUSE_INSERT_QUORUM must be auto or a number of replicas from 1 to 64, not ${JSON.stringify(env.CLICKHOUSE_INSERT_QUORUM)}`);
  }
  return {
    url: env.CLICKHOUSE_URL || 'http://127.0.0.1:8123',
    username: env.CLICKHOUSE_USER || 'default',
    password: env.CLICKHOUSE_PASSWORD ?? '',
    insertFormat: format.data,
    ...(quorum?.data !== undefined ? { insertQuorum: quorum.data } : {}),
  };
}

/** ClickHouse's numeric error code, read from either the old or the new message format. */
/** ClickHouse says the table is gone (60 UNKNOWN_TABLE, 16 NO_SUCH_COLUMN_IN_TABLE): our cache is stale. */
export function tableGone(err: unknown): boolean {
  const code = clickHouseErrorCode(err instanceof Error && err.cause ? err.cause : err);
  return code === 60 || code === 16;
}

export function clickHouseErrorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const m = /Code:\s*(\d+)/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : undefined;
}

/** The URL without credentials, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid ClickHouse URL>';
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg
    .split('\n')[0]
    .replace(/, e\.what\(\) = DB::Exception$/, '')
    .slice(0, 500);
}

/** Map any failure of a client call onto SluiceError. `what` says what we were doing, for the message. */
export function toSluiceError(err: unknown, url: string, what: string, password: string): SluiceError {
  if (err instanceof SluiceError) return err;
  const code = clickHouseErrorCode(err);
  let detail = firstLine(err);
  if (password) detail = detail.split(password).join('***');
  if (code === undefined) {
    // No server error code: the request never got a ClickHouse answer (refused, reset, timeout, proxy error).
    return new SluiceError('destination_unavailable', `cannot reach ClickHouse at ${redactUrl(url)}: ${detail}`, { cause: err });
  }
  const kind = isRetryableClickHouseCode(code) ? 'destination_unavailable' : 'destination_fatal';
  return new SluiceError(kind, `ClickHouse refused ${what}: ${detail}`, { cause: err });
}

/**
 * Rows as JSONEachRow text in one JSON.stringify of the whole batch, rows separated by commas: JSONEachRow
 * takes an optional ',' between rows on every server version (checked on 18.16; modern servers read it the
 * same way), and it costs ≈40 % less than the client's one string per row, joined (13 vs 22 ms for
 * 10,000 rows of the benchmark's events).
 */
export function encodeJsonEachRow(rows: readonly Record<string, unknown>[]): string {
  const text = JSON.stringify(rows).slice(1, -1);
  // RawNumber values (values.ts): their marker strings become the bare digits.
  return unmarkRawNumbers(text);
}

/**
 * Settings of every session sluice opens. 64-bit integers in JSON output as strings, as 18.16 through
 * 25.7 write them by default and 25.8 onwards no longer do (the default changed in 25.8): readers get the
 * same type from every server, and no value above 2^53 is rounded by JSON.parse.
 */
export const SESSION_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

export class Connection {
  private readonly client: ClickHouseClient;

  readonly settings: ClickHouseSettings;

  constructor(settings: ClickHouseSettings) {
    this.settings = splitCredentials(settings);
    this.client = createClient({
      url: this.settings.url,
      username: this.settings.username,
      password: this.settings.password,
      keep_alive: { enabled: true },
      // ALTERs and RENAMEs on a busy server can take longer than the 30 s default.
      request_timeout: 300_000,
      // We report failures ourselves, with context; the client's own log would repeat them without it.
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: SESSION_SETTINGS,
    });
  }

  private fail(err: unknown, what: string): SluiceError {
    return toSluiceError(err, this.settings.url, what, this.settings.password);
  }

  /** A statement; an `INSERT … SELECT` (scd2's commit) carries the insert quorum like every insert. */
  async command(sql: string, what: string, settings?: Record<string, number>): Promise<void> {
    const all = /^\s*INSERT\b/i.test(sql) ? { ...quorumSettings(this.settings.insertQuorum), ...settings } : settings;
    try {
      await this.client.command({ query: sql, ...(all ? { clickhouse_settings: all } : {}) });
    } catch (err) {
      throw this.fail(err, what);
    }
  }

  async rows<T>(sql: string, what: string, settings?: Record<string, number>): Promise<T[]> {
    try {
      const rs = await this.client.query({ query: sql, format: 'JSONEachRow', ...(settings ? { clickhouse_settings: settings } : {}) });
      return await rs.json<T>();
    } catch (err) {
      throw this.fail(err, what);
    }
  }

  /** Insert rows as JSONEachRow into an already quoted `db`.`table`. */
  async insert(qualifiedTable: string, rows: Record<string, unknown>[], what: string, settings?: Record<string, number>, signal?: AbortSignal): Promise<void> {
    if (rows.length === 0) return;
    // A column dropped by hand must not fail every later page; known columns are checked before insert.
    await this.send(`INSERT INTO ${qualifiedTable} FORMAT JSONEachRow`, encodeJsonEachRow(rows), what, { input_format_skip_unknown_fields: 1, ...settings }, signal);
  }

  /**
   * Insert a RowBinary body (row-binary.ts) into an already quoted `db`.`table`, its columns named: the
   * body holds exactly these columns, in this order. A column dropped by hand fails the insert with
   * NO_SUCH_COLUMN_IN_TABLE, which the destination reads as a stale schema cache.
   */
  async insertRowBinary(
    qualifiedTable: string,
    columns: readonly string[],
    body: Buffer,
    what: string,
    settings?: Record<string, number>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (body.length === 0) return;
    await this.send(`INSERT INTO ${qualifiedTable} ${identList(columns)} FORMAT RowBinary`, body, what, settings ?? {}, signal);
  }

  private async send(query: string, body: string | Buffer, what: string, pageSettings: Record<string, number>, signal?: AbortSignal): Promise<void> {
    const settings = { ...quorumSettings(this.settings.insertQuorum), ...pageSettings };
    // The client only listens for a later abort; one that already happened must stop us here.
    signal?.throwIfAborted();
    try {
      const result = await this.client.exec({
        query,
        values: Readable.from([body], { objectMode: false }),
        ...(signal ? { abort_signal: signal } : {}),
        clickhouse_settings: settings,
      });
      // Read the (empty) answer to its end, so the socket goes back to the keep-alive pool.
      await finished(result.stream.resume());
    } catch (err) {
      // Cancelled by the caller: report the cancellation, not a ClickHouse outage.
      if (signal?.aborted) throw signal.reason ?? err;
      throw this.fail(err, what);
    }
  }

  async ping(): Promise<void> {
    let result: Awaited<ReturnType<ClickHouseClient['ping']>>;
    try {
      result = await this.client.ping();
    } catch (err) {
      throw new SluiceError('destination_unavailable', `cannot reach ClickHouse at ${redactUrl(this.settings.url)}: ${firstLine(err)}`, { cause: err });
    }
    if (!result.success) {
      throw new SluiceError('destination_unavailable', `cannot reach ClickHouse at ${redactUrl(this.settings.url)}: ${firstLine(result.error)}`, { cause: result.error });
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Credentials written into the URL (`http://user:pass@host:8123`) move into username/password: the client
 * would otherwise warn about the override on every connection, and the URL is what error messages show.
 */
function splitCredentials(settings: ClickHouseSettings): ClickHouseSettings {
  let u: URL;
  try {
    u = new URL(settings.url);
  } catch {
    throw new SluiceError('config', 'CLICKHOUSE_URL is not a valid URL');
  }
  if (!u.username && !u.password) return settings;
  const username = u.username ? decodeURIComponent(u.username) : settings.username;
  const password = u.password ? decodeURIComponent(u.password) : settings.password;
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), username, password };
}

// Once per process and server: a worker creates many destinations, the server does not change under it.
const featureCache = new Map<string, Promise<ServerFeatures>>();

export function detectFeatures(conn: Connection): Promise<ServerFeatures> {
  const key = `${conn.settings.url}\u0000${conn.settings.username}`;
  let pending = featureCache.get(key);
  if (!pending) {
    pending = probe(conn);
    featureCache.set(key, pending);
    // A failed probe (server down) must not be cached: the next attempt should probe again.
    pending.catch(() => featureCache.delete(key));
  }
  return pending;
}

async function probe(conn: Connection): Promise<ServerFeatures> {
  const [version] = await conn.rows<{ v: string }>('SELECT version() AS v', 'the version query');
  const families = await conn.rows<{ name: string }>('SELECT name FROM system.data_type_families', 'the type probe');
  const settings = await conn.rows<{ name: string }>(
    "SELECT name FROM system.settings WHERE name IN ('input_format_skip_unknown_fields', 'allow_experimental_object_type', 'lightweight_deletes_sync', 'mutations_sync', 'select_sequential_consistency')",
    'the settings probe',
  );
  return featuresFromProbe({
    version: version?.v ?? '0.0',
    typeFamilies: new Set(families.map((f) => f.name)),
    settings: new Set(settings.map((s) => s.name)),
  });
}
