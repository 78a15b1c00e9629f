import { formatProblem, validateSourceConfig } from '../../../src/config';
import type { ConfigProblem } from '../../../src/config';

const client = { base_url: 'https://api.example.com' };

function problemsOf(raw: unknown): string[] {
  const result = validateSourceConfig(raw);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.problems.map(formatProblem);
}

function onlyProblem(raw: unknown): string {
  const lines = problemsOf(raw);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('formatProblem', () => {
  it('prints path, message and hint on one line', () => {
    const p: ConfigProblem = { path: 'resources[0].endpoint.paginator.limit', message: 'expected a positive integer' };
    expect(formatProblem(p)).toBe('resources[0].endpoint.paginator.limit: expected a positive integer');
    expect(formatProblem({ ...p, hint: 'e.g. 100' })).toBe('resources[0].endpoint.paginator.limit: expected a positive integer (hint: e.g. 100)');
  });
});

describe('validateSourceConfig rejections', () => {
  it('a non-positive offset limit', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { paginator: { type: 'offset', limit: 0 } } }] })).toBe(
      'resources[0].endpoint.paginator.limit: expected a positive integer',
    );
  });

  it('an offset paginator without limit (dict and string shorthand)', () => {
    const expected = 'resources[0].endpoint.paginator.limit: is required: the offset paginator needs a page size (hint: e.g. {"type": "offset", "limit": 100})';
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { paginator: { type: 'offset' } } }] })).toBe(expected);
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { paginator: 'offset' } }] })).toBe(expected);
  });

  it('a timezone hint that names no time zone (it goes into the column type)', () => {
    const zoned = (timezone: unknown) => ({ client, resources: [{ name: 'a', columns: { at: { data_type: 'timestamp', timezone } } }] });
    expect(onlyProblem(zoned('Mars/Olympus'))).toContain('resources[0].columns.at.timezone');
    expect(validateSourceConfig(zoned('Europe/Berlin')).ok).toBe(true);
    expect(validateSourceConfig(zoned(false)).ok).toBe(true);
  });

  it('params on the resource instead of its endpoint', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', params: { x: 1 } }] })).toBe(
      'resources[0].params: unknown key "params" (hint: "params" belongs under "endpoint")',
    );
  });

  it('method PUT', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { method: 'PUT' } }] })).toBe(
      'resources[0].endpoint.method: unsupported method "PUT"; expected one of: "GET", "POST"',
    );
  });

  it('an unknown auth type lists the allowed ones', () => {
    expect(onlyProblem({ client: { ...client, auth: { type: 'digest', token: 'x' } }, resources: ['a'] })).toBe(
      'client.auth.type: unknown auth type "digest" (hint: allowed: "bearer", "api_key", "http_basic", "oauth2_client_credentials")',
    );
  });

  it('an auth dict without type and without token', () => {
    expect(onlyProblem({ client: { ...client, auth: { api_key: 'x' } }, resources: ['a'] })).toMatch(/^client\.auth\.type: auth type is missing \(hint: add "type"/);
  });

  it('an unknown paginator type, as string and as dict, with a near miss', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { paginator: 'ofset' } }] })).toBe(
      'resources[0].endpoint.paginator: unknown paginator type "ofset" (hint: did you mean "offset"?; allowed: "single_page", "offset", "page_number", "cursor", "json_link", "header_link", "header_cursor", "auto")',
    );
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { paginator: { type: 'next_link' } } }] })).toMatch(
      /^resources\[0\]\.endpoint\.paginator\.type: unknown paginator type "next_link" \(hint: allowed: /,
    );
  });

  it('a child naming a missing parent, with did-you-mean', () => {
    expect(onlyProblem({ client, resources: ['issues', { name: 'comments', endpoint: { path: 'issues/{resources.isues.number}/comments' } }] })).toBe(
      'resources[1].endpoint.path: placeholder "{resources.isues.number}" refers to resource "isues", which is not defined (hint: did you mean "issues"?)',
    );
  });

  it('a legacy resolve param whose parent does not exist', () => {
    expect(
      onlyProblem({
        client,
        resources: [{ name: 'details', endpoint: { path: 'posts/{id}', params: { id: { type: 'resolve', resource: 'posts', field: 'id' } } } }],
      }),
    ).toBe('resources[0].endpoint.params.id: resolve param "id" refers to resource "posts", which is not defined (hint: defined resources: "details")');
  });

  it('a path placeholder that is neither resources.* nor incremental.*', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { path: 'users/{user.id}' } }] })).toBe(
      'resources[0].endpoint.path: placeholder "{user.id}" is neither {resources.<parent>.<field>} nor {incremental.<value>} (hint: write literal braces as {{ and }})',
    );
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { path: 'users/{user_id}' } }] })).toMatch(
      /^resources\[0\]\.endpoint\.path: placeholder "\{user_id\}" has no value: there is no param "user_id"/,
    );
  });

  it('escaped braces and secret references are not placeholders', () => {
    const result = validateSourceConfig({ client, resources: [{ name: 'a', endpoint: { path: 'v1/${TENANT}/items/{{literal}}' } }] });
    expect(result.ok).toBe(true);
  });

  it('two incremental params, and incremental both in params and endpoint.incremental', () => {
    const inc = { type: 'incremental', cursor_path: 'updated_at' };
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { params: { since: inc, after: inc } } }] })).toBe(
      'resources[0].endpoint.params.after: second incremental param (already "since") (hint: an endpoint has at most one incremental param)',
    );
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { params: { since: inc }, incremental: { cursor_path: 'updated_at' } } }] })).toMatch(
      /^resources\[0\]\.endpoint\.incremental: incremental is configured twice: here and in params\.since/,
    );
  });

  it('a param dict with an unknown type (a typo of "incremental") is refused, not sent as JSON', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { params: { since: { type: 'incremetal', cursor_path: 'updated_at' } } } }] })).toBe(
      'resources[0].endpoint.params.since.type: unknown param type "incremetal" (hint: did you mean "incremental"?; allowed: "resolve", "incremental")',
    );
    // A JSON param without `type` is still plain JSON.
    expect(validateSourceConfig({ client, resources: [{ name: 'a', endpoint: { params: { filter: { state: 'open' } } } }] }).ok).toBe(true);
  });

  it('end_value without initial_value, as dlt refuses it', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { incremental: { cursor_path: 'ts', end_value: 10 } } }] })).toBe(
      'resources[0].endpoint.incremental.end_value: end_value is set without initial_value (hint: set initial_value too (dlt requires both for a fixed window))',
    );
  });

  it('an incremental placeholder without incremental config', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', endpoint: { params: { since: '{incremental.start_value}' } } }] })).toMatch(
      /^resources\[0\]\.endpoint\.params\.since: placeholder "\{incremental\.start_value\}" needs endpoint\.incremental/,
    );
  });

  it('include_from_parent without a parent', () => {
    expect(onlyProblem({ client, resources: [{ name: 'a', include_from_parent: ['id'] }] })).toMatch(
      /^resources\[0\]\.include_from_parent: include_from_parent needs a parent resource/,
    );
  });

  it('duplicate resource names', () => {
    expect(onlyProblem({ client, resources: ['posts', { name: 'posts', endpoint: 'other' }] })).toBe(
      'resources[1]: duplicate resource name "posts" (hint: already defined at resources[0])',
    );
  });

  it('dependency cycles, naming the cycle', () => {
    expect(
      onlyProblem({
        client,
        resources: [
          { name: 'a', endpoint: { path: 'a/{resources.c.id}' } },
          { name: 'b', endpoint: { path: 'b/{resources.a.id}' } },
          { name: 'c', endpoint: { path: 'c/{resources.b.id}' } },
        ],
      }),
    ).toBe('resources[0]: dependency cycle: a -> c -> b -> a (hint: a resource cannot depend on itself, directly or through others)');
  });

  it('a resource with two parents', () => {
    expect(onlyProblem({ client, resources: ['a', 'b', { name: 'c', endpoint: { path: 'x/{resources.a.id}/{resources.b.id}' } }] })).toMatch(
      /^resources\[2\]: refers to more than one parent resource: "a", "b"/,
    );
  });

  it('unknown keys get did-you-mean, at every level', () => {
    expect(
      problemsOf({ client: { base_url: 'https://x', pagintor: 'auto' }, resources: [{ name: 'a', primary_kye: 'id', endpoint: { data_selectr: 'data' } }] }),
    ).toEqual([
      'client.pagintor: unknown key "pagintor" (hint: did you mean "paginator"?)',
      'resources[0].endpoint.data_selectr: unknown key "data_selectr" (hint: did you mean "data_selector"?)',
      'resources[0].primary_kye: unknown key "primary_kye" (hint: did you mean "primary_key"?)',
    ]);
  });

  it('an unknown key with no near miss lists the allowed keys', () => {
    expect(onlyProblem({ client, resources: ['a'], destination: { engine_type: 'x' } })).toBe(
      'destination.engine_type: unknown key "engine_type" (hint: allowed keys: "database", "cluster", "batch_rows", "batch_pages", "batch_bytes", "batch_seconds")',
    );
  });

  it('reports every problem at once, schema and cross-resource alike', () => {
    const lines = problemsOf({
      client: { base_url: 'https://x', timeout: -1 },
      resources: [
        { name: 'a', endpoint: { method: 'PUT', paginator: { type: 'offset', limit: 'ten' } } },
        { name: 'a', endpoint: { path: 'x/{resources.nope.id}' } },
        { name: 'c', write_disposition: 'upsert' },
      ],
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'client.timeout: expected a positive number of seconds',
        'resources[0].endpoint.method: unsupported method "PUT"; expected one of: "GET", "POST"',
        'resources[0].endpoint.paginator.limit: expected a positive integer, got "ten"',
        expect.stringMatching(/^resources\[2\]\.write_disposition: unsupported write_disposition "upsert"/),
        'resources[1]: duplicate resource name "a" (hint: already defined at resources[0])',
        expect.stringMatching(/^resources\[1\]\.endpoint\.path: placeholder "\{resources\.nope\.id\}" refers to resource "nope"/),
      ]),
    );
    expect(lines).toHaveLength(6);
  });

  it('missing client, resources and a relative path without base_url', () => {
    expect(problemsOf({ resources: [] })).toEqual(['client: is required', 'resources: needs at least one resource']);
    expect(onlyProblem({ client: {}, resources: ['posts'] })).toBe(
      'resources[0]: relative path "posts" needs client.base_url (hint: set client.base_url or use an absolute URL)',
    );
    expect(validateSourceConfig({ client: {}, resources: [{ name: 'p', endpoint: 'https://api.example.com/posts' }] }).ok).toBe(true);
  });

  it('rejects a non-object config', () => {
    expect(problemsOf('nope')).toEqual(['(config): expected object, got string']);
  });

  it("refuses dlt's seed resources (records from code) with a hint, written as a function or with records", () => {
    const hint =
      'seed resources (records from code rather than an endpoint, dlt\'s non-REST resources in "resources") are not supported: sluice loads REST resources only; serve the records from an endpoint the worker can reach (a parent\'s ids too: an endpoint that lists them), and shape them with processing_steps';
    async function* seeds() {
      yield { id: 1 };
    }
    expect(onlyProblem({ client, resources: [seeds] })).toBe(`resources[0]: a function is not a resource (hint: ${hint})`);
    expect(onlyProblem({ client, resources: [{ name: 'seeds', records: seeds }] })).toBe(`resources[0].records: "records" is not supported by sluice (hint: ${hint})`);
  });

  it('rejects unsupported dlt keys with a reason', () => {
    expect(onlyProblem({ client: { ...client, session: { cert: '/etc/client.pem' } }, resources: ['a'] })).toBe(
      'client.session.cert: session "cert" is not supported by sluice (hint: client certificates are not supported: a certificate\'s key would be a secret in workflow input, and sluice has no worker-side setting for one)',
    );
  });

  it('accepts the scd2 strategy with its defaults and the options it supports, normalised', () => {
    const scd2 = (w: Record<string, unknown>) =>
      validateSourceConfig({ client, resources: [{ name: 'a', write_disposition: { disposition: 'merge', strategy: 'scd2', ...w } }] });
    const plain = scd2({});
    expect(plain.ok && plain.source.resources[0]!.scd2).toEqual({ valid_from: '_sluice_valid_from', valid_to: '_sluice_valid_to' });
    const given = scd2({
      validity_column_names: ['Valid From', 'validTo'],
      boundary_timestamp: '2024-08-21T12:15:00+02:00',
      row_version_column_name: 'RowHash',
      active_record_timestamp: null,
      retire_absent_rows: true,
    });
    expect(given.ok && given.source.resources[0]!.scd2).toEqual({
      valid_from: 'valid_from',
      valid_to: 'valid_to',
      boundary_seconds: Date.UTC(2024, 7, 21, 10, 15) / 1000,
      row_version_column: 'row_hash',
    });
    // A timestamp without a zone is UTC, as a date alone is.
    const local = scd2({ boundary_timestamp: '2024-08-21T12:15:00' });
    expect(local.ok && local.source.resources[0]!.scd2?.boundary_seconds).toBe(Date.UTC(2024, 7, 21, 12, 15) / 1000);
    // dlt's active_record_timestamp, and its usual 9999-12-31 stored as DateTime's last second (with a warning).
    const active = scd2({ active_record_timestamp: '2100-01-01', retire_absent_rows: false });
    expect(active.ok && active.source.resources[0]!.scd2).toEqual({
      valid_from: '_sluice_valid_from',
      valid_to: '_sluice_valid_to',
      active_seconds: Date.UTC(2100, 0, 1) / 1000,
      keep_absent_rows: true,
    });
    const far = scd2({ active_record_timestamp: '9999-12-31' });
    expect(far.ok && far.source.resources[0]!.scd2?.active_seconds).toBe(Date.UTC(2105, 11, 31, 23, 59, 59) / 1000);
    expect(far.ok && far.warnings.map(formatProblem)).toEqual([
      "resources[0].write_disposition.active_record_timestamp: \"9999-12-31\" is past the last second every supported ClickHouse's DateTime holds: current rows get 2105-12-31 23:59:59 UTC (hint: query current rows with valid_to = toDateTime('2105-12-31 23:59:59', 'UTC'), or give a date before 2106)",
    ]);
    expect(active.ok && active.warnings.map(formatProblem)).toEqual([
      'resources[0].write_disposition.retire_absent_rows: without a merge_key (the natural key) nothing is ever retired: a changed record keeps its earlier version current beside the new one (hint: set merge_key to the column(s) that name a record, so its new version retires the old)',
    ]);
    const keyed = validateSourceConfig({
      client,
      resources: [{ name: 'a', merge_key: 'id', write_disposition: { disposition: 'merge', strategy: 'scd2', retire_absent_rows: false } }],
    });
    expect(keyed.ok && keyed.warnings).toEqual([]);
    const other = validateSourceConfig({ client, resources: [{ name: 'a', write_disposition: { disposition: 'merge', strategy: 'upsert' } }] });
    expect(other.ok && other.source.resources[0]!.scd2).toBeUndefined();
  });

  it('refuses the scd2 options sluice cannot honour, and scd2 options without scd2, saying why', () => {
    const at = (w: Record<string, unknown>) => ({ client, resources: [{ name: 'a', write_disposition: { disposition: 'merge', ...w } }] });
    expect(onlyProblem(at({ strategy: 'scd2', active_record_timestamp: 'someday' }))).toBe(
      'resources[0].write_disposition.active_record_timestamp: is not a date or timestamp after 1970 (hint: an ISO 8601 date or timestamp, e.g. "9999-12-31", or null (the default: an open-ended current row))',
    );
    expect(onlyProblem(at({ strategy: 'scd2', retire_absent_rows: 'no' }))).toBe('resources[0].write_disposition.retire_absent_rows: expected true or false');
    expect(onlyProblem(at({ strategy: 'scd2', boundary_timestamp: 'yesterday' }))).toBe(
      'resources[0].write_disposition.boundary_timestamp: is not a date or timestamp ClickHouse can store (hint: an ISO 8601 date or timestamp between 1970 and 2106, e.g. "2024-08-21T12:15:00+00:00")',
    );
    expect(onlyProblem(at({ strategy: 'scd2', validity_column_names: ['from'] }))).toMatch(/^resources\[0\]\.write_disposition\.validity_column_names/);
    expect(onlyProblem(at({ strategy: 'scd2', validity_column_names: ['at', 'at'] }))).toBe(
      'resources[0].write_disposition.validity_column_names: valid_from and valid_to need two different names',
    );
    expect(onlyProblem(at({ strategy: 'upsert', row_version_column_name: 'h' }))).toBe(
      'resources[0].write_disposition.row_version_column_name: "row_version_column_name" configures the scd2 strategy, not "upsert" (hint: remove it, or use "strategy": "scd2")',
    );
    expect(onlyProblem(at({ validity_column_names: ['f', 't'] }))).toBe(
      'resources[0].write_disposition.validity_column_names: "validity_column_names" configures the scd2 strategy (hint: add "strategy": "scd2")',
    );
    expect(onlyProblem({ client, resources: [{ name: 'a', write_disposition: { disposition: 'append', strategy: 'scd2' } }] })).toBe(
      'resources[0].write_disposition.strategy: unsupported strategy "scd2" for append (hint: allowed: none)',
    );
  });

  it('warns that primary_key and dedup_sort do nothing with scd2, and refuses scd2 on a cluster', () => {
    const result = validateSourceConfig({
      client,
      resources: [{ name: 'a', primary_key: 'id', columns: { seq: { dedup_sort: 'desc' } }, write_disposition: { disposition: 'merge', strategy: 'scd2' } }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'resources[0].columns.seq.dedup_sort: column hint "dedup_sort" has no effect here',
      'resources[0].primary_key: primary_key has no effect with the scd2 strategy',
    ]);
    expect(onlyProblem({ client, destination: { cluster: 'c' }, resources: [{ name: 'a', write_disposition: { disposition: 'merge', strategy: 'scd2' } }] })).toBe(
      'resources[0].write_disposition.strategy: the scd2 strategy is not supported on a cluster (destination.cluster) yet (hint: load it on a single server, or use another merge strategy)',
    );
  });

  it('counts processing_steps on the resolved resource (the functions stay in the module) and checks they are functions', () => {
    const result = validateSourceConfig({ client, resources: [{ name: 'a', processing_steps: [{ map: (r: unknown) => r }, { filter: () => true }] }] });
    expect(result.ok && result.source.resources[0]?.processing_steps).toBe(2);
    expect(result.ok && result.warnings).toEqual([]);
    expect(onlyProblem({ client, resources: [{ name: 'a', processing_steps: [{ map: 'not a function' }] }] })).toMatch(
      /^resources\[0\]\.processing_steps\[0\]\.map: expected a function/,
    );
  });
});

