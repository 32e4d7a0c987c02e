/**
 * What kube-apiserver's typed round trip leaves of a built-in object: it decodes every write into the kind's Go
 * struct and stores and serves what `encoding/json` writes from it, so `annotations: {}` or `finalizers: []`
 * sent by a client are gone and fields without `omitempty` are written with their zero values
 * (`creationTimestamp: null` in a pod template, an Event's `source: {}`). Custom resources are stored as they
 * come (unstructured upstream too).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 */
import { goEncodeObject } from '../decode/go-encode.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { storedForm } from './served-form.js';

/** `obj` (of `kind`, in the form its own `apiVersion` names) as Go encodes its typed struct; a new object. */
export function typedRoundTrip(kind: ResourceKind, obj: KubeObject): KubeObject {
  if (kind.origin === 'crd') return obj;
  return goEncodeObject(obj, { storage: true });
}

/**
 * The stored form of an encoded served object: a kind that converts (an events.k8s.io Event stored as the core
 * Event) is encoded again, as the struct of its stored version.
 */
export function encodedStoredForm(kind: ResourceKind, encoded: KubeObject): KubeObject {
  const stored = storedForm(kind, encoded);
  return kind.conversion ? typedRoundTrip(kind, stored) : stored;
}
