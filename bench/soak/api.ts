/**
 * The soak's mutating API: records created, updated and deleted underneath the syncs, served through four
 * paginators, with faults at a configurable rate. It keeps the exact truth of every record, which the
 * verdict reads from `GET /_soak/snapshot` once the API is frozen.
 *
 * Resources (bench/soak/config.ts has the dlt config that reads them):
 * - orders: keyset cursor paging ordered by (updated_at, id) from `since` (inclusive); updated_at is a
 *   strictly rising clock, so a record updated during a walk moves ahead of it and is read again. Deleted
 *   orders stay as tombstones (`deleted: true`, dlt's hard_delete column). Each has a nested list `items`
 *   (each item with a list `tags`) that grows and shrinks.
 * - orders/{id}/notes: the child resource, offset paging; adding or changing a note bumps its order.
 * - customers: offset paging ordered by id, ids past 2^53 (sent as exact JSON integers), created and updated.
 * - events: an append-only log, next-link paging from `since_id` (inclusive).
 * - plans: page-number paging, created, updated and deleted (a replace resource).
 * - metrics: immutable readings stamped with the wall clock, asked for in windows [since, until), offset paging.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rng } from './rng';

export interface Item {
  sku: string;
  qty: number;
  tags: string[];
}
export interface Order {
  id: number;
  status: string;
  total: number;
  updatedMs: number;
  deleted: boolean;
  items: Item[];
}
export interface Note {
  id: number;
  order_id: number;
  body: string;
  rev: number;
}
export interface Customer {
  id: bigint;
  name: string;
  tier: string;
  rev: number;
}
export interface SoakEvent {
  id: number;
  kind: string;
  ref: number;
}
export interface Plan {
  id: number;
  name: string;
  price: number;
}
export interface Metric {
  id: number;
  createdMs: number;
  value: number;
}

/** What the verdict compares the tables with. Customer ids are decimal strings (past 2^53). */
export interface Snapshot {
  orders: { id: number; status: string; total: number; updated_ms: number; items: Item[] }[];
  notes: Note[];
  customers: { id: string; name: string; tier: string; rev: number }[];
  events: SoakEvent[];
  plans: Plan[];
  metrics: { id: number; created_ms: number; value: number }[];
  mutations: number;
}

export interface FaultCounts {
  requests: number;
  throttled: number;
  serverErrors: number;
  slow: number;
  resets: number;
}

export interface SoakApi {
  url: string;
  /** Stops mutating and injecting faults: the truth is final from here on. */
  freeze(): void;
  snapshot(): Snapshot;
  faults: FaultCounts;
  close(): Promise<void>;
}

export interface SoakApiOptions {
  port: number;
  rng: Rng;
  /** Share of /v1 requests that meet a fault (429, 5xx, a slow answer or a reset connection). */
  faultRate: number;
  /** One mutation every this many milliseconds. */
  mutateEveryMs: number;
}

/** 2^53 + 1 001: every customer id is beyond what a double holds exactly. */
const FIRST_CUSTOMER_ID = 9_007_199_254_741_993n;
const STATUSES = ['new', 'paid', 'packed', 'shipped', 'returned'];
const TIERS = ['free', 'pro', 'team', 'enterprise'];

