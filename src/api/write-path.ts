import { notFound } from '../errors/status.js';
import { refuseCreateInTerminatingNamespace } from '../lifecycle/namespace-admission.js';
import { namespaceKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { confirmRbacWrite } from '../rbac/escalation.js';
import { trackWrite } from './apply/field-manager.js';
import { setManagedFields, type ManagerMap } from './apply/managed-fields.js';
import { resolveGenerateName, validateObjectName } from './object-validation.js';
import { admitPodServiceAccount, keepServiceAccountVolume } from './service-account-admission.js';
import { servedForm, storedForm } from './served-form.js';
import { encodedStoredForm, storageRoundTrip, typedRoundTrip } from './typed-round-trip.js';
import { prepareCreate, prepareUpdate, updateStored } from './write-steps.js';

/**
 * Who writes and how. An API request carries its `request` (whose user the RBAC escalation check reads); an
 * in-process controller writes without one, as a component whose writes kube-apiserver never refuses for
 * escalation (kube-controller-manager's own identities hold the rules they grant).
 */
export interface Writer {
  /** The field manager recorded in managedFields (`kubectl-create`, `kube-controller-manager`, ...). */
  manager: string;
  /** The subresource written through (`scale`): managedFields record it, as upstream's field manager does. */
  subresource?: string;
  /** The request that writes, when the write comes through the API. */
  request?: RequestContext;
  dryRun?: boolean;
  /**
   * The managers a server-side apply computed: stored as they are instead of recording an update by
   * `manager`.
   */
  appliedManagers?: ManagerMap;
  /**
   * A seed (fixtures at start-up, `server.apply()`, the control API): the status and creationTimestamp it
   * gives are kept (seeds set them on purpose), managedFields are left as given, and the reactions to new
   * objects are left to the caller, which runs them once every seed is in.
   */
  seed?: boolean;
}

type WriteServer = Pick<ServerContext, 'store' | 'clock' | 'onCreated'> & Partial<ServerContext>;

/**
 * NamespaceLifecycle admission for a create: the namespace must exist and must not be terminating.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/plugin/pkg/admission/namespace/lifecycle/admission.go
 */
export function admitNamespace(
  server: Pick<ServerContext, 'store'>,
  kind: ResourceKind,
  namespace: string,
  name = '',
): void {
  if (!kind.namespaced) return;
  const namespaceObject = server.store.get(namespaceKind, '', namespace);
  if (!namespaceObject) throw notFound({ group: '', resource: 'namespaces' }, namespace);
  refuseCreateInTerminatingNamespace(namespaceObject, { group: kind.group, resource: kind.resource }, name);
}

/**
 * The one road by which a create reaches the store, for every verb that creates (POST, a server-side apply
 * that creates) and for the controllers: admission (namespace lifecycle, a pod's service account, RBAC
 * escalation), generateName, name
 * validation, the kind's strategy (status reset, defaults, normalization, validation), managedFields, the
 * stored form, then what the cluster's controllers do when an object appears. `obj` has been admitted
 * (`admitObject`: type meta, namespace and name from the URL, typed decode) and is in the served form.
 * Returns the stored object.
 */
export function createThroughApi(
  server: WriteServer,
  kind: ResourceKind,
  obj: KubeObject,
  writer: Writer,
): KubeObject {
  // Upstream order: NamespaceLifecycle admission, then the RBAC storage's escalation check (before
  // generateName and validation, so its message has no name yet), then the store's BeforeCreate.
  admitNamespace(server, kind, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
  admitPodServiceAccount(server.store, kind, obj, { seed: writer.seed ?? false });
  if (writer.request) confirmRbacWrite(server as ServerContext, writer.request, kind, obj);
  resolveGenerateName(obj);
  validateObjectName(kind, obj);
  prepareCreate(server, kind, obj, { keepStatus: writer.seed ?? false });
  // Upstream's field manager reads the typed object as Go encodes it (runtime.DefaultUnstructuredConverter).
  const encoded = typedRoundTrip(kind, obj);
  recordManagers(server, kind, undefined, encoded, writer);
  const dryRun = writer.dryRun ?? false;
  const created = server.store.create(kind, encodedStoredForm(kind, encoded), {
    dryRun,
    keepCreationTimestamp: writer.seed ?? false,
  });
  if (!dryRun && !writer.seed) server.onCreated(kind, created);
  return created;
}

/**
 * The one road by which an update of the main resource reaches the store (PUT, every PATCH type, an apply
 * that updates, and the controllers): RBAC escalation, name validation, the kind's update strategy (status
 * kept as stored where the kind has a status subresource, normalization, validation), managedFields, then
 * the stored form. `obj` is the admitted new object in the served form, `stored` the object as stored now.
 * A `metadata.resourceVersion` on `obj` is the precondition. Returns the stored object.
 */
export function updateThroughApi(
  server: WriteServer,
  kind: ResourceKind,
  obj: KubeObject,
  stored: KubeObject,
  current: KubeObject,
  writer: Writer,
): KubeObject {
  if (writer.request) confirmRbacWrite(server as ServerContext, writer.request, kind, obj, current);
  if (writer.seed) keepServiceAccountVolume(kind, current, obj);
  validateObjectName(kind, obj);
  prepareUpdate(kind, obj, current, { keepStatus: writer.seed ?? false });
  const encoded = typedRoundTrip(kind, obj);
  recordManagers(server, kind, current, encoded, writer);
  return updateStored(server, kind, encoded, stored, writer.dryRun ?? false);
}

/**
 * A write of the `status` subresource: only status changes (and the resourceVersion precondition), its
 * managedFields are recorded with subresource `status`. `status` is in the stored form.
 */
export function updateStatusThroughApi(
  server: WriteServer,
  kind: ResourceKind,
  stored: KubeObject,
  status: unknown,
  writer: Writer & { resourceVersion?: string; annotations?: Record<string, string> },
): KubeObject {
  let updated: KubeObject = { ...stored, status };
  updated.metadata = {
    ...stored.metadata,
    resourceVersion: writer.resourceVersion || stored.metadata?.resourceVersion,
  };
  if (writer.annotations) {
    if (Object.keys(writer.annotations).length > 0) updated.metadata.annotations = { ...writer.annotations };
    else delete updated.metadata.annotations;
  }
  updated = typedRoundTrip(kind, updated);
  if (writer.appliedManagers) setManagedFields(updated, writer.appliedManagers);
  else trackWrite(server, kind, stored, updated, writer.manager, 'status');
  return server.store.update(kind, storageRoundTrip(kind, updated), {
    dryRun: writer.dryRun ?? false,
    keepGeneration: true,
  });
}

function recordManagers(
  server: WriteServer,
  kind: ResourceKind,
  live: KubeObject | undefined,
  obj: KubeObject,
  writer: Writer,
): void {
  if (writer.seed) return;
  if (writer.appliedManagers) setManagedFields(obj, writer.appliedManagers);
  else trackWrite(server, kind, live, obj, writer.manager, writer.subresource);
}

/** What an in-process controller writes with: the API's write path, as the component `manager`. */
export interface ControllerWriter {
  /** Creates an object given in its kind's served form; returns it as stored. */
  create(kind: ResourceKind, obj: KubeObject): KubeObject;
  /**
   * Updates the main resource of an object given in its served form; its `metadata.resourceVersion`, when
   * set, is the precondition (a 409 Conflict when stale). Returns it as stored.
   */
  update(kind: ResourceKind, obj: KubeObject): KubeObject;
  /**
   * Writes the `status` subresource of an object given in its served form, as `update` does (a Deployment's
   * annotations go with it, as its status strategy lets them).
   */
  updateStatus(kind: ResourceKind, obj: KubeObject): KubeObject;
}

/**
 * The write path bound to a controller's field manager (`kube-controller-manager`, `kube-scheduler`,
 * `kubelet`): what it writes is defaulted, validated, versioned, watched and recorded in managedFields as any
 * client's write, and the reactions to new objects run. No RBAC escalation check: the components hold what
 * they grant.
 */
export function controllerWriter(server: WriteServer, manager: string): ControllerWriter {
  const storedOf = (kind: ResourceKind, obj: KubeObject): KubeObject => {
    const name = obj.metadata?.name ?? '';
    const stored = server.store.get(kind, kind.namespaced ? (obj.metadata?.namespace ?? '') : '', name);
    if (!stored) throw notFound({ group: kind.group, resource: kind.resource }, name);
    return stored;
  };
  return {
    create: (kind, obj) => createThroughApi(server, kind, structuredClone(obj), { manager }),
    update(kind, obj) {
      const stored = storedOf(kind, obj);
      const next = structuredClone(obj);
      next.metadata = { ...next.metadata, uid: stored.metadata?.uid };
      next.metadata.resourceVersion ||= stored.metadata?.resourceVersion;
      return updateThroughApi(server, kind, next, stored, servedForm(kind, stored), { manager });
    },
    updateStatus(kind, obj) {
      const stored = storedOf(kind, obj);
      const status = kind.conversion
        ? storedForm(kind, { ...servedForm(kind, stored), status: obj.status }).status
        : obj.status;
      return updateStatusThroughApi(server, kind, stored, status, {
        manager,
        resourceVersion: obj.metadata?.resourceVersion ?? '',
        // The deployment controller writes its revision annotation with the status (UpdateStatus): the
        // Deployment status strategy resets only spec and labels, so annotations pass without moving the
        // generation (pkg/registry/apps/deployment/strategy.go, deploymentStatusStrategy.PrepareForUpdate).
        ...(kind.group === 'apps' && kind.kind === 'Deployment'
          ? { annotations: (obj.metadata?.annotations as Record<string, string> | undefined) ?? {} }
          : {}),
      });
    },
  };
}

/** An object a seed wrote, by where it lives. */
export interface SeededObject {
  kind: ResourceKind;
  namespace: string;
  name: string;
}

/**
 * Puts an admitted seed (fixtures at start-up, `server.apply()`, the control API) into the store through the
 * write path: its namespace is created when missing, then it is created, or, when it exists, replaced
 * (keeping its status when none is given) or with `existing: 'keep'` left as it is (fixtures do not replace
 * the bootstrap policy). Defaults, normalization, validation and the stored form are the API's (an
 * events.k8s.io/v1 Event is stored as the core Event it is). Returns what it created (the namespace first),
 * for the controllers that react to new objects.
 */
export function seedObject(
  server: Pick<ServerContext, 'store' | 'clock'>,
  kind: ResourceKind,
  object: KubeObject,
  options: { existing: 'replace' | 'keep' },
): SeededObject[] {
  const seedServer: WriteServer = { ...server, onCreated: () => {} };
  const writer: Writer = { manager: '', seed: true };
  const written: SeededObject[] = [];
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  if (kind.namespaced && !server.store.get(namespaceKind, '', namespace)) {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
    createThroughApi(seedServer, namespaceKind, ns, writer);
    written.push({ kind: namespaceKind, namespace: '', name: namespace });
  }
  const stored = server.store.get(kind, namespace, name);
  if (!stored) {
    createThroughApi(seedServer, kind, object, writer);
    written.push({ kind, namespace, name });
  } else if (options.existing === 'replace') {
    const current = servedForm(kind, stored);
    if (object.status === undefined && current.status !== undefined) object.status = current.status;
    object.metadata = { ...object.metadata, uid: stored.metadata?.uid };
    updateThroughApi(seedServer, kind, object, stored, current, writer);
  }
  return written;
}
