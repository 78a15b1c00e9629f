/**
 * The GET operations of a document, each with what detection needs: its query and path parameters
 * (path-level and operation-level merged), its success response's JSON schema and response headers.
 */
import { isSchema, type Schema } from './schema-walk';
import type { OpenApiDocument } from './spec';

export interface QueryParam {
  name: string;
  schema: Schema;
  required: boolean;
  description: string;
}

export interface GetEndpoint {
  /** The path as the spec writes it, e.g. `/v2/droplets/{droplet_id}/backups`. */
  path: string;
  operationId?: string;
  summary?: string;
  query: QueryParam[];
  pathParams: string[];
  /** The JSON schema of the first 2xx response with a JSON body, if any. */
  body?: Schema;
  /** Response header names of that response, lower-cased. */
  headers: string[];
  /** Security requirement names of the operation (undefined: the document's default applies). */
  security?: string[];
}

const JSON_MEDIA = /^application\/(?:[\w.+-]*\+)?json\b|^\*\/\*$/i;

function parametersOf(list: unknown): Array<Record<string, unknown>> {
  return Array.isArray(list) ? list.filter(isSchema) : [];
}

function successResponse(responses: Record<string, unknown> | undefined): Schema | undefined {
  if (!responses) return undefined;
  const codes = Object.keys(responses)
    .filter((code) => /^2(?:\d\d|XX)$/i.test(code))
    .sort();
  const code = codes[0] ?? (responses.default !== undefined ? 'default' : undefined);
  const response = code === undefined ? undefined : responses[code];
  return isSchema(response) ? response : undefined;
}

export function getEndpoints(document: OpenApiDocument): GetEndpoint[] {
  const out: GetEndpoint[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const operation = item.get;
    if (!operation) continue;
    // Operation parameters override path-level ones of the same name and location.
    const byKey = new Map<string, Record<string, unknown>>();
    for (const p of [...parametersOf(item.parameters), ...parametersOf(operation.parameters)]) {
      if (typeof p.name === 'string' && typeof p.in === 'string') byKey.set(`${p.in}:${p.name}`, p);
    }
    const params = [...byKey.values()];
    const response = successResponse(operation.responses);
    const content = response && isSchema(response.content) ? response.content : undefined;
    const media = content ? Object.keys(content).find((type) => JSON_MEDIA.test(type)) : undefined;
    const mediaObject = media && content ? content[media] : undefined;
    const body = isSchema(mediaObject) && isSchema(mediaObject.schema) ? mediaObject.schema : undefined;
    out.push({
      path,
      operationId: operation.operationId,
      summary: operation.summary,
      query: params
        .filter((p) => p.in === 'query')
        .map((p) => ({
          name: p.name as string,
          schema: isSchema(p.schema) ? p.schema : {},
          required: p.required === true,
          description: typeof p.description === 'string' ? p.description : '',
        })),
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
      body,
      headers: response && isSchema(response.headers) ? Object.keys(response.headers).map((h) => h.toLowerCase()) : [],
      security: operation.security?.flatMap((requirement) => Object.keys(requirement)),
    });
  }
  return out;
}