export async function startSoakApi(options: SoakApiOptions): Promise<SoakApi> {
  const { rng } = options;
  const orders = new Map<number, Order>();
  const notes: Note[] = [];
  const customers: Customer[] = [];
  const events: SoakEvent[] = [];
  const plans = new Map<number, Plan>();
  const metrics: Metric[] = [];
  const faults: FaultCounts = { requests: 0, throttled: 0, serverErrors: 0, slow: 0, resets: 0 };
  let frozen = false;
  let mutations = 0;
  let lastMs = 0;
  const ids = { order: 0, note: 0, plan: 0, event: 0, metric: 0, sku: 0 };

  /** A strictly rising clock: no two versions of any order share an updated_at. */
  const tick = (): number => (lastMs = Math.max(Date.now(), lastMs + 1));
  const tags = (): string[] => Array.from({ length: rng.int(0, 2) }, () => `t${rng.int(1, 9)}`);
  const item = (): Item => ({ sku: `sku-${++ids.sku}`, qty: rng.int(1, 5), tags: tags() });
  const liveOrders = (): Order[] => [...orders.values()].filter((o) => !o.deleted);

  const createOrder = (): void => {
    const id = ++ids.order;
    orders.set(id, { id, status: 'new', total: rng.int(1, 10_000), updatedMs: tick(), deleted: false, items: Array.from({ length: rng.int(0, 4) }, item) });
  };
  const updateOrder = (): void => {
    const live = liveOrders();
    if (live.length === 0) return;
    const order = rng.pick(live);
    const change = rng.weighted({ status: 3, grow: 2, shrink: 3, retag: 2, empty: 1 });
    if (change === 'status') {
      order.status = rng.pick(STATUSES);
      order.total = rng.int(1, 10_000);
    } else if (change === 'grow') {
      order.items.push(...Array.from({ length: rng.int(1, 2) }, item));
    } else if (change === 'shrink') {
      order.items.splice(rng.int(0, order.items.length), rng.int(1, 2));
    } else if (change === 'retag' && order.items.length > 0) {
      const target = rng.pick(order.items);
      target.tags = rng.next() < 0.5 ? target.tags.slice(0, Math.max(0, target.tags.length - 1)) : [...target.tags, `t${rng.int(1, 9)}`];
    } else {
      order.items = [];
    }
    order.updatedMs = tick();
  };
  const deleteOrder = (): void => {
    const live = liveOrders();
    if (live.length < 40) return;
    const order = rng.pick(live);
    order.deleted = true;
    order.updatedMs = tick();
  };
  const addNote = (): void => {
    const live = liveOrders();
    if (live.length === 0) return;
    const order = rng.pick(live);
    notes.push({ id: ++ids.note, order_id: order.id, body: `note ${ids.note}`, rev: 1 });
    order.updatedMs = tick();
  };
  const updateNote = (): void => {
    const candidates = notes.filter((n) => !orders.get(n.order_id)!.deleted);
    if (candidates.length === 0) return;
    const note = rng.pick(candidates);
    note.rev += 1;
    note.body = `note ${note.id} rev ${note.rev}`;
    orders.get(note.order_id)!.updatedMs = tick();
  };
  const createCustomer = (): void => {
    customers.push({ id: FIRST_CUSTOMER_ID + BigInt(customers.length * 7), name: `customer ${customers.length}`, tier: rng.pick(TIERS), rev: 1 });
  };
  const updateCustomer = (): void => {
    if (customers.length === 0) return;
    const customer = rng.pick(customers);
    customer.rev += 1;
    customer.tier = rng.pick(TIERS);
  };
  const addEvents = (): void => {
    for (let i = rng.int(1, 3); i > 0; i--) events.push({ id: ++ids.event, kind: rng.pick(['view', 'click', 'buy']), ref: rng.int(1, 1000) });
  };
  const upsertPlan = (): void => {
    if (plans.size < 25 && rng.next() < 0.5) {
      const id = ++ids.plan;
      plans.set(id, { id, name: `plan ${id}`, price: rng.int(0, 500) });
    } else if (plans.size > 0) {
      rng.pick([...plans.values()]).price = rng.int(0, 500);
    }
  };
  const deletePlan = (): void => {
    if (plans.size > 8) plans.delete(rng.pick([...plans.keys()]));
  };
  const addMetric = (): void => {
    metrics.push({ id: ++ids.metric, createdMs: Date.now(), value: rng.int(0, 1_000_000) });
  };

  for (let i = 0; i < 60; i++) createOrder();
  for (let i = 0; i < 80; i++) createCustomer();
  for (let i = 0; i < 12; i++) upsertPlan();

  const mutate = (): void => {
    const action = rng.weighted({
      createOrder: 6,
      updateOrder: 25,
      deleteOrder: 3,
      addNote: 8,
      updateNote: 5,
      createCustomer: 4,
      updateCustomer: 10,
      addEvents: 14,
      upsertPlan: 6,
      deletePlan: 2,
      addMetric: 14,
    });
    ({ createOrder, updateOrder, deleteOrder, addNote, updateNote, createCustomer, updateCustomer, addEvents, upsertPlan, deletePlan, addMetric })[action]();
    mutations += 1;
  };
  const mutator = setInterval(() => {
    if (!frozen) mutate();
  }, options.mutateEveryMs);

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, { error: err.message });
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://soak');
    if (url.pathname === '/_soak/snapshot') return send(res, 200, snapshot());
    faults.requests += 1;
    if (!frozen && rng.next() < options.faultRate) {
      const fault = rng.weighted({ throttle: 3, error: 2, slow: 3, reset: 2 });
      if (fault === 'throttle') {
        faults.throttled += 1;
        res.setHeader('Retry-After', String(rng.int(1, 2)));
        return send(res, 429, { error: 'slow down' });
      }
      if (fault === 'error') {
        faults.serverErrors += 1;
        return send(res, rng.pick([500, 502, 503]), { error: 'upstream trouble' });
      }
      if (fault === 'reset') {
        faults.resets += 1;
        req.socket.destroy();
        return;
      }
      faults.slow += 1;
      await new Promise((r) => setTimeout(r, rng.int(500, 2500)));
    }
    route(url, res);
  };

  const route = (url: URL, res: ServerResponse): void => {
    const q = (name: string): string | null => url.searchParams.get(name);
    const num = (name: string, fallback: number): number => {
      const value = Number(q(name) ?? fallback);
      return Number.isFinite(value) ? value : fallback;
    };
    const notesOf = /^\/v1\/orders\/(\d+)\/notes$/.exec(url.pathname);
    if (url.pathname === '/v1/orders') {
      const since = q('since') ? Date.parse(q('since')!) : 0;
      const limit = num('limit', 20);
      const [afterMs, afterId] = (q('cursor') ?? '0:0').split(':').map(Number);
      const page = [...orders.values()]
        .filter((o) => o.updatedMs >= since && (o.updatedMs > afterMs || (o.updatedMs === afterMs && o.id > afterId)))
        .sort((a, b) => a.updatedMs - b.updatedMs || a.id - b.id)
        .slice(0, limit);
      const last = page[page.length - 1];
      const next = page.length === limit ? `${last.updatedMs}:${last.id}` : null;
      return send(res, 200, { data: page.map(orderJson), next_cursor: next });
    }
    if (notesOf) {
      const all = notes.filter((n) => n.order_id === Number(notesOf[1]));
      const offset = num('offset', 0);
      return send(res, 200, { data: all.slice(offset, offset + num('limit', 10)), total: all.length });
    }
    if (url.pathname === '/v1/customers') {
      const offset = num('offset', 0);
      const page = customers.slice(offset, offset + num('limit', 25));
      return sendText(res, 200, bigJson({ data: page, total: customers.length }));
    }
    if (url.pathname === '/v1/events') {
      const since = num('since_id', 0);
      const limit = num('limit', 50);
      const page = events.filter((e) => e.id >= since).slice(0, limit);
      const next = page.length === limit ? `/v1/events?since_id=${page[page.length - 1].id + 1}&limit=${limit}` : null;
      return send(res, 200, { data: page, next });
    }
    if (url.pathname === '/v1/plans') {
      const perPage = num('per_page', 5);
      const all = [...plans.values()].sort((a, b) => a.id - b.id);
      const page = num('page', 1);
      return send(res, 200, { data: all.slice((page - 1) * perPage, page * perPage), total_pages: Math.ceil(all.length / perPage) });
    }
    if (url.pathname === '/v1/metrics') {
      const since = Date.parse(q('since') ?? '');
      const until = Date.parse(q('until') ?? '');
      if (!Number.isFinite(since) || !Number.isFinite(until)) return send(res, 400, { error: 'since and until are required' });
      const all = metrics.filter((m) => m.createdMs >= since && m.createdMs < until);
      const offset = num('offset', 0);
      return send(res, 200, { data: all.slice(offset, offset + num('limit', 50)).map(metricJson), total: all.length });
    }
    send(res, 404, { error: 'not found' });
  };

  const snapshot = (): Snapshot => ({
    orders: liveOrders().map((o) => ({ id: o.id, status: o.status, total: o.total, updated_ms: o.updatedMs, items: o.items.map((i) => ({ ...i, tags: [...i.tags] })) })),
    notes: notes.map((n) => ({ ...n })),
    customers: customers.map((c) => ({ id: c.id.toString(), name: c.name, tier: c.tier, rev: c.rev })),
    events: events.map((e) => ({ ...e })),
    plans: [...plans.values()].map((p) => ({ ...p })),
    metrics: metrics.map((m) => ({ id: m.id, created_ms: m.createdMs, value: m.value })),
    mutations,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    freeze: () => {
      frozen = true;
      clearInterval(mutator);
    },
    snapshot,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(mutator);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function orderJson(o: Order): object {
  return { id: o.id, status: o.status, total: o.total, updated_at: new Date(o.updatedMs).toISOString(), deleted: o.deleted, items: o.items };
}

function metricJson(m: Metric): object {
  return { id: m.id, created_at: new Date(m.createdMs).toISOString(), value: m.value };
}

/** JSON with bigints written as exact integers (JSON.stringify refuses them). */
function bigJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__big__${v.toString()}` : v)).replace(/"__big__(\d+)"/g, '$1');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
