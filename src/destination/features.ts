/**
 * What the connected ClickHouse can do. Detected once per process and server URL (feature probing costs
 * three queries, and a worker opens many destinations), then every DDL and value-format choice reads it.
 *
 * 18.16 (Debian's) is the oldest server we support: no DateTime64, no Bool, no `EXCHANGE TABLES`, no
 * `ADD COLUMN IF NOT EXISTS`, no `is_deleted` argument for ReplacingMergeTree, no query parameters.
 */

export interface ServerFeatures {
  /** `SELECT version()`, e.g. "18.16.1" or "24.8.4.13". */
  version: string;
  /** DateTime64(3, 'UTC') for timestamps; else DateTime('UTC') (second precision). */
  dateTime64: boolean;
  /** Bool for booleans; else UInt8 holding 0/1. */
  bool: boolean;
  /** ReplacingMergeTree(version, is_deleted) exists (23.2+), for hard deletes. */
  isDeletedArg: boolean;
  /** `EXCHANGE TABLES` exists (20.x+); it still needs an Atomic database, checked per database. */
  exchangeTables: boolean;
  /** `ALTER TABLE … ADD COLUMN IF NOT EXISTS` parses. */
  addColumnIfNotExists: boolean;
  /**
   * Lightweight `DELETE FROM … WHERE …` whose wait we can set per query (`lightweight_deletes_sync`, 24.4+;
   * the statement itself is GA since 23.3, but before 24.4 its wait follows `mutations_sync`, which a
   * server profile may change). Deletes then mark rows in a `_row_exists` mask instead of rewriting every
   * column of the parts concerned (merge-key.ts `deleteAndWait`).
   */
  lightweightDelete: boolean;
  /**
   * The `mutations_sync` setting exists (19.x+; 26.x defaults it to 1, so an `ALTER … DELETE` waits and
   * throws on a failure that may be another mutation's). sluice sets it to 0 on its own mutations and waits
   * for them itself (own-mutation.ts).
   */
  mutationsSync: boolean;
  /**
   * The `select_sequential_consistency` setting exists (every server here; probed, not assumed): reads at
   * commit on replicated tables set it (replication.ts).
   */
  sequentialConsistency: boolean;
  /**
   * `SYSTEM SYNC REPLICA … LIGHTWEIGHT` parses (ClickHouse PR #48085, 23.4; gated at the 23.8 LTS, the first LTS with it):
   * it waits only for the fetches of parts other replicas logged, not for merges. Older servers skip the sync.
   */
  syncReplicaLightweight: boolean;
  /**
   * ClickHouse's JSON column type, production-ready from 25.3 (experimental in 24.8–25.2, absent before):
   * `data_type: json` columns get it; before 25.3 they hold JSON text in a String.
   */
  jsonType: boolean;
  /** Int128 and Int256 exist (20.8+); before, integers past 64 bits go into Decimal(38, 0) (docs/clickhouse.md). */
  wideInts: boolean;
  /** Data skipping indexes (`INDEX … TYPE minmax`) without an experimental setting (20.1+): the `sort` hint's. */
  skipIndexes: boolean;
  /** PARTITION BY a tuple of columns (not on 18.16, whose server crashed on inserts over such partitions). */
  partitionTuple: boolean;
  /** Column compression codecs (19.1+): the `x-clickhouse-codec` hint's. */
  codecs: boolean;
  /** Table TTL (19.6+): the `x-clickhouse-ttl` hint's. */
  ttl: boolean;
  /** LowCardinality without an experimental setting (19.x+): the `x-clickhouse-low-cardinality` hint's. */
  lowCardinality: boolean;
}

/** Probe results, gathered by the connection module from `SELECT version()` and system tables. */
export interface FeatureProbe {
  version: string;
  typeFamilies: ReadonlySet<string>;
  settings: ReadonlySet<string>;
}

/** Numeric [major, minor] of a ClickHouse version string; unknown parts read as 0. */
export function parseVersion(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [ma, mi] = parseVersion(version);
  return ma > major || (ma === major && mi >= minor);
}

/** Decide features from a probe. Types come from system tables; syntax features from the version. */
export function featuresFromProbe(probe: FeatureProbe): ServerFeatures {
  return {
    version: probe.version,
    dateTime64: probe.typeFamilies.has('DateTime64'),
    bool: probe.typeFamilies.has('Bool'),
    isDeletedArg: versionAtLeast(probe.version, 23, 2),
    exchangeTables: versionAtLeast(probe.version, 21, 8),
    addColumnIfNotExists: versionAtLeast(probe.version, 19, 3),
    lightweightDelete: probe.settings.has('lightweight_deletes_sync'),
    mutationsSync: probe.settings.has('mutations_sync'),
    sequentialConsistency: probe.settings.has('select_sequential_consistency'),
    syncReplicaLightweight: versionAtLeast(probe.version, 23, 8),
    jsonType: versionAtLeast(probe.version, 25, 3) && probe.typeFamilies.has('JSON'),
    wideInts: probe.typeFamilies.has('Int128'),
    skipIndexes: versionAtLeast(probe.version, 20, 1),
    codecs: versionAtLeast(probe.version, 19, 1),
    partitionTuple: versionAtLeast(probe.version, 19, 1),
    ttl: versionAtLeast(probe.version, 19, 6),
    lowCardinality: versionAtLeast(probe.version, 19, 1) && probe.typeFamilies.has('LowCardinality'),
  };
}
