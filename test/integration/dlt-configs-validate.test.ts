/**
 * Every dlt anchor config passes `sluice validate` as a user would run it (the CLI, exit code 0), and
 * a config dlt rejects fails it with exit 2 and one line per problem.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { dltConfigsDir } from '../helpers/dlt-configs';

const files = existsSync(dltConfigsDir)
  ? readdirSync(dltConfigsDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];
// sluice's own compat configs in dlt's Python forms: dlt's classes imported from 'sluice' (issue 27 item 1).
const ownDir = join(__dirname, '..', 'fixtures', 'dlt-compat');
const own = readdirSync(ownDir)
  .filter((f) => f.endsWith('.ts'))
  .sort();

test('the dlt anchor configs are present beside the checkout', () => {
  // Not a skip: without the folder this test fails and says where it looked.
  expect({ dir: dltConfigsDir, found: files.length >= 20 }).toEqual({ dir: dltConfigsDir, found: true });
});

test.each(files)('sluice validate accepts %s', async (file) => {
  const result = await runCli(['validate', join(dltConfigsDir, file)]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/: valid \(\d+ resources?: /);
});

test.each(own)("sluice validate accepts %s (a .ts config importing from 'sluice')", async (file) => {
  // Run from outside the checkout, where tsx finds no tsconfig.json paths: 'sluice' is sluice-import.ts's to resolve.
  const result = await runCli(['validate', join(ownDir, file)], {}, undefined, tmpdir());
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/: valid \(\d+ resources?: /);
});

test('what dlt rejects is rejected with one line per problem and exit 2', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-reject-')), 'bad.json');
  writeFileSync(
    path,
    JSON.stringify({
      client: { base_url: 'https://api.example.com', paginator: { type: 'offset' } },
      resources: [
        { name: 'a', params: { x: 1 }, endpoint: { path: 'a', method: 'PUT' } },
        { name: 'b', endpoint: { path: 'b/{resources.ghost.id}' } },
        { name: 'a', endpoint: { path: 'c', data_selektor: 'data' } },
      ],
    }),
  );
  const result = await runCli(['validate', path]);
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines.length).toBeGreaterThanOrEqual(5);
  expect(result.stderr).toMatch(/client\.paginator\.limit: .*required/);
  expect(result.stderr).toMatch(/resources\[0\]\.params: .*endpoint/);
  expect(result.stderr).toMatch(/resources\[0\]\.endpoint\.method: .*(GET|POST)/);
  expect(result.stderr).toMatch(/ghost/);
  expect(result.stderr).toMatch(/data_selektor.*did you mean "data_selector"/);
  expect(result.stderr).toMatch(/duplicate|twice|more than once/i);
});
