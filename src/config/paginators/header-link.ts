/** dlt's HeaderLinkPaginator as users write it (behaviour: src/http/paginators/header-link.ts). */
import { z } from 'zod';
import type { HeaderLinkPaginatorConfig } from '../../core/paginator-configs';
import { nonEmptyString, strictObject } from '../schema-helpers';
import { definePaginator } from './definition';

export const headerLinkDefinition = definePaginator({
  type: 'header_link',
  dltClass: 'HeaderLinkPaginator',
  schema: strictObject({ type: z.literal('header_link'), links_next_key: nonEmptyString().optional() }),
  normalize: (p): HeaderLinkPaginatorConfig => ({ type: 'header_link', links_next_key: p.links_next_key ?? 'next' }),
});
