/**
 * The dlt config the soak syncs (one file, three pipelines over it) and which resources each pipeline runs.
 * Each pipeline is one workflow ID (`sluice/<pipeline>`), so its runs never overlap; the three run side by side.
 */
export interface SoakPipeline {
  name: string;
  resources: string[];
  /** Run by a Temporal Schedule (syncs.ts) instead of a loop of starts. */
  scheduled?: boolean;
}

export const PIPELINES: SoakPipeline[] = [
  // Incremental merge with hard deletes, nested lists two deep, and a child resource.
  { name: 'soak_orders', resources: ['orders', 'order_notes'] },
  // Merge on ids past 2^53 (offset), an append log (next links), a replace resource (page numbers); run by a Schedule.
  { name: 'soak_misc', resources: ['customers', 'events', 'plans'], scheduled: true },
  // A partitioned resource: windows of 10 s, two at a time.
  { name: 'soak_metrics', resources: ['metrics'] },
];

/** `metricsFrom`: the partitioned resource's initial_value, whole seconds, a little before the soak starts. */
export function soakConfig(apiUrl: string, metricsFrom: Date): object {
  return {
    client: {
      base_url: apiUrl,
      // Enough attempts to ride out the API's faults; longer troubles become durable waits (docs/reliability.md).
      retry: { initial_interval: 0.5, maximum_interval: 4, maximum_attempts: 8 },
    },
    // A batch per page, so a run holds several batches and its resource workflows continue-as-new (syncs.ts).
    destination: { batch_pages: 1 },
    resources: [
      {
        name: 'orders',
        primary_key: 'id',
        write_disposition: 'merge',
        columns: { deleted: { hard_delete: true }, updated_at: { data_type: 'timestamp' } },
        endpoint: {
          path: '/v1/orders',
          data_selector: 'data',
          params: { limit: 20 },
          paginator: { type: 'cursor', cursor_path: 'next_cursor', cursor_param: 'cursor' },
          incremental: { cursor_path: 'updated_at', initial_value: '2000-01-01T00:00:00.000Z', start_param: 'since' },
        },
      },
      {
        name: 'order_notes',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: {
          path: '/v1/orders/{resources.orders.id}/notes',
          data_selector: 'data',
          paginator: { type: 'offset', limit: 10 },
        },
      },
      {
        name: 'customers',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: { path: '/v1/customers', data_selector: 'data', paginator: { type: 'offset', limit: 25 } },
      },
      {
        name: 'events',
        write_disposition: 'append',
        endpoint: {
          path: '/v1/events',
          data_selector: 'data',
          params: { limit: 50 },
          paginator: { type: 'json_link', next_url_path: 'next' },
          incremental: { cursor_path: 'id', initial_value: 0, start_param: 'since_id' },
        },
      },
      {
        name: 'plans',
        primary_key: 'id',
        write_disposition: 'replace',
        endpoint: {
          path: '/v1/plans',
          data_selector: 'data',
          params: { per_page: 5 },
          paginator: { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages' },
        },
      },
      {
        name: 'metrics',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: {
          path: '/v1/metrics',
          data_selector: 'data',
          paginator: { type: 'offset', limit: 50 },
          incremental: {
            cursor_path: 'created_at',
            initial_value: metricsFrom.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            start_param: 'since',
            end_param: 'until',
            lag: 2,
            partition: { step: 'PT10S', parallelism: 2 },
          },
        },
      },
    ],
  };
}
