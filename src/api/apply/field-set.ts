/**
 * Sets of field paths, as structured-merge-diff's `fieldpath.Set`, with the `FieldsV1` JSON encoding that
 * `metadata.managedFields` carries (`{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}`).
 *
 * A path element is kept in its encoded form: `f:name` (a field), `k:{"name":"c"}` (an associative list
 * item by its keys), `v:"x"` (a set item by value), `i:3` (an index). `.` marks the node itself as a member.
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/fieldpath/set.go
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/fieldpath/serialize.go
 */

/** A node of a field set: whether its own path is a member, and the sets below it by path element. */
export interface FieldSet {
  member: boolean;
  readonly children: Map<string, FieldSet>;
}

/** A field path: encoded path elements from the root (`['f:spec', 'f:replicas']`). */
export type FieldPath = readonly string[];

/** An empty set. */
export function emptyFieldSet(): FieldSet {
  return { member: false, children: new Map() };
}

/** Adds a path to the set (in place). */
export function insertPath(set: FieldSet, path: FieldPath): void {
  let node = set;
  for (const element of path) {
    let child = node.children.get(element);
    if (!child) {
      child = emptyFieldSet();
      node.children.set(element, child);
    }
    node = child;
  }
  node.member = true;
}

/** Whether the set has no member at all. */
export function isEmptyFieldSet(set: FieldSet): boolean {
  if (set.member) return false;
  for (const child of set.children.values()) if (!isEmptyFieldSet(child)) return false;
  return true;
}

/** Whether `path` itself is a member. */
export function hasPath(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const element of path) {
    node = node.children.get(element);
    if (!node) return false;
  }
  return node.member;
}

/** The node at `path`, if the set has members there or below. */
export function subsetAt(set: FieldSet, path: FieldPath): FieldSet | undefined {
  let node: FieldSet | undefined = set;
  for (const element of path) {
    node = node.children.get(element);
    if (!node) return undefined;
  }
  return node;
}

/** `a ∪ b`, a new set. */
export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member || b.member, children: new Map() };
  for (const [element, child] of a.children) {
    const other = b.children.get(element);
    out.children.set(element, other ? unionFieldSets(child, other) : cloneFieldSet(child));
  }
  for (const [element, child] of b.children) {
    if (!a.children.has(element)) out.children.set(element, cloneFieldSet(child));
  }
  return out;
}

/** `a − b` (member by member: removing a path keeps the paths below it), a new set without empty nodes. */
export function differenceFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [element, child] of a.children) {
    const other = b.children.get(element);
    const rest = other ? differenceFieldSets(child, other) : cloneFieldSet(child);
    if (!isEmptyFieldSet(rest)) out.children.set(element, rest);
  }
  return out;
}

/** `a − b` where a member of `b` also removes everything below it in `a` (`RecursiveDifference`). */
export function recursiveDifferenceFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && !b.member, children: new Map() };
  for (const [element, child] of a.children) {
    const other = b.children.get(element);
    if (other?.member) continue;
    const rest = other ? recursiveDifferenceFieldSets(child, other) : cloneFieldSet(child);
    if (!isEmptyFieldSet(rest)) out.children.set(element, rest);
  }
  return out;
}

/** `a ∩ b`, a new set without empty nodes. */
export function intersectFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && b.member, children: new Map() };
  for (const [element, child] of a.children) {
    const other = b.children.get(element);
    if (!other) continue;
    const both = intersectFieldSets(child, other);
    if (!isEmptyFieldSet(both)) out.children.set(element, both);
  }
  return out;
}

/** A deep copy. */
export function cloneFieldSet(set: FieldSet): FieldSet {
  const out: FieldSet = { member: set.member, children: new Map() };
  for (const [element, child] of set.children) out.children.set(element, cloneFieldSet(child));
  return out;
}

/** The member paths in structured-merge-diff's order (`Set.Iterate`: path elements sorted, a node before its children). */
export function memberPaths(set: FieldSet): FieldPath[] {
  const paths: FieldPath[] = [];
  const walk = (node: FieldSet, prefix: string[]): void => {
    if (node.member) paths.push(prefix);
    for (const element of sortedElements(node)) walk(node.children.get(element)!, [...prefix, element]);
  };
  walk(set, []);
  return paths;
}

const ELEMENT_TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Path elements in `PathElement.Less` order: fields, then keys, values and indexes. */
function compareElements(a: string, b: string): number {
  const byType = (ELEMENT_TYPE_ORDER[a[0]!] ?? 9) - (ELEMENT_TYPE_ORDER[b[0]!] ?? 9);
  if (byType !== 0) return byType;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedElements(set: FieldSet): string[] {
  return [...set.children.keys()].sort(compareElements);
}

/** The `fieldsV1` JSON of a set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (set.member && set.children.size > 0) out['.'] = {};
  for (const element of sortedElements(set)) out[element] = toFieldsV1(set.children.get(element)!);
  return out;
}

/** A set from its `fieldsV1` JSON; a malformed value yields what could be read. */
export function fromFieldsV1(json: unknown): FieldSet {
  const set = emptyFieldSet();
  const read = (node: FieldSet, value: unknown): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [element, child] of entries) {
      if (element === '.') {
        node.member = true;
        continue;
      }
      const childSet = emptyFieldSet();
      read(childSet, child);
      // A leaf is written `{}`: the path itself is the member.
      if (childSet.children.size === 0) childSet.member = true;
      node.children.set(element, childSet);
    }
  };
  read(set, json);
  return set;
}

/** The encoded element of a field name. */
export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** The encoded element of an associative list item: its keys, sorted by name, as JSON. */
export function keyElement(keys: Readonly<Record<string, unknown>>): string {
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(keys).sort()) sorted[name] = keys[name];
  return `k:${JSON.stringify(sorted)}`;
}

/** The encoded element of a set item. */
export function valueElement(value: unknown): string {
  return `v:${JSON.stringify(value)}`;
}

/** The encoded element of a list index. */
export function indexElement(index: number): string {
  return `i:${index}`;
}

/**
 * A path as structured-merge-diff prints it in conflicts: `.spec.replicas`,
 * `.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`, `.spec.args[0]`.
 */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      switch (element[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const keys = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(keys)
            .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
