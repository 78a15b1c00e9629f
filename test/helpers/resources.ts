/** Resolved resources for tests that exercise workflows without going through a config file. */
import { DEFAULT_RETRY } from '../../src/config';
import type { ResolvedResource } from '../../src/config/types';
import type { SyncResourceInput } from '../../src/workflows/types';

export function offsetResource(overrides: Partial<ResolvedResource> = {}): ResolvedResource {
  return {
    name: 'events',
    table_name: 'events',
    primary_key: ['id'],
    merge_key: [],
    write_disposition: 'merge',
    columns: {},
    selected: true,
    include_from_parent: [],
    parallelized: false,
    endpoint: {
      url: 'http://127.0.0.1:1/v1/resource',
      method: 'GET',
      params: {},
      headers: {},
      data_selector: 'data',
      paginator: {
        type: 'offset',
        limit: 100,
        offset: 0,
        offset_param: 'offset',
        limit_param: 'limit',
        total_path: 'total',
        stop_after_empty_page: true,
      },
      response_actions: [],
      retry: { ...DEFAULT_RETRY, retry_on_status: [...DEFAULT_RETRY.retry_on_status] },
      timeout_seconds: 30,
    },
    ...overrides,
  };
}

/** A syncResource input for `offsetResource()`, one page per batch so a test can follow each page. */
export function resourceInput(overrides: Partial<SyncResourceInput> = {}): SyncResourceInput {
  return {
    pipeline: 'analytics',
    database: 'analytics',
    resource: offsetResource(),
    loadId: 'load-1',
    versionBase: 1_700_000_000_000_000,
    fullRefresh: false,
    store: true,
    keepForChildren: false,
    batchLimits: { rows: 1_000_000, pages: 1 },
    ...overrides,
  };
}
