/**
 * The Temporal Web UI tells the story of a sync: after a run, Debian's chromium (driven by playwright-core,
 * headless, no browser download) filters the dev server's UI by `SluicePipeline`, opens the run and one
 * resource's workflow, and finds the static summary and the page activities with their summaries.
 * Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { stackEndpoints } from '../../src/dev/stack';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

// The Web UI of the stack the suite runs on (`sluice dev up` puts it on the Temporal port + 1000 unless TEMPORAL_UI_PORT says).
const UI = process.env.TEMPORAL_UI_URL ?? stackEndpoints().temporalUi;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = join(__dirname, '..', '..', 'test-artifacts', 'web-ui');
const API_KEY = 'ui-secret-key-77';
const pipeline = uniqueName('ui');
const database = uniqueName('sluice_it_ui');

let api: MockAnalyticsApi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  api = await startMockAnalyticsApi({ records: 120, apiKey: API_KEY });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  const clickhouse = testClickHouse();
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse.close();
});

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

test('filter by SluicePipeline, open the run and a resource: summary and page activities are shown', async () => {
  const config = join(mkdtempDir(), `${pipeline}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
      resources: [{ name: 'events', endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 50 } } }],
      // One page per batch, so each page is an activity of its own with its offset in the summary.
      destination: { batch_pages: 1 },
    }),
  );
  const run = await runCli(['run', config, '--with-worker', '--json', '--database', database], { API_KEY, SLUICE_TASK_QUEUE: uniqueName('tq_ui') });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

  // The list, filtered by the pipeline's search attribute: the run and its resource workflow, nothing else.
  const query = encodeURIComponent(`SluicePipeline="${pipeline}"`);
  await page.goto(`${UI}/namespaces/default/workflows?query=${query}`, { waitUntil: 'domcontentloaded' });
  const runLink = page.getByRole('link', { name: `sluice/${pipeline}`, exact: true });
  await runLink.waitFor({ timeout: 30_000 });
  await page.getByText(`sluice/${pipeline}/events`).first().waitFor();
  await shot('1-list-filtered-by-pipeline');

  // The run: its static summary names the pipeline and the database.
  await runLink.click();
  await page.getByText('User Metadata', { exact: true }).first().click();
  // The UI renders the summary (markdown) in a sandboxed iframe.
  await page.frameLocator('iframe').first().getByText(`sync ${pipeline} → ${database}`).waitFor({ timeout: 30_000 });
  await page.getByText(`${pipeline} / events → ${database}.events`).first().waitFor();
  await shot('2-run');

  // The resource's workflow: the page activities and their summaries (offset and limit of each page).
  await page.goto(`${UI}/namespaces/default/workflows/${encodeURIComponent(`sluice/${pipeline}/events`)}`, { waitUntil: 'domcontentloaded' });
  await page.getByText(`${pipeline} / events`).first().waitFor({ timeout: 30_000 });
  await page
    .getByText(/offset=50 limit=50/)
    .first()
    .waitFor({ timeout: 30_000 });
  expect(await page.getByText(/fetchAndLoadPage/).count()).toBeGreaterThan(0);
  await shot('3-resource-with-page-activities');
});

function mkdtempDir(): string {
  const dir = join(tmpdir(), `sluice-ui-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
