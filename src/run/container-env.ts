/**
 * A container's environment as the kubelet builds it: `envFrom`, then `env` with `$(VAR)` expansion and its
 * value sources, then the Service variables (`KUBERNETES_SERVICE_HOST`...) of the pod's namespace.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/envvars/envvars.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/third_party/forked/golang/expansion/expand.go
 */
import { isIP } from 'node:net';
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import type { KubeObject } from '../registry/resource-kind.js';
import {
  PodConfigError,
  podFieldValue,
  resourceFieldValue,
  type NodeAllocatable,
  type ResourceFieldSelector,
} from './downward-api.js';

/** The objects a container's environment reads, in the pod's namespace. */
export interface ContainerEnvSources {
  configMap(name: string): KubeObject | undefined;
  secret(name: string): KubeObject | undefined;
  allocatable: NodeAllocatable;
}

/** The Services whose variables the kubelet sets: the namespace's (with `enableServiceLinks`) and `default/kubernetes`. */
export type ServiceList = readonly KubeObject[];

/** The kubelet's `makeEnvVariableName`: upper case, `-` as `_`. */
function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

function servicePorts(service: KubeObject): JsonObject[] {
  const ports = (service.spec as { ports?: unknown } | undefined)?.ports;
  return Array.isArray(ports) ? ports.filter(isJsonObject) : [];
}

/** `IsServiceIPSet`: a ClusterIP that is neither empty nor `None`. */
function clusterIp(service: KubeObject): string | undefined {
  const ip = (service.spec as { clusterIP?: unknown } | undefined)?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None' ? ip : undefined;
}

/**
 * `envvars.FromServices`: `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, one `NAME_SERVICE_PORT_<PORT NAME>` per
 * named port, and the Docker link variables (`NAME_PORT`, `NAME_PORT_443_TCP`, `..._PROTO`, `..._PORT`,
 * `..._ADDR`), for each Service with a ClusterIP and a port.
 */
export function serviceEnvVars(services: ServiceList): [string, string][] {
  const result: [string, string][] = [];
  for (const service of services) {
    const ip = clusterIp(service);
    const ports = servicePorts(service);
    if (!ip || ports.length === 0) continue;
    const prefix = envName(service.metadata?.name ?? '');
    result.push([`${prefix}_SERVICE_HOST`, ip]);
    result.push([`${prefix}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const port of ports) {
      if (typeof port.name === 'string' && port.name !== '') {
        result.push([`${prefix}_SERVICE_PORT_${envName(port.name)}`, String(port.port)]);
      }
    }
    ports.forEach((port, index) => {
      const protocol = typeof port.protocol === 'string' && port.protocol ? port.protocol : 'TCP';
      const hostPort = `${isIP(ip) === 6 ? `[${ip}]` : ip}:${String(port.port)}`;
      const url = `${protocol.toLowerCase()}://${hostPort}`;
      if (index === 0) result.push([`${prefix}_PORT`, url]);
      const portPrefix = `${prefix}_PORT_${String(port.port)}_${protocol.toUpperCase()}`;
      result.push([portPrefix, url]);
      result.push([`${portPrefix}_PROTO`, protocol.toLowerCase()]);
      result.push([`${portPrefix}_PORT`, String(port.port)]);
      result.push([`${portPrefix}_ADDR`, ip]);
    });
  }
  return result;
}

/**
 * The Services `getServiceEnvVarMap` projects for a pod: `default/kubernetes` always (the master service),
 * and with `enableServiceLinks` every Service of the pod's namespace (one of its own named `kubernetes` wins).
 */
export function servicesForPod(
  allServices: ServiceList,
  namespace: string,
  enableServiceLinks: boolean,
): KubeObject[] {
  const byName = new Map<string, KubeObject>();
  for (const service of allServices) {
    if (!clusterIp(service)) continue;
    const name = service.metadata?.name ?? '';
    const serviceNamespace = service.metadata?.namespace ?? 'default';
    if (serviceNamespace === 'default' && name === 'kubernetes') {
      if (!byName.has(name)) byName.set(name, service);
    } else if (serviceNamespace === namespace && enableServiceLinks) {
      byName.set(name, service);
    }
  }
  return [...byName.values()];
}

/**
 * Kubernetes' `$(VAR)` expansion: a reference to a defined variable is replaced, `$$` is `$`, anything else
 * (an undefined variable, an unclosed reference) is kept as written.
 */
