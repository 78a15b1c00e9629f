/**
 * `sluice init [DIR]`: a starter project, like `dlt init`: a commented config (YAML, or TypeScript with
 * `--ts`), `.dlt/secrets.toml` with placeholders (mode 600: it will hold credentials), a `.gitignore` that
 * keeps it out of git, the config's JSON Schema for the editor, and a README of the next three commands.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseOptions } from './args';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';
import { configJsonSchema } from './schema';

const initOptionsSchema = z.object({ ts: z.boolean().default(false), force: z.boolean().default(false) });

/** The pipeline's name from the directory's, as `sluice run` names a pipeline after its config file. */
function pipelineName(dir: string): string {
  const name = basename(dir)
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(name) ? name : 'pipeline';
}

function yamlConfig(): string {
  return `# yaml-language-server: $schema=./sluice.schema.json
# A sluice source config, shaped like dlt's rest_api_source (docs/configuration.md lists every key).
# Check it with \`sluice validate\`; \`sluice schema\` rewrites sluice.schema.json after an upgrade.
client:
  base_url: https://api.example.com/v1/
  # The token is a reference: the worker resolves \${api_token} from env API_TOKEN or .dlt/secrets.toml,
  # so it never enters the config, the workflow history or the logs.
  auth:
    type: bearer
    token: \${api_token}
resource_defaults:
  primary_key: id
  write_disposition: merge   # upsert by primary key; "append" and "replace" also work
resources:
  - name: items
    endpoint:
      path: items
      data_selector: data    # where the records are in the response (a JSONPath)
      paginator:
        type: offset
        limit: 100
      # Load only what changed since the last run:
      # incremental:
      #   cursor_path: updated_at
      #   initial_value: "2024-01-01T00:00:00Z"
`;
}

function tsConfig(): string {
  return `// A sluice source config, shaped like dlt's rest_api_source (docs/configuration.md lists every key).
// \`secrets.api_token\` is the reference "\${api_token}": the worker resolves it from env API_TOKEN or
// .dlt/secrets.toml, so it never enters the config, the workflow history or the logs.
import { secrets, type SourceConfigInput } from 'sluice';

export default {
  client: {
    base_url: 'https://api.example.com/v1/',
    auth: { type: 'bearer', token: secrets.api_token },
  },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [
    {
      name: 'items',
      endpoint: { path: 'items', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
    },
  ],
} satisfies SourceConfigInput;
`;
}

const SECRETS = `# Secrets of the configs in this directory. Never commit this file (.gitignore ignores it).
# A config refers to one as \${api_token}; the environment variable API_TOKEN wins over this file.
api_token = "<your API token>"
`;

const GITIGNORE = `# Credentials stay out of git.
.dlt/secrets.toml
node_modules/
`;

function readme(config: string): string {
  return `# ${basename(config)}: a sluice pipeline

Edit \`${config}\` (the API's base URL, auth and resources) and put the token in \`.dlt/secrets.toml\`, then:

\`\`\`sh
sluice dev up                          # a local Temporal and ClickHouse (or set TEMPORAL_ADDRESS, CLICKHOUSE_URL)
sluice validate ${config}              # one line per problem, with a hint
sluice run ${config} --with-worker     # sync into ClickHouse, showing progress per resource
\`\`\`

\`sluice preview ${config}\` prints the first page of a resource without writing anything.
`;
}

/** A file of a starter project; `mode` 600 for one that will hold credentials. */
export interface ProjectFile {
  path: string;
  text: string;
  mode?: number;
}

/** The files every starter project has beside its config: ignore rules and the next three commands. */
export function projectFiles(config: string): ProjectFile[] {
  return [
    { path: '.gitignore', text: GITIGNORE },
    { path: 'README.md', text: readme(config) },
  ];
}

/** Writes a starter project: nothing when a file exists already, unless `force`. */
export function writeProject(dirArg: string | undefined, files: ProjectFile[], force: boolean, print: (line: string) => void): string {
  const dir = resolve(dirArg ?? '.');
  const existing = files.filter((f) => existsSync(join(dir, f.path))).map((f) => f.path);
  if (existing.length > 0 && !force) {
    throw new CliError(`${dirArg ?? '.'}: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: nothing written (--force overwrites)`, EXIT_BAD_INPUT);
  }
  mkdirSync(join(dir, '.dlt'), { recursive: true });
  for (const file of files) {
    const path = join(dir, file.path);
    writeFileSync(path, file.text, { mode: file.mode ?? 0o644 });
    // writeFileSync's mode applies only to a new file (and through the umask): an overwritten one is set here.
    if (file.mode !== undefined) chmodSync(path, file.mode);
  }
  const shown = relative(process.cwd(), dir) || '.';
  print(`wrote ${files.map((f) => join(shown, f.path)).join(', ')}`);
  return shown;
}

export function initCommand(dirArg: string | undefined, rawOptions: unknown, print: (line: string) => void): void {
  const options = parseOptions(initOptionsSchema, rawOptions);
  const config = `${pipelineName(resolve(dirArg ?? '.'))}.${options.ts ? 'ts' : 'yaml'}`;
  const files: ProjectFile[] = [
    { path: config, text: options.ts ? tsConfig() : yamlConfig() },
    { path: join('.dlt', 'secrets.toml'), text: SECRETS, mode: 0o600 },
    ...projectFiles(config),
    ...(options.ts ? [] : [{ path: 'sluice.schema.json', text: `${JSON.stringify(configJsonSchema(), null, 2)}\n` }]),
  ];
  const shown = writeProject(dirArg, files, options.force, print);
  print(`next: edit ${join(shown, config)}, put the token in ${join(shown, '.dlt', 'secrets.toml')}, then see ${join(shown, 'README.md')}`);
}
