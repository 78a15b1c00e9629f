#!/usr/bin/env node
/** The sluice CLI. Commands live in src/cli/, one module each; this file only wires up arguments. */
import { Command } from 'commander';
import { CliError, EXIT_BAD_INPUT, EXIT_SYNC_FAILED } from './cli/exit-codes';
import { example } from './cli/help';
import { registerScheduleCommands } from './cli/schedule-commands';
import { escapeControls, stderrLine } from './terminal-text';

/**
 * Each command's module is loaded when the command runs, not at start: `--help` and `--version` load
 * commander alone, `validate` no Temporal, ClickHouse or undici module (docs/performance.md, "CLI start").
 * Plain require, typed by the module: it means the same under tsx, jest and the compiled dist/.
 */
const commands = {
  cancel: () => require('./cli/cancel') as typeof import('./cli/cancel'),
  dev: () => require('./dev/stack') as typeof import('./dev/stack'),
  init: () => require('./cli/init') as typeof import('./cli/init'),
  initOpenApi: () => require('./cli/init-openapi') as typeof import('./cli/init-openapi'),
  preview: () => require('./cli/preview') as typeof import('./cli/preview'),
  rounded: () => require('./core/rounded-timestamps') as typeof import('./core/rounded-timestamps'),
  run: () => require('./cli/run') as typeof import('./cli/run'),
  schema: () => require('./cli/schema') as typeof import('./cli/schema'),
  state: () => require('./cli/state') as typeof import('./cli/state'),
  status: () => require('./cli/status') as typeof import('./cli/status'),
  validate: () => require('./cli/validate') as typeof import('./cli/validate'),
  worker: () => require('./cli/worker') as typeof import('./cli/worker'),
};

/** The package's version: package.json sits one level above both src/ (a checkout) and dist/ (installed). */
const version = (require('../package.json') as { version: string }).version;

