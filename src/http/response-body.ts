/**
 * Reads a response body into text within a byte limit, as UTF-8 only. A hostile or broken API must not
 * make a worker buffer an unbounded body (it is cut off while it streams, the first byte past the
 * limit ends it), nor turn a Latin-1 or compressed body into mojibake that is then loaded as data, nor
 * hand on JSON nested deep enough to overflow the stack (json-depth.ts).
 */
import type { Dispatcher } from 'undici';
import { SluiceError } from '../errors';
import { type JsonShape, MAX_JSON_DEPTH, measureJson } from './json-depth';

/** The default of `client.max_response_bytes`: twice the default batch_bytes, so a batch still fits one page. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

function tooLarge(where: string, limit: number, seen: string): SluiceError {
  return new SluiceError(
    'response_shape',
    `response from ${where} is larger than client.max_response_bytes (${limit} bytes; ${seen}): raise client.max_response_bytes, or ask the API for smaller pages (a page size or limit param)`,
  );
}

/** Stops reading and closes the connection; the abort error this raises on the stream is expected. */
function discard(res: Dispatcher.ResponseData): void {
  res.body.on('error', () => undefined);
  res.body.destroy();
}

/** The body as text, and its shape as JSON; `where` is the masked method and URL for messages. */
export async function readBodyText(
  res: Dispatcher.ResponseData,
  headers: Record<string, string>,
  limit: number,
  where: string,
): Promise<{ text: string; shape: JsonShape }> {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    discard(res);
    throw new SluiceError(
      'response_shape',
      `response from ${where} is compressed (Content-Encoding: ${encoding}) though sluice did not ask for compression; the API or a proxy in front of it must send it uncompressed`,
    );
  }
  const charset = charsetOf(headers['content-type']);
  if (charset !== undefined && !UTF8_CHARSETS.has(charset)) {
    discard(res);
    throw new SluiceError('response_shape', `response from ${where} is in charset ${charset}; sluice reads JSON as UTF-8 only (RFC 8259), so the API must send UTF-8`);
  }
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discard(res);
    throw tooLarge(where, limit, `Content-Length says ${declared}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      discard(res);
      throw tooLarge(where, limit, `stopped reading at ${size}`);
    }
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks, size);
  chunks.length = 0;
  const shape = measureJson(bytes, MAX_JSON_DEPTH);
  if (shape.tooDeep) {
    throw new SluiceError(
      'response_shape',
      `response from ${where} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; sluice refuses it rather than overflow its stack flattening the records`,
    );
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), shape };
  } catch {
    throw new SluiceError(
      'response_shape',
      `response from ${where} is not valid UTF-8${charset ? '' : ' (no charset was declared)'}; sluice reads JSON as UTF-8 only, so the API must send UTF-8`,
    );
  }
}
