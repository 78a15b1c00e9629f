/**
 * The nesting depth of a JSON document, and how many values it holds, measured on its UTF-8 bytes before it
 * is parsed. V8's JSON.parse
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

/** What one pass over a JSON document's bytes tells before it is parsed. */
export interface JsonShape {
  /** It opens more than the depth limit of arrays and objects inside each other (the counts then stop short). */
  tooDeep: boolean;
  /** Elements of its longest array: the most records a selector can take from one list. */
  largestArray: number;
  /** Values it holds in all (the document, every array element and every object member): what parsing it builds. */
  values: number;
}

const COMMA = 0x2c;
const SPACE = 0x20;

/**
 * The shape of `bytes` (JSON text), in one pass: nesting depth up to `depthLimit`, and the counts a page's
 * size is checked by before JSON.parse builds millions of objects (page-size.ts). Commas are counted per
 * open array or object; a container's elements are its commas plus one, unless it closes right after it opens.
 */
export function measureJson(bytes: Uint8Array, depthLimit: number): JsonShape {
  const n = bytes.length;
  const commas = new Float64Array(depthLimit + 2);
  const isArray = new Uint8Array(depthLimit + 2);
  let depth = 0;
  let largestArray = 0;
  let elements = 0;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      // Skipped byte by byte, here rather than in a function or the native search: an API's strings are
      // mostly short, and a call per string cost a fifth of this function's time (issue 29).
      let j = i + 1;
      while (j < n) {
        const c = bytes[j]!;
        if (c === QUOTE) break;
        j += c === BACKSLASH ? 2 : 1; // a backslash escapes the byte after it
      }
      if (j >= n) break; // an unterminated string: JSON.parse reports it
      i = j;
      previous = QUOTE;
      continue;
    }
    if (b <= SPACE) {
      continue;
    } else if (b === COMMA) {
      commas[depth]! += 1;
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > depthLimit) return { tooDeep: true, largestArray, values: elements + 1 };
      commas[depth] = 0;
      isArray[depth] = b === OPEN_BRACKET ? 1 : 0;
    } else if ((b === CLOSE_BRACKET || b === CLOSE_BRACE) && depth > 0) {
      const count = previous === OPEN_BRACKET || previous === OPEN_BRACE ? 0 : commas[depth]! + 1;
      elements += count;
      if (isArray[depth] === 1 && count > largestArray) largestArray = count;
      depth--;
    }
    previous = b;
  }
  return { tooDeep: false, largestArray, values: elements + 1 };
}

/** True when `bytes` (JSON text) opens more than `limit` arrays and objects inside each other. */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  return measureJson(bytes, limit).tooDeep;
}
