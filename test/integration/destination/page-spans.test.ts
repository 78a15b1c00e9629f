/**
 * Append rows keyed by page (insertPage with `meta.pages`, batches that keep their records) on the real server:
 * each row gets (its page's ordinal, its place in that page), child rows follow their parent, and a batch
 * that covers pages already in the table writes only the others: a longer retry adds the missing pages,
 * a shorter one, or a later batch starting inside the span, adds nothing. Both insert formats; the last
 * batch needs a variant column, so its rows go through schema work's conversion.
 */
import type { JsonObject } from '../../../src/config/types';
import type { PageMeta } from '../../../src/destination';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, testDatabase, useTestDestination } from './helpers';

const events = resource({ name: 'events', table_name: 'events', write_disposition: 'append' });
const rec = (id: number, amount: number | string = id): JsonObject => ({ id, amount, tags: [`a${id}`, `b${id}`] });
const A = [rec(1), rec(2)];
const B = [rec(3), rec(4), rec(5)];
const C = [rec(6, 'twelve')];

const meta = (spans: Array<[number, JsonObject[]]>, loadId = 'L1'): PageMeta => ({
  loadId,
  version: 7,
  page: spans[0][0],
  pages: spans.map(([page, records]) => ({ page, records: records.length })),
});

describe.each(['RowBinary', 'JSONEachRow'] as const)('pages of an append batch (%s)', (format) => {
  const fx = useTestDestination(testDatabase(), format);
  const target = () => ({ database: fx.db, resource: events });
  const count = (table: string) => scalar(fx.ch, `SELECT count() AS n FROM \`${fx.db}\`.${table}`);

  it('keys rows by page and place in page, and skips only the pages already in', async () => {
    await fx.dest.beginLoad(target(), 'L1');
    expect(
      await fx.dest.insertPage(
        target(),
        [...A, ...B],
        meta([
          [10, A],
          [11, B],
        ]),
      ),
    ).toEqual({ rows: 5 });
    const placed = await rows<{ id: string; p: number; r: number }>(
      fx.ch,
      `SELECT toString(id) AS id, _sluice_page AS p, _sluice_row AS r FROM \`${fx.db}\`.events ORDER BY id`,
    );
    expect(placed.map((x) => [Number(x.id), Number(x.p), Number(x.r)])).toEqual([
      [1, 10, 0],
      [2, 10, 1],
      [3, 11, 0],
      [4, 11, 1],
      [5, 11, 2],
    ]);

    // A retry covering a longer span: pages 10 and 11 are counted, page 12 is written.
    expect(
      await fx.dest.insertPage(
        target(),
        [...A, ...B, ...C],
        meta([
          [10, A],
          [11, B],
          [12, C],
        ]),
      ),
    ).toEqual({ rows: 6 });
    // A shorter retry, and a later batch starting inside the span: nothing written again.
    expect(await fx.dest.insertPage(target(), [...A], meta([[10, A]]))).toEqual({ rows: 2 });
    expect(
      await fx.dest.insertPage(
        target(),
        [...B, ...C],
        meta([
          [11, B],
          [12, C],
        ]),
      ),
    ).toEqual({ rows: 4 });

    expect(await count('events')).toBe(6);
    expect(await count('events__tags')).toBe(12);
    const orphans = await scalar(fx.ch, `SELECT count() AS n FROM \`${fx.db}\`.events__tags WHERE _sluice_parent_id NOT IN (SELECT _sluice_id FROM \`${fx.db}\`.events)`);
    expect(orphans).toBe(0);
    const six = await rows<{ p: number; r: number; v: string | null }>(
      fx.ch,
      `SELECT _sluice_page AS p, _sluice_row AS r, amount__v_text AS v FROM \`${fx.db}\`.events WHERE id = 6`,
    );
    expect(six.map((x) => [Number(x.p), Number(x.r), x.v])).toEqual([[12, 0, 'twelve']]);
  });

  it('writes a page again in whole when an earlier attempt left only part of it', async () => {
    await fx.dest.beginLoad(target(), 'L2');
    // What an INSERT cut between two of the server's blocks leaves: page 21's first row only.
    await fx.dest.insertPage(
      target(),
      [...A, B[0]],
      meta(
        [
          [20, A],
          [21, [B[0]]],
        ],
        'L2',
      ),
    );
    expect(
      await fx.dest.insertPage(
        target(),
        [...A, ...B],
        meta(
          [
            [20, A],
            [21, B],
          ],
          'L2',
        ),
      ),
    ).toEqual({ rows: 5 });
    const load2 = `\`${fx.db}\`.events FINAL WHERE _sluice_load_id = 'L2'`;
    const ids = await rows<{ id: string }>(fx.ch, `SELECT toString(id) AS id FROM ${load2} ORDER BY id`);
    expect(ids.map((x) => Number(x.id))).toEqual([1, 2, 3, 4, 5]);
    // Page 20 was in whole and was not written again; page 21's first row collapses with its first copy.
    expect(await scalar(fx.ch, `SELECT count() AS n FROM \`${fx.db}\`.events WHERE _sluice_load_id = 'L2' AND _sluice_page = 20`)).toBe(2);
  });
});
