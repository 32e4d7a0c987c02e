/**
 * The two forms of an object whose kind converts (`ResourceKind.conversion`): the served form requests carry and
 * responses, lists and watches return, and the stored form the object store keeps. A custom resource's only
 * conversion is its `apiVersion` rewrite (`asServedVersion`).
 */
import { asServedVersion } from '../crd/served-version.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ObjectPredicate } from '../store/object-store.js';
import { toTable } from './table.js';

/** A stored object as `kind` serves it. */
export function servedForm(kind: ResourceKind, stored: KubeObject): KubeObject {
  return kind.conversion ? kind.conversion.fromStored(stored) : asServedVersion(kind, stored);
}

/**
 * An item of a list of `kind`, as kube-apiserver writes it: a built-in kind's list items carry no `apiVersion`
 * or `kind` (Go's typed `[]T` items are encoded without their TypeMeta, which only the list sets), where a
 * custom resource's items, unstructured, keep theirs. Watch events and single objects keep them either way.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/versioning/versioning.go
 */
export function listItemForm(kind: ResourceKind, stored: KubeObject): KubeObject {
  const served = servedForm(kind, stored);
  if (kind.origin === 'crd') return served;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { apiVersion, kind: _kind, ...rest } = served;
  return rest as KubeObject;
}

/** A served object of `kind` in the form it is stored in. */
export function storedForm(kind: ResourceKind, served: KubeObject): KubeObject {
  return kind.conversion ? kind.conversion.toStored(served) : served;
}

/** A predicate over served objects (label and field selectors of the served version) applied to stored ones. */
export function servedPredicate(kind: ResourceKind, predicate: ObjectPredicate): ObjectPredicate {
  const conversion = kind.conversion;
  return conversion ? (stored) => predicate(conversion.fromStored(stored)) : predicate;
}

/**
 * A Table of stored objects: the printer reads the stored form (upstream's printers read the internal object, which
 * the stored form stands for), and each row's full object (`includeObject=Object`) is the served form.
 */
export function tableOfStored(
  kind: ResourceKind,
  stored: KubeObject[],
  opts: Parameters<typeof toTable>[1],
): ReturnType<typeof toTable> {
  const table = toTable(stored, opts);
  if (opts.includeObject === 'Object' && table.rows) {
    for (const row of table.rows) if (row.object) row.object = servedForm(kind, row.object as KubeObject);
  }
  return table;
}
