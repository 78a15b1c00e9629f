#!/usr/bin/env node
/** The sluice CLI. Commands live in src/cli/, one module each; this file only wires up arguments. */
import { Command, Option } from 'commander';
import { devDown, devStatus, devUp } from './dev/stack';
import { CliError, EXIT_BAD_INPUT } from './cli/exit-codes';
import { runCommand } from './cli/run';
import { statusCommand } from './cli/status';
import { validateCommand } from './cli/validate';
import { workerCommand } from './cli/worker';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const collect = (value: string, previous: string[]): string[] => [...previous, value];

async function main(argv: string[]): Promise<void> {
  const program = new Command('sluice')
    .description('Durable REST API → ClickHouse syncs on Temporal, configured like dlt rest_api sources')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('validate <config>')
    .description('check a config (JSON, YAML or .ts); exit 2 with one line per problem')
    .addHelpText('after', '\nExample:\n  sluice validate examples/analytics/analytics.yaml')
    .action((config: string) => validateCommand(config, print));

  program
    .command('run <config>')
    .description('sync a pipeline and wait for it to finish')
    .option('--pipeline <name>', 'pipeline name (default: the config file name)')
    .option('--database <db>', 'ClickHouse database (default: CLICKHOUSE_DATABASE, else the pipeline name)')
    .option('--resource <name>', 'only this resource (repeatable)', collect, [])
    .option('--full-refresh', 'reload from scratch and reset incremental cursors')
    .option('--with-worker', 'run a worker in this process, so one command does a whole sync')
    .option('--json', 'print the result as JSON')
    .option('--no-wait', 'print the workflow ID and return without waiting')
    .addHelpText('after', '\nExample:\n  API_KEY=secret sluice run examples/analytics/analytics.yaml --with-worker --json')
    .action(async (config: string, opts: Record<string, unknown>) => {
      const output = await runCommand(config, opts, opts.json ? () => undefined : print);
      if (opts.json) {
        print(JSON.stringify(output));
      } else if (opts.wait !== false) {
        for (const r of output.resources) print(`${r.name}: ${r.rows} rows in ${r.pages} pages → ${output.database}.${r.table}`);
      }
    });

  program
    .command('worker')
    .description('run a worker that executes sync workflows and page activities')
    .addOption(new Option('--task-queue <queue>', 'task queue (default: SLUICE_TASK_QUEUE or "sluice")'))
    .addHelpText('after', '\nExample:\n  TEMPORAL_ADDRESS=temporal:7233 sluice worker')
    .action((opts: unknown) => workerCommand(opts, print));

  program
    .command('status [pipeline]')
    .description('show running syncs and their progress')
    .action((pipeline: string | undefined) => statusCommand(pipeline, print));

  const dev = program.command('dev').description('the local stack: Temporal dev server (Web UI) and ClickHouse');
  dev.command('up').description('start the stack in the background and wait until healthy').action(async () => {
    await devUp(print);
  });
  dev.command('down').description('stop what `dev up` started').action(async () => {
    await devDown(print);
  });
  dev.command('status').description('endpoints and health').action(async () => {
    const s = await devStatus();
    print(`temporal   ${s.temporal.healthy ? 'healthy' : 'down   '}  ${s.temporal.address}  ui ${s.temporal.ui}${s.temporal.pid ? `  pid ${s.temporal.pid}` : ''}`);
    print(`clickhouse ${s.clickhouse.healthy ? 'healthy' : 'down   '}  ${s.clickhouse.url}${s.clickhouse.pid ? `  pid ${s.clickhouse.pid}` : ''}`);
    if (!s.temporal.healthy || !s.clickhouse.healthy) process.exitCode = 3;
  });

  await program.parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CliError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = err.exitCode;
    return;
  }
  // commander's exitOverride: help and version exit 0, usage errors exit 2.
  const commanderError = err as { code?: string; exitCode?: number };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    process.exitCode = commanderError.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    return;
  }
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
