/**
 * Checks that look across fields or resources, which a per-object schema cannot express: parents
 * that must exist, placeholders that must mean something, one incremental per endpoint, no cycles.
 * They run on the raw config (after dlt's expansion and defaults merge) even when the schema found
 * problems elsewhere, so that `sluice validate` lists everything in one go.
 */
import { expandResources, isAbsoluteUrl, type ExpandedResource } from './defaults';
import { BINDING_LOCATIONS, describeCycle, findCycle, findParentReferences, legacyResolveParams } from './graph';
import { collectPlaceholders, INCREMENTAL_FIELDS, scanPlaceholders } from './placeholders';
import { type ConfigProblem, type PathSegment, didYouMean, problem, quoteList } from './problems';
import { isRecord, jsonPathProblem } from './schema-helpers';
import { checkPartitions } from './partition-checks';
import { checkDynamicTables } from './dynamic-tables';
import { checkTableNames } from './table-names';

const ESCAPE_HINT = 'write literal braces as {{ and }}';

export function checkResources(config: unknown): ConfigProblem[] {
  if (!isRecord(config)) return [];
  const resources = expandResources(config);
  const names = resources.map((r) => r.name);
  const problems: ConfigProblem[] = [...checkDuplicateNames(resources), ...checkTableNames(resources), ...checkDynamicTables(resources, config)];
  const edges = new Map<string, string[]>();
  const baseUrl = isRecord(config.client) ? config.client.base_url : undefined;
  const rawList = Array.isArray(config.resources) ? config.resources : [];

  for (const r of resources) {
    // A resource written as a plain string has no endpoint of its own to point at.
    const at = (...rest: PathSegment[]): PathSegment[] => (typeof rawList[r.index] === 'string' ? ['resources', r.index] : ['resources', r.index, 'endpoint', ...rest]);
    const path = typeof r.endpoint.path === 'string' ? r.endpoint.path : '';

    if (baseUrl === undefined && isRecord(config.client) && !isAbsoluteUrl(path)) {
      problems.push(problem(at('path'), `relative path ${JSON.stringify(path)} needs client.base_url`, 'set client.base_url or use an absolute URL'));
    }
    problems.push(...checkPathPlaceholders(r, path, at));
    problems.push(...checkOtherPlaceholders(r, at));
    problems.push(...checkIncremental(r, at));

    const { references, malformed } = findParentReferences(r.endpoint);
    for (const m of malformed) {
      problems.push(problem(at(...m.at), `placeholder "{${m.expression}}" must be {resources.<parent>.<field>}`));
    }
    const parents = [...new Set(references.map((ref) => ref.parent))];
    if (parents.length > 1) {
      problems.push(problem(['resources', r.index], `refers to more than one parent resource: ${quoteList(parents)}`, 'a child resource has exactly one parent'));
    }
    for (const ref of references) {
      const badField = ref.expression !== undefined ? jsonPathProblem(ref.binding.field) : undefined;
      if (badField) problems.push(problem(at(...ref.at), `placeholder "{${ref.expression}}": ${badField.message}`, badField.hint));
      if (names.includes(ref.parent)) continue;
      const what = ref.expression !== undefined ? `placeholder "{${ref.expression}}"` : `resolve param "${ref.binding.param}"`;
      const hint = didYouMean(ref.parent, names) ?? `defined resources: ${quoteList([...new Set(names)])}`;
      problems.push(problem(at(...ref.at), `${what} refers to resource "${ref.parent}", which is not defined`, hint));
    }
    edges.set(
      r.name,
      parents.filter((p) => names.includes(p)),
    );

    if (isRecord(config.destination) && config.destination.cluster !== undefined && isScd2(r.resource.write_disposition)) {
      problems.push(
        problem(
          ['resources', r.index, 'write_disposition', 'strategy'],
          'the scd2 strategy is not supported on a cluster (destination.cluster) yet',
          'load it on a single server, or use another merge strategy',
        ),
      );
    }

    const include = r.resource.include_from_parent;
    if (Array.isArray(include) && include.length > 0 && parents.length === 0) {
      problems.push(
        problem(
          ['resources', r.index, 'include_from_parent'],
          'include_from_parent needs a parent resource',
          'reference the parent with {resources.<parent>.<field>} in the endpoint',
        ),
      );
    }
  }

  const related = new Map<string, 'child' | 'parent'>();
  for (const [child, parents] of edges) {
    for (const parent of parents) related.set(parent, 'parent');
    if (parents.length > 0) related.set(child, 'child');
  }
  problems.push(...checkPartitions(resources, related));

  const cycle = findCycle(edges);
  if (cycle) {
    const first = resources.find((r) => r.name === cycle[0]);
    problems.push(problem(first ? ['resources', first.index] : 'resources', describeCycle(cycle), 'a resource cannot depend on itself, directly or through others'));
  }
  return problems;
}

