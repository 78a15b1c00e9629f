/**
 * The page token's shape (read and written by src/http/page-token.ts): the paginator's state plus what
 * must stay fixed for the whole run. It lives in core/ because it travels through workflow history, and
 * workflows import core/ only.
 */
import type { JsonObject, PaginatorConfig } from './resolved-source';

export interface PageToken {
  v: 1;
  /** Paginator type the token was made for; a token cannot be replayed against another one. */
  paginator: PaginatorConfig['type'];
  /** Pages fetched before the one this token asks for (for maximum_pages). */
  pages: number;
  state: JsonObject;
  /** data_selector found on the first page when the config has none. */
  selector?: string;
}
