/**
 * `sluice init --openapi <file or URL> [DIR]`: a starter project from an OpenAPI 3 spec: the config
 * (YAML, or TypeScript with --ts), `.dlt/secrets.toml` with the credentials it references (mode 600),
 * a `.gitignore` that keeps secrets out and a README of the next commands, written as `sluice init` writes
 * its starter project (nothing when a file exists, unless --force).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { validateSourceConfig } from '../config';
import { generateSource, sourceConfigOf } from '../openapi/generate';
import { renderSecrets, renderTypeScript, renderYaml } from '../openapi/render';
import { loadSpec, SpecError } from '../openapi/spec';
import { escapeControls } from '../terminal-text';
import { parseOptions } from './args';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';
import { projectFiles, writeProject } from './init';

const optionsSchema = z.object({
  openapi: z.string().min(1, 'a file path or an http(s) URL'),
  endpoints: z.array(z.string().min(1).max(500)).max(100).default([]),
  ts: z.boolean().default(false),
  force: z.boolean().default(false),
});

export interface InitOpenApiResult {
  configPath: string;
  resources: number;
  unmapped: number;
  unsure: string[];
}

export async function initFromOpenApi(dir: string | undefined, rawOptions: unknown, print: (line: string) => void): Promise<InitOpenApiResult> {
  const options = parseOptions(optionsSchema, rawOptions);
  const target = resolve(dir ?? '.');
  const started = Date.now();
  let generated;
  try {
    const spec = await loadSpec(options.openapi);
    generated = generateSource(spec, { endpoints: options.endpoints, specUrl: /^https?:\/\//i.test(options.openapi) ? options.openapi : undefined });
  } catch (err) {
    if (err instanceof SpecError) throw new CliError(escapeControls(err.message), EXIT_BAD_INPUT);
    throw err;
  }
  if (generated.resources.length === 0) {
    throw new CliError(
      `${options.openapi}: no list endpoint found${options.endpoints.length ? ` among the paths matching ${options.endpoints.join(', ')}` : ''}`,
      EXIT_BAD_INPUT,
    );
  }
  // What init writes must pass validate: a generator bug shows here, not at the user's first run.
  const checked = validateSourceConfig(sourceConfigOf(generated));
  if (!checked.ok) {
    throw new Error(`init generated a config that does not validate: ${JSON.stringify(checked.problems.slice(0, 3))}`);
  }
  const configName = `${generated.sourceName}.${options.ts ? 'ts' : 'yaml'}`;
  const configPath = join(target, configName);
  writeProject(
    dir,
    [
      { path: configName, text: options.ts ? renderTypeScript(generated, options.openapi) : renderYaml(generated, options.openapi) },
      { path: join('.dlt', 'secrets.toml'), text: renderSecrets(generated), mode: 0o600 },
      ...projectFiles(configName),
    ],
    options.force,
    print,
  );
  const unsure = generated.resources.filter((r) => !r.paging.sure).map((r) => r.name);
  print(
    `${configPath}: ${generated.resources.length} resource${generated.resources.length === 1 ? '' : 's'} from ${escapeControls(generated.title)} in ${Date.now() - started} ms`,
  );
  if (unsure.length) print(`paginator unsure for ${unsure.length}: ${unsure.join(', ')} (see the comments; sluice preview --all checks them)`);
  if (generated.unmapped.length) print(`${generated.unmapped.length} endpoints left out, each with its reason at the end of ${configName}`);
  if (generated.secrets.length) print(`credentials to fill in: ${join(target, '.dlt', 'secrets.toml')} (${generated.secrets.map((s) => s.key).join(', ')})`);
  print(`next: sluice validate ${configPath} && sluice preview ${configPath} --all`);
  return { configPath, resources: generated.resources.length, unmapped: generated.unmapped.length, unsure };
}
