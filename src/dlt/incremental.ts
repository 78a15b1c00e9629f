/**
 * dlt's `dlt.sources.incremental(…)`: `incremental('updated_at', { initial_value: '2024-01-01T00:00:00Z' })`.
 * As a param value (`params: { since: incremental(…) }`) it stands for dlt's legacy dict
 * `{ type: 'incremental', … }`, under `endpoint.incremental` for the dict without `type`, as in dlt.
 * Python's `last_value_func=max` is `Math.max` here (or the names 'max'/'min').
 */
import { DltObject } from './dlt-object';
import type { WithAliases } from './aliases';

type CursorValue = string | number | boolean | null;

export interface IncrementalOptions {
  cursor_path?: string;
  initial_value?: CursorValue;
  last_value_func?: 'max' | 'min' | typeof Math.max | typeof Math.min;
  primary_key?: string | string[];
  end_value?: CursorValue;
  row_order?: 'asc' | 'desc';
  allow_external_schedulers?: boolean;
  on_cursor_value_missing?: 'raise' | 'include' | 'exclude';
  lag?: number;
  range_start?: 'open' | 'closed';
  range_end?: 'open' | 'closed';
  // rest_api's additions (endpoint.incremental only), and sluice's
  start_param?: string;
  end_param?: string;
  convert?: 'epoch_seconds' | 'epoch_millis' | 'iso8601' | 'date' | ((value: unknown) => unknown);
  partition?: { step: string | number; parallelism: number };
}

// dlt.sources.incremental's parameter order.
const POSITIONAL = [
  'cursor_path',
  'initial_value',
  'last_value_func',
  'primary_key',
  'end_value',
  'row_order',
  'allow_external_schedulers',
  'on_cursor_value_missing',
  'lag',
  'range_start',
  'range_end',
];

export class Incremental extends DltObject {
  constructor(options: WithAliases<IncrementalOptions>);
  constructor(cursorPath: string, options?: WithAliases<Omit<IncrementalOptions, 'cursor_path'>>);
  constructor(...args: unknown[]) {
    super('incremental', POSITIONAL, args);
    const fn = this.options.last_value_func;
    if (fn === Math.max) this.options.last_value_func = 'max';
    else if (fn === Math.min) this.options.last_value_func = 'min';
  }

  toDict(key?: string): Record<string, unknown> {
    return key === 'incremental' ? { ...this.options } : { type: 'incremental', ...this.options };
  }
}

/** `dlt.sources.incremental(…)` as a function, as dlt's docs write it. */
export function incremental(options: WithAliases<IncrementalOptions>): Incremental;
export function incremental(cursorPath: string, options?: WithAliases<Omit<IncrementalOptions, 'cursor_path'>>): Incremental;
export function incremental(...args: unknown[]): Incremental {
  return new (Incremental as unknown as new (...a: unknown[]) => Incremental)(...args);
}
