/**
 * `sluice preview` shows a page as a load would store it (issue 27 item 10): the resource's
 * processing_steps run on it (a parent's before its child sees its first record), and a child's records
 * carry their include_from_parent columns (`_<parent>_<field>`), in the fields, the tables and the rows.
 * The real CLI, a real local API, a .ts config in a directory outside the checkout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

let server: Server;
let configPath: string;
const requested: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requested.push(req.url ?? '');
    const body =
      req.url === '/repos'
        ? [
            { name: 'archived', archived: true, stars: 1 },
            { name: 'sluice', archived: false, stars: 42 },
          ]
        : req.url === '/repos/sluice/issues'
          ? [
              { number: 7, title: 'Preview', draft: false },
              { number: 8, title: 'Draft', draft: true },
            ]
          : { error: 'not found' };
    res.writeHead(Array.isArray(body) ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  configPath = join(mkdtempSync(join(tmpdir(), 'sluice-preview-')), 'repos.ts');
  writeFileSync(
    configPath,
    `import { SinglePagePaginator, defineSource } from 'sluice';

export default defineSource({
  client: { base_url: 'http://127.0.0.1:${(server.address() as AddressInfo).port}/', paginator: new SinglePagePaginator() },
  resources: [
    { name: 'repos', endpoint: 'repos', processing_steps: [{ filter: (repo) => !repo.archived }] },
    {
      name: 'issues',
      endpoint: { path: 'repos/{resources.repos.name}/issues' },
      include_from_parent: ['name', 'stars'],
      processing_steps: [{ filter: (issue) => !issue.draft }, { map: (issue) => ({ ...issue, title: issue.title.toUpperCase() }) }],
    },
  ],
});
`,
  );
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

interface PreviewJson {
  records: number;
  fields: Array<{ path: string }>;
  tables: Array<{ table: string; columns: Array<{ name: string }> }>;
  rows: unknown[];
}

async function preview(resource: string): Promise<PreviewJson> {
  const result = await runCli(['preview', configPath, '--resource', resource, '--json']);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as PreviewJson;
}

test("a parent's processing_steps filter its page", async () => {
  const out = await preview('repos');
  expect(out.rows).toEqual([{ name: 'sluice', archived: false, stars: 42 }]);
  expect(out.records).toBe(1);
});

test("a child is previewed for the parent's first processed record, with include_from_parent columns and its own steps", async () => {
  requested.length = 0;
  const out = await preview('issues');
  // The archived repo was filtered out, so the child asks for the issues of "sluice".
  expect(requested).toEqual(['/repos', '/repos/sluice/issues']);
  expect(out.rows).toEqual([{ number: 7, title: 'PREVIEW', draft: false, _repos_name: 'sluice', _repos_stars: 42 }]);
  expect(out.fields.map((f) => f.path)).toEqual(['number', 'title', 'draft', '_repos_name', '_repos_stars']);
  expect(out.tables[0]!.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['_repos_name', '_repos_stars']));
});
