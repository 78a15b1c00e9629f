/**
 * Per placement (one server, or one cluster): its DDL, schema cache and staged loads, made on first use,
 * and the databases already made there.
 */
import type { Connection } from './connection';
import type { ServerFeatures } from './features';
import { clusterDdl, localDdl, type TableDdl } from './placement';
import { ReplaceLoads } from './replace';
import { Scd2Loads } from './scd2';
import { SchemaRegistry } from './schema';

/** DDL, schema cache and staged loads for one placement (one server, or one cluster). */
export interface Placement {
  ddl: TableDdl;
  schema: SchemaRegistry;
  replace: ReplaceLoads;
  scd2: Scd2Loads;
}

export class Placements {
  private readonly placements = new Map<string, Placement>();
  private readonly databases = new Set<string>();

  constructor(
    private readonly conn: Connection,
    private readonly features: ServerFeatures,
  ) {}

  of(cluster: string | undefined): Placement {
    const name = cluster ?? '';
    let p = this.placements.get(name);
    if (!p) {
      const options = {
        isDeletedArg: this.features.isDeletedArg,
        addColumnIfNotExists: this.features.addColumnIfNotExists,
        skipIndexes: this.features.skipIndexes,
        ttl: this.features.ttl,
        partitionTuple: this.features.partitionTuple,
      };
      const ddl = cluster ? clusterDdl(cluster, options) : localDdl(options);
      const schema = new SchemaRegistry(this.conn, ddl);
      p = { ddl, schema, replace: new ReplaceLoads(this.conn, this.features, schema, ddl), scd2: new Scd2Loads(this.conn, schema, ddl) };
      this.placements.set(name, p);
    }
    return p;
  }

  /** With `cluster`, the database is created ON CLUSTER. */
  async ensureDatabase(database: string, cluster?: string): Promise<void> {
    const k = `${cluster ?? ''}\u0000${database}`;
    if (this.databases.has(k)) return;
    for (const sql of this.of(cluster).ddl.createDatabase(database)) await this.conn.command(sql, `creating database ${database}`);
    this.databases.add(k);
  }
}
