import { isDeepStrictEqual } from 'node:util';
import type { ControllerWriter } from '../api/write-path.js';
import { priorityOf } from '../registry/group-priority.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import { apiServiceKind } from '../registry/kinds/apiregistration-kinds.js';
import { endpointsKind, serviceKind } from '../registry/kinds/core-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { describeError, kubeTimestamp, type ObjectStore } from '../store/object-store.js';
import type { Clock } from '../time/clock.js';

const AUTOMANAGED = 'kube-aggregator.kubernetes.io/automanaged';
const APIREGISTRATION_GROUP = 'apiregistration.k8s.io';
type Json = Record<string, unknown>;
const asObj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** One APIService the autoregister controller keeps: a served group version, built-in or a CRD's. */
interface LocalApiService {
  name: string;
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  /** `onstart` for the built-in group versions (synced once), `true` for CRDs' (kept in sync, deleted with them). */
  managed: 'onstart' | 'true';
}

/** The core group's APIService `v1.` (kube-apiserver's `apiVersionPriorities`). */
const CORE = { groupPriorityMinimum: 18000, versionPriority: 1 };

function desiredLocalApiServices(registry: KindRegistry): LocalApiService[] {
  const out: LocalApiService[] = [];
  if (registry.servesGroupVersion('', 'v1'))
    out.push({ name: 'v1.', group: '', version: 'v1', ...CORE, managed: 'onstart' });
  for (const group of registry.groups()) {
    // kube-aggregator serves its own group: no APIService names it.
    if (group.name === APIREGISTRATION_GROUP) continue;
    for (const version of group.versions) {
      const crd = registry.inGroupVersion(group.name, version).every((kind) => kind.origin === 'crd');
      out.push({
        name: `${version}.${group.name}`,
        group: group.name,
        version,
        ...priorityOf(group.name, version),
        managed: crd ? 'true' : 'onstart',
      });
    }
  }
  return out;
}

function apiServiceObject(desired: LocalApiService): KubeObject {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: desired.name, labels: { [AUTOMANAGED]: desired.managed } },
    spec: {
      group: desired.group,
      version: desired.version,
      groupPriorityMinimum: desired.groupPriorityMinimum,
      versionPriority: desired.versionPriority,
    },
  };
}

/**
 * The `Available` condition kube-aggregator's remote availability controller gives an APIService backed by a
 * Service, from what the store holds: `ServiceNotFound`, `ServicePortError` (a ClusterIP Service without the
 * port), `EndpointsNotFound`, `MissingEndpoints` (no address with the port's name), and past those checks
 * `FailedDiscoveryCheck`, since this server does not proxy to aggregated API servers.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/controllers/status/remote/remote_available_controller.go
 */
export function remoteAvailability(
  store: ObjectStore,
  apiService: KubeObject,
): { status: string; reason: string; message: string } {
  const spec = asObj(apiService.spec);
  const reference = asObj(spec.service);
  const namespace = String(reference.namespace ?? '');
  const name = String(reference.name ?? '');
  const port = typeof reference.port === 'number' ? reference.port : 443;
  const service = store.get(serviceKind, namespace, name);
  if (!service)
    return {
      status: 'False',
      reason: 'ServiceNotFound',
      message: `service/${name} in "${namespace}" is not present`,
    };
  const serviceSpec = asObj(service.spec);
  if ((serviceSpec.type ?? 'ClusterIP') === 'ClusterIP') {
    const ports = Array.isArray(serviceSpec.ports) ? serviceSpec.ports.map(asObj) : [];
    const servicePort = ports.find((p) => p.port === port);
    if (!servicePort)
      return {
        status: 'False',
        reason: 'ServicePortError',
        message: `service/${name} in "${namespace}" is not listening on port ${port}`,
      };
    const portName = String(servicePort.name ?? '');
    const endpoints = store.get(endpointsKind, namespace, name);
    if (!endpoints)
      return {
        status: 'False',
        reason: 'EndpointsNotFound',
        message: `cannot find endpoints for service/${name} in "${namespace}"`,
      };
    const subsets = Array.isArray(endpoints.subsets) ? endpoints.subsets.map(asObj) : [];
    const active = subsets.some(
      (subset) =>
        Array.isArray(subset.addresses) &&
        subset.addresses.length > 0 &&
        Array.isArray(subset.ports) &&
        subset.ports.map(asObj).some((p) => String(p.name ?? '') === portName),
    );
    if (!active)
      return {
        status: 'False',
        reason: 'MissingEndpoints',
        message: `endpoints for service/${name} in "${namespace}" have no addresses with port name "${portName}"`,
      };
  }
  const host = String(serviceSpec.clusterIP ?? name);
  const path = spec.group
    ? `/apis/${String(spec.group)}/${String(spec.version)}`
    : `/api/${String(spec.version)}`;
  return {
    status: 'False',
    reason: 'FailedDiscoveryCheck',
    message: `failing or missing response from https://${host}:${port}${path}: fake-apiserver does not proxy to aggregated API servers`,
  };
}