export function expandEnvReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close === -1) out += '$(';
      else {
        const name = rest.slice(1, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close + 1;
      }
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function optional(ref: JsonObject): boolean {
  return ref.optional === true;
}

function configMapData(configMap: KubeObject): Record<string, string> {
  const data = isJsonObject(configMap.data) ? (configMap.data as Record<string, string>) : {};
  return { ...data };
}

function secretData(secret: KubeObject): Record<string, string> {
  const data = isJsonObject(secret.data) ? (secret.data as Record<string, string>) : {};
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(String(value), 'base64').toString('utf8')]),
  );
}

/**
 * The container's environment as the kubelet gives it, in order: `envFrom` keys (with their prefix), `env`
 * entries (later ones replacing earlier ones of the same name), then the Service variables no entry set.
 * A missing ConfigMap, Secret or key that is not `optional` is a `PodConfigError` worded as the kubelet's
 * `CreateContainerConfigError`.
 */
export function resolveContainerEnv(
  pod: KubeObject,
  container: JsonObject,
  sources: ContainerEnvSources,
  services: ServiceList,
): [string, string][] {
  const namespace = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  const configMaps = new Map<string, Record<string, string>>();
  const secrets = new Map<string, Record<string, string>>();
  const readConfigMap = (name: string): Record<string, string> | undefined => {
    if (!configMaps.has(name)) {
      const configMap = sources.configMap(name);
      if (!configMap) return undefined;
      configMaps.set(name, configMapData(configMap));
    }
    return configMaps.get(name);
  };
  const readSecret = (name: string): Record<string, string> | undefined => {
    if (!secrets.has(name)) {
      const secret = sources.secret(name);
      if (!secret) return undefined;
      secrets.set(name, secretData(secret));
    }
    return secrets.get(name);
  };

  for (const envFrom of Array.isArray(container.envFrom) ? container.envFrom.filter(isJsonObject) : []) {
    const prefix = typeof envFrom.prefix === 'string' ? envFrom.prefix : '';
    const ref = isJsonObject(envFrom.configMapRef)
      ? { kind: 'configmap', ref: envFrom.configMapRef, read: readConfigMap }
      : isJsonObject(envFrom.secretRef)
        ? { kind: 'secret', ref: envFrom.secretRef, read: readSecret }
        : undefined;
    if (!ref) continue;
    const name = String(ref.ref.name ?? '');
    const data = ref.read(name);
    if (!data) {
      if (optional(ref.ref)) continue;
      throw new PodConfigError(`${ref.kind} "${name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) env.set(prefix + key, value);
  }

  const serviceEnv = new Map(serviceEnvVars(services));
  const lookup = (name: string) => env.get(name) ?? serviceEnv.get(name);
  for (const entry of Array.isArray(container.env) ? container.env.filter(isJsonObject) : []) {
    const name = String(entry.name ?? '');
    const value = typeof entry.value === 'string' ? entry.value : '';
    let resolved = value;
    if (value !== '') resolved = expandEnvReferences(value, lookup);
    else if (isJsonObject(entry.valueFrom)) {
      const from = entry.valueFrom;
      if (isJsonObject(from.fieldRef)) {
        resolved = podFieldValue(pod, String(from.fieldRef.fieldPath ?? ''), { forEnv: true });
      } else if (isJsonObject(from.resourceFieldRef)) {
        resolved = resourceFieldValue(
          pod,
          container,
          from.resourceFieldRef as unknown as ResourceFieldSelector,
          sources.allocatable,
        );
      } else if (isJsonObject(from.configMapKeyRef) || isJsonObject(from.secretKeyRef)) {
        const isConfigMap = isJsonObject(from.configMapKeyRef);
        const ref = (isConfigMap ? from.configMapKeyRef : from.secretKeyRef) as JsonObject;
        const refName = String(ref.name ?? '');
        const key = String(ref.key ?? '');
        const data = isConfigMap ? readConfigMap(refName) : readSecret(refName);
        if (!data) {
          if (optional(ref)) continue;
          throw new PodConfigError(`${isConfigMap ? 'configmap' : 'secret'} "${refName}" not found`);
        }
        if (!(key in data)) {
          if (optional(ref)) continue;
          throw new PodConfigError(
            isConfigMap
              ? `couldn't find key ${key} in ConfigMap ${namespace}/${refName}`
              : `couldn't find key ${key} in Secret ${namespace}/${refName}`,
          );
        }
        resolved = data[key]!;
      }
    }
    env.set(name, resolved);
  }

  const result: [string, string][] = [...env];
  for (const [name, value] of serviceEnv) if (!env.has(name)) result.push([name, value]);
  return result;
}
