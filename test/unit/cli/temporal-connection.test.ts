/** Connection options for secured clusters and Temporal Cloud, built from env (no server needed). */
import {
  clientConnectionOptions,
  describeConnection,
  nativeConnectionOptions,
  readTemporalEnv,
  temporalConnectionSettings,
  TemporalSettingsError,
  workflowUiUrl,
} from '../../../src/temporal-connection';

const files: Record<string, string> = { '/certs/client.pem': 'CERT', '/certs/client.key': 'KEY', '/certs/ca.pem': 'CA' };
const read = (path: string): Buffer => {
  if (!(path in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return Buffer.from(files[path]);
};

test('plain local connection: no TLS, no key', () => {
  const settings = temporalConnectionSettings(readTemporalEnv({}), read);
  expect(settings).toEqual({ address: '127.0.0.1:7233' });
  expect(clientConnectionOptions(settings)).toEqual({ address: '127.0.0.1:7233', connectTimeout: 5_000 });
});

test('mTLS: certificate, key and CA are read from the files the variables name', () => {
  const env = readTemporalEnv({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CERT: '/certs/client.pem',
    TEMPORAL_TLS_KEY: '/certs/client.key',
    TEMPORAL_TLS_CA: '/certs/ca.pem',
    TEMPORAL_TLS_SERVER_NAME: 'temporal',
  });
  const settings = temporalConnectionSettings(env, read);
  expect(nativeConnectionOptions(settings)).toEqual({
    address: 'temporal.internal:7233',
    tls: {
      serverNameOverride: 'temporal',
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    },
  });
  expect(describeConnection(settings)).toBe('temporal.internal:7233 (mTLS)');
});

test('API key (Temporal Cloud) implies TLS and is never printed', () => {
  const settings = temporalConnectionSettings(readTemporalEnv({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'sekret-123' }), read);
  expect(settings).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: {}, apiKey: 'sekret-123' });
  expect(describeConnection(settings)).toBe('ns.acct.tmprl.cloud:7233 (TLS + API key)');
  expect(describeConnection(settings)).not.toContain('sekret');
});

test('a certificate without its key, a bad address or an unreadable file is reported by variable', () => {
  expect(() => readTemporalEnv({ TEMPORAL_TLS_CERT: '/certs/client.pem' })).toThrow(/TEMPORAL_TLS_CERT: set both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY/);
  expect(() => readTemporalEnv({ TEMPORAL_ADDRESS: 'no-port' })).toThrow(TemporalSettingsError);
  const env = readTemporalEnv({ TEMPORAL_TLS_CERT: '/certs/missing.pem', TEMPORAL_TLS_KEY: '/certs/client.key' });
  expect(() => temporalConnectionSettings(env, read)).toThrow('TEMPORAL_TLS_CERT: cannot read /certs/missing.pem (ENOENT)');
});

test('Web UI links: the dev server UI by default, TEMPORAL_UI_URL otherwise; the ID is URL-encoded', () => {
  expect(workflowUiUrl(readTemporalEnv({}), 'sluice/analytics', {})).toBe('http://127.0.0.1:8233/namespaces/default/workflows/sluice%2Fanalytics');
  const cloud = readTemporalEnv({ TEMPORAL_NAMESPACE: 'prod.acct', TEMPORAL_UI_URL: 'https://cloud.temporal.io/' });
  expect(workflowUiUrl(cloud, 'sluice/a-2024-05-01T06:00:00Z', {})).toBe('https://cloud.temporal.io/namespaces/prod.acct/workflows/sluice%2Fa-2024-05-01T06%3A00%3A00Z');
});
