/**
 * The verdict: every table read as a user reads it (`FINAL`, current rows; child tables joined to their
 * live parents; the append log counted under FINAL and raw) and compared row by row with the API's truth.
 * Each value is compared as text, so a 64-bit integer is compared exactly.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from '../../src/destination/sql';
import type { Snapshot } from './api';

export interface TableVerdict {
  table: string;
  expected: number;
  found: number;
  missing: number;
  extra: number;
  stale: number;
  duplicated: number;
  /** The first few differences, each one line. */
  differences: string[];
  /** Raw rows (without FINAL), for the append log. */
  raw?: number;
}

export const exact = (v: TableVerdict): boolean => v.missing + v.extra + v.stale + v.duplicated === 0;

type Row = [key: string, value: string];

/** Compares rows keyed by `key`; a key found twice counts as duplicated, its first copy is compared. */
export function compareRows(table: string, expected: Row[], found: Row[], shown = 5): TableVerdict {
  const want = new Map(expected);
  const seen = new Map<string, string[]>();
  for (const [key, value] of found) seen.set(key, [...(seen.get(key) ?? []), value]);
  const verdict: TableVerdict = { table, expected: want.size, found: found.length, missing: 0, extra: 0, stale: 0, duplicated: 0, differences: [] };
  const note = (line: string): void => {
    if (verdict.differences.length < shown) verdict.differences.push(line);
  };
  for (const [key, value] of want) {
    const copies = seen.get(key);
    if (!copies) {
      verdict.missing += 1;
      note(`missing ${key}: ${value}`);
    } else if (copies[0] !== value) {
      verdict.stale += 1;
      note(`stale ${key}: table ${copies[0]}, API ${value}`);
    }
  }
  for (const [key, copies] of seen) {
    if (!want.has(key)) {
      verdict.extra += 1;
      note(`extra ${key}: ${copies[0]}`);
    }
    if (copies.length > 1) {
      verdict.duplicated += 1;
      note(`duplicated ${key}: ${copies.length} copies`);
    }
  }
  return verdict;
}

const text = (...values: unknown[]): string => JSON.stringify(values.map((v) => String(v)));

export async function verdicts(clickhouse: ClickHouseClient, truth: Snapshot): Promise<TableVerdict[]> {
  const rows = async (query: string): Promise<Record<string, string>[]> => {
    const rs = await clickhouse.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 1 } });
    return rs.json<Record<string, string>>();
  };
  const t = (database: string, table: string): string => qualified(database, table);
  const out: TableVerdict[] = [];

  // Orders: the live ones (a hard-deleted order is absent under FINAL), and their lists two deep.
  const orders = await rows(
    `SELECT toString(id) AS id, _sluice_id AS sid, status, toString(total) AS total, toString(toUnixTimestamp64Milli(updated_at)) AS ms FROM ${t('soak_orders', 'orders')} FINAL`,
  );
  out.push(
    compareRows(
      'orders',
      truth.orders.map((o) => [String(o.id), text(o.status, o.total, o.updated_ms)]),
      orders.map((o) => [o.id, text(o.status, o.total, o.ms)]),
    ),
  );
  const orderOf = new Map(orders.map((o) => [o.sid, o.id]));
  const items = await rows(
    `SELECT _sluice_root_id AS root, _sluice_id AS sid, toString(_sluice_list_idx) AS idx, sku, toString(qty) AS qty FROM ${t('soak_orders', 'orders__items')} FINAL`,
  );
  const itemKey = new Map(items.map((i) => [i.sid, `${orderOf.get(i.root) ?? `orphan(${i.root})`}#${i.idx}`]));
  out.push(
    compareRows(
      'orders__items',
      truth.orders.flatMap((o) => o.items.map((item, idx): Row => [`${o.id}#${idx}`, text(item.sku, item.qty)])),
      items.map((i) => [itemKey.get(i.sid)!, text(i.sku, i.qty)]),
    ),
  );
  const tags = await rows(`SELECT _sluice_parent_id AS parent, toString(_sluice_list_idx) AS idx, value FROM ${t('soak_orders', 'orders__items__tags')} FINAL`);
  out.push(
    compareRows(
      'orders__items__tags',
      truth.orders.flatMap((o) => o.items.flatMap((item, i) => item.tags.map((tag, idx): Row => [`${o.id}#${i}#${idx}`, text(tag)]))),
      tags.map((g) => [`${itemKey.get(g.parent) ?? `orphan(${g.parent})`}#${g.idx}`, text(g.value)]),
    ),
  );
  const notes = await rows(`SELECT toString(id) AS id, toString(order_id) AS order_id, body, toString(rev) AS rev FROM ${t('soak_orders', 'order_notes')} FINAL`);
  out.push(
    compareRows(
      'order_notes',
      truth.notes.map((n) => [String(n.id), text(n.order_id, n.body, n.rev)]),
      notes.map((n) => [n.id, text(n.order_id, n.body, n.rev)]),
    ),
  );

  const customers = await rows(`SELECT toString(id) AS id, name, tier, toString(rev) AS rev FROM ${t('soak_misc', 'customers')} FINAL`);
  out.push(
    compareRows(
      'customers',
      truth.customers.map((c) => [c.id, text(c.name, c.tier, c.rev)]),
      customers.map((c) => [c.id, text(c.name, c.tier, c.rev)]),
    ),
  );
  const events = await rows(`SELECT toString(id) AS id, kind, toString(ref) AS ref FROM ${t('soak_misc', 'events')} FINAL`);
  const events_ = compareRows(
    'events',
    truth.events.map((e) => [String(e.id), text(e.kind, e.ref)]),
    events.map((e) => [e.id, text(e.kind, e.ref)]),
  );
  const [raw] = await rows(`SELECT toString(count()) AS n FROM ${t('soak_misc', 'events')}`);
  out.push({ ...events_, raw: Number(raw.n) });
  const plans = await rows(`SELECT toString(id) AS id, name, toString(price) AS price FROM ${t('soak_misc', 'plans')} FINAL`);
  out.push(
    compareRows(
      'plans',
      truth.plans.map((p) => [String(p.id), text(p.name, p.price)]),
      plans.map((p) => [p.id, text(p.name, p.price)]),
    ),
  );

  const metrics = await rows(
    `SELECT toString(id) AS id, toString(toUnixTimestamp64Milli(created_at)) AS ms, toString(value) AS value FROM ${t('soak_metrics', 'metrics')} FINAL`,
  );
  out.push(
    compareRows(
      'metrics',
      truth.metrics.map((m) => [String(m.id), text(m.created_ms, m.value)]),
      metrics.map((m) => [m.id, text(m.ms, m.value)]),
    ),
  );
  return out;
}
