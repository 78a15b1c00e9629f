/**
 * The layer rules (docs/architecture.md, "Layers"): `npm run layers`, part of `npm run check`.
 * Type-only imports count too (tsPreCompilationDeps): a layer that needs another's types depends on it.
 */
// What must never reach the workflow bundle: I/O and Temporal's non-workflow packages.
const IO_PACKAGES = '^(node_modules/)?(undici|@clickhouse/client|@temporalio/(worker|client|activity|testing)|commander|cli-progress|tsx|smol-toml|yaml)([/]|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'activities-not-to-workflows',
      comment: 'activities/ and workflows/ never import each other: they share inputs and outputs through core/ (src/core/activity-types.ts)',
      severity: 'error',
      from: { path: '^src/activities/' },
      to: { path: '^src/workflows/' },
    },
    {
      name: 'workflows-not-to-activities',
      comment: 'activities/ and workflows/ never import each other: workflows call activities through proxyActivities and the types in core/',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/activities/' },
    },
    {
      name: 'workflows-only-core-and-temporal-workflow',
      comment:
        'workflows/ is bundled for the deterministic sandbox: it imports workflows/, core/, @temporalio/workflow and @temporalio/common only (no Node built-ins, no I/O, no other sluice layer)',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { pathNot: ['^src/(workflows|core)/', '^node_modules/@temporalio/(workflow|common)/'] },
    },
    {
      name: 'core-only-core',
      comment: 'core/ holds the types and pure rules every layer shares: it imports nothing of sluice outside core/',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'core-no-io',
      comment: 'core/ is in the workflow bundle wherever workflows/ import it: no Node built-ins, no I/O packages',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'core-no-node-builtins',
      comment: 'core/ is in the workflow bundle wherever workflows/ import it: no Node built-ins',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'lower-layers-not-up',
      comment: 'core/, config/, http/ and destination/ never import the layers above them (activities/, workflows/, the CLI, the worker, the dev stack, the entries)',
      severity: 'error',
      from: { path: '^src/(core|config|http|destination)/' },
      to: { path: ['^src/(activities|workflows|cli|dev)/', '^src/(worker|client|index|workflow-bundle)\\.ts$'] },
    },
    {
      name: 'config-not-to-destination',
      comment: 'config/ imports core/ only, but for the table-name rule it shares with the destination (destination/naming.ts, pure)',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/destination/', pathNot: '^src/destination/naming\\.ts$' },
    },
    {
      name: 'config-not-to-http',
      comment: 'http/ reads the config (config/ and core/), never the reverse: schemas and registries of names live in config/, behaviour in http/',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'http-not-to-destination',
      comment: 'http/ and destination/ never import each other; activities/ joins them',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/destination/' },
    },
    {
      name: 'destination-not-to-http',
      comment: 'http/ and destination/ never import each other; activities/ joins them',
      severity: 'error',
      from: { path: '^src/destination/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'cli-only-from-client',
      comment: 'the CLI commands (src/cli/) are wired up by src/client.ts alone',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/client\\.ts$'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'entries-not-imported',
      comment: 'src/client.ts (the CLI) and src/index.ts (the library entry) sit above every layer: nothing in src/ imports them',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/(client|index)\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, of values or types',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve is a typo or a missing package',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: '^(src/|node_modules/|[a-z:]+$)',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    cache: false,
  },
};
