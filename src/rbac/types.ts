import type { UserInfo } from '../auth/user-info.js';

/** An RBAC `PolicyRule`. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** An RBAC `Subject`. */
export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** An RBAC `RoleRef`. */
export interface RoleRef {
  apiGroup?: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

/** The attributes an authorizer decides on (`authorizer.Attributes`). */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** For non-resource requests. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

/** An authorizer's answer. */
export interface AuthorizationDecision {
  allowed: boolean;
  /** Why it was allowed (`RBAC: allowed by ...`), or role-resolution errors on a denial. */
  reason: string;
}
