/** dlt's JSONLinkPaginator as users write it (behaviour: src/http/paginators/json-link.ts). */
import { z } from 'zod';
import type { JsonLinkPaginatorConfig } from '../../core/paginator-configs';
import { strictObject } from '../schema-helpers';
import { jsonPath } from './config-fields';
import { definePaginator } from './definition';

export const jsonLinkDefinition = definePaginator({
  type: 'json_link',
  dltClass: 'JSONLinkPaginator',
  // dlt still accepts its old name.
  aliases: ['json_response'],
  schema: strictObject({ type: z.literal('json_link'), next_url_path: jsonPath().optional() }),
  normalize: (p): JsonLinkPaginatorConfig => ({ type: 'json_link', next_url_path: p.next_url_path ?? 'next' }),
});
