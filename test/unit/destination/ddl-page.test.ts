import { clickHouseErrorCode, clickHouseSettingsFromEnv, redactUrl, toSluiceError } from '../../../src/destination/connection';
import { addColumnSql, createTableSql, layoutFor } from '../../../src/destination/ddl';
import { featuresFromProbe } from '../../../src/destination/features';
import { dedupeByKey, flattenPage, rowsForInsert, wantedColumns, widen } from '../../../src/destination/page';
import { stateTableSql } from '../../../src/destination/state';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });

describe('DDL', () => {
  it('merge tables: ReplacingMergeTree on the version, ordered by the normalised primary key', () => {
    const r = resource({ write_disposition: 'merge', primary_key: ['userId', 'Org ID'] });
    const layout = layoutFor(r);
    expect(layout).toEqual({ kind: 'merge', key: ['user_id', 'org_id'] });
    expect(createTableSql('db', 'users', [{ name: 'user_id', type: 'Int64' }], layout)).toBe(
      'CREATE TABLE IF NOT EXISTS `db`.`users` (`user_id` Int64, `_sluice_load_id` String, `_sluice_loaded_at` DateTime(\'UTC\'), ' +
        '`_sluice_version` UInt64, `_sluice_page` UInt32, `_sluice_row` UInt32) ' +
        'ENGINE = ReplacingMergeTree(`_sluice_version`) ORDER BY (`user_id`, `org_id`)',
    );
  });

  it('append, replace and key-less merge tables are keyed by load, page and row', () => {
    for (const d of ['append', 'replace', 'merge'] as const) {
      expect(layoutFor(resource({ write_disposition: d }))).toEqual({ kind: 'append' });
    }
    expect(createTableSql('db', 't', [], { kind: 'append' })).toMatch(
      /ENGINE = ReplacingMergeTree ORDER BY \(`_sluice_load_id`, `_sluice_page`, `_sluice_row`\)$/,
    );
  });

  it('ADD COLUMN uses IF NOT EXISTS only where the server parses it', () => {
    expect(addColumnSql('d', 't', { name: 'a`b', type: 'Nullable(String)' }, false)).toBe('ALTER TABLE `d`.`t` ADD COLUMN `a\\`b` Nullable(String)');
    expect(addColumnSql('d', 't', { name: 'c', type: 'Int64' }, true)).toBe('ALTER TABLE `d`.`t` ADD COLUMN IF NOT EXISTS `c` Int64');
  });

  it('state table is keyed by pipeline and resource with a version', () => {
    expect(stateTableSql("o'dd")).toMatch(/^CREATE TABLE IF NOT EXISTS `o'dd`.`_sluice_state` .*ReplacingMergeTree\(version\) ORDER BY \(pipeline, resource\)$/);
  });
});

describe('page shaping', () => {
  const r = resource({ write_disposition: 'merge', primary_key: ['id'], columns: { 'meta.score': { data_type: 'double' } } });

  it('flattens, infers and puts key columns first, non-Nullable', () => {
    const rows = flattenPage(r, [{ name: null, user: { firstName: 'a', tags: [1] }, id: 1 }]);
    expect(wantedColumns(rows, r, ['id'], OLD)).toEqual([
      { name: 'id', type: 'Int64' },
      { name: 'meta_score', type: 'Nullable(Float64)' },
      { name: 'user__first_name', type: 'Nullable(String)' },
      { name: 'user__tags', type: 'Nullable(String)' },
    ]);
  });

  it('stores objects beyond max_table_nesting as JSON text', () => {
    const shallow = resource({ max_table_nesting: 1 });
    const [row] = flattenPage(shallow, [{ a: { b: { c: 1 } } }]);
    expect([...row.keys()]).toEqual(['a__b']);
  });

  it('widens mixed types of a new column', () => {
    expect(widen('bigint', 'double')).toBe('double');
    expect(widen('date', 'timestamp')).toBe('timestamp');
    expect(widen('timestamp', 'text')).toBe('text');
    expect(widen('bool', 'bigint')).toBe('bool');
  });

  it('adds metadata and fails on a missing key with the resource and field named', () => {
    const cols = new Map([['id', 'Int64'], ['name', 'Nullable(String)']]);
    const meta = { loadId: 'L', version: 7, page: 3 };
    const [out] = rowsForInsert(flattenPage(r, [{ id: 1, name: 'x' }]), cols, r, meta, '2024-01-01 00:00:00');
    expect(out).toEqual({ id: 1, name: 'x', _sluice_load_id: 'L', _sluice_loaded_at: '2024-01-01 00:00:00', _sluice_version: 7, _sluice_page: 3, _sluice_row: 0 });
    expect(() => rowsForInsert(flattenPage(r, [{ name: 'x' }]), cols, r, meta, '')).toThrow(/resource "events": field "id"/);
  });

  it('keeps the last record per key within a page', () => {
    const rows = dedupeByKey(flattenPage(r, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 1, v: 'c' }]), ['id']);
    expect(rows.map((x) => x.get('v'))).toEqual(['b', 'c']);
  });
});

describe('connection helpers', () => {
  it('reads env with defaults', () => {
    expect(clickHouseSettingsFromEnv({})).toEqual({ url: 'http://127.0.0.1:8123', username: 'default', password: '' });
    expect(clickHouseSettingsFromEnv({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_USER: 'u', CLICKHOUSE_PASSWORD: 'p' })).toEqual({
      url: 'http://ch:8123',
      username: 'u',
      password: 'p',
    });
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
