/**
 * What kube-apiserver's typed round trip leaves of a built-in object: it decodes every write into the kind's Go
 * struct, which its field manager reads (as `runtime.DefaultUnstructuredConverter` writes it, encoding/json's
 * rules), stores it in etcd as protobuf and serves what `encoding/json` writes from the struct read back. So
 * `annotations: {}` or `finalizers: []` sent by a client are gone, fields without `omitempty` are written with
 * their zero values (`creationTimestamp: null` in a pod template, an Event's `source: {}`), and an empty list
 * or map without `omitempty` comes back from storage as `null` (protobuf has no empty list). Custom resources are
 * stored as they come (unstructured, JSON in etcd, upstream too).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apimachinery/pkg/runtime/converter.go
 */
import { goEncodeObject } from '../decode/go-encode.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { storedForm } from './served-form.js';

/**
 * `obj` (of `kind`, in the form its own `apiVersion` names) as Go encodes its typed struct, the form the field
 * manager reads; a new object.
 */
export function typedRoundTrip(kind: ResourceKind, obj: KubeObject): KubeObject {
  if (kind.origin === 'crd') return obj;
  const encoded = goEncodeObject(obj);
  // The field manager reads the decoded struct, where `managedFields: []` (a reset) is still an empty list.
  const sent = obj.metadata?.managedFields;
  if (Array.isArray(sent) && sent.length === 0) encoded.metadata = { ...encoded.metadata, managedFields: [] };
  return encoded;
}

/** A stored-form object as kube-apiserver reads it back from its protobuf storage and encodes it. */
export function storageRoundTrip(kind: ResourceKind, stored: KubeObject): KubeObject {
  if (kind.origin === 'crd') return stored;
  return goEncodeObject(stored, { storage: true });
}

/**
 * The stored form of an encoded served object, as read back from storage (a kind that converts, such as an
 * events.k8s.io Event stored as the core Event, is encoded as the struct of its stored version).
 */
export function encodedStoredForm(kind: ResourceKind, encoded: KubeObject): KubeObject {
  return storageRoundTrip(kind, storedForm(kind, encoded));
}
