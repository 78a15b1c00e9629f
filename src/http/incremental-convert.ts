/**
 * dlt's incremental `convert`, without Python: the cursor keeps the format the records carry (so
 * records are compared and stored as the API wrote them), and only the values sent in the request
 * (`start_param`, `end_param`, the legacy incremental param, `{incremental.start_value}` and
 * `{incremental.end_value}`, exactly the ones dlt converts) are rewritten into the form the API
 * expects. The usual case is records with ISO timestamps and an API filtering on epoch seconds.
 */
import type { IncrementalConversion, JsonPrimitive } from '../config/types';
import { SluiceError } from '../errors';
import { parseIso } from './iso-time';
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

/** The placeholder values a request is built with, start and end converted as dlt converts them. */
export function convertForRequest(window: IncrementalPlaceholders, conversion: IncrementalConversion | undefined): IncrementalPlaceholders {
  if (conversion === undefined) return window;
  return { ...window, start_value: convertCursorValue(window.start_value, conversion), end_value: convertCursorValue(window.end_value, conversion) };
}
