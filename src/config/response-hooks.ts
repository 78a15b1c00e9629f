/**
 * dlt's callable response actions, in their two forms: a function in the `response_actions` list, or a
 * dict whose `action` is a function (or a list of them), run only on a response its `status_code` and
 * `content` match. Functions cannot travel in workflow input: resolve.ts counts the hooks, and the
 * worker builds them from the config module it loads again (src/activities/processing-steps.ts), both
 * with `responseHooksOf`, so the count and the hooks cannot disagree.
 */
import { matchesResponseAction } from '../core/response-actions';
import type { HookResponse, ResponseHook } from './endpoint-schema';
import { isRecord } from './schema-helpers';

type Condition = { status_code?: number; content?: string };

/** The callables of a dict action, or undefined when its action is not a function ("ignore"). */
function callablesOf(action: unknown): ResponseHook[] | undefined {
  if (typeof action === 'function') return [action as ResponseHook];
  if (Array.isArray(action) && action.length > 0 && action.every((a) => typeof a === 'function')) return action as ResponseHook[];
  return undefined;
}

/** Whether an entry stays in the config module (a function, or a dict with a callable action). */
export function isResponseHook(entry: unknown): boolean {
  return typeof entry === 'function' || (isRecord(entry) && callablesOf(entry.action) !== undefined);
}

/** The hooks of a response_actions list, in its order, as the worker runs them. */
export function responseHooksOf(actions: readonly unknown[] | undefined): ResponseHook[] {
  return (actions ?? []).flatMap((entry): ResponseHook[] => {
    if (typeof entry === 'function') return [entry as ResponseHook];
    const callables = isRecord(entry) ? callablesOf(entry.action) : undefined;
    if (!isRecord(entry) || callables === undefined) return [];
    // validate refuses a string status ("404"), as dlt never matches one; a raw entry reaches here validated.
    const condition: Condition = {
      ...(entry.status_code !== undefined ? { status_code: Number(entry.status_code) } : {}),
      ...(typeof entry.content === 'string' ? { content: entry.content } : {}),
    };
    return [
      async (response: HookResponse) => {
        if (!matchesResponseAction([condition], response.status, response.text)) return;
        for (const callable of callables) await callable(response);
      },
    ];
  });
}
