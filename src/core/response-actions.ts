/**
 * When a response_actions entry applies to a response: one rule for the declarative actions
 * (src/http/fetch-page.ts) and the callable ones of a `.ts` config (src/config/response-hooks.ts).
 */
import type { ResponseAction } from './resolved-source';

/** dlt's response_actions: status alone, content substring alone, or both must match. */
export function matchesResponseAction<A extends Pick<ResponseAction, 'status_code' | 'content'>>(actions: readonly A[], status: number, text: string): A | undefined {
  return actions.find((a) => {
    const hasStatus = a.status_code !== undefined && a.status_code !== null;
    const hasContent = a.content !== undefined && a.content !== null;
    if (!hasStatus && !hasContent) return false;
    if (hasStatus && a.status_code !== status) return false;
    if (hasContent && !text.includes(a.content as string)) return false;
    return true;
  });
}
