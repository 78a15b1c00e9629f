/**
 * Whether `endpoint.incremental.partition` can apply to a resource, and if not, why: each window is one
 * request range, so the request must carry both bounds, the cursor must be one the range can be cut on
 * (a time or an integer), and the resource must stand alone (no parent, no children: their records come
 * from someone else's walk, or feed one).
 */
import { cursorScale, durationMs } from '../core/windows';
import type { JsonPrimitive, PartitionConfig } from './types';
import type { ExpandedResource } from './defaults';
import { BINDING_LOCATIONS } from './graph';
import { collectPlaceholders } from './placeholders';
import { type ConfigProblem, type PathSegment, problem } from './problems';
import { isRecord } from './schema-helpers';

/** Problems of every partitioned resource; `related` names the resources with a parent or children. */
export function checkPartitions(resources: readonly ExpandedResource[], related: ReadonlyMap<string, 'child' | 'parent'>): ConfigProblem[] {
  return resources.flatMap((r) => {
    const incremental = r.endpoint.incremental;
    if (!isRecord(incremental) || !isRecord(incremental.partition)) return [];
    const at = (...rest: PathSegment[]): PathSegment[] => ['resources', r.index, 'endpoint', 'incremental', ...rest];
    return [...partitionFits(incremental, at), ...requestCarriesRange(r, incremental, at), ...standsAlone(r, related.get(r.name), at)];
  });
}

function partitionFits(incremental: Record<string, unknown>, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  const partition = incremental.partition as PartitionConfig;
  const initial = incremental.initial_value as JsonPrimitive | undefined;
  if (initial === undefined || initial === null) {
    return [problem(at('partition'), 'partition needs initial_value: the first run cuts its windows from there', 'set incremental.initial_value')];
  }
  const problems: ConfigProblem[] = [];
  const scale = cursorScale(partition, initial);
  // A step that is no duration and no positive integer is the schema's to report.
  const wellFormed = typeof partition.step === 'string' ? durationMs(partition.step) !== undefined : Number.isSafeInteger(partition.step) && partition.step > 0;
  if (wellFormed && (!scale || scale.stepOf(partition.step) === undefined)) {
    problems.push(
      problem(
        at('partition', 'step'),
        `step ${JSON.stringify(partition.step)} does not fit initial_value ${JSON.stringify(initial)}: windows are cut on a time cursor (an ISO date or timestamp) or an integer cursor`,
        'an ISO 8601 duration ("P1D", "PT6H"; whole days for a date-only cursor) with an ISO initial_value, or a positive integer with an integer initial_value',
      ),
    );
  } else if (scale?.kind === 'integer' && (incremental.end_value === undefined || incremental.end_value === null)) {
    problems.push(problem(at('partition'), 'an integer cursor has no "now" to end its windows at', 'set incremental.end_value'));
  }
  if (incremental.last_value_func === 'min') {
    problems.push(
      problem(at('last_value_func'), 'a partitioned range is walked upwards; last_value_func "min" walks it down', 'remove partition, or use last_value_func "max"'),
    );
  }
  // Windows are [start, end): rows at a window's end belong to the next window, so no row loads twice.
  if (incremental.range_start === 'open' || incremental.range_end === 'closed') {
    problems.push(
      problem(
        at('partition'),
        'windows are closed at their start and open at their end, so no row at an edge loads twice or never',
        'remove range_start/range_end, or set them to "closed"/"open"',
      ),
    );
  }
  return problems;
}

/** The request must ask for the window: a start and an end, by param or placeholder. */
function requestCarriesRange(r: ExpandedResource, incremental: Record<string, unknown>, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  const placeholders = new Set(
    BINDING_LOCATIONS.flatMap((location) => (r.endpoint[location] === undefined ? [] : collectPlaceholders(r.endpoint[location], [location]).map((p) => p.expression))),
  );
  const problems: ConfigProblem[] = [];
  const hasStart = incremental.start_param !== undefined || placeholders.has('incremental.start_value') || placeholders.has('incremental.last_value');
  if (!hasStart) {
    problems.push(
      problem(
        at('partition'),
        'the request does not ask for a start, so every window would fetch the same records',
        'set start_param, or put {incremental.start_value} in params, json or path',
      ),
    );
  }
  if (incremental.end_param === undefined && !placeholders.has('incremental.end_value')) {
    problems.push(
      problem(
        at('partition'),
        'the request does not ask for an end, so every window would fetch up to now',
        'set end_param, or put {incremental.end_value} in params, json or path',
      ),
    );
  }
  return problems;
}

function standsAlone(r: ExpandedResource, relation: 'child' | 'parent' | undefined, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  if (relation === 'child') {
    return [problem(at('partition'), "a child resource walks its parent's records, not a range of its own", "partition the parent's range instead, or remove partition")];
  }
  if (relation === 'parent') {
    return [
      problem(
        at('partition'),
        `resource "${r.name}" feeds child resources, which load after one walk of its records`,
        'remove partition, or load the children from a resource of their own',
      ),
    ];
  }
  const disposition = isRecord(r.resource.write_disposition) ? r.resource.write_disposition.disposition : r.resource.write_disposition;
  if (disposition === 'replace') {
    return [problem(at('partition'), 'write_disposition "replace" reloads the whole table each run; windows load a range', 'use "append" or "merge"')];
  }
  if (isRecord(r.resource.write_disposition) && r.resource.write_disposition.strategy === 'scd2') {
    return [
      problem(
        at('partition'),
        'scd2 compares each load with the whole table and retires the rows it lacks; a window holds only its range',
        'remove partition, or use merge without the scd2 strategy',
      ),
    ];
  }
  return [];
}
