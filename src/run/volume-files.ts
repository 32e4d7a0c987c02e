/**
 * The files of a pod's volumes as the kubelet's volume plugins make them: configMap, secret, downwardAPI and
 * projected (serviceAccountToken, configMap, secret, downwardAPI). emptyDir holds nothing to begin with.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/volume/configmap/configmap.go (MakePayload)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/volume/secret/secret.go (MakePayload)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/volume/downwardapi/downwardapi.go (CollectData)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/volume/projected/projected.go (collectData)
 */
import { posix } from 'node:path';
import type { ProjectedFile } from '../files/atomic-writer.js';
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import type { KubeObject } from '../registry/resource-kind.js';
import {
  PodConfigError,
  podFieldValue,
  resourceFieldValue,
  type NodeAllocatable,
  type ResourceFieldSelector,
} from './downward-api.js';

/** The volume types `fake-apiserver run` makes. */
export const SUPPORTED_VOLUME_TYPES = [
  'configMap',
  'secret',
  'downwardAPI',
  'projected',
  'emptyDir',
] as const;

/** One of `SUPPORTED_VOLUME_TYPES`. */
export type SupportedVolumeType = (typeof SUPPORTED_VOLUME_TYPES)[number];

/** The kubelet's default mode of the files of configMap, secret, downwardAPI and projected volumes (0644). */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;

/** What a volume's files are made from. */
export interface VolumeSources {
  pod: KubeObject;
  /** The container the volume is made for: a `resourceFieldRef` without `containerName` is its. */
  container: JsonObject;
  configMap(name: string): KubeObject | undefined;
  secret(name: string): KubeObject | undefined;
  allocatable: NodeAllocatable;
  /**
   * A token of the pod's service account bound to the pod, for `audience` (the API's when empty), living
   * `expirationSeconds`: the same one until the kubelet would refresh it.
   */
  token(request: { path: string; audience: string; expirationSeconds: number }): string;
}

/** The type of a volume (`configMap`, `hostPath`...), as the key that holds its source. */
export function volumeType(volume: JsonObject): string {
  return Object.keys(volume).find((key) => key !== 'name') ?? 'emptyDir';
}

function modeOf(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

type Payload = Map<string, ProjectedFile>;

/** `MakePayload` of the configMap and secret plugins: every key, or the `items` asked for. */
function keyPayload(
  what: 'configmap' | 'secret',
  data: Map<string, Buffer>,
  items: unknown,
  defaultMode: number,
  optional: boolean,
): Payload {
  const payload: Payload = new Map();
  const mappings = Array.isArray(items) ? items.filter(isJsonObject) : [];
  if (mappings.length === 0) {
    for (const [key, content] of data) payload.set(key, { data: content, mode: defaultMode });
    return payload;
  }
  for (const mapping of mappings) {
    const key = String(mapping.key ?? '');
    const content = data.get(key);
    if (!content) {
      if (optional) continue;
      throw new PodConfigError(
        what === 'configmap'
          ? `configmap references non-existent config key: ${key}`
          : `references non-existent secret key: ${key}`,
      );
    }
    payload.set(String(mapping.path ?? key), { data: content, mode: modeOf(mapping.mode, defaultMode) });
  }
  return payload;
}

function configMapData(configMap: KubeObject | undefined): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  if (!configMap) return data;
  if (isJsonObject(configMap.data)) {
    for (const [key, value] of Object.entries(configMap.data))
      data.set(key, Buffer.from(String(value), 'utf8'));
  }
  if (isJsonObject(configMap.binaryData)) {
    for (const [key, value] of Object.entries(configMap.binaryData))
      data.set(key, Buffer.from(String(value), 'base64'));
  }
  return data;
}

function secretData(secret: KubeObject | undefined): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  if (secret && isJsonObject(secret.data)) {
    for (const [key, value] of Object.entries(secret.data))
      data.set(key, Buffer.from(String(value), 'base64'));
  }
  return data;
}

function configMapPayload(source: JsonObject, sources: VolumeSources, defaultMode: number): Payload {
  const name = String(source.name ?? '');
  const optional = source.optional === true;
  const configMap = sources.configMap(name);
  if (!configMap && !optional) throw new PodConfigError(`configmap "${name}" not found`);
  return keyPayload('configmap', configMapData(configMap), source.items, defaultMode, optional);
}

function secretPayload(
  name: string,
  source: JsonObject,
  sources: VolumeSources,
  defaultMode: number,
): Payload {
  const optional = source.optional === true;
  const secret = sources.secret(name);
  if (!secret && !optional) throw new PodConfigError(`secret "${name}" not found`);
  return keyPayload('secret', secretData(secret), source.items, defaultMode, optional);
}

