/** Wiring of `sluice schedule …` subcommands (the work is in ./schedule.ts). */
import type { Command } from 'commander';
import { example } from './help';

/** Loaded when a schedule command runs (it brings the Temporal client): `sluice --help` stays fast. */
const scheduleModule = () => require('./schedule') as typeof import('./schedule');

export function registerScheduleCommands(program: Command, print: (line: string) => void, collect: (value: string, previous: string[]) => string[]): void {
  const schedule = program.command('schedule').description('cron schedules on Temporal Schedules (schedule ID sluice/<pipeline>)');

  schedule
    .command('create <config>')
    .description('create the schedule of a pipeline, or update it when it exists')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "0 */6 * * *" or "@hourly"')
    .option('--timezone <tz>', 'IANA time zone of the cron expression (default UTC)')
    .option('--overlap <policy>', 'when a run is still going: skip | buffer-one | cancel-other | allow-all', 'skip')
    .option('--catchup <window>', 'run missed times up to this late after an outage, e.g. 10m, 1h (default 1 year)')
    .option('--jitter <duration>', 'start each run up to this much later, at random, e.g. 30s')
    .option('--pipeline <name>', 'pipeline name (default: the config file name)')
    .option('--database <db>', 'ClickHouse database (default: CLICKHOUSE_DATABASE, else the pipeline name)')
    .option('--resource <name>', 'only this resource (repeatable)', collect, [])
    .option('--full-refresh', 'every scheduled run reloads from scratch')
    .option('--paused', 'create it paused')
    .option('--note <text>', 'a note shown with the schedule')
    .addHelpText('after', example('sluice schedule create examples/analytics/analytics.yaml --cron "*/15 * * * *" --timezone Europe/Berlin --catchup 1h'))
    .action((config: string, opts: unknown) => scheduleModule().scheduleCreateCommand(config, opts, print));

  schedule
    .command('list')
    .description('every sluice schedule with its cron, state and next run')
    .option('--json', 'print as JSON')
    .addHelpText('after', example('sluice schedule list'))
    .action((opts: unknown) => scheduleModule().scheduleListCommand(opts, print));

  schedule
    .command('describe <pipeline>')
    .description('spec, policies, next runs, running and recent runs of a pipeline schedule')
    .option('--json', 'print as JSON')
    .addHelpText('after', example('sluice schedule describe analytics'))
    .action((pipeline: string, opts: unknown) => scheduleModule().scheduleDescribeCommand(pipeline, opts, print));

  for (const [verb, what] of [
    ['pause', 'stop starting runs until unpaused (a running one goes on)'],
    ['unpause', 'start runs again at the next scheduled time'],
    ['delete', 'delete the schedule (runs already started go on)'],
  ] as const) {
    const command = schedule.command(`${verb} <pipeline>`).description(what);
    if (verb !== 'delete') command.option('--note <text>', 'why, shown by describe and in the Web UI');
    command
      .addHelpText('after', example(`sluice schedule ${verb} analytics`))
      .action((pipeline: string, opts: unknown) => scheduleModule().scheduleSimpleCommand(verb, pipeline, opts, print));
  }

  schedule
    .command('trigger <pipeline>')
    .description("start a run now, under the schedule's overlap policy (skipped when one is running and the policy is skip)")
    .option('--overlap <policy>', 'override the policy for this run: skip | buffer-one | cancel-other | allow-all')
    .addHelpText('after', example('sluice schedule trigger analytics'))
    .action((pipeline: string, opts: unknown) => scheduleModule().scheduleSimpleCommand('trigger', pipeline, opts, print));

  schedule
    .command('backfill <pipeline>')
    .description('take the actions the schedule would have taken between two times, one after another')
    .requiredOption('--from <time>', 'start, ISO 8601 (e.g. 2024-05-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end, ISO 8601')
    .option('--overlap <policy>', 'default buffer-all: backfilled runs never overlap')
    .addHelpText('after', example('sluice schedule backfill analytics --from 2024-05-01T00:00:00Z --to 2024-05-02T00:00:00Z'))
    .action((pipeline: string, opts: unknown) => scheduleModule().scheduleBackfillCommand(pipeline, opts, print));
}
