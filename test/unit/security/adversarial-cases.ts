/**
 * Every parser and pattern that reads API data, each fed a 1 MB adversarial string (issue 24): long runs that
 * make a backtracking pattern try every split, then a character that fails the match. Run by
 * linear-parsers.test.ts in a child process, so a quadratic case that would block for hours is killed and
 * reported instead of hanging the suite.
 */
import { converterFor, timestampTicks, dateDays } from '../../../src/destination/values';
import { binaryEncoderFor, RowBinaryWriter } from '../../../src/destination/row-binary';
import { inferDataType, parseTimestamp } from '../../../src/destination/types';
import { normalizeIdentifier, normalizePath } from '../../../src/destination/naming';
import { CURRENT_SERVER_FEATURES } from '../../../src/destination/infer';
import { parseIso } from '../../../src/core/iso-time';
import { parseJsonExact } from '../../../src/core/exact-json';
import { compareCursor } from '../../../src/http/incremental';
import { parseLinkHeader } from '../../../src/http/paginators/header-link';
import { parseRetryAfter } from '../../../src/http/classify';
import { compileJsonPath, findValues } from '../../../src/http/json-path';
import { selectRecords } from '../../../src/http/selector';

const MB = 1_000_000;
const digits = '1'.repeat(MB);
const run = (c: string, n = MB): string => c.repeat(n / c.length);
const zeros = Array.from({ length: MB }, () => 0);
const emptyRecords = { data: Array.from({ length: MB }, () => ({})) };

export const CASES: Record<string, () => unknown> = {
  'Float64 column: 1M digits then a letter': () => converterFor('Float64')(`${digits}x`),
  'Decimal column: 1M digits then a letter': () => converterFor('Decimal(38, 9)')(`${digits}x`),
  'Decimal column: "1." then 1M digits then a letter': () => converterFor('Nullable(Decimal(38, 9))')(`1.${digits}x`),
  'JSON body: an integer of 1M digits (the exact parse)': () => parseJsonExact(`[${digits}]`),
  'JSON body: a fraction of 1M digits': () => parseJsonExact(`[1.${digits}e5]`),
  'Int64 column: 1M digits then a letter': () => converterFor('Int64')(`${digits}x`),
  'RowBinary Float64: 1M digits then a letter': () => binaryEncoderFor('Float64')!(new RowBinaryWriter(), `${digits}x`),
  'timestamp: a fraction of 1M digits then a letter': () => parseTimestamp(`2024-01-01T00:00:00.${digits}x`),
  'timestamp column (precision 9): a fraction of 1M digits, rounded': () => converterFor("DateTime64(9, 'UTC')")(`2024-01-01T00:00:00.${digits}5Z`),
  'RowBinary DateTime64(6): a fraction of 1M digits': () => binaryEncoderFor("DateTime64(6, 'UTC')")!(new RowBinaryWriter(), `2024-01-01T00:00:00.${digits}Z`),
  'timestamp: 1M spaces before the offset': () => timestampTicks(`2024-01-01T00:00:00${run(' ')}Z`, true, 3),
  'date column: 1M digits': () => dateDays(digits),
  'type inference: 1M digits': () => inferDataType(digits, CURRENT_SERVER_FEATURES),
  'ISO cursor: a fraction of 1M digits then a letter': () => parseIso(`2024-01-01T00:00:00.${digits}x`),
  'ISO cursor: 1M spaces around a letter': () => parseIso(`${run(' ')}x${run(' ')}`),
  'cursor compare: two 1M-digit integers': () => compareCursor(digits, `${digits.slice(1)}2`),
  'cursor compare: 1M digits then a letter': () => compareCursor(`${digits}x`, `${digits}y`),
  'identifier: 1M underscores then a letter': () => normalizeIdentifier(`${run('_')}a`),
  'identifier: 1M dashes then a letter': () => normalizeIdentifier(`${run('-')}a`),
  'identifier: 1M dots then a letter': () => normalizeIdentifier(`${run('.')}a`),
  'identifier: 1M spaces inside': () => normalizeIdentifier(`a${run(' ')}a`),
  'identifier: camelCase humps for 1M characters': () => normalizeIdentifier(run('aA')),
  'identifier: 1M capitals then a lower-case letter': () => normalizeIdentifier(`${run('A')}a`),
  'nested path: 1M underscores': () => normalizePath(`${run('_')}a`),
  'JSONPath: a quoted key of 1M characters': () => compileJsonPath(`$['${run('a')}']`),
  'JSONPath: a quoted key of 500k escapes': () => compileJsonPath(`$['${run('\\a')}']`),
  'JSONPath: a key of 1M characters': () => compileJsonPath(run('a')),
  'JSONPath: [*] over a list of 1M items': () => findValues('$[*]', zeros),
  'data_selector: a list of 1M records': () => selectRecords(emptyRecords, 'data[*]'),
  'Link header: 1M "<"': () => parseLinkHeader(run('<')),
  'Link header: 1M spaces after ";"': () => parseLinkHeader(`<https://a/>;${run(' ')}x`),
  'Link header: 1M ";"': () => parseLinkHeader(`<https://a/>${run(';')}`),
  'Link header: a rel of 1M "="': () => parseLinkHeader(`<https://a/>; rel${run('=')},x`),
  'Link header: 500k entries': () => parseLinkHeader(run('<a>;rel=n,')),
  'Retry-After: 1M digits then a letter': () => parseRetryAfter(`${digits}x`),
  'Retry-After: 1M digits': () => parseRetryAfter(digits),
};

if (require.main === module) {
  // "ready" once loaded, then each case's name as it starts, and when it ends the CPU time this process spent
  // on it: the parent's watchdog knows which case is running, whatever module loading cost. CPU time, not
  // wall-clock time: a machine loaded 15× stretches the second, not the first.
  process.stdout.write('ready\n');
  for (const name of process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(CASES)) {
    process.stdout.write(`${JSON.stringify({ start: name })}\n`);
    const start = process.cpuUsage();
    CASES[name]!();
    const { user, system } = process.cpuUsage(start);
    process.stdout.write(`${JSON.stringify({ name, cpuMs: (user + system) / 1000 })}\n`);
  }
}
