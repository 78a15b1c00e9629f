/**
 * JSON nesting: V8's JSON.parse takes any depth, but sluice's row flattening walk (and JSON.stringify of a
 * nested value) recurse and overflow at a few thousand levels. A real deep document from a real server
 * is refused with a clear error; one at the limit goes through both walks.
 */
import { flattenRecord } from '../../../src/destination/shaper';
import { SluiceError } from '../../../src/errors';
import { fetchPage } from '../../../src/http';
import { MAX_JSON_DEPTH, measureJson, nestsDeeperThan } from '../../../src/http/json-depth';
import type { JsonObject } from '../../../src/config/types';
import { endpoint } from './helpers/endpoint';
import { useTestServer } from './helpers/server';

const server = useTestServer();

/** A list of one record whose field `deep` nests `levels` objects (with a string full of brackets on the way). */
function deepDocument(levels: number): string {
  return `[{"id":1,"note":"[[{{\\"]]","deep":${'{"a":'.repeat(levels - 2)}1${'}'.repeat(levels - 2)}}]`;
}

function serve(body: string): Promise<unknown> {
  server.route('/deep', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  return fetchPage({ endpoint: endpoint(`${server.base}/deep`, { paginator: { type: 'single_page' } }), secretValues: [], state: null, placeholders: {} }).then(
    (page) => page,
    (err: unknown) => err,
  );
}

it('a document nested 20,000 levels deep parses, then overflows the flattening walk: sluice refuses it first, clearly', async () => {
  const text = deepDocument(20_000);
  const parsed = JSON.parse(text) as JsonObject[];
  expect(() => flattenRecord(parsed[0]!)).toThrow(RangeError);
  const err = await serve(text);
  expect(err).toBeInstanceOf(SluiceError);
  expect((err as SluiceError).kind).toBe('response_shape');
  expect((err as SluiceError).message).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
});

it('a document at the limit goes through the fetch, the flattening walk and JSON.stringify', async () => {
  const page = (await serve(deepDocument(MAX_JSON_DEPTH))) as { records: JsonObject[] };
  expect(page.records).toHaveLength(1);
  expect(() => flattenRecord(page.records[0]!)).not.toThrow();
  expect(() => JSON.stringify(page.records[0])).not.toThrow();
});

it('counts brackets outside strings only, escaped quotes included', () => {
  const inString = Buffer.from(JSON.stringify({ s: '['.repeat(50) + '\\"' + '{'.repeat(50) }));
  expect(nestsDeeperThan(inString, 2)).toBe(false);
  expect(nestsDeeperThan(Buffer.from('[[[1]]]'), 2)).toBe(true);
  expect(nestsDeeperThan(Buffer.from('[[1],[2],[3]]'), 2)).toBe(false);
  expect(nestsDeeperThan(Buffer.from('["é",["ü",{"k":"✓"}]]'), 2)).toBe(true);
});

/** What measureJson counts, from the parsed document: every value, and the longest array. */
function shapeOf(value: unknown): { largestArray: number; values: number } {
  let largestArray = 0;
  let values = 0;
  const visit = (v: unknown): void => {
    values += 1;
    if (Array.isArray(v)) {
      largestArray = Math.max(largestArray, v.length);
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return { largestArray, values };
}

it('counts every value and the longest array as JSON.parse reads them, through strings with escapes, brackets, commas and non-ASCII', () => {
  const documents = [
    { data: [{ s: 'a\\' }, { s: '\\"]' }, { s: '\\\\' }, { s: '"[,{' }], total: 3 },
    ['\\', '\\\\"', ',', ']', '}', 'é,ü', '😀[', ''],
    { a: { b: [1, 2, [3, 4, 5, 6]], c: '\\u005b' }, d: [], e: {}, f: [null, true, false, -1.5e3] },
    [[], [[]], [{}], 'x'.repeat(1000) + '\\'],
  ];
  for (const doc of documents) {
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      const shape = measureJson(Buffer.from(text), 100);
      expect({ text, ...shape }).toEqual({ text, tooDeep: false, ...shapeOf(JSON.parse(text)) });
    }
  }
});
