/**
 * The server's side of `fake-apiserver run`: what the kubelet does for one container before it starts, in a
 * directory of the caller's. It writes the serviceaccount directory and the pod's volumes, keeps them up to
 * date as the kubelet does (a changed ConfigMap, Secret or label is written again through the `..data`
 * swap; a token is replaced at its refresh point), and works out the container's environment, hostname,
 * `/etc/hosts` and `/etc/resolv.conf`. The sandbox around COMMAND is the caller's (`sandbox.ts`).
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/kubelet/kubelet_pods.go
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { KUBELET_TOKEN_SECONDS, type ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { API_SERVER_CLUSTER_IP, API_SERVER_SERVICE } from '../controllers/apiserver-service.js';
import { ROOT_CA_CONFIGMAP } from '../controllers/namespace-defaults.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { writeAtomically } from '../files/atomic-writer.js';
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import { configMapKind, podKind, secretKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import { nodeKind, serviceKind } from '../registry/kinds/core-kinds.js';
import { parseQuantity } from '../registry/pod-qos.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { storageKeyOf } from '../store/storage-key.js';
import type { Clock } from '../time/clock.js';
import type { ServiceAccountMounts } from '../sa-dir/mounts.js';
import { parseNamespacedName, SERVICE_ACCOUNT_PATH } from '../sa-dir/mount-request.js';
import { startRefreshLoop, type RefreshLoop } from '../sa-dir/refresh-loop.js';
import { refreshPoint, requiresRefresh } from '../sa-dir/token-refresh.js';
import type { ServiceAccountMount } from '../sa-dir/types.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import { expandEnvReferences, resolveContainerEnv, serviceEnvVars, servicesForPod } from './container-env.js';
import { PodConfigError, podIps, type NodeAllocatable } from './downward-api.js';
import { hostsFile, parseResolvConf, podHostname, resolvConf } from './pod-network-files.js';
import type { RunIdentityOptions, RunMount, RunNetwork, RunPlan } from './types.js';
import { volumePayload, volumeReferences, volumeType, type VolumeSources } from './volume-files.js';

/** What a run's environment needs from the server. */
export interface RunEnvironmentDeps {
  store: ObjectStore;
  tokens: ServiceAccountTokenIssuer;
  clock: Clock;
  mounts: ServiceAccountMounts;
  /** Where the server listens. */
  upstream: { host: string; port: number };
  log(message: string): void;
  /** The host's resolv.conf, read when absent. */
  hostResolvConf?: string;
}

/** A request for a run's environment: an absolute, empty directory of the caller's, and who runs. */
export interface RunEnvironmentRequest extends RunIdentityOptions {
  dir: string;
}

/** A prepared run: its plan, kept up to date until stopped. */
export interface RunEnvironment {
  readonly plan: RunPlan;
  /** Rewrites, now, the tokens whose refresh point has passed by the clock (after a fake clock moved). */
  refreshDue(): Promise<void>;
  /** Stops keeping the files up to date (they stay). Idempotent. */
  stop(): Promise<void>;
}

interface HeldToken {
  token: string;
  issuedAt: Date;
  ttlSeconds: number;
}

function refuse(message: string, hint?: string): never {
  throw new FakeApiServerError('INVALID_OPTION', message, hint);
}

/** What the kubelet would refuse to start, in its words. */
function notRunnable(message: string, hint?: string): never {
  throw new FakeApiServerError('POD_NOT_RUNNABLE', message, hint);
}

