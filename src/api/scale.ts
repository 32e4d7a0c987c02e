/**
 * The `scale` subresource of any kind that declares one (`ResourceKind.scale`): deployments, replicasets,
 * statefulsets, replicationcontrollers and custom resources. It reads and writes an `autoscaling/v1` Scale
 * whose `spec.replicas` is the parent's and changes nothing else of the parent.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/apps/deployment/storage/storage.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/etcd.go
 */
import {
  ApiError,
  badRequest,
  invalid,
  methodNotAllowed,
  notFound,
  pathNotFound,
  unsupportedMediaType,
} from '../errors/status.js';
import { decodeObjectBody, mediaTypeOf, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { KubeObject, ResourceKind, ScaleDefinition } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { labelSelectorFromMetav1, type Metav1LabelSelector } from '../store/label-selector.js';
import { admitObject } from './object-validation.js';
import { applyPatch } from './patch.js';
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import { decodePatchedAsGo } from './typed-body.js';
import { writeManager } from './apply/field-manager.js';
import { servedForm } from './served-form.js';
import { updateThroughApi } from './write-path.js';

/** The registry-less kind a Scale body is checked and patched as. */
const SCALE_KIND: ResourceKind = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  resource: 'scale',
  singular: 'scale',
  namespaced: true,
  verbs: ['get', 'patch', 'update'],
  storage: 'review',
};

/** What a custom resource's scale endpoint accepts as PATCH (it has no strategic merge patch). */
const CUSTOM_RESOURCE_PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
] as const;

/** `.spec.replicas` → `['spec', 'replicas']`. */
function pathSegments(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.');
}

function readPath(obj: unknown, jsonPath: string): unknown {
  let value = obj;
  for (const segment of pathSegments(jsonPath)) {
    if (!isJsonObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

function writePath(obj: JsonObject, jsonPath: string, value: unknown): void {
  const segments = pathSegments(jsonPath);
  let parent = obj;
  for (const segment of segments.slice(0, -1)) {
    const next = parent[segment];
    parent = isJsonObject(next) ? next : (parent[segment] = {});
  }
  parent[segments[segments.length - 1]!] = value;
}

/**
 * The Scale's `status.selector`: a custom resource's string at `labelSelectorPath`; for the built-in workloads
 * `spec.selector` rendered by `labels.Selector.String()` (a `metav1.LabelSelector`, or a ReplicationController's
 * plain label map, as `labels.SelectorFromSet`).
 */
function selectorOf(kind: ResourceKind, scale: ScaleDefinition, obj: KubeObject): string {
  if (!scale.labelSelectorPath) return '';
  const value = readPath(obj, scale.labelSelectorPath);
  if (kind.origin === 'crd') return typeof value === 'string' ? value : '';
  if (!isJsonObject(value)) return '';
  const selector: Metav1LabelSelector =
    kind.group === '' ? { matchLabels: value as Record<string, string> } : value;
  try {
    return labelSelectorFromMetav1(selector).toString();
  } catch (error) {
    if (error instanceof ApiError) return '';
    throw error;
  }
}

const integerOrZero = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * The `autoscaling/v1` Scale of an object, as `scaleFromDeployment` and `scaleFromCustomResource` build it:
 * the parent's name, namespace, uid, resourceVersion and creationTimestamp; `spec.replicas` (omitted when 0);
 * `status.replicas` (always) and `status.selector` (omitted when empty).
 */
export function scaleOf(kind: ResourceKind, scale: ScaleDefinition, obj: KubeObject): KubeObject {
  const metadata = obj.metadata ?? {};
  const specReplicas = integerOrZero(readPath(obj, scale.specReplicasPath));
  const selector = selectorOf(kind, scale, obj);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      creationTimestamp: metadata.creationTimestamp ?? null,
    },
    spec: specReplicas !== 0 ? { replicas: specReplicas } : {},
    status: {
      replicas: integerOrZero(readPath(obj, scale.statusReplicasPath)),
      ...(selector ? { selector } : {}),
    },
  };
}

/** `spec.replicas` of an incoming Scale, decoded as the int32 field it is. */
function requestedReplicas(scale: KubeObject): number {
  const spec = scale.spec;
  if (spec === undefined || spec === null) return 0;
  if (!isJsonObject(spec)) {
    throw badRequest(
      `Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${Array.isArray(spec) ? 'array' : typeof spec} into Go struct field Scale.spec of type v1.ScaleSpec`,
    );
  }
  const replicas = spec.replicas;
  if (replicas === undefined || replicas === null) return 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || Math.abs(replicas) > 2 ** 31) {
    const what = typeof replicas === 'number' ? `number ${replicas}` : typeof replicas;
    throw badRequest(
      `Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${what} into Go struct field ScaleSpec.spec.replicas of type int32`,
    );
  }
  return replicas;
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') throw badRequest(`Invalid dryRun value: ${value}: supported values: "All"`);
  }
  return values.length > 0;
}

