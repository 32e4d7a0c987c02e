/**
 * The value walks of structured-merge-diff that server-side apply and managed fields are made of: the field
 * set of an applied configuration, the comparison of two objects, the merge of a configuration into the live
 * object, and the pruning of fields an applier let go of. Values are plain JSON.
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/tofieldset.go
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/compare.go
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/typed/merge.go
 * @see https://github.com/kubernetes-sigs/structured-merge-diff/blob/master/merge/update.go
 */
import { isDeepStrictEqual } from 'node:util';
import { fieldShape, UNKNOWN_SHAPE, type ApplyShape } from './apply-schema.js';
import {
  emptyFieldSet,
  fieldElement,
  indexElement,
  insertPath,
  isEmptyFieldSet,
  keyElement,
  valueElement,
  type FieldPath,
  type FieldSet,
} from './field-set.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

function isMap(value: Json): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isGranularList(shape: ApplyShape): boolean {
  return shape.listType === 'set' || shape.listType === 'map';
}

/** The path element of a list item: by its keys, by its value, or (keys missing) by its index. */
export function listItemElement(shape: ApplyShape, item: Json, index: number): string {
  if (shape.listType === 'set') return valueElement(item);
  if (shape.listType === 'map' && isMap(item) && shape.keys) {
    const keys: JsonMap = {};
    for (const key of shape.keys) {
      const value = item[key] ?? shape.keyDefaults?.[key];
      if (value !== undefined) keys[key] = value;
    }
    if (Object.keys(keys).length > 0) return keyElement(keys);
  }
  return indexElement(index);
}

function indexList(shape: ApplyShape, list: readonly Json[]): Map<string, Json> {
  const indexed = new Map<string, Json>();
  list.forEach((item, index) => {
    const element = listItemElement(shape, item, index);
    if (!indexed.has(element)) indexed.set(element, item);
  });
  return indexed;
}

/** The fields an applied configuration sets (`TypedValue.ToFieldSet`). */
export function toFieldSet(config: Json, shape: ApplyShape): FieldSet {
  const set = emptyFieldSet();
  const walk = (value: Json, node: ApplyShape, path: string[]): void => {
    if (Array.isArray(value)) {
      if (!isGranularList(node)) {
        insertPath(set, path);
        return;
      }
      const elements = node.elements ?? UNKNOWN_SHAPE;
      value.forEach((item, index) => {
        const itemPath = [...path, listItemElement(node, item, index)];
        if (node.listType === 'map') walk(item, elements, itemPath);
        insertPath(set, itemPath);
      });
      return;
    }
    if (isMap(value) && !node.atomic) {
      const entries = Object.entries(value);
      if (entries.length === 0 && path.length > 0) insertPath(set, path);
      for (const [name, child] of entries) walk(child, fieldShape(node, name), [...path, fieldElement(name)]);
      return;
    }
    insertPath(set, path);
  };
  walk(config, shape, []);
  return set;
}

/** What changed from one object to another (`TypedValue.Compare`). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

type ValueKind = 'map' | 'list' | 'scalar';

function kindOf(value: Json): ValueKind | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return 'list';
  return isMap(value) ? 'map' : 'scalar';
}

/** Whether a value of `kind` under `node` is a map or list compared item by item (not atomic). */
function isContainer(kind: ValueKind | undefined, node: ApplyShape): kind is 'map' | 'list' {
  if (kind === 'list') return isGranularList(node);
  return kind === 'map' && node.atomic !== true;
}

const emptyOf = (kind: 'map' | 'list'): Json => (kind === 'list' ? [] : {});

const isCollection = (kind: ValueKind | undefined): boolean => kind === 'list' || kind === 'map';

/** Absent, null, or a list or map without items. */
function isEmptyOrNull(value: Json): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isMap(value) && Object.keys(value).length === 0;
}

/** Compares two objects field by field under a shape. */
export function compareObjects(lhs: Json, rhs: Json, shape: ApplyShape): Comparison {
  const out: Comparison = { added: emptyFieldSet(), modified: emptyFieldSet(), removed: emptyFieldSet() };
  const walk = (left: Json, right: Json, node: ApplyShape, path: string[]): void => {
    // A null against a map or list is that kind's empty value (a Go nil slice or map, `containers: null` in
    // the zero object a create is compared with): its items are added or removed, the node itself is not.
    const leftKind = kindOf(left);
    const rightKind = kindOf(right);
    // Both sides empty or null (at least one a list or map): compared as a leaf, which keeps the difference
    // between null and empty (`emptyPromoteToLeaf`: `drivers: []` over the zero value's null is a change).
    if ((isCollection(leftKind) || isCollection(rightKind)) && isEmptyOrNull(left) && isEmptyOrNull(right)) {
      if (left === undefined && right !== undefined) insertPath(out.added, path);
      else if (right === undefined && left !== undefined) insertPath(out.removed, path);
      else if (!isDeepStrictEqual(left, right)) insertPath(out.modified, path);
      return;
    }
    if (left === null && isContainer(rightKind, node)) return walk(emptyOf(rightKind), right, node, path);
    if (right === null && isContainer(leftKind, node)) return walk(left, emptyOf(leftKind), node, path);
    const valueKind = leftKind ?? rightKind;
    const leaf =
      (leftKind !== undefined && rightKind !== undefined && leftKind !== rightKind) ||
      valueKind === 'scalar' ||
      (valueKind === 'list' && !isGranularList(node)) ||
      (valueKind === 'map' && node.atomic === true);
    if (leaf) {
      if (left === undefined) insertPath(out.added, path);
      else if (right === undefined) insertPath(out.removed, path);
      else if (!isDeepStrictEqual(left, right)) insertPath(out.modified, path);
      return;
    }
    if (valueKind === 'map') {
      const leftMap = (left ?? {}) as JsonMap;
      const rightMap = (right ?? {}) as JsonMap;
      for (const name of new Set([...Object.keys(leftMap), ...Object.keys(rightMap)])) {
        walk(leftMap[name], rightMap[name], fieldShape(node, name), [...path, fieldElement(name)]);
      }
    } else {
      const leftItems = indexList(node, (left ?? []) as Json[]);
      const rightItems = indexList(node, (right ?? []) as Json[]);
      const elements = node.elements ?? UNKNOWN_SHAPE;
      for (const element of new Set([...leftItems.keys(), ...rightItems.keys()])) {
        walk(leftItems.get(element), rightItems.get(element), elements, [...path, element]);
      }
    }
    if (path.length === 0) return;
    if (left === undefined) insertPath(out.added, path);
    else if (right === undefined) insertPath(out.removed, path);
  };
  walk(lhs, rhs, shape, []);
  return out;
}