function isScd2(writeDisposition: unknown): boolean {
  return isRecord(writeDisposition) && writeDisposition.strategy === 'scd2';
}

function checkDuplicateNames(resources: readonly ExpandedResource[]): ConfigProblem[] {
  const firstAt = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  for (const r of resources) {
    const first = firstAt.get(r.name);
    if (first === undefined) firstAt.set(r.name, r.index);
    else problems.push(problem(['resources', r.index], `duplicate resource name "${r.name}"`, `already defined at resources[${first}]`));
  }
  return problems;
}

/** dlt's path rules: a bare `{name}` binds a resolve param or a static param of the same name. */
function checkPathPlaceholders(r: ExpandedResource, path: string, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const scan = scanPlaceholders(path);
  if (scan.unclosed) problems.push(problem(at('path'), 'has a "{" that is never closed', ESCAPE_HINT));
  const params = isRecord(r.endpoint.params) ? r.endpoint.params : {};
  const resolveNames = new Set(legacyResolveParams(r.endpoint).map(([name]) => name));

  for (const expression of scan.expressions) {
    if (expression.startsWith('resources.') || expression.startsWith('incremental.')) continue;
    if (resolveNames.has(expression)) {
      resolveNames.delete(expression);
      continue;
    }
    const value = params[expression];
    if (value !== undefined && !isRecord(value)) continue;
    if (isRecord(value)) {
      problems.push(
        problem(
          at('path'),
          `placeholder "{${expression}}" binds param "${expression}" of type ${JSON.stringify(value.type)}`,
          'a path can only bind plain values or {type: "resolve"} params',
        ),
      );
    } else if (expression.includes('.') || expression === '') {
      problems.push(problem(at('path'), `placeholder "{${expression}}" is neither {resources.<parent>.<field>} nor {incremental.<value>}`, ESCAPE_HINT));
    } else {
      problems.push(
        problem(
          at('path'),
          `placeholder "{${expression}}" has no value: there is no param "${expression}"`,
          `use {resources.<parent>.<field>} to bind a parent field; ${ESCAPE_HINT}`,
        ),
      );
    }
  }
  for (const name of resolveNames) {
    problems.push(
      problem(
        at('params', name),
        `resolve param "${name}" is not used in the path`,
        `put {${name}} in the path, or use "{resources.<parent>.<field>}" as the param value`,
      ),
    );
  }
  return problems;
}

/** In params, json, data and headers every placeholder must be a resources or incremental one. */
function checkOtherPlaceholders(r: ExpandedResource, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const location of BINDING_LOCATIONS) {
    if (location === 'path' || r.endpoint[location] === undefined) continue;
    for (const found of collectPlaceholders(r.endpoint[location], [location])) {
      if (found.expression.startsWith('resources.') || found.expression.startsWith('incremental.')) continue;
      problems.push(problem(at(...found.at), `placeholder "{${found.expression}}" is neither {resources.<parent>.<field>} nor {incremental.<value>}`, ESCAPE_HINT));
    }
  }
  return problems;
}

function checkIncremental(r: ExpandedResource, at: (...rest: PathSegment[]) => PathSegment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const params = isRecord(r.endpoint.params) ? r.endpoint.params : {};
  const incrementalParams = Object.keys(params).filter((k) => isRecord(params[k]) && params[k].type === 'incremental');
  for (const extra of incrementalParams.slice(1)) {
    problems.push(problem(at('params', extra), `second incremental param (already "${incrementalParams[0]}")`, 'an endpoint has at most one incremental param'));
  }
  const hasEndpointIncremental = r.endpoint.incremental !== undefined;
  if (incrementalParams.length > 0 && hasEndpointIncremental) {
    problems.push(
      problem(
        at('incremental'),
        `incremental is configured twice: here and in params.${incrementalParams[0]}`,
        'keep endpoint.incremental and reference it as "{incremental.start_value}"',
      ),
    );
  }

  for (const location of BINDING_LOCATIONS) {
    if (r.endpoint[location] === undefined) continue;
    for (const found of collectPlaceholders(r.endpoint[location], [location])) {
      if (!found.expression.startsWith('incremental.')) continue;
      const field = found.expression.slice('incremental.'.length);
      if (!hasEndpointIncremental) {
        problems.push(
          problem(
            at(...found.at),
            `placeholder "{${found.expression}}" needs endpoint.incremental`,
            'add "incremental": {"cursor_path": ..., "initial_value": ...} to the endpoint',
          ),
        );
      } else if (!(INCREMENTAL_FIELDS as readonly string[]).includes(field)) {
        const hint = didYouMean(field, INCREMENTAL_FIELDS) ?? `available: ${quoteList(INCREMENTAL_FIELDS.map((f) => `incremental.${f}`))}`;
        problems.push(problem(at(...found.at), `unknown placeholder "{${found.expression}}"`, hint));
      }
    }
  }
  return problems;
}