/** The Scale the client sent (PUT) or the current one with the patch applied (PATCH). */
async function incomingScale(
  ctx: RequestContext,
  kind: ResourceKind,
  current: KubeObject,
): Promise<KubeObject> {
  const namespace = kind.namespaced ? ctx.info.namespace : '';
  const body = await readBody(ctx.req);
  let scale: KubeObject;
  if (ctx.req.method === 'PUT') {
    scale = decodeObjectBody(body, ctx.req.headers['content-type']) as KubeObject;
  } else {
    const mediaType = mediaTypeOf(ctx.req.headers['content-type']);
    if (kind.origin === 'crd' && !(CUSTOM_RESOURCE_PATCH_TYPES as readonly string[]).includes(mediaType)) {
      throw unsupportedMediaType(CUSTOM_RESOURCE_PATCH_TYPES);
    }
    scale = applyPatch(SCALE_KIND, current, body, mediaType);
    decodePatchedAsGo(SCALE_KIND, scale, mediaType, body);
  }
  const admitted = admitObject(
    { ...SCALE_KIND, namespaced: kind.namespaced },
    scale,
    namespace,
    ctx.info.pathName,
  );
  if (!kind.namespaced) delete admitted.metadata?.namespace;
  return admitted;
}

/**
 * Serves GET, PUT and PATCH (JSON, merge and, for built-in kinds, strategic merge) on `<resource>/scale`.
 * A write sets only the parent's replicas, with the Scale's `metadata.resourceVersion` as a precondition
 * (409 Conflict naming the parent when stale), the parent's own validation, and `dryRun=All`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/autoscaling/validation/validation.go
 */
export async function handleScale(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
): Promise<void> {
  const scale = kind.scale;
  if (!scale) throw pathNotFound();
  const namespace = kind.namespaced ? ctx.info.namespace : '';
  const name = ctx.info.pathName;
  const method = ctx.req.method;
  if (method !== 'GET' && method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
  const dryRun = method === 'GET' ? false : isDryRun(ctx.query);
  const parent = server.store.get(kind, namespace, name);
  if (!parent) throw notFound({ group: kind.group, resource: kind.resource }, name);
  const currentScale = scaleOf(kind, scale, parent);
  if (method === 'GET') {
    writeJson(ctx.res, 200, currentScale);
    return;
  }
  const requested = await incomingScale(ctx, kind, currentScale);
  const replicas = requestedReplicas(requested);
  if (replicas < 0) {
    throw invalid('Scale', 'autoscaling', name, [
      {
        type: 'FieldValueInvalid',
        field: 'spec.replicas',
        detail: `Invalid value: ${replicas}: must be greater than or equal to 0`,
      },
    ]);
  }
  const updated = structuredClone(parent) as KubeObject;
  writePath(updated, scale.specReplicasPath, replicas);
  const precondition = requested.metadata?.resourceVersion;
  updated.metadata!.resourceVersion = precondition || parent.metadata?.resourceVersion;
  // The parent's update strategy runs, as the scale REST's Update goes through the parent's store.
  const stored = updateThroughApi(server, kind, servedForm(kind, updated), parent, servedForm(kind, parent), {
    manager: writeManager(ctx, method === 'PATCH' ? 'PatchOptions' : 'UpdateOptions'),
    subresource: 'scale',
    request: ctx,
    dryRun,
  });
  writeJson(ctx.res, 200, scaleOf(kind, scale, stored));
}
