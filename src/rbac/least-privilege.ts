import { Document, isScalar, visit } from 'yaml';
import { splitServiceAccountUsername } from '../auth/impersonation.js';
import {
  authorize,
  PRIVILEGED_GROUPS,
  type BindingObject,
  type RbacSource,
  type RoleObject,
} from './authorizer.js';
import { bootstrapPolicy } from './bootstrap-policy.js';
import type { RecordedRequest } from './decision-log.js';
import type { AuthorizationRequestAttributes, RbacPolicyRule, RbacReportOptions } from './decision-types.js';
import { resourceLabel, UNNAMED_VERBS } from './explain.js';

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** Kubernetes' usual verb order, then the rest alphabetically. */
export function compareVerbs(a: string, b: string): number {
  const x = VERB_ORDER.indexOf(a);
  const y = VERB_ORDER.indexOf(b);
  if (x !== -1 || y !== -1) return (x === -1 ? VERB_ORDER.length : x) - (y === -1 ? VERB_ORDER.length : y);
  return a < b ? -1 : a > b ? 1 : 0;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A generated RBAC object. */
export interface RbacManifest {
  apiVersion: string;
  kind: 'Role' | 'RoleBinding' | 'ClusterRole' | 'ClusterRoleBinding';
  metadata: { name: string; namespace?: string };
  rules?: RbacPolicyRule[];
  subjects?: Record<string, string>[];
  roleRef?: { apiGroup: string; kind: string; name: string };
}

/** What `buildLeastPrivilege` found. */
export interface LeastPrivilegePlan {
  objects: RbacManifest[];
  /** Requests left out because every cluster's default roles grant them (`get /healthz`, ...). */
  defaultGranted: string[];
  distinct: number;
  total: number;
  denied: number;
}

let bootstrapSource: RbacSource | undefined;

/** The bootstrap policy alone: what a fresh cluster grants before anyone binds anything. */
function defaultPolicy(): RbacSource {
  if (bootstrapSource) return bootstrapSource;
  const clusterRoles = new Map<string, RoleObject>();
  const bindings: BindingObject[] = [];
  for (const object of bootstrapPolicy()) {
    if (object.kind === 'ClusterRole') clusterRoles.set(object.metadata?.name ?? '', object as RoleObject);
    if (object.kind === 'ClusterRoleBinding') bindings.push(object as unknown as BindingObject);
  }
  bootstrapSource = {
    clusterRoleBindings: () => bindings,
    roleBindings: () => [],
    clusterRole: (name) => clusterRoles.get(name),
    role: () => undefined,
  };
  return bootstrapSource;
}

function grantedByDefault(username: string, request: RecordedRequest): boolean {
  const a = request.attributes;
  const groups = request.groups.filter((g) => !(PRIVILEGED_GROUPS as readonly string[]).includes(g));
  return authorize(defaultPolicy(), {
    user: { username, groups },
    verb: a.verb,
    isResourceRequest: a.resourceRequest,
    path: a.path,
    namespace: a.namespace,
    apiGroup: a.apiGroup,
    apiVersion: a.apiVersion,
    resource: a.resource,
    subresource: a.subresource,
    name: a.name,
  }).allowed;
}

function describe(a: AuthorizationRequestAttributes): string {
  if (!a.resourceRequest) return `${a.verb} ${a.path}`;
  const where = a.namespace ? ` in ${a.namespace}` : '';
  return `${a.verb} ${resourceLabel(a)}${a.name ? ` ${a.name}` : ''}${where}`;
}

/**
 * The least rules allowing exactly a set of resource requests: per API group and resource (subresources
 * apart), the verbs; a verb is limited to `resourceNames` when every request for it named an object;
 * resources of one group with the same verbs and names share a rule. Sorted, so equal input gives equal output.
 */
export function resourceRules(
  requests: readonly AuthorizationRequestAttributes[],
  useResourceNames = true,
): RbacPolicyRule[] {
  // group → resource → verb → names (undefined once an unnamed request was seen)
  const tree = new Map<string, Map<string, Map<string, Set<string> | undefined>>>();
  for (const a of requests) {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    let resources = tree.get(a.apiGroup);
    if (!resources) tree.set(a.apiGroup, (resources = new Map()));
    let verbs = resources.get(resource);
    if (!verbs) resources.set(resource, (verbs = new Map()));
    const named = useResourceNames && a.name !== '' && !UNNAMED_VERBS.has(a.verb);
    if (!verbs.has(a.verb)) verbs.set(a.verb, named ? new Set([a.name]) : undefined);
    else if (!named) verbs.set(a.verb, undefined);
    else verbs.get(a.verb)?.add(a.name);
  }
  const rules: RbacPolicyRule[] = [];
  for (const group of [...tree.keys()].sort(byString)) {
    // (verbs, names) → resources
    const merged = new Map<string, { verbs: string[]; names: string[]; resources: string[] }>();
    for (const [resource, verbs] of tree.get(group)!) {
      const byNames = new Map<string, { names: string[]; verbs: string[] }>();
      for (const [verb, names] of verbs) {
        const sortedNames = names ? [...names].sort(byString) : [];
        const key = sortedNames.join('\n');
        const entry = byNames.get(key) ?? { names: sortedNames, verbs: [] };
        entry.verbs.push(verb);
        byNames.set(key, entry);
      }
      for (const { names, verbs: verbList } of byNames.values()) {
        verbList.sort(compareVerbs);
        const key = `${verbList.join(' ')}|${names.join('\n')}`;
        const entry = merged.get(key) ?? { verbs: verbList, names, resources: [] };
        entry.resources.push(resource);
        merged.set(key, entry);
      }
    }
    const groupRules = [...merged.values()].map(({ verbs, names, resources }): RbacPolicyRule => ({
      apiGroups: [group],
      resources: resources.sort(byString),
      ...(names.length > 0 ? { resourceNames: names } : {}),
      verbs,
    }));
    groupRules.sort(
      (x, y) =>
        byString(x.resources!.join(','), y.resources!.join(',')) ||
        (x.resourceNames?.length ?? 0) - (y.resourceNames?.length ?? 0) ||
        byString((x.resourceNames ?? []).join(','), (y.resourceNames ?? []).join(',')) ||
        byString(x.verbs.join(','), y.verbs.join(',')),
    );
    rules.push(...groupRules);
  }
  return rules;
}

/** The least rules allowing exactly a set of non-resource requests: paths with the same verbs share a rule. */
export function nonResourceRules(requests: readonly AuthorizationRequestAttributes[]): RbacPolicyRule[] {
  const verbsByPath = new Map<string, Set<string>>();
  for (const a of requests) {
    const verbs = verbsByPath.get(a.path) ?? new Set<string>();
    verbs.add(a.verb);
    verbsByPath.set(a.path, verbs);
  }
  const byVerbs = new Map<string, { verbs: string[]; paths: string[] }>();
  for (const [path, verbSet] of verbsByPath) {
    const verbs = [...verbSet].sort(compareVerbs);
    const key = verbs.join(' ');
    const entry = byVerbs.get(key) ?? { verbs, paths: [] };
    entry.paths.push(path);
    byVerbs.set(key, entry);
  }
  return [...byVerbs.values()]
    .map(({ verbs, paths }) => ({ nonResourceURLs: paths.sort(byString), verbs }))
    .sort((x, y) => byString(x.nonResourceURLs[0]!, y.nonResourceURLs[0]!));
}

function subjectFor(username: string): Record<string, string> {
  const account = splitServiceAccountUsername(username);
  if (account) return { kind: 'ServiceAccount', name: account.name, namespace: account.namespace };
  return { apiGroup: RBAC_GROUP, kind: 'User', name: username };
}

// RBAC object names are path segments: anything but '/' and '%', and not '.' or '..'.
function pathSegment(name: string): string {
  const cleaned = name.replace(/[/%]/g, '-');
  return cleaned === '.' || cleaned === '..' ? cleaned.replace(/\./g, '-') : cleaned;
}

function namer(username: string, name: string | undefined): (namespace: string) => string {
  if (name !== undefined) return () => name;
  const account = splitServiceAccountUsername(username);
  if (!account) return () => pathSegment(username);
  return (namespace) =>
    namespace === account.namespace ? account.name : `${account.namespace}:${account.name}`;
}

/**
 * The Roles, ClusterRole and their bindings that allow exactly the requests a user made: one Role and
 * RoleBinding per namespace for namespaced requests; one ClusterRole and ClusterRoleBinding for
 * cluster-scoped resources, all-namespaces requests and non-resource URLs. What every cluster's default
 * roles already grant is left out unless `includeDefaultGranted`.
 */
export function buildLeastPrivilege(
  requests: readonly RecordedRequest[],
  options: RbacReportOptions,
): LeastPrivilegePlan {
  const { user } = options;
  const nameIn = namer(user, options.name);
  const byNamespace = new Map<string, AuthorizationRequestAttributes[]>();
  const cluster: AuthorizationRequestAttributes[] = [];
  const nonResource: AuthorizationRequestAttributes[] = [];
  const defaultGranted: string[] = [];
  let total = 0;
  let denied = 0;
  for (const request of requests) {
    total += request.count;
    denied += request.denied;
    const a = request.attributes;
    if (!options.includeDefaultGranted && grantedByDefault(user, request)) {
      defaultGranted.push(describe(a));
      continue;
    }
    if (!a.resourceRequest) nonResource.push(a);
    else if (!a.namespace) cluster.push(a);
    else {
      const list = byNamespace.get(a.namespace) ?? [];
      list.push(a);
      byNamespace.set(a.namespace, list);
    }
  }
  const subject = subjectFor(user);
  const objects: RbacManifest[] = [];
  const useNames = options.resourceNames ?? true;
  const clusterRules = [...resourceRules(cluster, useNames), ...nonResourceRules(nonResource)];
  if (clusterRules.length > 0) {
    const name = nameIn('');
    objects.push(
      { apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: { name }, rules: clusterRules },
      {
        apiVersion: RBAC_API_VERSION,
        kind: 'ClusterRoleBinding',
        metadata: { name },
        subjects: [subject],
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
      },
    );
  }
  for (const namespace of [...byNamespace.keys()].sort(byString)) {
    const name = nameIn(namespace);
    objects.push(
      {
        apiVersion: RBAC_API_VERSION,
        kind: 'Role',
        metadata: { name, namespace },
        rules: resourceRules(byNamespace.get(namespace)!, useNames),
      },
      {
        apiVersion: RBAC_API_VERSION,
        kind: 'RoleBinding',
        metadata: { name, namespace },
        subjects: [subject],
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name },
      },
    );
  }
  return { objects, defaultGranted: defaultGranted.sort(byString), distinct: requests.length, total, denied };
}

