/**
 * The nesting depth of a JSON document, measured on its UTF-8 bytes before it is parsed. V8's JSON.parse
 * is iterative and takes any depth, but what sluice does next is recursive (the row flattening walk,
 * JSON.stringify of a nested value): about 5,000 levels overflow the stack. A document past the limit
 * is refused with a clear error instead of a RangeError that would be retried.
 *
 * Bytes, not characters: in UTF-8 no byte of a multi-byte character is an ASCII bracket or quote, so a
 * byte loop is exact, and it runs on the buffer the body was read into, before it is decoded.
 */

/** Deeper than any API's real records; far below the ~5,000 levels where the recursive walks overflow. */
export const MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/** True when `bytes` (JSON text) opens more than `limit` arrays and objects inside each other. */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let depth = 0;
  for (let i = 0; i < buffer.length; i++) {
    const b = buffer[i]!;
    if (b === QUOTE) {
      // Most of a document's bytes are inside strings: jump over them with the native search.
      i = closingQuote(buffer, i);
      if (i < 0) return false; // an unterminated string: JSON.parse reports it
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1. */
function closingQuote(buffer: Buffer, open: number): number {
  let at = buffer.indexOf(QUOTE, open + 1);
  while (at > 0) {
    let backslashes = 0;
    while (buffer[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = buffer.indexOf(QUOTE, at + 1);
  }
  return -1;
}