/** Merges an applied configuration into the live object (`TypedValue.Merge`); neither input is changed. */
export function mergeApplied(live: Json, config: Json, shape: ApplyShape): Json {
  if (config === undefined) return live;
  if (live === undefined) return structuredClone(config);
  if (isMap(live) && isMap(config) && !shape.atomic) {
    const out: JsonMap = { ...live };
    for (const [name, value] of Object.entries(config)) {
      out[name] = mergeApplied(live[name], value, fieldShape(shape, name));
    }
    return out;
  }
  if (Array.isArray(live) && Array.isArray(config) && isGranularList(shape)) {
    return mergeLists(live, config, shape);
  }
  return structuredClone(config);
}

/** `mergingWalker.visitListItems`: live items keep their places, shared items follow the config's order. */
function mergeLists(live: readonly Json[], config: readonly Json[], shape: ApplyShape): Json[] {
  const elements = shape.elements ?? UNKNOWN_SHAPE;
  const livePEs = live.map((item, index) => listItemElement(shape, item, index));
  const configPEs = config.map((item, index) => listItemElement(shape, item, index));
  const liveItems = indexList(shape, live);
  const configItems = indexList(shape, config);
  const sharedOrder = configPEs.filter((pe) => liveItems.has(pe));
  let nextShared = sharedOrder.shift();
  const merged = new Set<string>();
  const out: Json[] = [];
  const take = (pe: string, liveItem: Json, configItem: Json) => {
    out.push(
      shape.listType === 'set' ? (configItem ?? liveItem) : mergeApplied(liveItem, configItem, elements),
    );
  };
  let l = 0;
  let r = 0;
  while (l < livePEs.length || r < configPEs.length) {
    if (l < livePEs.length && r < configPEs.length) {
      const pe = livePEs[l]!;
      if (pe === configPEs[r]) {
        merged.add(pe);
        take(pe, liveItems.get(pe), configItems.get(pe));
        l++;
        r++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (configItems.has(pe) && nextShared !== undefined && nextShared !== pe) {
        l++;
        continue;
      }
    }
    if (l < livePEs.length) {
      const pe = livePEs[l]!;
      if (!configItems.has(pe)) {
        take(pe, live[l], undefined);
        l++;
        continue;
      } else if (merged.has(pe)) {
        l++;
        continue;
      }
    }
    if (r < configPEs.length) {
      const pe = configPEs[r]!;
      if (!merged.has(pe)) take(pe, liveItems.get(pe), configItems.get(pe));
      merged.add(pe);
      r++;
      if (nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

/**
 * Removes from a merged object the fields in `released` (what an applier owned before and no longer
 * applies) that no manager owns now, as `Updater.prune` does; a struct field left empty by it goes too.
 */
export function pruneReleased(value: Json, released: FieldSet, owned: FieldSet, shape: ApplyShape): Json {
  if (isMap(value)) {
    const out: JsonMap = { ...value };
    for (const [element, releasedChild] of released.children) {
      if (!element.startsWith('f:')) continue;
      const name = element.slice(2);
      if (!(name in out)) continue;
      const result = pruneChild(
        out[name],
        releasedChild,
        owned.children.get(element),
        fieldShape(shape, name),
      );
      if (result === undefined) delete out[name];
      else out[name] = result;
    }
    return out;
  }
  if (Array.isArray(value) && isGranularList(shape)) {
    const elements = shape.elements ?? UNKNOWN_SHAPE;
    const out: Json[] = [];
    value.forEach((item, index) => {
      const element = listItemElement(shape, item, index);
      const releasedChild = released.children.get(element);
      if (!releasedChild) {
        out.push(item);
        return;
      }
      const result = pruneChild(item, releasedChild, owned.children.get(element), elements);
      if (result !== undefined) out.push(result);
    });
    return out;
  }
  return value;
}

function pruneChild(value: Json, released: FieldSet, owned: FieldSet | undefined, shape: ApplyShape): Json {
  const stillOwned = owned !== undefined && !isEmptyFieldSet(owned);
  if (!stillOwned && released.member) return undefined;
  if (released.children.size === 0) return value;
  const pruned = pruneReleased(value, released, owned ?? emptyFieldSet(), shape);
  const wasFull = Array.isArray(value) ? value.length > 0 : isMap(value) && Object.keys(value).length > 0;
  const isEmpty = Array.isArray(pruned)
    ? pruned.length === 0
    : isMap(pruned) && Object.keys(pruned).length === 0;
  return wasFull && isEmpty && !stillOwned ? undefined : pruned;
}

/** Paths every manager set leaves out, as upstream's `stripMetaManager`. */
export const STRIPPED_PATHS: readonly FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];
