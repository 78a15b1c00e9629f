/**
 * sluice's error vocabulary. Every failure that crosses a module boundary is one of these, so the
 * activity layer can decide retryable or not in one place (src/activities/failures.ts).
 *
 * Messages must never contain secret values: build them from redacted URLs and masked strings.
 */

export type SluiceErrorKind =
  /** The config is wrong; retrying cannot help. */
  | 'config'
  /** A `${NAME}` reference has no value in env or .dlt/secrets.toml. */
  | 'secret_missing'
  /** The API rejected our credentials (401/403). */
  | 'auth'
  /** The API answered with a status that retrying will not change (400, 404, 422...). */
  | 'http_fatal'
  /** Worth retrying: 429, 5xx, timeouts, connection resets, truncated bodies. */
  | 'http_retryable'
  /** The response was not what the config promised (no records list, bad JSON shape). */
  | 'response_shape'
  /** ClickHouse could not be reached or is overloaded. */
  | 'destination_unavailable'
  /** ClickHouse refused the statement (schema, syntax, type mismatch). */
  | 'destination_fatal'
  /** Pagination would loop forever (repeated cursor, repeated page, too many pages). */
  | 'pagination_loop';

export class SluiceError extends Error {
  readonly kind: SluiceErrorKind;
  /** When the remote side told us how long to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  /** The HTTP status, for errors that came from an API response. */
  readonly status?: number;

  constructor(kind: SluiceErrorKind, message: string, options?: { retryAfterMs?: number; status?: number; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SluiceError';
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
    this.status = options?.status;
  }
}

const RETRYABLE: ReadonlySet<SluiceErrorKind> = new Set(['http_retryable', 'destination_unavailable']);

export function isRetryableKind(kind: SluiceErrorKind): boolean {
  return RETRYABLE.has(kind);
}