/** The `kubernetes` Service as the store holds it, or as kube-apiserver makes it when it is not there. */
function apiServerService(store: ObjectStore): KubeObject {
  return (
    store.get(serviceKind, 'default', API_SERVER_SERVICE) ?? {
      metadata: { name: API_SERVER_SERVICE, namespace: 'default' },
      spec: { clusterIP: API_SERVER_CLUSTER_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    }
  );
}

/** On the host's network the `kubernetes` Service's variables point at where the server really listens. */
function servicesAsSeen(
  services: KubeObject[],
  network: RunNetwork,
  upstream: { host: string; port: number },
) {
  if (network === 'sandbox') return services;
  return services.map((service) =>
    service.metadata?.namespace === 'default' && service.metadata.name === API_SERVER_SERVICE
      ? {
          ...service,
          spec: {
            clusterIP: loopbackAddress(upstream.host),
            ports: [{ name: 'https', port: upstream.port, protocol: 'TCP' }],
          },
        }
      : service,
  );
}

function loopbackAddress(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === 'localhost' ? '127.0.0.1' : host;
}

/** What the node offers a container without limits: the Node's allocatable, or this machine's. */
function nodeAllocatable(store: ObjectStore, pod: KubeObject | undefined, dir: string): NodeAllocatable {
  const nodeName = (pod?.spec as { nodeName?: unknown } | undefined)?.nodeName;
  const node = typeof nodeName === 'string' ? store.get(nodeKind, '', nodeName) : undefined;
  const allocatable =
    (node?.status as { allocatable?: Record<string, unknown> } | undefined)?.allocatable ?? {};
  const fromNode = (name: string) =>
    typeof allocatable[name] === 'string' ? parseQuantity(allocatable[name]) : undefined;
  let disk = 0n;
  try {
    const stats = statfsSync(dir);
    disk = BigInt(stats.blocks) * BigInt(stats.bsize);
  } catch {
    // No size known: 0, as for a node that reports none.
  }
  return {
    cpu: fromNode('cpu') ?? BigInt(availableParallelism()) * 1_000_000_000n,
    memory: fromNode('memory') ?? BigInt(totalmem()) * 1_000_000_000n,
    'ephemeral-storage': fromNode('ephemeral-storage') ?? disk * 1_000_000_000n,
  };
}

/** The container `kubectl exec` would pick: the one named, the default-container annotation's, or the first. */
function pickContainer(pod: KubeObject, name: string | undefined, podName: string): JsonObject {
  const containers = ((pod.spec as { containers?: unknown[] } | undefined)?.containers ?? []).filter(
    isJsonObject,
  );
  const wanted = name ?? pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (wanted === undefined) {
    if (!containers[0]) notRunnable(`pod ${podName} has no containers`);
    return containers[0];
  }
  const container = containers.find((candidate) => candidate.name === wanted);
  if (!container) {
    refuse(
      `container ${wanted} is not valid for pod ${podName}`,
      `choose one of: ${containers.map((candidate) => String(candidate.name)).join(', ')}`,
    );
  }
  return container;
}

/** Whether a pod gets a service-account token, as the ServiceAccount admission plugin decides it. */
function automounts(pod: KubeObject, account: KubeObject | undefined): boolean {
  const fromPod = (pod.spec as { automountServiceAccountToken?: unknown } | undefined)
    ?.automountServiceAccountToken;
  if (typeof fromPod === 'boolean') return fromPod;
  return (
    (account as { automountServiceAccountToken?: unknown } | undefined)?.automountServiceAccountToken !==
    false
  );
}

/**
 * The `kube-api-access-*` volume the ServiceAccount admission plugin adds to a pod that mounts none at
 * `/var/run/secrets/kubernetes.io/serviceaccount`: a token of 3607 s, `ca.crt` from `kube-root-ca.crt`, and
 * the namespace.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/plugin/pkg/admission/serviceaccount/admission.go
 */
export const KUBE_API_ACCESS_VOLUME: JsonObject = {
  name: 'kube-api-access',
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: KUBELET_TOKEN_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
  },
};

/** A volume the run keeps written, and the mounts that show it. */
interface ManagedVolume {
  volume: JsonObject;
  dir: string;
  references: { configMaps: string[]; secrets: string[] };
  /** Whether its files come from the pod's metadata (a downward API), written again when the pod changes. */
  readsPod: boolean;
  tokens: Map<string, HeldToken>;
  queue: Promise<unknown>;
}

function readsPodMetadata(volume: JsonObject): boolean {
  const type = volumeType(volume);
  if (type === 'downwardAPI') return true;
  if (type !== 'projected') return false;
  const sources = (volume.projected as { sources?: unknown } | undefined)?.sources;
  return Array.isArray(sources) && sources.some((source) => isJsonObject(source) && 'downwardAPI' in source);
}

/**
 * Prepares one run in `request.dir`: the files (written, then kept up to date) and the plan. Refused as the
 * kubelet refuses to start the container (a missing ConfigMap, Secret or key that is not optional, an
 * unsupported volume type) with a `FakeApiServerError` in its words; nothing is left running then.
 */
