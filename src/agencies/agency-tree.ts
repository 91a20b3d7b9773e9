/** The agency tree as plain rows (D22): the subtree of a node, depth-first, with each agency's depth below it. */
export interface TreeRow {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

/** The node and all its descendants, depth-first in creation order (the order roll-ups list them). */
export function subtreeOf<T extends TreeRow>(rows: readonly T[], rootId: number): Array<T & { depth: number }> {
  const children = new Map<number | null, T[]>();
  for (const r of rows) {
    const list = children.get(r.parentId) ?? [];
    list.push(r);
    children.set(r.parentId, list);
  }
  const root = rows.find((r) => r.id === rootId);
  if (!root) return [];
  const out: Array<T & { depth: number }> = [];
  const seen = new Set<number>();
  const walk = (node: T, depth: number) => {
    if (seen.has(node.id)) return; // a cycle cannot be created through the API; never loop on one
    seen.add(node.id);
    out.push({ ...node, depth });
    for (const c of children.get(node.id) ?? []) walk(c, depth + 1);
  };
  walk(root, 0);
  return out;
}

/** Whether `nodeId` is `ancestorId` or below it. */
export function isInSubtree(rows: readonly TreeRow[], ancestorId: number, nodeId: number): boolean {
  const parentOf = new Map(rows.map((r) => [r.id, r.parentId]));
  let at: number | null | undefined = nodeId;
  for (let hops = 0; at !== null && at !== undefined && hops <= rows.length; hops++) {
    if (at === ancestorId) return true;
    at = parentOf.get(at);
  }
  return false;
}
