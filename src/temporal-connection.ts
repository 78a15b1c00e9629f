/**
 * How sluice reaches Temporal: address, namespace and, for Temporal Cloud or a secured cluster, mTLS
 * client certificates or an API key. Every CLI command and the worker build their connection options
 * here, so one set of variables configures them all (docs/operating.md).
 *
 *   TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY   paths of the client certificate and key (PEM), both or neither
 *   TEMPORAL_TLS_CA                        path of a CA bundle for a server with a private CA (optional)
 *   TEMPORAL_TLS_SERVER_NAME               SNI override, e.g. behind a proxy (optional)
 *   TEMPORAL_TLS                           "true" forces TLS without client certificates (API-key setups do it anyway)
 *   TEMPORAL_API_KEY                       API key (Temporal Cloud); implies TLS
 *   TEMPORAL_UI_URL                        the Web UI, for links the CLI prints (default: the local dev server's)
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { z } from 'zod';

const optionalString = z.string().min(1).optional();

export const temporalEnvSchema = z
  .object({
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^\S+:\d+$/, 'TEMPORAL_ADDRESS must be host:port, e.g. 127.0.0.1:7233')
      .default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TLS_CERT: optionalString,
    TEMPORAL_TLS_KEY: optionalString,
    TEMPORAL_TLS_CA: optionalString,
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
    TEMPORAL_API_KEY: optionalString,
    TEMPORAL_UI_URL: z.url({ message: 'TEMPORAL_UI_URL must be a URL such as https://cloud.temporal.io' }).optional(),
  })
  .refine((env) => (env.TEMPORAL_TLS_CERT === undefined) === (env.TEMPORAL_TLS_KEY === undefined), {
    message: 'set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (paths of the client certificate and its key), or neither',
    path: ['TEMPORAL_TLS_CERT'],
  });

export type TemporalEnv = z.infer<typeof temporalEnvSchema>;

/** A problem with the Temporal settings a user can fix (a missing variable, an unreadable file): exit 2. */
export class TemporalSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalSettingsError';
  }
}

export function readTemporalEnv(env: NodeJS.ProcessEnv = process.env): TemporalEnv {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = temporalEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new TemporalSettingsError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

/** The options both SDK connection kinds understand: the client's Connection and the worker's NativeConnection. */
export interface TemporalConnectionSettings {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

function readPem(variable: string, path: string, read: (path: string) => Buffer): Buffer {
  try {
    return read(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new TemporalSettingsError(`${variable}: cannot read ${path} (${reason})`);
  }
}

export function temporalConnectionSettings(env: TemporalEnv, read: (path: string) => Buffer = (path) => readFileSync(path)): TemporalConnectionSettings {
  const forced = env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1';
  const wantsTls = forced || env.TEMPORAL_API_KEY !== undefined || env.TEMPORAL_TLS_CERT !== undefined || env.TEMPORAL_TLS_CA !== undefined;
  const settings: TemporalConnectionSettings = { address: env.TEMPORAL_ADDRESS };
  if (wantsTls) {
    settings.tls = {};
    if (env.TEMPORAL_TLS_SERVER_NAME) settings.tls.serverNameOverride = env.TEMPORAL_TLS_SERVER_NAME;
    if (env.TEMPORAL_TLS_CA) settings.tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', env.TEMPORAL_TLS_CA, read);
    if (env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY) {
      settings.tls.clientCertPair = {
        crt: readPem('TEMPORAL_TLS_CERT', env.TEMPORAL_TLS_CERT, read),
        key: readPem('TEMPORAL_TLS_KEY', env.TEMPORAL_TLS_KEY, read),
      };
    }
  }
  if (env.TEMPORAL_API_KEY) settings.apiKey = env.TEMPORAL_API_KEY;
  return settings;
}

export function clientConnectionOptions(settings: TemporalConnectionSettings): ConnectionOptions {
  return { ...settings, connectTimeout: 5_000 };
}

export function nativeConnectionOptions(settings: TemporalConnectionSettings): NativeConnectionOptions {
  return { ...settings };
}

/** A short description for messages: never includes the key or certificate contents. */
export function describeConnection(settings: TemporalConnectionSettings): string {
  const auth = [settings.tls?.clientCertPair ? 'mTLS' : settings.tls ? 'TLS' : undefined, settings.apiKey ? 'API key' : undefined].filter(Boolean).join(' + ');
  return auth ? `${settings.address} (${auth})` : settings.address;
}

/** The Web UI base URL: TEMPORAL_UI_URL, else the local dev server's UI (frontend port + 1000). */
export function webUiBase(env: TemporalEnv, processEnv: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_UI_URL) return env.TEMPORAL_UI_URL.replace(/\/+$/, '');
  const port = Number(env.TEMPORAL_ADDRESS.split(':').pop());
  const uiPort = Number(processEnv.TEMPORAL_UI_PORT ?? port + 1000);
  return `http://127.0.0.1:${uiPort}`;
}

export function workflowUiUrl(env: TemporalEnv, workflowId: string, processEnv: NodeJS.ProcessEnv = process.env): string {
  return `${webUiBase(env, processEnv)}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
}
