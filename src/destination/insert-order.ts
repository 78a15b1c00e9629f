/**
 * The order a page's or batch's tables are inserted in: child tables first (the deepest lists, seen last,
 * first), the resource's own table last, so "the root rows are in" means the whole page or batch is in.
 * A retry that finds the root rows (loaded pages, committed cursors) may then trust the rest.
 */
export function childTablesFirst<T>(root: T | undefined, children: readonly T[]): T[] {
  const order = [...children].reverse();
  if (root !== undefined) order.push(root);
  return order;
}