// Every line the CLI prints may hold an API's text: control characters are escaped (src/terminal-text.ts).
const print = (line: string): void => {
  process.stdout.write(`${escapeControls(line, { lines: true })}\n`);
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 the sync failed, 2 bad input (config, arguments, missing secret), 3 Temporal or ClickHouse unreachable.
Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_CERT/KEY/CA, TEMPORAL_API_KEY, SLUICE_TASK_QUEUE,
CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE (README "CLI", docs/operating.md).`;

/** validate, run, preview, worker, status and cancel: the commands of one sync. */
function registerSyncCommands(program: Command): void {
  program
    .command('validate <config>')
    .description('check a config (JSON, YAML or .ts); exit 2 with one line per problem')
    .addHelpText('after', example('sluice validate examples/analytics/analytics.yaml'))
    .action((config: string) => commands.validate().validateCommand(config, print));

  program
    .command('run <config>')
    .description('sync a pipeline and wait for it to finish, showing progress per resource')
    .option('--pipeline <name>', 'pipeline name (default: the config file name)')
    .option('--database <db>', 'ClickHouse database (default: CLICKHOUSE_DATABASE, else the pipeline name)')
    .option('--resource <name>', 'only this resource (repeatable)', collect, [])
    .option('--full-refresh', 'reload from scratch and reset incremental cursors')
    .option('--with-worker', 'run a worker in this process, so one command does a whole sync')
    .option('--json', 'print the result as JSON: { workflowId, pipeline, database, resources: [{ name, table, rows, pages }] }')
    .option('--no-wait', 'print the workflow ID and its Web UI link, and return without waiting')
    .addHelpText('after', example('API_KEY=secret sluice run examples/analytics/analytics.yaml --with-worker', 'sluice run examples/analytics/analytics.yaml --no-wait'))
    .action(async (config: string, opts: Record<string, unknown>) => {
      const output = await commands.run().runCommand(config, opts, { print, tty: process.stdout.isTTY ? process.stdout : undefined });
      // Never silent: timestamps written with fewer digits than the API sent (docs/clickhouse.md, "Timestamp precision").
      const warnings = output.resources.flatMap((r) => commands.rounded().roundedWarnings(r.name, r.roundedTimestamps));
      if (opts.json) {
        // The documented --json shape; scripts depend on it. Its warnings go to stderr.
        print(JSON.stringify({ workflowId: output.workflowId, pipeline: output.pipeline, database: output.database, resources: output.resources }));
        for (const line of warnings) stderrLine(line);
      } else if (opts.wait !== false) {
        for (const r of output.resources) print(`${r.name}: ${r.rows} rows in ${r.pages} pages → ${output.database}.${r.table}`);
        for (const line of warnings) print(line);
      }
    });

  program
    .command('preview <config>')
    .description('fetch the first page of one resource, print its fields and a few records; writes nothing')
    .option('--resource <name>', 'the resource (required when the config has several)')
    .option('--rows <n>', 'how many records to print', '5')
    .option('--json', 'print { resource, url, status, records, next, fields, rows } as JSON')
    .option('--all', 'every resource: its first two pages, whether paging works, its columns (exit 1 when one fails or repeats)')
    .addHelpText('after', example('API_KEY=secret sluice preview examples/analytics/analytics.yaml --resource resource_name'))
    .action((config: string, opts: unknown) => commands.preview().previewCommand(config, opts, print));

  program
    .command('worker')
    .description('run a worker that executes sync workflows and page activities')
    .option('--task-queue <queue>', 'task queue (default: SLUICE_TASK_QUEUE or "sluice")')
    .addHelpText('after', example('TEMPORAL_ADDRESS=temporal:7233 SLUICE_METRICS_PORT=9464 sluice worker'))
    .action((opts: unknown) => commands.worker().workerCommand(opts, print));

  program
    .command('status [pipeline]')
    .description('running syncs with progress per resource, and the most recent finished ones')
    .option('--recent <n>', 'how many finished syncs to list', '5')
    .addHelpText('after', example('sluice status analytics'))
    .action((pipeline: string | undefined, opts: unknown) => commands.status().statusCommand(pipeline, opts, print));

  program
    .command('cancel <target>')
    .description('cancel the running sync of a pipeline (or a workflow ID); loaded pages stay, the cursor does not advance')
    .option('--no-wait', 'return once cancellation is requested')
    .addHelpText('after', example('sluice cancel analytics', 'sluice cancel sluice/analytics-2024-05-01T06:00:00Z'))
    .action((target: string, opts: unknown) => commands.cancel().cancelCommand(target, opts, print));
}

function registerStateCommands(program: Command): void {
  const state = program.command('state').description('incremental state stored in _sluice_state');
  state
    .command('show <pipeline> [resource]')
    .description('print the stored state (incremental cursor) of a pipeline or one resource')
    .option('--database <db>', 'ClickHouse database (default: CLICKHOUSE_DATABASE, else the pipeline name)')
    .option('--json', 'print as JSON')
    .addHelpText('after', example('sluice state show analytics resource_name'))
    .action((pipeline: string, resource: string | undefined, opts: unknown) => commands.state().stateShowCommand(pipeline, resource, opts, print));
  state
    .command('reset <pipeline> [resource]')
    .description('forget the stored state, so the next run starts from initial_value (all resources when none is named)')
    .option('--database <db>', 'ClickHouse database (default: CLICKHOUSE_DATABASE, else the pipeline name)')
    .addHelpText('after', example('sluice state reset analytics resource_name'))
    .action((pipeline: string, resource: string | undefined, opts: unknown) => commands.state().stateResetCommand(pipeline, resource, opts, print));
}

function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('the local stack: Temporal dev server (Web UI) and ClickHouse');
  dev
    .command('up')
    .description('start the stack in the background and wait until healthy')
    .option(
      '--clickhouse <version>',
      "ClickHouse server: 26.9 (chdb-core from .tools/, the default; SLUICE_CLICKHOUSE sets another default), the 25.8, 25.5 or 24.8 engine (PyPI's chdb, installed into .tools/ on first use) or 18.16 (Debian's clickhouse-server)",
    )
    .addHelpText('after', example('sluice dev up --clickhouse 24.8'))
    .action(async (opts: { clickhouse?: string }) => {
      await commands.dev().devUp({ clickhouse: opts.clickhouse }, print);
    });
  dev
    .command('down')
    .description('stop what `dev up` started')
    .addHelpText('after', example('sluice dev down'))
    .action(async () => {
      await commands.dev().devDown(print);
    });
  dev
    .command('status')
    .description('endpoints and health; exit 3 when a server is down')
    .addHelpText('after', example('sluice dev status'))
    .action(async () => {
      const s = await commands.dev().devStatus();
      print(`temporal   ${s.temporal.healthy ? 'healthy' : 'down   '}  ${s.temporal.address}  ui ${s.temporal.ui}${s.temporal.pid ? `  pid ${s.temporal.pid}` : ''}`);
      print(
        `clickhouse ${s.clickhouse.healthy ? 'healthy' : 'down   '}  ${s.clickhouse.url}${s.clickhouse.version ? `  version ${s.clickhouse.version}` : ''}${s.clickhouse.pid ? `  pid ${s.clickhouse.pid}` : ''}`,
      );
      if (!s.temporal.healthy || !s.clickhouse.healthy) process.exitCode = 3;
    });
}

/** init and schema: starting a project and writing its config. */
function registerProjectCommands(program: Command): void {
  program
    .command('init [dir]')
    .description('write a starter project: a commented config (from an OpenAPI 3 spec with --openapi), .dlt/secrets.toml (mode 600), .gitignore')
    .option('--openapi <spec>', 'an OpenAPI 3.0/3.1 document, a file (JSON or YAML) or an http(s) URL: one resource per list endpoint')
    .option('--endpoints <glob...>', 'with --openapi: only the paths matching these globs, e.g. "/v2/droplets*"')
    .option('--ts', "a TypeScript config (typed, imports from 'sluice') instead of YAML")
    .option('--force', 'overwrite files that exist')
    .addHelpText(
      'after',
      example(
        'sluice init my-pipeline',
        'sluice init my-pipeline --ts',
        'sluice init --openapi openapi.yaml my-source',
        'sluice init --openapi https://example.com/openapi.json --endpoints "/v1/orders*"',
      ),
    )
    .action(async (dir: string | undefined, opts: Record<string, unknown>) => {
      if (opts.openapi === undefined) return commands.init().initCommand(dir, opts, print);
      await commands.initOpenApi().initFromOpenApi(dir, opts, print);
    });

  program
    .command('schema')
    .description('print the JSON Schema of a config, for YAML editors (# yaml-language-server: $schema=…)')
    .addHelpText('after', example('sluice schema > sluice.schema.json'))
    .action(() => commands.schema().schemaCommand(print));
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('sluice')
    .description('Durable REST API → ClickHouse syncs on Temporal, configured like dlt rest_api sources')
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP)
    .version(version, '-V, --version', 'print the version')
    .exitOverride();
  // Registered in the order `sluice --help` lists them.
  registerProjectCommands(program);
  registerSyncCommands(program);
  registerScheduleCommands(program, print, collect);
  registerStateCommands(program);
  registerDevCommands(program);
  await program.parseAsync(argv);
}

{
  main(process.argv).catch((err: unknown) => {
    if (err instanceof CliError) {
      stderrLine(err.message);
      process.exitCode = err.exitCode;
      return;
    }
    // commander's exitOverride: help and version exit 0, usage errors exit 2.
    const commanderError = err as { code?: string; exitCode?: number };
    if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
      process.exitCode = commanderError.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    stderrLine(err instanceof Error ? err.message : String(err));
    process.exitCode = EXIT_SYNC_FAILED;
  });
}
