/**
 * Tables two resources would share by accident. Names are normalised to snake_case before they become
 * tables (src/destination/naming.ts), so `Users` and `users` are one table; `_sluice_*` tables are
 * sluice's own bookkeeping; and a resource's nested lists become `<table>__<field>` child tables, so a
 * resource named `users__roles` would write into the child table of `users`. Workflow input is untrusted,
 * but `validate` and `run` see every config first: this is where such a config is stopped.
 */
import { normalizePath, PATH_SEPARATOR } from '../destination/naming';
import type { ExpandedResource } from './defaults';
import { type ConfigProblem, problem } from './problems';

const OWN_PREFIX = '_sluice_';

function tableOf(r: ExpandedResource): string {
  const explicit = r.resource.table_name;
  return normalizePath(typeof explicit === 'string' && explicit !== '' ? explicit : r.name);
}

export function checkTableNames(resources: readonly ExpandedResource[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const tables = resources.map((r) => ({ r, table: tableOf(r) }));
  for (const [i, { r, table }] of tables.entries()) {
    const at = ['resources', r.index];
    if (table.startsWith(OWN_PREFIX)) {
      problems.push(
        problem(at, `resource "${r.name}" maps to table "${table}": names starting with _sluice_ are sluice's own tables`, 'choose another name or table_name'),
      );
      continue;
    }
    for (const { r: other, table: theirs } of tables.slice(0, i)) {
      if (other.name === r.name) continue; // a duplicate name, reported as such
      if (theirs === table) {
        problems.push(
          problem(
            at,
            `resource "${r.name}" maps to table "${table}", as resource "${other.name}" does (names are normalised to snake_case)`,
            'give one of them another name or table_name',
          ),
        );
      } else if (table.startsWith(`${theirs}${PATH_SEPARATOR}`) || theirs.startsWith(`${table}${PATH_SEPARATOR}`)) {
        const [child, parent] = table.startsWith(`${theirs}${PATH_SEPARATOR}`) ? [table, other.name] : [theirs, r.name];
        problems.push(
          problem(
            at,
            `resources "${other.name}" and "${r.name}" collide: table "${child}" is where the nested lists of resource "${parent}" go`,
            'give one of them another name or table_name',
          ),
        );
      }
    }
  }
  return problems;
}
