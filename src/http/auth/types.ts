/** The contract every auth strategy implements; one module per dlt auth type. */
import type { BoundSecret } from '../../config/secrets';
import type { HttpRequest } from '../types';

export interface AuthContext {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Secret values to mask in anything the strategy reports. */
  secrets: readonly string[];
  /** The origins this config's credentials may go to (its base_url's and credential_origins). */
  origins: readonly string[];
  /** Secrets bound to origins by the operator: a request the strategy makes itself holds to them too. */
  bound: readonly BoundSecret[];
  /** The config's `client.session.verify: false` (transport.ts honours it only for the operator's origins). */
  insecureTls?: boolean;
}

export interface AuthStrategy {
  /** Adds credentials to the request (may fetch a token first). */
  apply(req: HttpRequest, ctx: AuthContext): Promise<void>;
  /** Called on a 401. True when fresh credentials were obtained and the request is worth one retry. */
  onUnauthorized(): Promise<boolean>;
  /** Values to mask besides the configured secrets (tokens obtained at run time). */
  secrets(): string[];
  /** The query param this strategy adds; next-page URLs drop it because apply() adds it again. */
  queryParam?: string;
}
