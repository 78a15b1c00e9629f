/**
 * ESLint (flat config): eslint's and typescript-eslint's recommended rules for the whole repo
 * (`npm run lint`, part of `npm run check`). Not type-aware: that would cost a second type-check on top of
 * `tsc --noEmit`, which already runs in `npm run check`. Formatting is Prettier's (.prettierrc.json).
 */
const js = require('@eslint/js');
const { defineConfig, globalIgnores } = require('eslint/config');
const tseslint = require('typescript-eslint');

// The few plain JS files are CommonJS run by Node (bin/, jest and tool configs).
const nodeCommonJsGlobals = { require: 'readonly', module: 'writable', exports: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' };

module.exports = defineConfig([
  globalIgnores(['node_modules/', '.tools/', '.sluice/', '.sluice-ci-*/', '.soak/', 'dist/', 'coverage/', 'test-artifacts/', 'bench/results/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeCommonJsGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Modules loaded on first use, so `sluice --help` and `validate` load no Temporal, ClickHouse or undici
    // (docs/performance.md, "CLI start"): a typed `require()` means the same under tsx, jest and dist/.
    files: ['src/client.ts', 'src/cli/connect.ts', 'src/cli/run.ts', 'src/cli/schedule-commands.ts', 'src/dev/health.ts', 'src/http/agent.ts', 'src/http/transport.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_name` marks a binding kept on purpose (a destructured key left out of a rest object, a callback's unused parameter).
      // sluice strips control characters from text it prints (src/terminal-text.ts), and tests check it does.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
]);
