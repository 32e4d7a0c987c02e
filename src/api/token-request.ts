import { KUBELET_TOKEN_SECONDS } from '../auth/service-account-tokens.js';
import { badRequest, conflict, invalid, methodNotAllowed, notFound } from '../errors/status.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { checkTypeMeta } from './object-validation.js';
import { podKind, secretKind } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { kubeTimestamp } from '../store/object-store.js';
import { decodeRequestAsGo } from './typed-body.js';

const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/**
 * `POST serviceaccounts/{name}/token` (TokenRequest, what `kubectl create token` and the kubelet call):
 * validates and defaults the spec, binds the token to a Pod or Secret when asked, extends the kubelet's
 * 3607 s pod-bound tokens to a year as `--service-account-extend-token-expiration` does, and answers 201.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/serviceaccount/storage/token.go
 */
export async function handleTokenRequest(
  server: ServerContext,
  ctx: RequestContext,
  account: KubeObject,
): Promise<void> {
  if (ctx.req.method !== 'POST') throw methodNotAllowed();
  const body = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']) as KubeObject;
  checkTypeMeta(body, 'authentication.k8s.io/v1', 'TokenRequest');
  decodeRequestAsGo('authentication.k8s.io/v1', 'TokenRequest', body);
  const spec = { ...((body.spec as Record<string, unknown> | null | undefined) ?? {}) };
  const expirationSeconds = (spec.expirationSeconds as number | null | undefined) ?? 3600;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS || expirationSeconds > MAX_EXPIRATION_SECONDS) {
    throw invalid('TokenRequest', 'authentication.k8s.io', '', [
      {
        type: 'FieldValueInvalid',
        field: 'spec.expirationSeconds',
        detail: `Invalid value: ${expirationSeconds}: ${
          expirationSeconds < MIN_EXPIRATION_SECONDS
            ? 'may not specify a duration less than 10 minutes'
            : 'may not specify a duration larger than 2^32 seconds'
        }`,
      },
    ]);
  }
  const namespace = ctx.info.namespace;
  const name = account.metadata?.name ?? '';
  const accountUid = account.metadata?.uid ?? '';
  const requestedAudiences = (spec.audiences as string[] | null | undefined) ?? [];
  const audiences = requestedAudiences.length > 0 ? requestedAudiences : [...server.tokens.apiAudiences];
  const ref = spec.boundObjectRef as BoundObjectReference | null | undefined;

  let pod: { name: string; uid: string } | undefined;
  let secret: { name: string; uid: string } | undefined;
  let node: { name: string } | undefined;
  if (ref) {
    const group = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/')[0] : '';
    const refName = ref.name ?? '';
    let uid: string;
    if (group === '' && ref.kind === 'Pod') {
      const found = server.store.get(podKind, namespace, refName);
      if (!found) throw notFound({ group: '', resource: 'pods' }, refName);
      const podSpec = (found.spec ?? {}) as { serviceAccountName?: string; nodeName?: string };
      if ((podSpec.serviceAccountName ?? 'default') !== name) {
        throw badRequest(
          `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
        );
      }
      uid = found.metadata?.uid ?? '';
      pod = { name: refName, uid };
      if (podSpec.nodeName) node = { name: podSpec.nodeName };
    } else if (group === '' && ref.kind === 'Secret') {
      const found = server.store.get(secretKind, namespace, refName);
      if (!found) throw notFound({ group: '', resource: 'secrets' }, refName);
      uid = found.metadata?.uid ?? '';
      secret = { name: refName, uid };
    } else {
      const version = (ref.apiVersion ?? '').split('/').pop() ?? '';
      throw badRequest(
        `cannot bind token to object of type ${group ? `${group}/` : '/'}${version}, Kind=${ref.kind ?? ''}`,
      );
    }
    if (ref.uid && ref.uid !== uid) {
      throw conflict(
        { group, resource: ref.kind ?? '' },
        refName,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
  }

  const now = server.clock.now();
  const isApiAudience = audiences.every((aud) => server.tokens.apiAudiences.includes(aud));
  const { token } = server.tokens.issue(
    {
      namespace,
      name,
      uid: accountUid,
      audiences,
      expirationSeconds,
      ...(pod ? { pod } : {}),
      ...(secret ? { secret } : {}),
      ...(node ? { node } : {}),
      extendExpiration: !!pod && isApiAudience && expirationSeconds === KUBELET_TOKEN_SECONDS,
    },
    now,
  );
  writeJson(ctx.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: kubeTimestamp(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: kubeTimestamp(new Date(now.getTime() + expirationSeconds * 1000)) },
  });
}
