/**
 * The one entry point from "some value a user wrote" to a ResolvedSource. Problems from the schema
 * and from the cross-resource checks are collected together, so a user fixes everything in one pass.
 */
import { checkResources } from './checks';
import { toDictForm } from './dict-form';
import { type ConfigProblem, problem } from './problems';
import { resolveSource } from './resolve';
import { sourceConfigSchema } from './schema';
import { ownSettingRefs } from './secrets';
import type { ResolvedSource } from './types';
import { issuesToProblems } from './zod-problems';

export type ValidationResult = { ok: true; source: ResolvedSource; warnings: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** Sorted by path (resources[2] before resources[10]) so a file's problems read top to bottom. */
function byPath(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export function validateSourceConfig(written: unknown): ValidationResult {
  // A config object built in code may hold dlt's classes; they stand for their dicts (dict-form.ts).
  const raw = toDictForm(written);
  const parsed = sourceConfigSchema.safeParse(raw);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues);
  problems.push(...checkResources(raw));
  for (const ref of ownSettingRefs(raw)) {
    problems.push(
      problem(
        ref.path,
        `\${${ref.name}} names one of sluice's own settings (CLICKHOUSE_*, TEMPORAL_*, SLUICE_*), which no worker resolves for a config`,
        'give the secret a name of its own (docs/security.md)',
      ),
    );
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: byPath(problems) };
  const { source, warnings } = resolveSource(parsed.data);
  return { ok: true, source, warnings };
}
