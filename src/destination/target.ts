/**
 * What a load writes to: the resource's table (or its staging table) in a database, on one server or a
 * cluster. Shared by the insert (page-writer.ts) and the commit (commit.ts).
 */
import type { ResolvedResource } from '../config/types';
import { stagingTableName } from './ddl';
import { fitIdentifier, MAX_TABLE_NAME_LENGTH, normalizePath } from './naming';

export interface TableTarget {
  database: string;
  resource: ResolvedResource;
  /**
   * Load into staging tables and swap them in at commit, whatever the disposition (`--full-refresh`). The
   * staging tables keep the disposition's layout, so a merge table stays keyed by its primary key.
   */
  fullRefresh?: boolean;
  /** For `_sluice_rejected` rows. */
  pipeline?: string;
  /** `destination.cluster`: tables are created ON CLUSTER, Replicated, with a Distributed table for reads. */
  cluster?: string;
}

/**
 * Whether a load writes staging tables that commit swaps in (replace, or any disposition in a full refresh)
 * or, for scd2, merges into versions (scd2.ts).
 */
export function usesStaging(target: TableTarget): boolean {
  const { resource } = target;
  return resource.write_disposition === 'replace' || resource.scd2 !== undefined || (target.fullRefresh === true && resource.write_disposition !== 'skip');
}

/** The table a resource lands in: dlt normalises table names with the same convention as columns. */
export function tableNameOf(resource: ResolvedResource): string {
  return fitIdentifier(normalizePath(resource.table_name || resource.name), MAX_TABLE_NAME_LENGTH);
}

/** The table a load writes: the staging table where the load swaps it in at commit, else the table itself. */
export function physicalTable(target: TableTarget, table: string): string {
  return usesStaging(target) ? stagingTableName(table) : table;
}

/** Inserts into a Distributed table wait until every shard has the rows (else a read right after could miss them). */
export function insertSettings(target: TableTarget): Record<string, number> | undefined {
  return target.cluster ? { insert_distributed_sync: 1 } : undefined;
}
