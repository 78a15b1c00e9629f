/** `sluice validate`: exit 0 when the config is valid, else exit 2 with one line per problem. */
import { loadConfigOrExit } from './load-config';

export async function validateCommand(configPath: string, print: (line: string) => void): Promise<void> {
  const source = await loadConfigOrExit(configPath);
  const names = source.resources.map((r) => r.name).join(', ');
  print(`${configPath}: valid (${source.resources.length} resource${source.resources.length === 1 ? '' : 's'}: ${names})`);
}
