/**
 * The config's `auth` from the document's security schemes (http bearer/basic, apiKey in a header, the
 * query or a cookie, oauth2 client credentials), with every credential a `${sources.<source>.<key>}`
 * reference: the generated config holds no secret, `.dlt/secrets.toml` lists the keys to fill in.
 */
import { isSchema } from './schema-walk';
import type { OpenApiDocument } from './spec';

export interface AuthGuess {
  auth?: Record<string, unknown>;
  /** secrets.toml keys under [sources.<source>], each with what it is. */
  secrets: Array<{ key: string; what: string }>;
  note: string;
}

function schemeOrder(document: OpenApiDocument): string[] {
  const declared = Object.keys(document.components?.securitySchemes ?? {});
  const required = (document.security ?? []).flatMap((requirement) => Object.keys(requirement));
  return [...new Set([...required, ...declared])];
}

export function guessAuth(document: OpenApiDocument, sourceName: string): AuthGuess {
  const ref = (key: string) => `\${sources.${sourceName}.${key}}`;
  const schemes = document.components?.securitySchemes ?? {};
  const skipped: string[] = [];
  for (const name of schemeOrder(document)) {
    const scheme = schemes[name];
    if (!isSchema(scheme)) continue;
    const type = String(scheme.type ?? '').toLowerCase();
    if (type === 'http' && String(scheme.scheme ?? '').toLowerCase() === 'bearer') {
      return { auth: { type: 'bearer', token: ref('token') }, secrets: [{ key: 'token', what: 'the bearer token' }], note: `security scheme ${name} (http bearer)` };
    }
    if (type === 'http' && String(scheme.scheme ?? '').toLowerCase() === 'basic') {
      return {
        auth: { type: 'http_basic', username: ref('username'), password: ref('password') },
        secrets: [
          { key: 'username', what: 'the user name' },
          { key: 'password', what: 'the password' },
        ],
        note: `security scheme ${name} (http basic)`,
      };
    }
    if (type === 'apikey' && typeof scheme.name === 'string' && ['header', 'query', 'cookie'].includes(String(scheme.in))) {
      return {
        auth: { type: 'api_key', name: scheme.name, api_key: ref('api_key'), location: scheme.in },
        secrets: [{ key: 'api_key', what: `the API key (sent as ${String(scheme.in)} ${scheme.name})` }],
        note: `security scheme ${name} (apiKey in ${String(scheme.in)})`,
      };
    }
    const flows = isSchema(scheme.flows) ? scheme.flows : undefined;
    const clientCredentials = flows && isSchema(flows.clientCredentials) ? flows.clientCredentials : undefined;
    if (type === 'oauth2' && clientCredentials && typeof clientCredentials.tokenUrl === 'string') {
      return {
        auth: { type: 'oauth2_client_credentials', access_token_url: clientCredentials.tokenUrl, client_id: ref('client_id'), client_secret: ref('client_secret') },
        secrets: [
          { key: 'client_id', what: 'the OAuth client id' },
          { key: 'client_secret', what: 'the OAuth client secret' },
        ],
        note: `security scheme ${name} (oauth2 client credentials)`,
      };
    }
    if (type === 'oauth2' && flows) {
      // Authorization-code and implicit flows need a person to log in: what a sync can send is the
      // access token that login gave, as a bearer token.
      return {
        auth: { type: 'bearer', token: ref('token') },
        secrets: [{ key: 'token', what: `an OAuth access token (flows: ${Object.keys(flows).join(', ')})` }],
        note: `security scheme ${name} (oauth2 ${Object.keys(flows).join(', ')}): an access token, sent as a bearer token`,
      };
    }
    skipped.push(`${name} (${type}${flows ? `: ${Object.keys(flows).join(', ')}` : ''})`);
  }
  return {
    secrets: [],
    note: skipped.length ? `no scheme sluice maps (${skipped.join('; ')}): add auth by hand` : 'the spec declares no security scheme',
  };
}
