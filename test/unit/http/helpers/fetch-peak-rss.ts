/**
 * Fetches one page in this process and prints, as one JSON line, how it ended and the process's peak RSS
 * (page-size.test.ts runs it as a child, so the measure is this fetch's alone). Arguments: the page's URL, the
 * fetch's timeout in seconds.
 */
import { fetchPage, closeHttpDispatcher } from '../../../../src/http';
import { endpoint } from './endpoint';

async function main(): Promise<void> {
  const url = process.argv[2]!;
  const timeoutSeconds = Number(process.argv[3]);
  const outcome = await fetchPage({
    endpoint: endpoint(url, { paginator: { type: 'single_page' }, data_selector: '$', max_response_bytes: 64 * 1024 * 1024, timeout_seconds: timeoutSeconds }),
    secretValues: [],
    state: null,
    placeholders: {},
  }).then(
    (page) => ({ records: page.records.length }),
    (err: unknown) => ({ error: err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err) }),
  );
  await closeHttpDispatcher();
  process.stdout.write(`${JSON.stringify({ ...outcome, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

void main();
