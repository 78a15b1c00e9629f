/**
 * `sluice preview <config> --all`: the first two pages of every resource, fetched right here, with a
 * verdict on each paginator: a second page that differs from the first shows paging works; one that
 * repeats it shows the page parameter is not applied; no second page after a full first one may mean the
 * paginator stops too early. The check a generated config (`sluice init --openapi`) needs before its
 * first run, since a source that loads only its first page looks like it works.
 */
import type { JsonObject, ResolvedResource, ResolvedSource } from '../config/types';
import { inferTables } from '../destination';
import { SluiceError } from '../errors';
import { closeHttpDispatcher, fetchPage, type FetchedPage } from '../http';
import { resolveSecretRefs } from '../config/secrets';
import { escapeControls } from '../terminal-text';
import { CliError, EXIT_SYNC_FAILED } from './exit-codes';
import { firstPage } from './preview-page';

export type PagingVerdict = 'works' | 'repeats' | 'single' | 'empty_second' | 'empty' | 'failed';

export interface ResourcePreview {
  resource: string;
  verdict: PagingVerdict;
  firstPage: number;
  secondPage: number | null;
  message: string;
  columns: Array<{ table: string; name: string; type: string }>;
}

/** Where each paginator takes its page parameter from: what to check when page 2 repeats page 1. */
function pageSetting(resource: ResolvedResource): string {
  const paginator = resource.endpoint.paginator as { type: string } & Record<string, unknown>;
  const names: Record<string, string> = {
    offset: 'offset_param / limit_param',
    page_number: 'page_param',
    cursor: 'cursor_param and cursor_path',
    header_cursor: 'cursor_param and cursor_key',
    json_link: 'next_url_path',
    header_link: 'links_next_key',
  };
  return `paginator ${paginator.type}${names[paginator.type] ? ` (${names[paginator.type]})` : ''}`;
}

function verdictOf(resource: ResolvedResource, first: FetchedPage, second: FetchedPage | null): { verdict: PagingVerdict; message: string } {
  if (first.records.length === 0) return { verdict: 'empty', message: 'the first page has no records: nothing to check (is data_selector right?)' };
  if (second === null) {
    return {
      verdict: 'single',
      message: `no second page after ${first.records.length} records: right if that is all there is; if the API has more, the ${pageSetting(resource)} stops too early`,
    };
  }
  if (second.records.length === 0) return { verdict: 'empty_second', message: 'the second page is empty: right at the end of the data' };
  if (JSON.stringify(second.records) === JSON.stringify(first.records)) {
    return { verdict: 'repeats', message: `the second page repeats the first: the API ignores what the paginator sends; check the ${pageSetting(resource)}` };
  }
  return { verdict: 'works', message: `pages differ (${first.records.length}, then ${second.records.length} records): paging works` };
}

async function previewResource(source: ResolvedSource, resource: ResolvedResource): Promise<ResourcePreview> {
  try {
    const first = await firstPage(source, resource);
    let second: FetchedPage | null = null;
    if (first.next !== null) {
      const { value: endpoint, secretValues } = resolveSecretRefs(resource.endpoint);
      second = await fetchPage({ endpoint, secretValues, state: first.next as JsonObject, placeholders: first.placeholders });
    }
    const { verdict, message } = verdictOf(resource, first, second);
    const records = [...first.records, ...(second?.records ?? [])];
    const columns = inferTables(resource, records).flatMap((t) =>
      t.columns.filter((c) => !c.name.startsWith('_sluice_')).map((c) => ({ table: t.table, name: c.name, type: c.type })),
    );
    return { resource: resource.name, verdict, firstPage: first.records.length, secondPage: second ? second.records.length : null, message, columns };
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    return { resource: resource.name, verdict: 'failed', firstPage: 0, secondPage: null, message: escapeControls(err.message), columns: [] };
  }
}

export async function previewAll(source: ResolvedSource, options: { json: boolean }, print: (line: string) => void): Promise<void> {
  const previews: ResourcePreview[] = [];
  try {
    // One resource at a time: a preview is a person's check, not a load, and must not trip rate limits.
    for (const resource of source.resources) previews.push(await previewResource(source, resource));
  } finally {
    await closeHttpDispatcher().catch(() => undefined);
  }
  if (options.json) {
    print(JSON.stringify({ resources: previews }));
  } else {
    for (const p of previews) {
      print(`${p.resource}: ${p.verdict === 'works' ? 'ok' : p.verdict === 'failed' ? 'FAILED' : p.verdict === 'repeats' ? 'CHECK' : 'note'}: ${p.message}`);
      for (const c of p.columns) print(`  ${escapeControls(c.table)}.${escapeControls(c.name)}  ${c.type}`);
    }
  }
  const bad = previews.filter((p) => p.verdict === 'failed' || p.verdict === 'repeats');
  if (bad.length)
    throw new CliError(`preview --all: ${bad.length} of ${previews.length} resources need attention (${bad.map((p) => p.resource).join(', ')})`, EXIT_SYNC_FAILED);
}
