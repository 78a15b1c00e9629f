/** The destination's view of a resource load, built the same way by every activity. */
import type { TableTarget } from '../destination';
import type { ResourceRef } from '../core/activity-types';

export function tableTarget(ref: ResourceRef): TableTarget {
  return {
    database: ref.database,
    resource: ref.resource,
    fullRefresh: ref.fullRefresh,
    pipeline: ref.pipeline,
    ...(ref.cluster ? { cluster: ref.cluster } : {}),
  };
}
