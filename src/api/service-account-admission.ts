import { forbidden } from '../errors/status.js';
import { podKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import { generateNameFrom } from './object-validation.js';

type Json = Record<string, unknown>;

/** Where the ServiceAccount admission plugin mounts the API's credentials in every container. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** `serviceaccount.WarnOnlyBoundTokenExpirationSeconds`: one hour and seven seconds. */
const TOKEN_EXPIRATION_SECONDS = 3607;

/** `TokenVolumeSource()`: the token, the cluster's CA from `kube-root-ca.crt`, and the namespace. */
function tokenVolumeSource(): Json {
  return {
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
    // Set explicitly by the plugin (kubernetes#104464).
    defaultMode: 0o644,
  };
}

const objects = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : [];

/**
 * The ServiceAccount admission plugin on a pod's create: the service account defaults to `default` and must
 * exist (403 `error looking up service account ns/name: serviceaccount "name" not found`); unless the pod or
 * its service account turns automounting off, every container and init container that mounts nothing at
 * `/var/run/secrets/kubernetes.io/serviceaccount` gets the `kube-api-access-xxxxx` projected volume there
 * (read-only), and a pod without `imagePullSecrets` gets its service account's. Mirror pods are left alone.
 *
 * Two departures, both where kube-apiserver would wait rather than refuse: the `default` service account, which
 * the serviceaccount controller creates moments after its namespace (kube-apiserver looks it up ten times over
 * one to two seconds), is not required; and seeds (fixtures, `server.apply()`) are not checked, since fixtures
 * load in any order. Both still get the volume.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/plugin/pkg/admission/serviceaccount/admission.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/staging/src/k8s.io/apiserver/pkg/admission/errors.go
 */
export function admitPodServiceAccount(
  store: Pick<ObjectStore, 'get'>,
  kind: ResourceKind,
  pod: KubeObject,
  options: { seed?: boolean } = {},
): void {
  if (kind !== podKind) return;
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  if (typeof pod.spec !== 'object' || pod.spec === null || Array.isArray(pod.spec)) return;
  const spec = pod.spec as Json;
  const namespace = pod.metadata?.namespace ?? '';
  const accountName =
    (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName) ||
    (typeof spec.serviceAccount === 'string' && spec.serviceAccount) ||
    'default';
  spec.serviceAccountName = accountName;
  const account = store.get(serviceAccountKind, namespace, accountName);
  if (!account && !options.seed && accountName !== 'default') {
    // admission.NewForbidden names the object by its name, else its generateName (not generated yet).
    const name = pod.metadata?.name || pod.metadata?.generateName || 'Unknown';
    throw forbidden(
      { group: '', resource: 'pods' },
      name,
      `error looking up service account ${namespace}/${accountName}: serviceaccount "${accountName}" not found`,
    );
  }
  const automount =
    typeof spec.automountServiceAccountToken === 'boolean'
      ? spec.automountServiceAccountToken
      : (account as { automountServiceAccountToken?: unknown } | undefined)?.automountServiceAccountToken !==
        false;
  if (automount) mountServiceAccountToken(spec);
  const pullSecrets = objects((account as { imagePullSecrets?: unknown } | undefined)?.imagePullSecrets);
  if (objects(spec.imagePullSecrets).length === 0 && pullSecrets.length > 0) {
    spec.imagePullSecrets = pullSecrets.map((secret) => ({ name: secret.name }));
  }
}

/** `mountServiceAccountToken`: the volume, found by its prefix or named afresh, and a mount where none is. */
function mountServiceAccountToken(spec: Json): void {
  const volumes = objects(spec.volumes);
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(VOLUME_PREFIX));
  const volumeName = (existing?.name as string | undefined) ?? generateNameFrom(VOLUME_PREFIX);
  let needsVolume = false;
  for (const field of ['initContainers', 'containers']) {
    for (const container of objects(spec[field])) {
      const mounts = objects(container.volumeMounts);
      if (mounts.some((mount) => mount.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      container.volumeMounts = [
        ...mounts,
        { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
      ];
      needsVolume = true;
    }
  }
  if (!existing && needsVolume) {
    spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
  }
}

/**
 * For a seed that replaces a pod (`server.apply()` of the same manifest again): the `kube-api-access-*` volume
 * admission gave the stored pod is kept, with its mounts, when the new manifest names none, as `kubectl apply`
 * keeps it (a field it never applied), so that applying a pod twice is not refused as a change of its spec.
 */
export function keepServiceAccountVolume(kind: ResourceKind, stored: KubeObject, pod: KubeObject): void {
  if (kind !== podKind) return;
  const storedSpec = stored.spec as Json | undefined;
  const spec = pod.spec as Json | undefined;
  if (!storedSpec || !spec || typeof spec !== 'object') return;
  const volume = objects(storedSpec.volumes).find(
    (v) => typeof v.name === 'string' && v.name.startsWith(VOLUME_PREFIX),
  );
  if (!volume) return;
  if (objects(spec.volumes).some((v) => typeof v.name === 'string' && v.name.startsWith(VOLUME_PREFIX)))
    return;
  const mounted = (container: Json) =>
    objects(container.volumeMounts).some((mount) => mount.name === volume.name);
  for (const field of ['initContainers', 'containers']) {
    const before = new Map(objects(storedSpec[field]).map((c) => [c.name, c]));
    for (const container of objects(spec[field])) {
      const previous = before.get(container.name);
      if (!previous || !mounted(previous)) continue;
      const mounts = objects(container.volumeMounts);
      if (mounts.some((mount) => mount.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      container.volumeMounts = [
        ...mounts,
        { name: volume.name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH },
      ];
    }
  }
  spec.volumes = [...objects(spec.volumes), structuredClone(volume)];
}
