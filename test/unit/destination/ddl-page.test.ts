import { clickHouseErrorCode, clickHouseSettingsFromEnv, redactUrl, toSluiceError } from '../../../src/destination/connection';
import { addColumnSql, childLayout, createTableSql, layoutFor } from '../../../src/destination/ddl';
import { featuresFromProbe } from '../../../src/destination/features';
import { clusterDdl } from '../../../src/destination/placement';
import type { JsonObject } from '../../../src/config/types';
import { convertRows, Rejections } from '../../../src/destination/contract';
import { JsonText } from '../../../src/destination/flatten';
import { dedupeByKey, keyTextOf, survivorsPerKey, wantedColumns, widen } from '../../../src/destination/page';
import { flattenPage, tablesForSchemaWork } from '../../../src/destination/schema-rows';
import { stateTableSql } from '../../../src/destination/state';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });

describe('DDL', () => {
  it('merge tables: ReplacingMergeTree on the version, ordered by the normalised primary key', () => {
    const r = resource({ write_disposition: 'merge', primary_key: ['userId', 'Org ID'] });
    const layout = layoutFor(r);
    expect(layout).toEqual({ kind: 'merge', key: ['user_id', 'org_id'] });
    expect(createTableSql('db', 'users', [{ name: 'user_id', type: 'Int64' }], layout)).toBe(
      "CREATE TABLE IF NOT EXISTS `db`.`users` (`user_id` Int64, `_sluice_load_id` String, `_sluice_loaded_at` DateTime('UTC'), " +
        '`_sluice_version` UInt64, `_sluice_page` UInt32, `_sluice_row` UInt32) ' +
        'ENGINE = ReplacingMergeTree(`_sluice_version`) ORDER BY (`user_id`, `org_id`)',
    );
  });

  it('insert-only: the engine keeps the lowest version, through a computed complement of it; child tables too', () => {
    const layout = layoutFor(resource({ write_disposition: 'merge', write_disposition_strategy: 'insert-only', primary_key: ['id'] }));
    expect(layout).toEqual({ kind: 'merge', key: ['id'], firstWins: true });
    expect(createTableSql('db', 'users', [{ name: 'id', type: 'Int64' }], layout)).toMatch(
      /`_sluice_row` UInt32, `_sluice_first` UInt64 MATERIALIZED bitNot\(`_sluice_version`\)\) ENGINE = ReplacingMergeTree\(`_sluice_first`\) ORDER BY \(`id`\)$/,
    );
    expect(createTableSql('db', 'users__tags', [], childLayout(layout))).toMatch(
      /ENGINE = ReplacingMergeTree\(`_sluice_first`\) ORDER BY \(`_sluice_root_id`, `_sluice_parent_id`, `_sluice_list_idx`\)$/,
    );
    expect(childLayout(layoutFor(resource({ write_disposition: 'merge', primary_key: ['id'] })))).toEqual({ kind: 'child' });
  });

  it('append, replace and key-less merge tables are keyed by load, page and row', () => {
    for (const d of ['append', 'replace', 'merge'] as const) {
      expect(layoutFor(resource({ write_disposition: d }))).toEqual({ kind: 'append' });
    }
    expect(createTableSql('db', 't', [], { kind: 'append' })).toMatch(/ENGINE = ReplacingMergeTree ORDER BY \(`_sluice_load_id`, `_sluice_page`, `_sluice_row`\)$/);
  });

  it('child tables are keyed by parent id and list index, with the version', () => {
    expect(createTableSql('db', 't__items', [], { kind: 'child' })).toMatch(
      /ENGINE = ReplacingMergeTree\(`_sluice_version`\) ORDER BY \(`_sluice_root_id`, `_sluice_parent_id`, `_sluice_list_idx`\)$/,
    );
  });

  it('hard_delete: a _sluice_deleted marker, and the is_deleted engine argument where the server has it', () => {
    const r = resource({ write_disposition: 'merge', primary_key: ['id'], columns: { gone: { hard_delete: true } } });
    const layout = layoutFor(r);
    expect(layout).toEqual({ kind: 'merge', key: ['id'], hardDelete: true });
    const old = createTableSql('db', 't', [{ name: 'id', type: 'Int64' }], layout, { isDeletedArg: false });
    expect(old).toContain('`_sluice_deleted` UInt8');
    expect(old).toMatch(/ReplacingMergeTree\(`_sluice_version`\) ORDER BY/);
    expect(createTableSql('db', 't', [{ name: 'id', type: 'Int64' }], layout, { isDeletedArg: true })).toMatch(
      /ReplacingMergeTree\(`_sluice_version`, `_sluice_deleted`\) ORDER BY \(`id`\)$/,
    );
  });

  it('cluster DDL: Replicated local table ON CLUSTER, Distributed table sharded by the key', () => {
    const ddl = clusterDdl('c1', { addColumnIfNotExists: false });
    const [local, dist] = ddl.createTable('db', 'users', [{ name: 'id', type: 'Int64' }], { kind: 'merge', key: ['id'] });
    expect(local).toMatch(
      /^CREATE TABLE IF NOT EXISTS `db`.`users__sluice_local` ON CLUSTER `c1` \(.*\) ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/sluice\/db\/users\/\w+', '\{replica\}', `_sluice_version`\) ORDER BY \(`id`\)$/,
    );
    expect(dist).toBe(
      'CREATE TABLE IF NOT EXISTS `db`.`users` ON CLUSTER `c1` AS `db`.`users__sluice_local` ENGINE = Distributed(`c1`, `db`, `users__sluice_local`, cityHash64(`id`))',
    );
    expect(ddl.addColumn('db', 'users', { name: 'x', type: 'Nullable(String)' }, { kind: 'merge', key: ['id'] })).toEqual([
      'ALTER TABLE `db`.`users__sluice_local` ON CLUSTER `c1` ADD COLUMN `x` Nullable(String)',
      'DROP TABLE IF EXISTS `db`.`users` ON CLUSTER `c1`',
      dist,
    ]);
    // A staged swap renames the replicated tables; the Distributed table follows by name.
    expect(
      ddl.rename('db', [
        ['t', 't__sluice_old'],
        ['t__sluice_staging', 't'],
      ]),
    ).toEqual([
      'RENAME TABLE `db`.`t__sluice_local` TO `db`.`t__sluice_old__sluice_local`, `db`.`t__sluice_staging__sluice_local` TO `db`.`t__sluice_local` ON CLUSTER `c1`',
    ]);
  });

  it('ADD COLUMN uses IF NOT EXISTS only where the server parses it', () => {
    expect(addColumnSql('d', 't', { name: 'a`b', type: 'Nullable(String)' }, false)).toEqual(['ALTER TABLE `d`.`t` ADD COLUMN `a\\`b` Nullable(String)']);
    expect(addColumnSql('d', 't', { name: 'c', type: 'Int64' }, true)).toEqual(['ALTER TABLE `d`.`t` ADD COLUMN IF NOT EXISTS `c` Int64']);
  });

  it('a description hint becomes an escaped COMMENT: in CREATE TABLE, and after ADD COLUMN as COMMENT COLUMN (18.16 drops it there)', () => {
    const r = resource({
      write_disposition: 'merge',
      primary_key: ['id'],
      columns: { id: { description: "it's\\n" }, Note: { data_type: 'text', description: 'a note' } },
    });
    const t = tablesForSchemaWork('u', layoutFor(r), r, [{ id: 1 }], { loadId: 'l', version: 1, page: 0 }).tables[0]!;
    const wanted = wantedColumns(t, r, ['id'], OLD);
    expect(wanted.filter((c) => c.comment !== undefined)).toEqual([
      { name: 'id', type: 'Int64', comment: "it's\\n" },
      { name: 'note', type: 'Nullable(String)', comment: 'a note' },
    ]);
    expect(createTableSql('db', 'u', wanted, layoutFor(r))).toContain(
      "(`id` Int64 COMMENT 'it\\'s\\\\n', `_sluice_id` String, `note` Nullable(String) COMMENT 'a note', ",
    );
    expect(addColumnSql('d', 't', { name: 'n', type: 'Int64', comment: "o'k" }, false)).toEqual([
      "ALTER TABLE `d`.`t` ADD COLUMN `n` Int64 COMMENT 'o\\'k'",
      "ALTER TABLE `d`.`t` COMMENT COLUMN `n` 'o\\'k'",
    ]);
    const onCluster = clusterDdl('c1', { addColumnIfNotExists: false }).addColumn(
      'db',
      'users',
      { name: 'n', type: 'Int64', comment: 'c' },
      { kind: 'merge', key: ['id'] },
    );
    expect(onCluster.slice(0, 2)).toEqual([
      "ALTER TABLE `db`.`users__sluice_local` ON CLUSTER `c1` ADD COLUMN `n` Int64 COMMENT 'c'",
      "ALTER TABLE `db`.`users__sluice_local` ON CLUSTER `c1` COMMENT COLUMN `n` 'c'",
    ]);
  });

  it('state table is keyed by pipeline and resource with a version', () => {
    expect(stateTableSql("o'dd")).toMatch(/^CREATE TABLE IF NOT EXISTS `o'dd`.`_sluice_state` .*ReplacingMergeTree\(version\) ORDER BY \(pipeline, resource\)$/);
  });
});

