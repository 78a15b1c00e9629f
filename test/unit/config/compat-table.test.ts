/**
 * docs/configuration.md's compatibility table must stay true: every key the schema accepts (asked of
 * `validate` itself, test/helpers/schema-keys.ts) has a row, and no row names a key the schema
 * does not know, unless the row says it is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptedSchemaKeys } from '../../helpers/schema-keys';

const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
const section = doc.slice(doc.indexOf('## dlt compatibility, key by key'));

interface Row {
  keys: string[];
  status: string;
}

function rows(): Row[] {
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| key') && !line.startsWith('| ---'))
    .map((line) => {
      const [first = '', status = ''] = line.split('|').slice(1, 3);
      return { keys: [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]!), status: status.trim() };
    });
}

/** resource_defaults takes the resource's keys, the legacy incremental param the incremental ones. */
function documentedAs(key: string): string {
  return key.replace(/^resource_defaults\./, 'resource.').replace(/^params\.incremental\./, 'incremental.');
}

test('the compatibility table is there', () => {
  expect(section.length).toBeGreaterThan(0);
  expect(rows().length).toBeGreaterThan(20);
});

test('every key the schema accepts has a row', () => {
  const documented = new Set(rows().flatMap((r) => r.keys));
  const missing = [...new Set(acceptedSchemaKeys().map(documentedAs))].filter((key) => !documented.has(key));
  expect(missing).toEqual([]);
});

test('a row that is not "refused" names only keys the schema accepts', () => {
  const accepted = new Set(acceptedSchemaKeys().map(documentedAs));
  const stale = rows()
    .filter((r) => r.status !== 'refused')
    .flatMap((r) => r.keys)
    .filter((key) => !accepted.has(key));
  expect(stale).toEqual([]);
});
