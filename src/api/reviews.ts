import type { UserInfo } from '../auth/user-info.js';
import { badRequest, invalid, type FieldError } from '../errors/status.js';
import { decodeObjectBody, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import { checkTypeMeta } from './object-validation.js';
import { authorize, PRIVILEGED_GROUPS, visitRulesFor } from '../rbac/authorizer.js';
import { rbacSourceFromStore } from '../rbac/store-source.js';
import type { AuthorizationAttributes, PolicyRule } from '../rbac/types.js';
import { apiVersionOf, type KubeObject, type ResourceKind } from '../registry/resource-kind.js';
import type { RequestContext, ServerContext } from '../server/server-context.js';
import { decodeRequestAsGo } from './typed-body.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

/**
 * Answers the create-only review kinds on the spot: SelfSubjectAccessReview (`kubectl auth can-i`),
 * SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview (`kubectl auth can-i --list`),
 * TokenReview and SelfSubjectReview (`kubectl auth whoami`).
 * Bodies without kind/apiVersion (the Python client's) are defaulted from the URL.
 * @see https://github.com/kubernetes/kubernetes/tree/master/pkg/registry/authorization
 */
export async function handleReview(
  server: ServerContext,
  ctx: RequestContext,
  kind: ResourceKind,
): Promise<void> {
  const review = decodeObjectBody(await readBody(ctx.req), ctx.req.headers['content-type']) as KubeObject;
  const apiVersion = apiVersionOf(kind);
  checkTypeMeta(review, apiVersion, kind.kind);
  decodeRequestAsGo(apiVersion, kind.kind, review);
  const metadata = {
    ...((review.metadata as Record<string, unknown> | undefined) ?? {}),
    creationTimestamp: null,
  };
  const spec = (review.spec as Record<string, unknown> | undefined) ?? {};
  let status: Record<string, unknown>;
  switch (kind.kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview':
      status = accessReview(server, ctx, kind.kind, spec);
      break;
    case 'SelfSubjectRulesReview':
      status = selfSubjectRulesReview(server, ctx, spec);
      break;
    case 'TokenReview':
      status = tokenReview(server, spec);
      break;
    case 'SelfSubjectReview':
      status = {
        userInfo: {
          username: ctx.user.username,
          ...(ctx.user.uid ? { uid: ctx.user.uid } : {}),
          groups: ctx.user.groups,
          ...(ctx.user.extra ? { extra: ctx.user.extra } : {}),
        },
      };
      break;
    default:
      throw badRequest(`no review handler for ${kind.kind}`);
  }
  const body: Record<string, unknown> = { kind: kind.kind, apiVersion, metadata };
  if (kind.kind !== 'SelfSubjectReview') body.spec = spec;
  body.status = status;
  writeJson(ctx.res, 201, body);
}

/**
 * TokenReview: authenticates `spec.token` for `spec.audiences` (default: the API's) with the same chain as
 * requests; a failure is `status.error`, never an HTTP error.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/authentication/tokenreview/storage.go
 */
function tokenReview(server: ServerContext, spec: Record<string, unknown>): Record<string, unknown> {
  const token = spec.token;
  if (typeof token !== 'string' || !token) {
    throw invalid('TokenReview', 'authentication.k8s.io', '', [
      { type: 'FieldValueRequired', field: 'spec.token', detail: 'Required value' },
    ]);
  }
  const audiences = (spec.audiences as string[] | null | undefined) ?? [];
  try {
    const result = server.authenticateToken(token, audiences);
    if (audiences.length > 0 && result.audiences.length === 0)
      throw new Error('token audiences do not intersect');
    const { user } = result;
    return {
      authenticated: true,
      user: {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: user.groups,
        ...(user.extra ? { extra: user.extra } : {}),
      },
      audiences: result.audiences,
    };
  } catch (error) {
    return {
      user: {},
      error: `[invalid bearer token, ${error instanceof Error ? error.message : String(error)}]`,
    };
  }
}

/**
 * The access reviews: SelfSubjectAccessReview for the caller, SubjectAccessReview for any user (as given in
 * the spec: no groups are added), LocalSubjectAccessReview for any user in the URL's namespace. Validation as
 * `ValidateSubjectAccessReviewSpec` and friends.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/authorization/validation/validation.go
 */
function accessReview(
  server: ServerContext,
  ctx: RequestContext,
  kind: string,
  spec: Record<string, unknown>,
) {
  const resourceAttributes = spec.resourceAttributes as ResourceAttributes | null | undefined;
  const nonResourceAttributes = spec.nonResourceAttributes as NonResourceAttributes | null | undefined;
  const errors: FieldError[] = [];
  if (resourceAttributes && nonResourceAttributes) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.nonResourceAttributes',
      detail: `Invalid value: ${JSON.stringify(nonResourceAttributes)}: cannot be specified in combination with resourceAttributes`,
    });
  }
  if (!resourceAttributes && !nonResourceAttributes) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.resourceAttributes',
      detail:
        'Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    });
  }
  const selfReview = kind === 'SelfSubjectAccessReview';
  const specUser = typeof spec.user === 'string' ? spec.user : '';
  const specGroups = Array.isArray(spec.groups) ? (spec.groups as string[]) : [];
  if (!selfReview && !specUser && specGroups.length === 0) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.user',
      detail: `Invalid value: "": at least one of user or group must be specified`,
    });
  }
  if (kind === 'LocalSubjectAccessReview' && nonResourceAttributes) {
    errors.push({
      type: 'FieldValueInvalid',
      field: 'spec.nonResourceAttributes',
      detail: `Invalid value: ${JSON.stringify(nonResourceAttributes)}: disallowed on this kind of request`,
    });
  }
  if (errors.length > 0) throw invalid(kind, 'authorization.k8s.io', '', errors);
  if (kind === 'LocalSubjectAccessReview' && (resourceAttributes?.namespace ?? '') !== ctx.info.namespace) {
    throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.info.namespace}`);
  }
  const user: UserInfo = selfReview
    ? ctx.user
    : {
        username: specUser,
        groups: specGroups,
        ...(typeof spec.uid === 'string' && spec.uid ? { uid: spec.uid } : {}),
        ...(spec.extra && typeof spec.extra === 'object'
          ? { extra: spec.extra as Record<string, string[]> }
          : {}),
      };
  const attributes: AuthorizationAttributes = resourceAttributes
    ? {
        user,
        verb: resourceAttributes.verb ?? '',
        isResourceRequest: true,
        path: '',
        namespace: resourceAttributes.namespace ?? '',
        apiGroup: resourceAttributes.group ?? '',
        apiVersion: resourceAttributes.version ?? '',
        resource: resourceAttributes.resource ?? '',
        subresource: resourceAttributes.subresource ?? '',
        name: resourceAttributes.name ?? '',
      }
    : {
        user,
        verb: nonResourceAttributes?.verb ?? '',
        isResourceRequest: false,
        path: nonResourceAttributes?.path ?? '',
        namespace: '',
        apiGroup: '',
        apiVersion: '',
        resource: '',
        subresource: '',
        name: '',
      };
  const decision = authorize(rbacSourceFromStore(server), attributes);
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

function selfSubjectRulesReview(server: ServerContext, ctx: RequestContext, spec: Record<string, unknown>) {
  const namespace = (spec.namespace as string | undefined) ?? '';
  if (!namespace) throw badRequest('no namespace on request');
  const resourceRules: Record<string, unknown>[] = [];
  const nonResourceRules: Record<string, unknown>[] = [];
  const add = (rule: PolicyRule): void => {
    if (rule.nonResourceURLs?.length) {
      nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
    }
    if (rule.resources?.length) {
      resourceRules.push({
        verbs: rule.verbs,
        apiGroups: rule.apiGroups ?? [],
        resources: rule.resources,
        ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
      });
    }
  };
  if (ctx.user.groups.some((g) => (PRIVILEGED_GROUPS as readonly string[]).includes(g))) {
    add({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    add({ verbs: ['*'], nonResourceURLs: ['*'] });
  }
  const errors = visitRulesFor(rbacSourceFromStore(server), ctx.user, namespace, ({ rule }) => {
    add(rule);
    return false;
  });
  return {
    resourceRules,
    nonResourceRules,
    incomplete: false,
    ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
  };
}
