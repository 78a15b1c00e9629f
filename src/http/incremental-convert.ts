/**
 * dlt's incremental `convert`, without Python: the cursor keeps the format the records carry (so
 * records are compared and stored as the API wrote them), and only the values sent in the request
 * (`start_param`, `end_param`, the legacy incremental param, `{incremental.start_value}` and
 * `{incremental.end_value}`, exactly the ones dlt converts) are rewritten into the form the API
 * expects. The usual case is records with ISO timestamps and an API filtering on epoch seconds.
 */
import type { IncrementalConvertFunction } from '../config/endpoint-schema';
import type { IncrementalConversion, JsonPrimitive } from '../config/types';
import { SluiceError } from '../errors';
import { parseIso } from '../core/iso-time';
import type { IncrementalPlaceholders } from './types';

/** Milliseconds since the epoch: an ISO string, or a number read as epoch seconds. */
function epochMs(value: string | number, conversion: IncrementalConversion): number {
  if (typeof value === 'number') return value * 1000;
  const t = parseIso(value);
  if (t) return t.epochMs;
  throw new SluiceError('response_shape', `incremental convert "${conversion}" needs an ISO timestamp or a number of epoch seconds, got ${JSON.stringify(value)}`);
}

export function convertCursorValue(value: JsonPrimitive, conversion: IncrementalConversion): JsonPrimitive {
  if (value === null || typeof value === 'boolean') return value;
  switch (conversion) {
    case 'epoch_seconds':
      return typeof value === 'number' ? value : Math.floor(epochMs(value, conversion) / 1000);
    case 'epoch_millis':
      return typeof value === 'number' ? value : epochMs(value, conversion);
    case 'iso8601':
      // Whole seconds are written without a fraction, as most APIs print them.
      return typeof value === 'string' && parseIso(value) ? value : new Date(epochMs(value, conversion)).toISOString().replace('.000Z', 'Z');
    case 'date':
      return new Date(epochMs(value, conversion)).toISOString().slice(0, 10);
  }
}

/** A `.ts` config's convert function: its result must be a JSON scalar, as it goes into the request. */
function convertWith(fn: IncrementalConvertFunction, value: JsonPrimitive): JsonPrimitive {
  // dlt calls convert on values that are set; a missing end stays missing.
  if (value === null) return value;
  const out = fn(value);
  if (out === null || typeof out === 'string' || typeof out === 'number' || typeof out === 'boolean') return out;
  throw new SluiceError('config', `incremental convert function returned ${typeof out} for ${JSON.stringify(value)}: return a string, number or boolean`);
}

/** The placeholder values a request is built with, start and end converted as dlt converts them. */
export function convertForRequest(window: IncrementalPlaceholders, conversion: IncrementalConversion | IncrementalConvertFunction | undefined): IncrementalPlaceholders {
  if (conversion === undefined) return window;
  const convert = typeof conversion === 'function' ? (v: JsonPrimitive) => convertWith(conversion, v) : (v: JsonPrimitive) => convertCursorValue(v, conversion);
  return { ...window, start_value: convert(window.start_value), end_value: convert(window.end_value) };
}
