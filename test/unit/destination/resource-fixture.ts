import type { ResolvedResource } from '../../../src/config/types';

/** A minimal resolved resource; tests override only what they exercise. */
export function resource(overrides: Partial<ResolvedResource> = {}): ResolvedResource {
  return {
    name: 'events',
    table_name: 'events',
    primary_key: [],
    merge_key: [],
    write_disposition: 'append',
    columns: {},
    selected: true,
    include_from_parent: [],
    parallelized: false,
    endpoint: {
      url: 'http://api.invalid/events',
      method: 'GET',
      params: {},
      headers: {},
      response_actions: [],
      retry: {
        maximum_attempts: 1,
        initial_interval_seconds: 1,
        backoff_coefficient: 2,
        maximum_interval_seconds: 1,
        retry_on_status: [],
        respect_retry_after: false,
        max_retry_after_seconds: 0,
      },
      timeout_seconds: 10,
    },
    ...overrides,
  };
}