export async function createRunEnvironment(
  deps: RunEnvironmentDeps,
  request: RunEnvironmentRequest,
): Promise<RunEnvironment> {
  const { store, clock, upstream } = deps;
  const network = request.network ?? 'sandbox';
  if (network !== 'sandbox' && network !== 'host')
    refuse(`network ${JSON.stringify(network)} is not sandbox or host`);
  if (!isAbsolute(request.dir))
    refuse(`the run's directory must be absolute (${JSON.stringify(request.dir)} given)`);
  if (request.pod !== undefined && request.serviceAccount !== undefined) {
    refuse(
      "pod and serviceAccount (--pod, --service-account) are alternatives: a pod's token is for its spec.serviceAccountName",
    );
  }
  if (request.container !== undefined && request.pod === undefined)
    refuse('container (--container) needs pod (--pod)');
  const dir = request.dir;
  const hostResolv = parseResolvConf(
    deps.hostResolvConf ?? (await readFile('/etc/resolv.conf', 'utf8').catch(() => '')),
  );
  const api =
    network === 'sandbox'
      ? { address: API_SERVER_CLUSTER_IP, port: 443 }
      : { address: loopbackAddress(upstream.host), port: upstream.port };
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };

  try {
    if (request.pod === undefined) {
      const account = request.serviceAccount ?? 'default/default';
      const { namespace } = parseNamespacedName(account, 'service account');
      const mount: ServiceAccountMount = await deps.mounts.mount({
        dir: join(dir, 'serviceaccount'),
        serviceAccount: account,
        ...(request.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: request.tokenTtlSeconds } : {}),
      });
      stops.push(() => mount.stop());
      const mounts = await networkMounts(dir, {
        hosts: hostsFile({ apiAddress: api.address }),
        resolv: resolvConf({ namespace, host: hostResolv, network }),
      });
      const services = servicesAsSeen([apiServerService(store)], network, upstream);
      const plan: RunPlan = {
        dir,
        namespace,
        serviceAccount: mount.serviceAccount,
        pod: undefined,
        container: undefined,
        hostname: undefined,
        env: serviceEnvVars(services),
        mounts: sortMounts([{ source: mount.dir, target: SERVICE_ACCOUNT_PATH, readOnly: true }, ...mounts]),
        network,
        api,
        loopbackAddresses: network === 'sandbox' ? [api.address] : [],
        upstream,
      };
      return { plan, refreshDue: async () => {}, stop: stopAll };
    }

    const { namespace, name } = parseNamespacedName(request.pod, 'pod');
    const podName = `${namespace}/${name}`;
    const pod = store.get(podKind, namespace, name);
    if (!pod?.metadata?.uid) {
      throw new FakeApiServerError(
        'POD_NOT_FOUND',
        `pod ${podName} does not exist`,
        'add it to the fixtures, or create it first',
      );
    }
    if (request.tokenTtlSeconds !== undefined) {
      refuse(
        "tokenTtlSeconds (--token-ttl) applies to serviceAccount runs: a pod's tokens live as its volumes say",
      );
    }
    const podUid = pod.metadata.uid;
    const spec = (pod.spec ?? {}) as JsonObject;
    const container = pickContainer(pod, request.container, podName);
    const accountName = String(spec.serviceAccountName ?? 'default');
    const account = store.get(serviceAccountKind, namespace, accountName);
    const allocatable = nodeAllocatable(store, pod, dir);
    const currentPod = (): KubeObject | undefined => {
      const now = store.get(podKind, namespace, name);
      return now?.metadata?.uid === podUid ? now : undefined;
    };

    // The container's environment, once, as the kubelet makes it at start.
    const enableServiceLinks = spec.enableServiceLinks !== false;
    const allServices = [...store.list({ kind: serviceKind }).items];
    if (
      !allServices.some((s) => s.metadata?.namespace === 'default' && s.metadata.name === API_SERVER_SERVICE)
    ) {
      allServices.push(apiServerService(store));
    }
    const services = servicesAsSeen(
      servicesForPod(allServices, namespace, enableServiceLinks),
      network,
      upstream,
    );
    const configMap = (configName: string) => store.get(configMapKind, namespace, configName);
    const secret = (secretName: string) => store.get(secretKind, namespace, secretName);
    let env: [string, string][];
    try {
      env = resolveContainerEnv(pod, container, { configMap, secret, allocatable }, services);
    } catch (error) {
      if (error instanceof PodConfigError) {
        notRunnable(
          `pod ${podName}, container ${String(container.name)}: CreateContainerConfigError: ${error.message}`,
        );
      }
      throw error;
    }
    const envMap = new Map(env);

    // The volumes its container mounts, and the service account's unless it mounts its own there.
    const volumes = ((spec.volumes as unknown[] | undefined) ?? []).filter(isJsonObject);
    const volumeMounts = ((container.volumeMounts as unknown[] | undefined) ?? []).filter(isJsonObject);
    const mountsServiceAccountDir = volumeMounts.some(
      (mount) => posix.normalize(String(mount.mountPath ?? '')) === SERVICE_ACCOUNT_PATH,
    );
    if (!mountsServiceAccountDir && automounts(pod, account)) {
      const apiAccess = { ...KUBE_API_ACCESS_VOLUME, name: `${String(KUBE_API_ACCESS_VOLUME.name)}-fake` };
      volumes.push(apiAccess);
      volumeMounts.push({ name: apiAccess.name, mountPath: SERVICE_ACCOUNT_PATH, readOnly: true });
    }
    const needsToken = volumes.some((volume) => volumeType(volume) === 'projected');
    if (needsToken && !account?.metadata?.uid) {
      throw new FakeApiServerError(
        'SERVICE_ACCOUNT_NOT_FOUND',
        `service account ${namespace}/${accountName} does not exist (spec.serviceAccountName of pod ${podName})`,
        'add it to the fixtures, or create it first',
      );
    }

    const managed = new Map<string, ManagedVolume>();
    const issue = (
      held: Map<string, HeldToken>,
      path: string,
      audience: string,
      ttlSeconds: number,
    ): string => {
      const now = clock.now();
      const current = held.get(path);
      if (current && current.ttlSeconds === ttlSeconds && !requiresRefresh(current, now))
        return current.token;
      const podNow = currentPod();
      const accountNow = store.get(serviceAccountKind, namespace, accountName);
      if (!podNow || !accountNow?.metadata?.uid) {
        throw new PodConfigError(`pod ${podName} or its service account ${accountName} is gone`);
      }
      const audiences = audience ? [audience] : undefined;
      const nodeName = (podNow.spec as { nodeName?: unknown } | undefined)?.nodeName;
      const { token, claims } = deps.tokens.issue(
        {
          namespace,
          name: accountName,
          uid: accountNow.metadata.uid,
          expirationSeconds: ttlSeconds,
          ...(audiences ? { audiences } : {}),
          pod: { name, uid: podUid },
          ...(typeof nodeName === 'string' && nodeName ? { node: { name: nodeName } } : {}),
          // kube-apiserver extends the kubelet's own 3607 s pod tokens for the API's audience to a year.
          extendExpiration:
            ttlSeconds === KUBELET_TOKEN_SECONDS &&
            (!audiences || audiences.every((entry) => deps.tokens.apiAudiences.includes(entry))),
        },
        now,
      );
      held.set(path, { token, issuedAt: new Date(claims.iat * 1000), ttlSeconds });
      return token;
    };
    const sourcesFor = (entry: ManagedVolume): VolumeSources => ({
      pod: currentPod() ?? pod,
      container,
      configMap,
      secret,
      allocatable,
      token: ({ path, audience, expirationSeconds }) =>
        issue(entry.tokens, path, audience, expirationSeconds),
    });
    const write = async (entry: ManagedVolume, first: boolean): Promise<void> => {
      const payload = volumePayload(entry.volume, sourcesFor(entry));
      if (!payload) {
        if (first) {
          await mkdir(entry.dir, { recursive: true });
          await chmod(entry.dir, 0o777);
        }
        return;
      }
      const changed = await writeAtomically(entry.dir, payload, clock.now());
      if (changed && !first)
        deps.log(`run: wrote volume ${String(entry.volume.name)} of pod ${podName} again`);
    };
    const enqueue = (entry: ManagedVolume, first = false): Promise<void> => {
      const result = entry.queue.then(() => write(entry, first));
      entry.queue = result.catch((error: unknown) => {
        // The kubelet keeps what it wrote and says why it could not write it again.
        deps.log(
          `run: volume ${String(entry.volume.name)} of pod ${podName} not updated: ${(error as Error).message}`,
        );
      });
      return result;
    };

    const runMounts: RunMount[] = [];
    for (const mount of volumeMounts) {
      const volumeName = String(mount.name ?? '');
      const volume = volumes.find((candidate) => candidate.name === volumeName);
      if (!volume) notRunnable(`pod ${podName}: volumeMount ${volumeName} names no volume of the pod`);
      let entry = managed.get(volumeName);
      if (!entry) {
        entry = {
          volume,
          dir: join(dir, 'volumes', volumeName),
          references: volumeReferences(volume),
          readsPod: readsPodMetadata(volume),
          tokens: new Map(),
          queue: Promise.resolve(),
        };
        managed.set(volumeName, entry);
        try {
          await enqueue(entry, true);
        } catch (error) {
          if (error instanceof PodConfigError) {
            notRunnable(
              `pod ${podName}: MountVolume.SetUp failed for volume "${volumeName}" : ${error.message}`,
            );
          }
          throw error;
        }
      }
      const subPathExpr = typeof mount.subPathExpr === 'string' ? mount.subPathExpr : '';
      const subPath =
        typeof mount.subPath === 'string' && mount.subPath
          ? mount.subPath
          : subPathExpr
            ? expandEnvReferences(subPathExpr, (variable) => envMap.get(variable))
            : '';
      let source = entry.dir;
      if (subPath) {
        const clean = posix.normalize(subPath);
        if (clean.startsWith('..') || posix.isAbsolute(clean))
          notRunnable(`pod ${podName}: subPath ${subPath} leaves its volume`);
        source = join(entry.dir, clean);
        if (volumeType(volume) === 'emptyDir') await mkdir(source, { recursive: true, mode: 0o777 });
      }
      const writable = volumeType(volume) === 'emptyDir';
      runMounts.push({
        source,
        target: posix.normalize(String(mount.mountPath ?? '')),
        readOnly: mount.readOnly === true || !writable,
      });
    }

    const hostname = podHostname(pod);
    const ips = podIps(pod);
    runMounts.push(
      ...(await networkMounts(dir, {
        hosts: hostsFile({
          pod: { hostname, ips, hostAliases: spec.hostAliases },
          apiAddress: api.address,
        }),
        resolv: resolvConf({ namespace, pod, host: hostResolv, network }),
        hostname: `${hostname.hostname}\n`,
      })),
    );

    // Kept up to date: ConfigMaps and Secrets they read, the pod's metadata, the tokens' refresh points.
    const configMapKey = storageKeyOf(configMapKind);
    const secretKey = storageKeyOf(secretKind);
    const podKey = storageKeyOf(podKind);
    const onChange = (event: StoreEvent) => {
      if (event.namespace !== namespace) return;
      const changed = event.object.metadata?.name ?? '';
      for (const entry of managed.values()) {
        const concerned =
          (event.kindKey === configMapKey && entry.references.configMaps.includes(changed)) ||
          (event.kindKey === secretKey && entry.references.secrets.includes(changed)) ||
          (event.kindKey === podKey && changed === name && entry.readsPod && event.type === 'MODIFIED');
        if (concerned) void enqueue(entry).catch(() => {});
      }
    };
    stops.push(store.subscribe(onChange));
    const tokenVolumes = [...managed.values()].filter((entry) => entry.tokens.size > 0);
    let loop: RefreshLoop | undefined;
    if (tokenVolumes.length > 0) {
      loop = startRefreshLoop({
        clock,
        dueIn: (now) => {
          let soonest = Infinity;
          for (const entry of tokenVolumes) {
            for (const held of entry.tokens.values()) {
              if (requiresRefresh(held, now)) return 0;
              soonest = Math.min(soonest, refreshPoint(held).getTime() - now.getTime());
            }
          }
          return soonest;
        },
        refresh: async () => {
          if (!currentPod()) {
            deps.log(`run: stopped refreshing the tokens of pod ${podName}: it is gone`);
            return false;
          }
          await Promise.all(tokenVolumes.map((entry) => enqueue(entry).catch(() => {})));
          return true;
        },
      });
      stops.push(() => loop!.stop());
    }

    const plan: RunPlan = {
      dir,
      namespace,
      serviceAccount: `${namespace}/${accountName}`,
      pod: podName,
      container: String(container.name),
      hostname: hostname.hostname,
      env,
      mounts: sortMounts(runMounts),
      network,
      api,
      loopbackAddresses:
        network === 'sandbox'
          ? [api.address, ...ips.filter((ip) => ip !== api.address && !ip.includes(':'))]
          : [],
      upstream,
    };
    let stopped: Promise<void> | undefined;
    return {
      plan,
      refreshDue: async () => {
        await loop?.checkNow();
      },
      stop: () => {
        stopped ??= (async () => {
          await stopAll();
          await Promise.all([...managed.values()].map((entry) => entry.queue));
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Writes `hosts`, `resolv.conf` (and `hostname`) into `dir`, shown at `/etc/...`. */
async function networkMounts(
  dir: string,
  files: { hosts: string; resolv: string; hostname?: string },
): Promise<RunMount[]> {
  const etc = join(dir, 'etc');
  await mkdir(etc, { recursive: true });
  const mounts: RunMount[] = [];
  const entries: [string, string | undefined][] = [
    ['hosts', files.hosts],
    ['resolv.conf', files.resolv],
    ['hostname', files.hostname],
  ];
  for (const [name, content] of entries) {
    if (content === undefined) continue;
    await writeFile(join(etc, name), content, { mode: 0o644 });
    mounts.push({ source: join(etc, name), target: `/etc/${name}`, readOnly: false });
  }
  return mounts;
}

/** The mounts in the order a container runtime makes them: the shallowest path first. */
function sortMounts(mounts: RunMount[]): RunMount[] {
  const depth = (path: string) => path.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a.target) - depth(b.target));
}
