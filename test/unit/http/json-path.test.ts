/**
 * JSONPath as dlt reads it (jsonpath-ng's extended parser). Every expectation below is what
 * jsonpath-ng 1.8.0 returned for the same path and document (checked with its `ext.parse`), so a
 * dlt config selects the same values in sluice.
 */
import type { JsonValue } from '../../../src/config/types';
import { findValues } from '../../../src/http/json-path';
import { validateSourceConfig, formatProblem } from '../../../src/config';

const doc: JsonValue = {
  '@odata.nextLink': 'https://api.test/next',
  '@id': 5,
  'a.b': 1,
  a: { b: 2, c: 3 },
  data: [
    { id: 1, s: 'x', n: 5 },
    { id: 2, s: 'y', n: 10 },
    { id: 3, s: 'x', n: 1, t: { u: true } },
  ],
  'k-1': 3,
  o: { k: { id: 9 } },
};

describe('findValues reads jsonpath-ng syntax', () => {
  it.each<[string, unknown[]]>([
    // keys with special characters: bracket and quoted forms
    ["['@odata.nextLink']", ['https://api.test/next']],
    ["$['@odata.nextLink']", ['https://api.test/next']],
    ["'@odata.nextLink'", ['https://api.test/next']],
    ['"@odata.nextLink"', ['https://api.test/next']],
    ['@id', [5]],
    ["$.'a.b'", [1]],
    ["$['a.b']", [1]],
    ['a.b', [2]],
    ['k-1', [3]],
    ["$['a','a.b']", [{ b: 2, c: 3 }, 1]],
    ['$.a.b,c', [2, 3]],
    // lists
    ['$.data[*].id', [1, 2, 3]],
    ['data[*].id', [1, 2, 3]],
    ['$.data.[*].id', [1, 2, 3]],
    ['$.data[0:2].id', [1, 2]],
    ['$.data[::2].id', [1, 3]],
    ['$.data[-1].id', [3]],
    ['$.data[0,2].id', [1, 3]],
    ['$.data.id', []],
    ['$.a[*]', [{ b: 2, c: 3 }]],
    ['$.a.*', [2, 3]],
    ['$..id', [1, 2, 3, 9]],
    ['$.o..id', [9]],
    // filters
    ["$.data[?(@.s == 'x')].id", [1, 3]],
    ["$.data[?(@.s = 'x')].id", [1, 3]],
    ["$.data[?s = 'x'].id", [1, 3]],
    ['$.data[?(@.s == x)].id', [1, 3]],
    ['$.data[?(n > 4)].id', [1, 2]],
    ['$.data[? @.n > 4].id', [1, 2]],
    ['$.data[?(@.n >= 5)].id', [1, 2]],
    ['$.data[?(@.n != 5)].id', [2, 3]],
    ["$.data[?(@.n > 2 & @.s == 'x')].id", [1]],
    ['$.data[?(@.t.u == true)].id', [3]],
    ['$.data[?(@.t)].id', [3]],
    ["$.data[?(@.id == '1')].id", []],
    ["$.data[?(@['s'] == 'x')].id", [1, 3]],
    ['$.o[?(@.id == 9)]', [{ id: 9 }]],
  ])('%s', (path, expected) => {
    expect(findValues(path, doc)).toEqual(expected);
  });

  it("refuses jsonpath-ng's regex filter: an untrusted pattern could run without bound on the worker", () => {
    expect(() => findValues("$.data[?(@.s =~ '^x$')]", doc)).toThrow(/regex filters \(=~\) are not supported/);
  });

  it('refuses a malformed path at run time with the path and where it stopped', () => {
    expect(() => findValues('$.data[', doc)).toThrow(/invalid JSONPath "\$\.data\[": .* at character 8 \(hint: jsonpath-ng syntax/);
  });
});

describe('validate refuses malformed JSONPath where a config holds one', () => {
  const client = { base_url: 'https://api.test' };
  it.each<[string, unknown, RegExp]>([
    [
      'data_selector',
      { name: 'r', endpoint: { data_selector: 'data[*' } },
      /^resources\[0\]\.endpoint\.data_selector: invalid JSONPath "data\[\*": "\]" missing at the end at character 7 \(hint: jsonpath-ng syntax/,
    ],
    [
      'next_url_path',
      { name: 'r', endpoint: { paginator: { type: 'json_link', next_url_path: 'links..' } } },
      /^resources\[0\]\.endpoint\.paginator\.next_url_path: invalid JSONPath "links\.\.": the path ends after a dot/,
    ],
    [
      'cursor_path',
      { name: 'r', endpoint: { incremental: { cursor_path: 'updated at', initial_value: 1 } } },
      /^resources\[0\]\.endpoint\.incremental\.cursor_path: invalid JSONPath "updated at": expected "\.", "\.\." or "\["/,
    ],
    [
      'total_path',
      { name: 'r', endpoint: { paginator: { type: 'offset', limit: 10, total_path: '$.meta[(@.length-1)]' } } },
      /total_path: invalid JSONPath .*script expressions/,
    ],
    [
      'a parent field',
      { name: 'c', endpoint: { path: 'x/{resources.r.items[}' } },
      /^resources\[1\]\.endpoint\.path: placeholder "\{resources\.r\.items\[\}": invalid JSONPath "items\["/,
    ],
  ])('%s', (_what, resource, expected) => {
    const resources = _what === 'a parent field' ? [{ name: 'r' }, resource] : [resource];
    const result = validateSourceConfig({ client, resources });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map(formatProblem)).toEqual([expect.stringMatching(expected)]);
  });

  it('accepts the bracket form for keys with dots or @', () => {
    expect(
      validateSourceConfig({
        client,
        resources: [{ name: 'r', endpoint: { paginator: { type: 'json_link', next_url_path: "['@odata.nextLink']" }, data_selector: 'value' } }],
      }).ok,
    ).toBe(true);
  });
});
