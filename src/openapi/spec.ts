/**
 * Reading an OpenAPI document: a file or an http(s) URL, JSON or YAML, every `$ref` resolved by
 * @readme/openapi-parser (no hand-written walker). Only OpenAPI 3.0 and 3.1 are read; Swagger 2.0 is
 * refused with the conversion to run first. The document is untrusted input: its size is capped, a URL
 * is fetched once with a timeout, and `$ref`s may point only into the document itself or to files beside
 * it (never to the network, so a spec cannot make `init` fetch other URLs).
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { SluiceError } from '../errors';

/** A spec larger than this is refused: the biggest public API descriptions are about 15 MB. */
export const MAX_SPEC_BYTES = 32 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
/** YAML aliases a spec may use: real specs use few or none; many can make a small file a huge tree. */
export const MAX_SPEC_ALIASES = 1000;

const operationSchema = z.looseObject({
  operationId: z.string().optional(),
  summary: z.string().optional(),
  parameters: z.array(z.unknown()).optional(),
  responses: z.record(z.string(), z.unknown()).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});

const pathItemSchema = z.looseObject({
  get: operationSchema.optional(),
  parameters: z.array(z.unknown()).optional(),
});

const documentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.[01]\.\d+/, 'expected OpenAPI 3.0.x or 3.1.x'),
  info: z.looseObject({ title: z.string().default('api'), version: z.string().optional() }),
  servers: z
    .array(
      z.looseObject({
        url: z.string(),
        description: z.string().optional(),
        variables: z.record(z.string(), z.looseObject({ default: z.string(), enum: z.array(z.string()).optional() })).optional(),
      }),
    )
    .optional(),
  paths: z.record(z.string(), pathItemSchema).default({}),
  components: z.looseObject({ securitySchemes: z.record(z.string(), z.unknown()).optional() }).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});

export type OpenApiDocument = z.infer<typeof documentSchema>;
export type Operation = z.infer<typeof operationSchema>;

export class SpecError extends SluiceError {
  constructor(message: string) {
    super('config', message);
    this.name = 'SpecError';
  }
}

function parseSpecText(location: string, text: string): unknown {
  try {
    // JSON.parse for JSON; js-yaml for YAML, the reader the spec parser itself uses: 0.46 s of CPU for
    // OpenAI's 3 MB spec where the `yaml` package that reads configs (with their comments) took 2.3 s, same
    // result. The core schema, so dates in examples stay strings.
    return text.trimStart().startsWith('{') ? JSON.parse(text) : loadYaml(text, { schema: CORE_SCHEMA, maxAliases: MAX_SPEC_ALIASES });
  } catch (err) {
    throw new SpecError(`${location}: not JSON or YAML (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Whether the document refers to other files (then the parser reads it from its path, to resolve them). */
function hasExternalRefs(value: unknown, depth = 0): boolean {
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasExternalRefs(v, depth + 1));
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string' && !v.startsWith('#')) return true;
    if (hasExternalRefs(v, depth + 1)) return true;
  }
  return false;
}

/** A spec at an http(s) URL, fetched once, bounded in size and time. */
async function fetchSpec(location: string): Promise<unknown> {
  // undici is loaded only for this path: `init` from a file needs no HTTP client.
  const { request } = await import('undici');
  const response = await request(location, { headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new SpecError(`${location}: HTTP ${response.statusCode}, expected 200 with the OpenAPI document`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_SPEC_BYTES) {
      response.body.destroy();
      throw new SpecError(`${location}: larger than ${MAX_SPEC_BYTES} bytes, the most init reads`);
    }
    chunks.push(chunk as Buffer);
  }
  return parseSpecText(location, Buffer.concat(chunks).toString('utf8'));
}

/**
 * Reads, checks the version of, and dereferences one OpenAPI document. A local file that refers to
 * other files is handed to the parser by its path, so that those resolve beside it.
 */
export async function loadSpec(location: string): Promise<OpenApiDocument> {
  const isUrl = /^https?:\/\//i.test(location);
  let input: unknown = location;
  if (isUrl) {
    input = await fetchSpec(location);
  } else {
    const size = await stat(location).then(
      (s) => s.size,
      (err: NodeJS.ErrnoException) => {
        throw new SpecError(`${location}: cannot read it (${err.code ?? err.message})`);
      },
    );
    if (size > MAX_SPEC_BYTES) throw new SpecError(`${location}: larger than ${MAX_SPEC_BYTES} bytes, the most init reads`);
    const parsed = parseSpecText(location, await readFile(location, 'utf8'));
    input = hasExternalRefs(parsed) ? location : parsed;
  }
  const { dereference } = await import('@readme/openapi-parser');
  let document: unknown;
  try {
    document = await dereference(
      input as never,
      {
        // Circular schemas keep their `$ref`: the walkers stop at a depth limit anyway.
        dereference: { circular: 'ignore' },
        // Relative file refs resolve beside a local spec; nothing is ever fetched for a $ref.
        resolve: { file: !isUrl, http: false as never },
      } as never,
    );
  } catch (err) {
    throw new SpecError(`${location}: ${(err as Error).message.split('\n')[0]}`);
  }
  const record = (document ?? {}) as Record<string, unknown>;
  if (record.swagger !== undefined) {
    throw new SpecError(
      `${location}: Swagger ${String(record.swagger)}; init reads OpenAPI 3.0/3.1. Convert it first, e.g. ` +
        '`npx swagger2openapi spec.json -o openapi.json`, and run init on the result',
    );
  }
  const parsed = documentSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SpecError(`${location}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  return parsed.data;
}