/**
 * The least-privilege report as YAML: a comment saying whose requests it covers and what was left out,
 * then the objects as a multi-document stream that `kubectl apply -f` takes.
 */
export function renderRbacReport(plan: LeastPrivilegePlan, user: string): string {
  const header = [`# Least-privilege RBAC for ${user}, generated by fake-apiserver`];
  if (plan.distinct === 0) {
    header.push('# from the requests it made: none.');
  } else {
    const distinct = `${plan.distinct} distinct request${plan.distinct === 1 ? '' : 's'}`;
    header.push(
      `# from the requests it made (${distinct}, ${plan.total} in all, ${plan.denied} denied then).`,
    );
  }
  if (plan.defaultGranted.length > 0) {
    header.push("# Left out, as every cluster's default roles grant them:");
    for (const line of plan.defaultGranted) header.push(`#   ${line}`);
  }
  if (plan.objects.length === 0) header.push('# Nothing else is needed.');
  const documents = plan.objects.map((object) => {
    const document = new Document(object);
    // Lists of names as the Kubernetes docs write rules: `verbs: ["get", "list"]`.
    visit(document, {
      Seq(_, node) {
        if (!node.items.every(isScalar)) return;
        node.flow = true;
        for (const item of node.items) item.type = 'QUOTE_DOUBLE';
      },
    });
    return document.toString({ lineWidth: 0, flowCollectionPadding: false });
  });
  return `${header.join('\n')}\n${documents.join('---\n')}`;
}
