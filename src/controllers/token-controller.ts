import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { secretKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ControllerWriter } from '../api/write-path.js';

/** The Secret type the tokens controller fills in. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';

const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * What kube-controller-manager's tokens controller does to a `kubernetes.io/service-account-token`
 * Secret naming an existing service account: records the account's uid and fills `data.token` (a legacy
 * token), `data['ca.crt']` and `data.namespace`. Secrets of other types, already populated, or naming no
 * existing account are left as they are (the real controller leaves the latter for cleanup). It writes through
 * the API's write path as kube-controller-manager.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/serviceaccount/tokens_controller.go
 */
export function populateServiceAccountToken(
  store: ObjectStore,
  writer: ControllerWriter,
  tokens: ServiceAccountTokenIssuer,
  caCert: string,
  secret: KubeObject,
): void {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return;
  const namespace = secret.metadata?.namespace ?? '';
  const accountName = secret.metadata?.annotations?.[SA_NAME_ANNOTATION];
  if (!accountName) return;
  const data = (secret.data ?? {}) as Record<string, string>;
  if (data.token) return;
  const account = store.get(serviceAccountKind, namespace, accountName);
  const uid = account?.metadata?.uid;
  if (!uid) return;
  const expectedUid = secret.metadata?.annotations?.[SA_UID_ANNOTATION];
  if (expectedUid && expectedUid !== uid) return;
  const token = tokens.issueLegacy({
    namespace,
    name: accountName,
    uid,
    secretName: secret.metadata?.name ?? '',
  });
  const updated = structuredClone(secret);
  updated.metadata!.annotations = { ...updated.metadata!.annotations, [SA_UID_ANNOTATION]: uid };
  updated.data = { ...data, 'ca.crt': b64(caCert), namespace: b64(namespace), token: b64(token) };
  writer.update(secretKind, updated);
}
