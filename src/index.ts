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
export type {
  RunIdentityOptions,
  RunMount,
  RunNetwork,
  RunOptions,
  RunPlan,
  RunResult,
} from './run/types.js';
export type { Clock } from './time/clock.js';
export type {
  ExecHandler,
  ExecHandlerFunction,
  ExecMatcher,
  ExecSession,
  PortForwardMatcher,
  PortForwardTarget,
  ScriptedExecReply,
  StreamHandlerRegistration,
  TerminalSize,
} from './streams/handler-types.js';
export type { PodFileInfo, PodFiles, PodFilesSelector } from './pod-files/types.js';
export type {
  AuditEvent,
  AuditEventList,
  AuditLevel,
  AuditObjectReference,
  AuditResponseStatus,
  AuditStage,
  AuditUserInfo,
  RecordedRequestFilter,
  RecordedWrite,
} from './audit/types.js';
export type { FaultHandle, FaultRule, InjectedFault } from './faults/types.js';
export { createFakeClock, FakeClock, type DurationInput, type TimeInput } from './time/fake-clock.js';
export type { KubeObject, ObjectMeta } from './registry/resource-kind.js';
export type {
  KindReference,
  ManifestInput,
  ObjectListQuery,
  ObjectReference,
  StateSnapshot,
} from './state/types.js';
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
