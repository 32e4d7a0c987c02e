/**
 * The defaults kube-apiserver gives every `PodSpec`, whether in a Pod or in a workload's pod template:
 * `SetDefaults_PodSpec`, `SetDefaults_Container` and `SetDefaults_ContainerPort`. What only a Pod gets
 * (`enableServiceLinks`, the service account and priority admission, `status`) stays with the pod kind.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/v1/defaults.go
 */

import { isJsonObject, type JsonObject } from '../json/json-object.js';

/**
 * `SetDefaults_Container`'s pull policy: `Always` for an image tagged `latest` or untagged, else `IfNotPresent`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/v1/defaults.go
 */
function defaultPullPolicy(image: string): string {
  return image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent';
}

/**
 * Fills a container's defaults in place (`terminationMessagePath`/`Policy`, `imagePullPolicy`, the always
 * serialized `resources: {}`, each port's `protocol: TCP`).
 */
export function defaultContainer(container: JsonObject): void {
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  container.resources ??= {};
  const image = typeof container.image === 'string' ? container.image : '';
  container.imagePullPolicy ??= defaultPullPolicy(image);
  if (Array.isArray(container.ports)) {
    for (const port of container.ports) if (isJsonObject(port)) port.protocol ??= 'TCP';
  }
}

/**
 * Fills a `PodSpec`'s defaults in place: `restartPolicy`, `terminationGracePeriodSeconds`, `dnsPolicy`,
 * `schedulerName`, `securityContext`, and each (init) container's.
 */
export function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  for (const list of [spec.initContainers, spec.containers]) {
    if (!Array.isArray(list)) continue;
    for (const container of list) if (isJsonObject(container)) defaultContainer(container);
  }
}
