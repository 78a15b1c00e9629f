/** `validate` on `incremental.partition`: accepted where a window can be requested, else the reason why not. */
import { formatProblem, validateSourceConfig } from '../../../src/config';

const client = { base_url: 'https://api.example.com' };
const ranged = { cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z', start_param: 'since', end_param: 'until' };

function config(incremental: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { client, resources: [{ name: 'events', endpoint: { path: '/events', incremental, ...extra } }] };
}

function problems(raw: unknown): string[] {
  const result = validateSourceConfig(raw);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('partition accepted', () => {
  it('with start_param and end_param on a time cursor, and the partition reaches the resolved config', () => {
    const result = validateSourceConfig(config({ ...ranged, partition: { step: 'P1D', parallelism: 8 } }));
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.source.resources[0]!.endpoint.incremental?.partition).toEqual({ step: 'P1D', parallelism: 8 });
  });

  it('with {incremental.start_value} and {incremental.end_value} placeholders, on an integer cursor with end_value', () => {
    expect(
      problems(
        config(
          { cursor_path: 'id', initial_value: 0, end_value: 100_000, partition: { step: 10_000, parallelism: 4 } },
          { params: { from: '{incremental.start_value}' }, json: { to: '{incremental.end_value}' } },
        ),
      ),
    ).toEqual([]);
  });
});

describe('partition refused, with the reason', () => {
  it.each([
    [
      'no end bound in the request',
      config({ cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z', start_param: 'since', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition: the request does not ask for an end, so every window would fetch up to now (hint: set end_param, or put {incremental.end_value} in params, json or path)',
    ],
    [
      'no start bound in the request',
      config({ cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z', end_param: 'until', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition: the request does not ask for a start, so every window would fetch the same records (hint: set start_param, or put {incremental.start_value} in params, json or path)',
    ],
    [
      'no initial_value',
      config({ cursor_path: 'updated_at', start_param: 'since', end_param: 'until', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition: partition needs initial_value: the first run cuts its windows from there (hint: set incremental.initial_value)',
    ],
    [
      'a cursor that is neither time nor integer',
      config({ ...ranged, initial_value: 'abc', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition.step: step "P1D" does not fit initial_value "abc": windows are cut on a time cursor (an ISO date or timestamp) or an integer cursor (hint: an ISO 8601 duration ("P1D", "PT6H"; whole days for a date-only cursor) with an ISO initial_value, or a positive integer with an integer initial_value)',
    ],
    [
      'an hour step on a date-only cursor',
      config({ ...ranged, initial_value: '2024-01-01', partition: { step: 'PT6H', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition.step: step "PT6H" does not fit initial_value "2024-01-01"',
    ],
    [
      'an integer cursor without end_value',
      config({ ...ranged, initial_value: 0, partition: { step: 100, parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition: an integer cursor has no "now" to end its windows at (hint: set incremental.end_value)',
    ],
    [
      'last_value_func min',
      config({ ...ranged, last_value_func: 'min', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.last_value_func: a partitioned range is walked upwards',
    ],
    [
      'an open range start',
      config({ ...ranged, range_start: 'open', partition: { step: 'P1D', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition: windows are closed at their start and open at their end',
    ],
    [
      'a month step',
      config({ ...ranged, partition: { step: 'P1M', parallelism: 2 } }),
      'resources[0].endpoint.incremental.partition.step: expected an ISO 8601 duration of weeks, days, hours, minutes or seconds',
    ],
    [
      'a parallelism beyond the limit',
      config({ ...ranged, partition: { step: 'P1D', parallelism: 65 } }),
      'resources[0].endpoint.incremental.partition.parallelism: at most 64 windows load at once',
    ],
  ])('%s', (_what, raw, expected) => {
    const found = problems(raw);
    expect(found).toEqual([expect.stringContaining(expected)]);
  });

  it('a child resource, and the parent that feeds it', () => {
    const partitioned = { ...ranged, partition: { step: 'P1D', parallelism: 2 } };
    const found = problems({
      client,
      resources: [
        { name: 'users', endpoint: { path: '/users', incremental: partitioned } },
        { name: 'posts', endpoint: { path: '/users/{resources.users.id}/posts', incremental: partitioned } },
      ],
    });
    expect(found).toEqual([
      expect.stringContaining('resources[0].endpoint.incremental.partition: resource "users" feeds child resources'),
      expect.stringContaining("resources[1].endpoint.incremental.partition: a child resource walks its parent's records"),
    ]);
  });

  it('write_disposition replace', () => {
    const found = problems({
      client,
      resources: [
        { name: 'events', write_disposition: 'replace', endpoint: { path: '/events', incremental: { ...ranged, partition: { step: 'P1D', parallelism: 2 } } } },
      ],
    });
    expect(found).toEqual([expect.stringContaining('write_disposition "replace" reloads the whole table each run')]);
  });

  it('the scd2 strategy, which would retire every row outside the window', () => {
    const resource = { name: 'events', primary_key: 'id', write_disposition: { disposition: 'merge', strategy: 'scd2' } };
    const found = problems({
      client,
      resources: [{ ...resource, endpoint: { path: '/events', incremental: { ...ranged, partition: { step: 'P1D', parallelism: 2 } } } }],
    });
    expect(found).toEqual([expect.stringContaining('scd2 compares each load with the whole table')]);
  });
});