describe('table names that collide', () => {
  it('rejects names that are one table after normalisation', () => {
    expect(onlyProblem({ client, resources: ['users', 'Users'] })).toBe(
      'resources[1]: resource "Users" maps to table "users", as resource "users" does (names are normalised to snake_case) (hint: give one of them another name or table_name)',
    );
    expect(problemsOf({ client, resources: ['userEvents', { name: 'other', table_name: 'user-events' }] })).toHaveLength(1);
  });

  it("rejects names that map to sluice's own tables", () => {
    expect(onlyProblem({ client, resources: [{ name: 'x', table_name: '_sluice_state' }] })).toContain(
      `maps to table "_sluice_state": names starting with _sluice_ are sluice's own tables`,
    );
    expect(onlyProblem({ client, resources: ['_Sluice_loads'] })).toContain('"_sluice_loads"');
  });

  it("rejects a name that maps to another resource's child tables, in either order", () => {
    expect(onlyProblem({ client, resources: ['users', 'users__roles'] })).toContain('table "users__roles" is where the nested lists of resource "users" go');
    expect(onlyProblem({ client, resources: [{ name: 'a', table_name: 'Users__Roles' }, 'users'] })).toContain(
      'table "users__roles" is where the nested lists of resource "users" go',
    );
  });

  it('accepts names that only look alike', () => {
    expect(validateSourceConfig({ client, resources: ['users', 'users_roles', 'user'] }).ok).toBe(true);
  });
});