describe('page shaping', () => {
  it("writes a key's text as the JSON of its values, the single-column shortcut included (row ids depend on it)", () => {
    const values: unknown[] = [0, -0, 42, -7.5, 1e21, 2 ** 53 + 2, 5e-324, 'a"b\\c', '名前', '', true, null, undefined, '{"x":1}'];
    for (const v of values) expect(keyTextOf([v])).toBe(JSON.stringify([v ?? null]));
    expect(keyTextOf([1, 'a', null])).toBe('[1,"a",null]');
  });

  const r = resource({ write_disposition: 'merge', primary_key: ['id'], columns: { 'meta.score': { data_type: 'double' } } });
  const meta = { loadId: 'L', version: 7, page: 3 };
  const tablesOf = (res: typeof r, records: JsonObject[]) => {
    return tablesForSchemaWork('t', layoutFor(res), res, records, meta).tables;
  };

  it('flattens, infers and puts key columns first, non-Nullable, then the row id', () => {
    const [root, tags] = tablesOf(r, [{ name: null, user: { firstName: 'a', tags: [1] }, id: 1 }]);
    expect(wantedColumns(root, r, ['id'], OLD)).toEqual([
      { name: 'id', type: 'Int64' },
      { name: '_sluice_id', type: 'String' },
      { name: 'meta_score', type: 'Nullable(Float64)' },
      { name: 'user__first_name', type: 'Nullable(String)' },
    ]);
    expect(tags.table).toBe('t__user__tags');
    expect(wantedColumns(tags, r, ['id'], OLD).map((c) => c.name)).toEqual(['_sluice_parent_id', '_sluice_list_idx', '_sluice_root_id', '_sluice_id', 'value']);
  });

  it('links child rows to their parent with stable ids, down to grandchildren', () => {
    const records: JsonObject[] = [{ id: 1, items: [{ sku: 'a', tags: ['x', 'y'] }, { sku: 'b' }] }];
    const [root, items, tags] = tablesOf(r, records);
    const again = tablesOf(r, records);
    expect(root.rows[0].get('_sluice_id')).toBe(again[0].rows[0].get('_sluice_id'));
    expect(items.rows.map((x) => x.get('_sluice_parent_id'))).toEqual([root.rows[0].get('_sluice_id'), root.rows[0].get('_sluice_id')]);
    expect(items.rows.map((x) => x.get('_sluice_list_idx'))).toEqual([0, 1]);
    expect(tags.table).toBe('t__items__tags');
    expect(tags.rows.map((x) => [x.get('_sluice_parent_id'), x.get('value'), x.get('_sluice_root_id')])).toEqual([
      [items.rows[0].get('_sluice_id'), 'x', root.rows[0].get('_sluice_id')],
      [items.rows[0].get('_sluice_id'), 'y', root.rows[0].get('_sluice_id')],
    ]);
    // A merge row's id comes from its key: the same key in another load gets the same id.
    const other = tablesForSchemaWork('t', layoutFor(r), r, [{ id: 1 }], { loadId: 'M', version: 9, page: 0 }).tables;
    expect(other[0].rows[0].get('_sluice_id')).toBe(root.rows[0].get('_sluice_id'));
  });

  it('stores values beyond max_table_nesting as JSON text', () => {
    const shallow = resource({ max_table_nesting: 1 });
    const [rec] = flattenPage(shallow, [{ a: { b: { c: 1 } }, l: [{ m: [1] }] }]);
    expect([...rec.row.keys()]).toEqual(['a__b']);
    expect(rec.children.map((c) => [c.path, [...c.row.entries()]])).toEqual([['l', [['m', new JsonText('[1]')]]]]);
    const [flat] = flattenPage(resource({ max_table_nesting: 0 }), [{ l: [1] }]);
    expect(flat.children).toEqual([]);
    expect(flat.row.get('l')).toEqual(new JsonText('[1]'));
  });

  it('widens mixed types of a new column', () => {
    expect(widen('bigint', 'double')).toBe('double');
    expect(widen('date', 'timestamp')).toBe('timestamp');
    expect(widen('timestamp', 'text')).toBe('text');
    expect(widen('bool', 'bigint')).toBe('bool');
  });

  it('adds metadata and fails on a missing key with the resource and field named', () => {
    const cols = new Map([
      ['id', 'Int64'],
      ['name', 'Nullable(String)'],
      ['_sluice_id', 'String'],
    ]);
    const [root] = tablesOf(r, [{ id: 1, name: 'x' }]);
    const { rows } = convertRows(root, cols, new Set(), r, OLD, meta, '2024-01-01 00:00:00', new Rejections());
    expect(rows[0]).toEqual({
      id: 1,
      name: 'x',
      _sluice_id: expect.any(String),
      _sluice_load_id: 'L',
      _sluice_loaded_at: '2024-01-01 00:00:00',
      _sluice_version: 7,
      _sluice_page: 3,
      _sluice_row: 0,
    });
    const [bad] = tablesOf(r, [{ name: 'x' }]);
    expect(() => convertRows(bad, cols, new Set(), r, OLD, meta, '', new Rejections())).toThrow(/resource "events": field "id"/);
  });

  it('with a dedup sort keeps the highest (desc) or lowest (asc) value per key; no value loses, ties go to the later record', () => {
    const keys = ['a', 'b', 'a', 'b', 'a', 'c', 'c'];
    const values = ['2024-01-02T00:00:00Z', 5, '2024-03-01T00:00:00Z', null, '2024-02-01T00:00:00Z', 7, 7];
    expect(survivorsPerKey(keys, false, { order: 'desc', values })).toEqual([1, 2, 6]);
    expect(survivorsPerKey(keys, false, { order: 'asc', values })).toEqual([0, 1, 6]);
    // Numbers by value, not as text (10 > 9); big integers too.
    expect(survivorsPerKey(['k', 'k'], false, { order: 'desc', values: [10, 9] })).toEqual([0]);
    expect(survivorsPerKey(['k', 'k'], false, { order: 'asc', values: [2n ** 60n, 3] })).toEqual([1]);
    // The sort wins over insert-only's first record within a batch.
    expect(survivorsPerKey(['k', 'k'], true, { order: 'desc', values: [1, 2] })).toEqual([1]);
  });

  it('keeps the last record per key within a page', () => {
    const records = [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 1, v: 'c' },
    ];
    const flat = flattenPage(r, records);
    expect(
      dedupeByKey(
        flat.map((f) => f.row),
        ['id'],
      ).map((i) => flat[i].row.get('v')),
    ).toEqual(['b', 'c']);
    const shaped = tablesForSchemaWork('t', layoutFor(r), r, records, meta);
    expect(shaped.kept).toEqual([1, 2]);
    // The key read once for dedupe and id gives the same ids as the survivors shaped on their own.
    expect(shaped.tables[0].rows.map((row) => row.get('_sluice_id'))).toEqual(
      tablesForSchemaWork('t', layoutFor(r), r, [records[1], records[2]], meta).tables[0].rows.map((row) => row.get('_sluice_id')),
    );
  });

  it('keeps the first record per key within a page under insert-only', () => {
    const first = resource({ write_disposition: 'merge', write_disposition_strategy: 'insert-only', primary_key: ['id'] });
    expect(
      tablesForSchemaWork(
        't',
        layoutFor(first),
        first,
        [
          { id: 1, v: 'a' },
          { id: 2, v: 'b' },
          { id: 1, v: 'c' },
        ],
        meta,
      ).kept,
    ).toEqual([0, 1]);
  });

  it('wants only the columns an existing table lacks, without inferring the ones it has', () => {
    const [root] = tablesOf(r, [{ id: 1, seen: '2024-01-01T00:00:00Z', extra: 5 }]);
    // `seen` exists as String: its values are converted to that later, not re-inferred as timestamps.
    const existing = new Map([
      ['id', 'Int64'],
      ['_sluice_id', 'String'],
      ['seen', 'Nullable(String)'],
    ]);
    expect(wantedColumns(root, r, ['id'], OLD, existing)).toEqual([
      { name: 'meta_score', type: 'Nullable(Float64)' },
      { name: 'extra', type: 'Nullable(Int64)' },
    ]);
  });
});

