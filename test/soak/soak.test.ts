/**
 * The CI soak (docs/reliability.md, "Soak"): `npm run soak` twice, on a fixed seed and on a random one
 * (printed, so a failure replays), each SOAK_CI_MINUTES of chaos (1.5 by default: 3 minutes in all). Each
 * passes only when the soak exits 0, i.e. every table equals the API's truth. The soak starts its own
 * Temporal and ClickHouse on the environment's ports, so no stack may run there.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const minutes = process.env.SOAK_CI_MINUTES ?? '1.5';

function soak(seed: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'bench', 'soak', 'soak.ts'), '--minutes', minutes, '--seed', String(seed)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const randomSeed = Math.floor(Math.random() * 2 ** 32);

test.each([
  ['fixed', 20261207],
  ['random', randomSeed],
])('the %s seed (%d): every table equals the API after the chaos', async (_kind, seed) => {
  const { code, output } = await soak(seed);
  // The verdict's table, or the error, is the message a red CI shows.
  if (code !== 0) throw new Error(`soak seed ${seed} exited ${code}:\n${output.split('\n').slice(-40).join('\n')}`);
  expect(output).toMatch(/soak verdict .*: EXACT/);
});