/**
 * kube-aggregator's controllers over APIServices: the autoregister controller (with kube-apiserver's and the CRD
 * registration controller's feeds) keeps a Local APIService per served group version, `onstart` ones for the
 * built-in group versions created at start, `true` ones for CRD group versions created, updated and deleted as
 * CRDs come and go; the remote availability controller sets the `Available` condition of those backed by a
 * Service whenever they, Services or Endpoints change. Writes go through the API's write path as kube-apiserver's
 * loopback client. Returns the function that stops them.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/controllers/autoregister/autoregister_controller.go
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/pkg/controlplane/controller/crdregistration/crdregistration_controller.go
 */
export function startApiServiceControllers(deps: {
  registry: KindRegistry;
  store: ObjectStore;
  clock: Clock;
  writer: ControllerWriter;
  log: (message: string) => void;
}): () => void {
  const { registry, store, clock, writer, log } = deps;
  const attempt = (what: string, write: () => void) => {
    try {
      write();
    } catch (error) {
      log(`APIService controller: cannot ${what}: ${describeError(error)}`);
    }
  };

  const register = (initial: boolean) => {
    const desired = desiredLocalApiServices(registry);
    const wanted = new Set(desired.map((d) => d.name));
    for (const d of desired) {
      const current = store.get(apiServiceKind, '', d.name);
      if (!current) {
        if (d.managed === 'onstart' && !initial) continue;
        attempt(`create ${d.name}`, () => writer.create(apiServiceKind, apiServiceObject(d)));
        continue;
      }
      const managed = current.metadata?.labels?.[AUTOMANAGED];
      // `onstart` APIServices are synced once (an admin's later change stays); CRDs' always.
      if (managed === 'true' || (managed === 'onstart' && initial)) {
        const next = apiServiceObject(d);
        if (!isDeepStrictEqual(asObj(current.spec), next.spec) || managed !== d.managed)
          attempt(`update ${d.name}`, () =>
            writer.update(apiServiceKind, {
              ...current,
              metadata: {
                ...current.metadata,
                labels: { ...current.metadata?.labels, [AUTOMANAGED]: d.managed },
              },
              spec: { ...asObj(current.spec), ...asObj(next.spec) },
            }),
          );
      }
    }
    for (const current of store.list({ kind: apiServiceKind }).items) {
      const name = current.metadata?.name ?? '';
      if (current.metadata?.labels?.[AUTOMANAGED] === 'true' && !wanted.has(name))
        attempt(`delete ${name}`, () => store.delete(apiServiceKind, '', name));
    }
  };

  const checkAvailability = (apiService: KubeObject) => {
    if (!asObj(apiService.spec).service) return;
    const verdict = remoteAvailability(store, apiService);
    const conditions = Array.isArray(asObj(apiService.status).conditions)
      ? (asObj(apiService.status).conditions as unknown[]).map(asObj)
      : [];
    const existing = conditions.find((c) => c.type === 'Available');
    if (
      existing &&
      existing.status === verdict.status &&
      existing.reason === verdict.reason &&
      existing.message === verdict.message
    )
      return;
    const condition = {
      type: 'Available',
      ...verdict,
      // `SetAPIServiceCondition` keeps the transition time while the status stays.
      lastTransitionTime:
        existing?.status === verdict.status ? existing.lastTransitionTime : kubeTimestamp(clock.now()),
    };
    const ordered = {
      type: condition.type,
      status: condition.status,
      lastTransitionTime: condition.lastTransitionTime,
      reason: condition.reason,
      message: condition.message,
    };
    const next = existing
      ? conditions.map((c) => (c.type === 'Available' ? ordered : c))
      : [...conditions, ordered];
    attempt(`update the status of ${apiService.metadata?.name ?? ''}`, () =>
      writer.updateStatus(apiServiceKind, {
        ...apiService,
        status: { ...asObj(apiService.status), conditions: next },
      }),
    );
  };
  const checkAll = () => {
    for (const apiService of store.list({ kind: apiServiceKind }).items) checkAvailability(apiService);
  };

  register(true);
  checkAll();
  let pending = false;
  const unsubscribe = store.subscribe((event) => {
    const crds = event.kindKey === 'apiextensions.k8s.io/customresourcedefinitions';
    const apiServices = event.kindKey === 'apiregistration.k8s.io/apiservices';
    const backends = event.kindKey === '/services' || event.kindKey === '/endpoints';
    if (!crds && !apiServices && !backends) return;
    if (pending) return;
    pending = true;
    // After the change has reached every subscriber (the CRD controller's registry update first).
    queueMicrotask(() => {
      pending = false;
      register(false);
      checkAll();
    });
  });
  return unsubscribe;
}
