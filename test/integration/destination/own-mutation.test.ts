/**
 * sluice waits for the `ALTER … DELETE` it made, not for every mutation of the table (own-mutation.ts). On
 * the real server: a user's mutation that keeps failing on the same table neither fails sluice's delete at
 * once (it used to, as `destination_fatal` with the user's error, on servers that report failures) nor
 * holds it forever: the wait ends at its deadline with a retryable error naming the user's mutation. Where
 * the server has KILL MUTATION, killing the user's mutation lets sluice's delete finish.
 */
import { Connection, detectFeatures } from '../../../src/destination/connection';
import { deleteAndWait, mutationFailureColumn } from '../../../src/destination/merge-key';
import { SluiceError } from '../../../src/errors';
import { rawClient, rows, settings, testDatabase } from './helpers';

jest.setTimeout(60_000);

const db = testDatabase();
const ch = rawClient();
const conn = new Connection(settings);

beforeAll(async () => {
  await ch.command({ query: `CREATE DATABASE \`${db}\`` });
  await ch.command({ query: `CREATE TABLE \`${db}\`.t (id UInt32) ENGINE = ReplacingMergeTree ORDER BY id` });
  await ch.command({ query: `INSERT INTO \`${db}\`.t SELECT toUInt32(number) FROM system.numbers LIMIT 10` });
});

afterAll(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS \`${db}\`` });
  await ch.close();
  await conn.close();
});

test("a user's failing mutation on the same table neither fails sluice's delete nor hides behind it", async () => {
  const features = await detectFeatures(conn);
  // The user's mutation fails on the part holding id 5, for ever (until killed).
  await ch.command({
    query: `ALTER TABLE \`${db}\`.t DELETE WHERE throwIf(id = 5) = 1`,
    ...(features.mutationsSync ? { clickhouse_settings: { mutations_sync: '0' } } : {}),
  });
  const [user] = await rows<{ id: string }>(ch, `SELECT mutation_id AS id FROM system.mutations WHERE database = '${db}' AND table = 't'`);
  const placement = { dataTable: (t: string) => t, onCluster: '', lightweightDelete: false, mutationsSync: features.mutationsSync, mutationTimeoutMs: 3_000 };
  const reason = await mutationFailureColumn(conn);

  const failure = await deleteAndWait(conn, placement, { database: db, userTable: 't', reason }, 'id = 3').then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(SluiceError);
  expect((failure as SluiceError).kind).toBe('destination_unavailable');
  expect((failure as SluiceError).message).toContain(`held back by other mutations not done on this table: ${user!.id}`);

  const killable = await ch.command({ query: `KILL MUTATION WHERE database = '${db}' AND mutation_id = '${user!.id}' SYNC` }).then(
    () => true,
    (err: Error) => {
      // 18.16 has no KILL MUTATION: the user's mutation stays, and sluice's keeps waiting behind it.
      if (/Syntax error/.test(err.message)) return false;
      throw err;
    },
  );
  if (killable) {
    await deleteAndWait(conn, placement, { database: db, userTable: 't', reason }, 'id = 4');
    const left = await rows<{ id: number }>(ch, `SELECT id FROM \`${db}\`.t ORDER BY id`);
    expect(left.map((r) => Number(r.id))).toEqual([0, 1, 2, 5, 6, 7, 8, 9]);
  }
});