describe('connection helpers', () => {
  it('reads env with defaults', () => {
    expect(clickHouseSettingsFromEnv({})).toEqual({ url: 'http://127.0.0.1:8123', username: 'default', password: '', insertFormat: 'RowBinary' });
    expect(clickHouseSettingsFromEnv({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p', SLUICE_INSERT_FORMAT: 'JSONEachRow' })).toEqual({
      url: 'http://ch:8123',
      username: 'u',
      password: 'p',
      insertFormat: 'JSONEachRow',
    });
    expect(() => clickHouseSettingsFromEnv({ SLUICE_INSERT_FORMAT: 'csv' })).toThrow('SLUICE_INSERT_FORMAT must be RowBinary or JSONEachRow, not "csv"');
  });

  it('classifies errors from both message formats', () => {
    expect(clickHouseErrorCode(new Error('Code: 44, e.displayText() = DB::Exception: Cannot add column'))).toBe(44);
    expect(clickHouseErrorCode(new Error('Code: 62. DB::Exception: Syntax error'))).toBe(62);
    expect(toSluiceError(new Error('Code: 62. DB::Exception: Syntax error'), 'http://h', 'x', '').kind).toBe('destination_fatal');
    expect(toSluiceError(new Error('Code: 252. DB::Exception: Too many parts'), 'http://h', 'x', '').kind).toBe('destination_unavailable');
    const refused = toSluiceError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'http://u:pw@h:8123/', 'x', 'pw');
    expect(refused.kind).toBe('destination_unavailable');
    expect(refused.message).toBe('cannot reach ClickHouse at http://h:8123: connect ECONNREFUSED');
    expect(toSluiceError(new Error('Code: 516. bad password pw'), 'http://h', 'x', 'pw').message).not.toContain('pw');
    expect(redactUrl('not a url')).toBe('<invalid ClickHouse URL>');
  });
});
