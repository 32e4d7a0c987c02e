import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { namespaceKind, secretKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import { ensureNamespaceDefaults } from './namespace-defaults.js';
import { populateServiceAccountToken } from './token-controller.js';

/**
 * The reactions of a cluster's controllers to a new object, run at once since this server has no
 * controller manager: namespace defaults, and tokens for service-account-token Secrets.
 */
export function createControllers(store: ObjectStore, tokens: ServiceAccountTokenIssuer, caCert: string) {
  return (kind: ResourceKind, obj: KubeObject): void => {
    if (kind === namespaceKind) ensureNamespaceDefaults(store, obj.metadata?.name ?? '', caCert);
    else if (kind === secretKind) populateServiceAccountToken(store, tokens, caCert, obj);
  };
}
