/**
 * The resolved shape of a source is owned by core/ (src/core/resolved-source.ts), since workflows and
 * activities share it and core/ imports nothing of sluice; config/ produces it. Re-exported here so the
 * layers above keep importing it from where they always did.
 */
export * from '../core/resolved-source';
