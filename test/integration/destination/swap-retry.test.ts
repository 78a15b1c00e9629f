/**
 * A staged load's commit cut off after its swap and before its clean-up, then retried, on the real server:
 * a full refresh that follows a refresh which loaded nothing keeps its rows. The cut is a real one: a proxy in
 * front of ClickHouse closes the connection of the first DROP the commit sends (staging after an EXCHANGE on
 * 26.x, the old table after the RENAME on 18.16), so that statement never runs and the commit fails.
 */
import type { JsonObject } from '../../../src/config/types';
import { createDestination, type Destination } from '../../../src/destination';
import { startClickHouseProxy, type ClickHouseProxy } from '../../helpers/servers';
import { resource } from '../../unit/destination/resource-fixture';
import { rawClient, rows, settings, testDatabase } from './helpers';

jest.setTimeout(60_000);

const db = testDatabase();
const ch = rawClient();
let proxy: ClickHouseProxy;
let dest: Destination;
const events = resource({ name: 'events', table_name: 'events', write_disposition: 'merge', primary_key: ['id'] });
const full = { database: db, resource: events, fullRefresh: true };
const meta = (loadId: string, records: JsonObject[]) => ({ loadId, version: 1, page: 0, pages: [{ page: 0, records: records.length }] });

beforeAll(async () => {
  proxy = await startClickHouseProxy(settings.url);
  dest = await createDestination({ ...settings, url: proxy.url });
  await dest.ensureDatabase(db);
});

afterAll(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS \`${db}\`` });
  await dest.close();
  await proxy.close();
  await ch.close();
});

test('a full refresh after an empty one keeps its rows when its clean-up is cut off and retried', async () => {
  const first = [{ id: 1 }, { id: 2 }];
  await dest.beginLoad(full, 'L1');
  await dest.insertPage(full, first, meta('L1', first));
  await dest.commitLoad(full, 'L1');
  // A refresh that loads nothing: the live table is emptied (as dlt does).
  await dest.beginLoad(full, 'L2');
  await dest.commitLoad(full, 'L2');
  expect(await rows(ch, `SELECT id FROM \`${db}\`.events`)).toEqual([]);

  const third = [{ id: 3 }, { id: 4 }];
  await dest.beginLoad(full, 'L3');
  await dest.insertPage(full, third, meta('L3', third));
  const cut = proxy.holdNext((query) => /^DROP TABLE/i.test(query.trim()));
  const commit = dest.commitLoad(full, 'L3');
  (await cut).drop();
  await expect(commit).rejects.toThrow();
  // The retry of the commit, as Temporal would make it.
  await dest.commitLoad(full, 'L3');
  const live = await rows<{ id: string | number }>(ch, `SELECT id FROM \`${db}\`.events FINAL ORDER BY id`);
  expect(live.map((r) => Number(r.id))).toEqual([3, 4]);
  const leftovers = await rows<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = '${db}' AND name != 'events' AND name NOT LIKE '\\_sluice%'`);
  expect(leftovers).toEqual([]);
});
