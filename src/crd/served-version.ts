import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';

/**
 * A custom resource as served in the version asked for. Objects are stored once per group/resource,
 * in the version they were written in; with no conversion (strategy `None`, and webhooks are not
 * called) serving another version only rewrites `apiVersion`, as the `None` converter does.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/conversion/nop_converter.go
 */
export function asServedVersion(kind: ResourceKind, obj: KubeObject): KubeObject {
  if (kind.origin !== 'crd') return obj;
  const apiVersion = apiVersionOf(kind);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}
