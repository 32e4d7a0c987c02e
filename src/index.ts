/**
 * fake-apiserver: a fake Kubernetes API server for tests, with real TLS, service-account tokens, RBAC and
 * an in-cluster serviceaccount directory.
 */
export { startFakeApiServer, DEFAULT_FIXTURES_DIR } from './server/start.js';
export { FakeApiServerError, type DeveloperErrorCode } from './errors/developer-error.js';
export type {
  FakeApiServerOptions,
  IssueTokenOptions,
  KubernetesServiceEnv,
  StartedFakeApiServer,
} from './types.js';
export type { MountServiceAccountOptions, ServiceAccountMount } from './sa-dir/types.js';
export type { Clock } from './server/clock.js';
export type {
  AuthorizationAllowedBy,
  AuthorizationDecisionFilter,
  AuthorizationDecisionRecord,
  AuthorizationDenial,
  AuthorizationMismatch,
  AuthorizationMismatchField,
  AuthorizationNearMiss,
  AuthorizationRequestAttributes,
  RbacObjectReference,
  RbacPolicyRule,
  RbacReportOptions,
  RbacSubject,
} from './rbac/decision-types.js';