/** `downwardapi.CollectData`: each item's metadata field or resource value. */
function downwardApiPayload(items: unknown, sources: VolumeSources, defaultMode: number): Payload {
  const payload: Payload = new Map();
  for (const item of Array.isArray(items) ? items.filter(isJsonObject) : []) {
    const path = posix.normalize(String(item.path ?? ''));
    let value = '';
    if (isJsonObject(item.fieldRef)) {
      value = podFieldValue(sources.pod, String(item.fieldRef.fieldPath ?? ''), { forEnv: false });
    } else if (isJsonObject(item.resourceFieldRef)) {
      value = resourceFieldValue(
        sources.pod,
        sources.container,
        item.resourceFieldRef as unknown as ResourceFieldSelector,
        sources.allocatable,
      );
    }
    payload.set(path, { data: Buffer.from(value, 'utf8'), mode: modeOf(item.mode, defaultMode) });
  }
  return payload;
}

/** A projected volume's sources, merged in order (a later path replaces an earlier one). */
function projectedPayload(source: JsonObject, sources: VolumeSources): Payload {
  const defaultMode = modeOf(source.defaultMode, DEFAULT_VOLUME_FILE_MODE);
  const payload: Payload = new Map();
  for (const projection of Array.isArray(source.sources) ? source.sources.filter(isJsonObject) : []) {
    let part: Payload;
    if (isJsonObject(projection.configMap))
      part = configMapPayload(projection.configMap, sources, defaultMode);
    else if (isJsonObject(projection.secret)) {
      part = secretPayload(String(projection.secret.name ?? ''), projection.secret, sources, defaultMode);
    } else if (isJsonObject(projection.downwardAPI)) {
      part = downwardApiPayload(projection.downwardAPI.items, sources, defaultMode);
    } else if (isJsonObject(projection.serviceAccountToken)) {
      const request = projection.serviceAccountToken;
      const path = String(request.path ?? '');
      const token = sources.token({
        path,
        audience: typeof request.audience === 'string' ? request.audience : '',
        expirationSeconds: typeof request.expirationSeconds === 'number' ? request.expirationSeconds : 3600,
      });
      part = new Map([[path, { data: Buffer.from(token, 'utf8'), mode: defaultMode }]]);
    } else if (isJsonObject(projection.clusterTrustBundle)) {
      throw new PodConfigError('clusterTrustBundle projections are not made by fake-apiserver run');
    } else continue;
    for (const [path, file] of part) payload.set(path, file);
  }
  return payload;
}

/**
 * The files of one volume, or undefined for an emptyDir (an empty directory the container may write).
 * A ConfigMap, Secret or key that is missing and not `optional` is a `PodConfigError` in the kubelet's words;
 * a type other than `SUPPORTED_VOLUME_TYPES` is refused.
 */
export function volumePayload(volume: JsonObject, sources: VolumeSources): Payload | undefined {
  const type = volumeType(volume);
  const source = isJsonObject(volume[type]) ? volume[type] : {};
  switch (type) {
    case 'emptyDir':
      return undefined;
    case 'configMap':
      return configMapPayload(source, sources, modeOf(source.defaultMode, DEFAULT_VOLUME_FILE_MODE));
    case 'secret':
      return secretPayload(
        String(source.secretName ?? ''),
        source,
        sources,
        modeOf(source.defaultMode, DEFAULT_VOLUME_FILE_MODE),
      );
    case 'downwardAPI':
      return downwardApiPayload(source.items, sources, modeOf(source.defaultMode, DEFAULT_VOLUME_FILE_MODE));
    case 'projected':
      return projectedPayload(source, sources);
  }
  throw new PodConfigError(
    `${type} volumes are not made by fake-apiserver run (it makes ${SUPPORTED_VOLUME_TYPES.join(', ')})`,
  );
}

/** The names of the ConfigMaps and Secrets a volume reads, to know when it must be written again. */
export function volumeReferences(volume: JsonObject): { configMaps: string[]; secrets: string[] } {
  const configMaps: string[] = [];
  const secrets: string[] = [];
  const type = volumeType(volume);
  const source = isJsonObject(volume[type]) ? volume[type] : {};
  if (type === 'configMap') configMaps.push(String(source.name ?? ''));
  if (type === 'secret') secrets.push(String(source.secretName ?? ''));
  if (type === 'projected' && Array.isArray(source.sources)) {
    for (const projection of source.sources.filter(isJsonObject)) {
      if (isJsonObject(projection.configMap)) configMaps.push(String(projection.configMap.name ?? ''));
      if (isJsonObject(projection.secret)) secrets.push(String(projection.secret.name ?? ''));
    }
  }
  return { configMaps, secrets };
}
