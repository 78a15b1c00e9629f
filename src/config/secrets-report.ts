/**
 * What a standalone worker says about its secrets when it starts: once, so an operator sees which
 * secrets any config on its task queue can send to any origin, and a secrets file others can read.
 */
import { neverResolved } from './secrets';
import { type AllowEntry, SecretsPolicy } from './secrets-allow';
import { isWorldReadable, readSecretsFile, secretsFileKeys, secretsFilePath } from './secrets-file';

export function secretsWarnings(entries: readonly AllowEntry[], cwd: string = process.cwd()): string[] {
  const policy = new SecretsPolicy(entries);
  const warnings: string[] = [];
  const unbound = policy.unboundEntries();
  if (unbound.length > 0) {
    warnings.push(
      `SLUICE_SECRETS_ALLOW entries not bound to an origin: ${unbound.join(', ')}; a config may send these secrets to any origin it names ` +
        '(bind each with NAME@https://api.example.com, docs/security.md)',
    );
  }
  const file = secretsFilePath(cwd);
  let table: ReturnType<typeof readSecretsFile>;
  try {
    table = readSecretsFile(file);
  } catch (err) {
    // Said, not fatal: a worker whose configs never read the file runs as before; those that do fail on it.
    warnings.push(`${err instanceof Error ? err.message : String(err)}: configs that read it will fail`);
  }
  if (table !== undefined) {
    const keys = secretsFileKeys(table).filter((key) => !neverResolved(key.split('.')) && policy.boundOrigins(key) === undefined);
    if (keys.length > 0) {
      warnings.push(
        `${file} keys not bound to an origin: ${keys.join(', ')}; a config may send them to any origin it names ` +
          '(bind each with key@https://api.example.com in SLUICE_SECRETS_ALLOW)',
      );
    }
  }
  if (isWorldReadable(file)) warnings.push(`${file} is readable by every user of this host (chmod 600 it, or 640 for the worker's group)`);
  return warnings;
}
