/**
 * dlt's dict response action with a callable `action` ({status_code: 404, action: fn}): accepted in a
 * .ts config, kept out of what travels (only its count does), and run only on responses it matches.
 */
import { validateSourceConfig } from '../../../src/config';
import type { HookResponse } from '../../../src/config/endpoint-schema';
import { responseHooksOf } from '../../../src/config/response-hooks';

const withActions = (response_actions: unknown[]) => ({
  client: { base_url: 'https://api.test' },
  resources: [{ name: 'r', endpoint: { path: 'x', response_actions } }],
});
const response = (status: number, text = '{}'): HookResponse => ({ status, text, headers: {}, url: 'https://api.test/x' });

describe('a callable inside a dict response action', () => {
  const seen: number[] = [];
  const onMissing = (r: HookResponse) => {
    seen.push(r.status);
    r.status = 200;
    r.text = '[]';
  };

  it('validates, and travels as a count while the ignore actions travel as they are', () => {
    const result = validateSourceConfig(
      withActions([
        { status_code: 404, action: onMissing },
        { status_code: 422, action: 'ignore' },
        { content: 'x', action: [onMissing, onMissing] },
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const endpoint = result.source.resources[0]!.endpoint;
    expect(endpoint.response_actions).toEqual([{ status_code: 422, action: 'ignore' }]);
    expect(endpoint.response_hooks).toBe(2);
    expect(result.source.resources[0]!.registered_functions).toBe(true);
  });

  it('is refused when the action is neither "ignore" nor functions', () => {
    const result = validateSourceConfig(withActions([{ status_code: 404, action: 'skip' }]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.message).toMatch(/expected "ignore", or in a \.ts config a function/);
  });

  it('refuses a status_code written as a string, which dlt would never match, with the number to write', () => {
    const result = validateSourceConfig(withActions([{ status_code: '404', action: 'ignore' }]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'resources[0].endpoint.response_actions[0].status_code: status_code "404" is a string: dlt compares it to the response\'s integer status, so it would never match; write it as a number (404)',
    ]);
  });

  it('runs only on a response its status_code and content match, and may change it', async () => {
    seen.length = 0;
    const [hook] = responseHooksOf([{ status_code: '404', content: 'gone', action: onMissing }]);
    const ok = response(200, 'gone');
    await hook!(ok);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('gone');
    const otherBody = response(404, 'not here');
    await hook!(otherBody);
    expect(otherBody.status).toBe(404);
    const missing = response(404, 'it is gone');
    await hook!(missing);
    expect(missing).toMatchObject({ status: 200, text: '[]' });
    expect(seen).toEqual([404]);
  });
});
