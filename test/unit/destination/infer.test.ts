import { inferTables } from '../../../src/destination';
import { resource } from './resource-fixture';

test('a page becomes the tables and ClickHouse types a load would create', () => {
  const events = resource({ name: 'events', table_name: 'events', write_disposition: 'merge', primary_key: ['id'] });
  const tables = inferTables(events, [
    { id: 1, eventType: null, at: '2024-01-01T00:00:00.123Z', props: { page: '/a' }, tags: ['x', 'y'] },
    { id: 2, eventType: 'click', at: '2024-01-02T00:00:00.000Z', props: { page: '/b' }, tags: [] },
  ]);
  const byTable = Object.fromEntries(tables.map((t) => [t.table, Object.fromEntries(t.columns.map((c) => [c.name, c.type]))]));
  expect(Object.keys(byTable)).toEqual(['events', 'events__tags']);
  expect(byTable.events).toMatchObject({
    id: 'Int64',
    event_type: 'Nullable(String)',
    at: "Nullable(DateTime64(3, 'UTC'))",
    props__page: 'Nullable(String)',
  });
  expect(byTable.events__tags).toMatchObject({ value: 'Nullable(String)' });
});

test("a preview keeps the record per key that a load keeps (insert-only: the first; dedup_sort: the winner), so its types are the load's", () => {
  const page = [
    { id: 1, v: 'text', at: 2 },
    { id: 1, v: 5, at: 1 },
  ];
  const typeOfV = (res: ReturnType<typeof resource>) => inferTables(res, page)[0]!.columns.find((c) => c.name === 'v')?.type;
  expect(typeOfV(resource({ write_disposition: 'merge', write_disposition_strategy: 'insert-only', primary_key: ['id'] }))).toBe('Nullable(String)');
  expect(typeOfV(resource({ write_disposition: 'merge', primary_key: ['id'], columns: { at: { dedup_sort: 'desc' } } }))).toBe('Nullable(String)');
  expect(typeOfV(resource({ write_disposition: 'merge', primary_key: ['id'] }))).toBe('Nullable(Int64)');
});