describe('warnings: accepted settings that have no effect in sluice', () => {
  it('dedup_sort without merge and a primary key (both column forms) and a replace strategy; timezone is honoured, so no warning', () => {
    const result = validateSourceConfig({
      client,
      resource_defaults: {
        columns: [
          { name: 'ts', timezone: true },
          { name: 'seq', dedup_sort: 'asc' },
        ],
      },
      resources: [
        { name: 'a', columns: { id: { data_type: 'bigint', dedup_sort: 'desc' } }, write_disposition: { disposition: 'replace', strategy: 'insert-from-staging' } },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const needsKey = 'it chooses among records of one primary key: only a merge resource with a primary key has them';
    expect(result.warnings.map(formatProblem)).toEqual([
      `resources[0].columns.seq.dedup_sort: column hint "dedup_sort" has no effect here (hint: ${needsKey})`,
      `resources[0].columns.id.dedup_sort: column hint "dedup_sort" has no effect here (hint: ${needsKey})`,
      'resources[0].write_disposition.strategy: replace strategy "insert-from-staging" has no effect in sluice (hint: sluice always loads into a staging table and swaps it in atomically)',
    ]);
  });

  it('dedup_sort on a merge resource with a primary key is honoured; a second dedup_sort column is not', () => {
    const merged = (columns: object, key: object) => validateSourceConfig({ client, resources: [{ name: 'a', write_disposition: 'merge', columns, ...key }] });
    const one = merged({ seq: { dedup_sort: 'desc' } }, { primary_key: 'id' });
    expect(one.ok && one.warnings).toEqual([]);
    const byHint = merged({ id: { primary_key: true }, seq: { dedup_sort: 'asc' } }, {});
    expect(byHint.ok && byHint.warnings).toEqual([]);
    const two = merged({ seq: { dedup_sort: 'desc' }, at: { dedup_sort: 'asc' } }, { primary_key: ['id'] });
    expect(two.ok && two.warnings.map(formatProblem)).toEqual([
      'resources[0].columns.at.dedup_sort: column hint "dedup_sort" has no effect here (hint: only one column sorts the records of a key: "seq")',
    ]);
  });

  it('unique, cluster and x-* hints are accepted and warned about (partition and sort act), in both column forms; false asks for nothing; description is honoured', () => {
    const result = validateSourceConfig({
      client,
      resource_defaults: { columns: [{ name: 'day', partition: true, 'x-bigquery-partition': true }] },
      resources: [
        {
          name: 'a',
          columns: { id: { unique: true, sort: true, cluster: false, description: 'the id' }, at: { cluster: true, 'x-normalizer': { seen: 1 }, unique: false } },
        },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const x = 'dlt extension hints address dlt destinations and normalizers; sluice has none of them';
    expect(result.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'resources[0].columns.day["x-bigquery-partition"]: column hint "x-bigquery-partition" has no effect in sluice',
      'resources[0].columns.id.unique: column hint "unique" has no effect in sluice',
      'resources[0].columns.at.cluster: column hint "cluster" has no effect in sluice',
      'resources[0].columns.at["x-normalizer"]: column hint "x-normalizer" has no effect in sluice',
    ]);
    expect(result.warnings[0]!.hint).toBe(x);
    // Extension hints act on nothing, so they do not travel into the workflow input; the rest do.
    expect(result.source.resources[0]!.columns).toEqual({
      day: { partition: true },
      id: { unique: true, sort: true, cluster: false, description: 'the id' },
      at: { cluster: true, unique: false },
    });
  });

  it('refuses a hint that is neither dlt nor an extension, and a description that is not text or too long', () => {
    const result = validateSourceConfig({
      client,
      resources: [{ name: 'a', columns: { id: { uniq: true }, at: { description: 5 }, b: { description: 'x'.repeat(1_001) } } }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'resources[0].columns.at.description: expected a text',
      'resources[0].columns.b.description: at most 1000 characters',
      'resources[0].columns.id.uniq: unknown key "uniq"',
    ]);
  });

  it('none for a plain config', () => {
    const result = validateSourceConfig({ client, resources: [{ name: 'a', columns: { id: { data_type: 'bigint' } } }] });
    expect(result.ok && result.warnings).toEqual([]);
  });
});

describe("secrets that name sluice's own settings", () => {
  it('are refused at validate, where the reference stands, since no worker resolves them', () => {
    expect(onlyProblem({ client: { ...client, headers: { 'X-Key': 'k ${CLICKHOUSE_PASSWORD}' } }, resources: ['a'] })).toBe(
      'client.headers["X-Key"]: ${CLICKHOUSE_PASSWORD} names one of sluice\'s own settings (CLICKHOUSE_*, TEMPORAL_*, SLUICE_*), which no worker resolves for a config (hint: give the secret a name of its own (docs/security.md))',
    );
    expect(onlyProblem({ client: { ...client, auth: { type: 'bearer', token: '${sluice.task_queue}' } }, resources: ['a'] })).toContain(
      'client.auth.token: ${sluice.task_queue} names',
    );
  });

  it('leaves other names, and the escaped form, alone', () => {
    expect(
      validateSourceConfig({ client: { ...client, auth: { type: 'bearer', token: '${api_token}' }, headers: { 'X-Doc': '$${TEMPORAL_ADDRESS}' } }, resources: ['a'] }).ok,
    ).toBe(true);
  });
});

describe('warnings: literal credentials in hand-written headers', () => {
  it('names each credential header written literally (never its value) and suggests ${NAME}', () => {
    const result = validateSourceConfig({
      client: { ...client, headers: { Authorization: 'Token abc123', 'X-Plain': 'x', 'X-Api-Key': '${API_KEY}' } },
      resource_defaults: { endpoint: { headers: { Cookie: 'sid=s3ss10n' } } },
      resources: [{ name: 'a', endpoint: { path: 'a', headers: { 'x-auth-token': 'tok-literal', Authorization: 'Bearer ${TOKEN}' } } }, 'b'],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const lines = result.warnings.map(formatProblem);
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'client.headers.Authorization',
      'resource_defaults.endpoint.headers.Cookie',
      'resources[0].endpoint.headers["x-auth-token"]',
    ]);
    for (const line of lines) {
      expect(line).toContain('holds a literal credential');
      expect(line).toContain('${API_TOKEN}');
    }
    expect(lines.join('\n')).not.toMatch(/abc123|s3ss10n|tok-literal/);
  });
});
