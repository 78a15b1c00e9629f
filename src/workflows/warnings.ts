/**
 * The run-time warnings of a load (a page's or a child batch's), kept on its progress. A module of its
 * own: page-batches.ts and child-batches.ts add to them, and progress.ts imports child-batches.ts.
 */
/** Warnings travel in history with the progress: a few distinct lines are all a user reads. */
const MAX_RESOURCE_WARNINGS = 4;

/** Adds a batch's warnings to the load's, once each. */
export function addWarnings(progress: { warnings?: string[] }, added: readonly string[] | undefined): void {
  for (const warning of added ?? []) {
    const known = progress.warnings ?? [];
    if (!known.includes(warning) && known.length < MAX_RESOURCE_WARNINGS) progress.warnings = [...known, warning];
  }
}
