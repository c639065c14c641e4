import { isAlias, isCollection, isPair, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * How many nodes aliases (*name) may copy into one file, counted after expansion. A 2 MB
 * schedule (12 000 members) holds about 150 000 nodes; as many again from aliases at most
 * doubles the work of checking it. A member list that reuses `channels: *email` copies two
 * nodes per member; a "billion laughs" file (aliases of aliases, 10 levels) would copy 10^10.
 * yaml's own maxAliasCount counted uses, not size, and refused the 101st `*email`.
 */
export const MAX_ALIAS_COPIED_NODES = 200_000;

export type AliasSize = { copied: number } | { circular: string };

/**
 * The nodes the document's aliases copy, in one pass: each alias names the last anchor of that
 * name before it (as yaml resolves it), and each node's expanded size is computed once.
 */
export function aliasSize(doc: Document): AliasSize {
  const latest = new Map<string, Node>();
  const sources = new Map<Alias, Node | undefined>();
  let written = 0;
  visit(doc, {
    Node(_key, node) {
      written++;
      if (isAlias(node)) sources.set(node, latest.get(node.source));
      else if (node.anchor) latest.set(node.anchor, node);
    },
  });
  const sizes = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  let circular: string | undefined;
  const sizeOf = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) {
      circular ??= (node as Node).anchor ?? '?';
      return 0;
    }
    inProgress.add(node);
    let size = 1;
    // An unresolved alias counts as one node: yaml reports it when the document is read.
    if (isAlias(node)) size = sources.get(node) ? sizeOf(sources.get(node)) : 1;
    else if (isPair(node)) size = sizeOf(node.key) + sizeOf(node.value);
    else if (isCollection(node)) for (const item of node.items) size += sizeOf(item);
    inProgress.delete(node);
    sizes.set(node, size);
    return size;
  };
  const expanded = sizeOf(doc.contents);
  return circular !== undefined ? { circular } : { copied: expanded - written };
}
