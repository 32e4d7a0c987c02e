import type { ControllerWriter } from '../api/write-path.js';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { namespaceKind, secretKind } from '../registry/built-in-kinds.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { describeError, type ObjectStore } from '../store/object-store.js';
import { ensureNamespaceDefaults } from './namespace-defaults.js';
import { populateServiceAccountToken } from './token-controller.js';

/**
 * The reactions of a cluster's controllers to a new object, run at once since this server has no
 * controller manager: namespace defaults, and tokens for service-account-token Secrets. They run after the
 * object is stored, so a reaction that fails is logged and never fails the create that caused it.
 */
export function createControllers(
  store: ObjectStore,
  writer: ControllerWriter,
  tokens: ServiceAccountTokenIssuer,
  caCert: string,
  log: (message: string) => void,
) {
  return (kind: ResourceKind, obj: KubeObject): void => {
    try {
      if (kind === namespaceKind) ensureNamespaceDefaults(store, writer, obj.metadata?.name ?? '', caCert);
      else if (kind === secretKind) populateServiceAccountToken(store, writer, tokens, caCert, obj);
    } catch (error) {
      const { namespace, name = '' } = obj.metadata ?? {};
      log(
        `controllers failed on the new ${kind.resource} ${namespace ? `${namespace}/${name}` : name}: ${describeError(error)}`,
      );
    }
  };
}
