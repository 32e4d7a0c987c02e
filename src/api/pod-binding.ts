import {
  badRequest,
  conflict,
  methodNotAllowed,
  notFound,
  successStatus,
  untypedError,
} from '../errors/status.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { podKind } from '../registry/built-in-kinds.js';
import { setPodCondition } from '../registry/pod-conditions.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { kubeTimestamp } from '../store/object-store.js';
import { checkTypeMeta } from './object-validation.js';
import { decodeRequestAsGo } from './typed-body.js';

/** A core/v1 Binding: the pod (by name, optionally uid and resourceVersion) and the node it goes to. */
export interface PodBinding {
  name: string;
  uid?: string;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  target: { kind?: string; name?: string };
}

type BindServer = Pick<ServerContext, 'store' | 'clock'>;

const BINDING = { group: '', resource: 'pods/binding' };

/**
 * `BindingREST.Create`'s assignment of a pod to a node: the pod must not be deleted, bound already or
 * gated; it gets `spec.nodeName`, the binding's annotations and `PodScheduled: True`, in one update of the
 * stored pod (no managedFields entry, as the binding storage's GuaranteedUpdate records none). A refusal
 * is upstream's 409 on `pods/binding`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/core/pod/storage/storage.go (setPodNodeAndMetadata, assignPod)
 */
export function bindPod(
  server: BindServer,
  namespace: string,
  binding: PodBinding,
  dryRun = false,
): KubeObject {
  const name = binding.name;
  const pod = server.store.get(podKind, namespace, name);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const metadata = pod.metadata ?? {};
  const refuse = (reason: string) => conflict(BINDING, name, reason);
  if (binding.uid && binding.uid !== metadata.uid) {
    throw refuse(
      `Precondition failed: UID in precondition: ${binding.uid}, UID in object meta: ${metadata.uid}`,
    );
  }
  if (binding.resourceVersion && binding.resourceVersion !== metadata.resourceVersion) {
    throw refuse(
      `Precondition failed: ResourceVersion in precondition: ${binding.resourceVersion}, ResourceVersion in object meta: ${metadata.resourceVersion}`,
    );
  }
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  if (metadata.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
  if (spec.nodeName) throw refuse(`pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
  }
  const next = structuredClone(pod);
  (next.spec as Record<string, unknown>).nodeName = binding.target.name;
  if (binding.annotations && Object.keys(binding.annotations).length > 0) {
    next.metadata!.annotations = { ...next.metadata!.annotations, ...binding.annotations };
  }
  const status = (next.status ?? {}) as Record<string, unknown>;
  setPodCondition(status, { type: 'PodScheduled', status: 'True' }, kubeTimestamp(server.clock.now()));
  next.status = status;
  return server.store.update(podKind, next, { dryRun });
}

/**
 * `POST pods/{name}/binding`: what the scheduler calls. Answers 201 with a `Status` of success.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/registry/core/pod/storage/storage.go (BindingREST.Create)
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/validation/validation.go (ValidatePodBinding)
 */
export async function handlePodBinding(server: ServerContext, ctx: RequestContext): Promise<void> {
  if (ctx.req.method !== 'POST') throw methodNotAllowed();
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']) as KubeObject;
  checkTypeMeta(body, 'v1', 'Binding');
  decodeRequestAsGo('v1', 'Binding', body);
  const metadata = body.metadata ?? {};
  if ((metadata.name ?? '') !== ctx.info.pathName) {
    throw badRequest('name in URL does not match name in Binding object');
  }
  const target = ((body as { target?: PodBinding['target'] | null }).target ?? {}) as PodBinding['target'];
  const errors: string[] = [];
  if (target.kind && target.kind !== 'Node') {
    errors.push(`target.kind: Unsupported value: "${target.kind}": supported values: "Node", "<empty>"`);
  }
  if (!target.name) errors.push('target.name: Required value');
  if (errors.length === 1) throw untypedError(errors[0]!);
  if (errors.length > 1) throw untypedError(`[${errors.join(', ')}]`);
  const dryRun = ctx.query.getAll('dryRun').length > 0;
  bindPod(
    server,
    ctx.info.namespace,
    {
      name: ctx.info.pathName,
      ...(metadata.uid ? { uid: metadata.uid } : {}),
      ...(metadata.resourceVersion ? { resourceVersion: metadata.resourceVersion } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
      target,
    },
    dryRun,
  );
  writeJson(ctx.res, 201, successStatus(undefined, 201));
}
