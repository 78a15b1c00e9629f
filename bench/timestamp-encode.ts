/**
 * `npx tsx bench/timestamp-encode.ts [checkout] [precision]`: the per-value cost of a timestamp column, the
 * RowBinary encoder and the JSONEachRow converter of `Nullable(DateTime64(P, 'UTC'))` over 1,000,000
 * `toISOString()` values (with three more digits when P is 6), best of 5 passes. Give another checkout's
 * root (a worktree of the commit before) to A/B a change in alternating processes.
 */
import { join } from 'node:path';

const root = process.argv[2] ?? join(__dirname, '..');
const precision = Number(process.argv[3] ?? 3);
/* eslint-disable @typescript-eslint/no-require-imports */
const rb = require(join(root, 'src/destination/row-binary.ts')) as typeof import('../src/destination/row-binary');
const vals = require(join(root, 'src/destination/values.ts')) as typeof import('../src/destination/values');
const N = 1_000_000;
const type = `Nullable(DateTime64(${precision}, 'UTC'))`;
const values = Array.from({ length: 1000 }, (_, i) => {
  const iso = new Date(Date.UTC(2024, 0, 1) + i * 61_123).toISOString();
  return precision === 6 ? iso.replace('Z', '456Z') : iso;
});
const encode = rb.binaryEncoderFor(type)!;
const convert = vals.converterFor(type);

function nsPerValue(work: () => void): number {
  const t = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - t) / N;
}

const best = { rowBinary: Infinity, json: Infinity };
for (let pass = 0; pass < 5; pass++) {
  const w = new rb.RowBinaryWriter(16 * N);
  best.rowBinary = Math.min(
    best.rowBinary,
    nsPerValue(() => {
      for (let i = 0; i < N; i++) encode(w, values[i % 1000]);
    }),
  );
  let chars = 0;
  best.json = Math.min(
    best.json,
    nsPerValue(() => {
      for (let i = 0; i < N; i++) chars += String(convert(values[i % 1000])).length;
    }),
  );
  if (chars === 0) throw new Error('nothing converted');
}
console.log(`${root} ${type}: RowBinary ${best.rowBinary.toFixed(1)} ns/value, JSONEachRow ${best.json.toFixed(1)} ns/value`);
