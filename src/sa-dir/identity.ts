import { FakeApiServerError } from '../errors/developer-error.js';
import { podKind, serviceAccountKind } from '../registry/built-in-kinds.js';
import type { KubeObject } from '../registry/resource-kind.js';
import type { ObjectStore } from '../store/object-store.js';
import type { MountSubject } from './mount-request.js';

/** What a token is issued for: the service account, and the pod it is bound to, if any. */
export interface MountIdentity {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  /** The node the pod runs on, which bound tokens name too. */
  node?: { name: string };
}

function automount(object: KubeObject | undefined, field: 'spec' | 'self'): boolean | undefined {
  const holder = (field === 'spec' ? object?.spec : object) as Record<string, unknown> | undefined;
  const value = holder?.automountServiceAccountToken;
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * Resolves whose token a volume holds, from the objects as they are now. `pinnedPodUid` is the uid of the
 * pod the volume was first written for: a pod recreated under the same name is another pod. With
 * `checkAutomount`, refuses as the ServiceAccount admission plugin does when no token is to be mounted:
 * the pod's `automountServiceAccountToken` decides, else its service account's.
 * @see https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/admission/serviceaccount/admission.go
 */
export function resolveIdentity(
  store: ObjectStore,
  subject: MountSubject,
  { checkAutomount = false, pinnedPodUid }: { checkAutomount?: boolean; pinnedPodUid?: string } = {},
): MountIdentity {
  const { namespace } = subject;
  let pod: KubeObject | undefined;
  if (subject.kind === 'pod') {
    pod = store.get(podKind, namespace, subject.name);
    if (!pod?.metadata?.uid) {
      throw new FakeApiServerError(
        'POD_NOT_FOUND',
        `pod ${namespace}/${subject.name} does not exist`,
        'add it to the fixtures, or create it first',
      );
    }
    if (pinnedPodUid !== undefined && pod.metadata.uid !== pinnedPodUid) {
      throw new FakeApiServerError(
        'POD_NOT_FOUND',
        `pod ${namespace}/${subject.name} was recreated (uid ${pod.metadata.uid}, was ${pinnedPodUid})`,
        'mount the new pod',
      );
    }
  }
  const accountName =
    subject.kind === 'pod'
      ? String((pod?.spec as { serviceAccountName?: unknown } | undefined)?.serviceAccountName ?? 'default')
      : subject.name;
  const account = store.get(serviceAccountKind, namespace, accountName);
  if (!account?.metadata?.uid) {
    throw new FakeApiServerError(
      'SERVICE_ACCOUNT_NOT_FOUND',
      `service account ${namespace}/${accountName} does not exist` +
        (subject.kind === 'pod' ? ` (spec.serviceAccountName of pod ${namespace}/${subject.name})` : ''),
      'add it to the fixtures, or create it first',
    );
  }
  const nodeName = (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
  if (checkAutomount) refuseWithoutAutomount(subject, automount(pod, 'spec'), automount(account, 'self'));
  return {
    namespace,
    serviceAccount: { name: accountName, uid: account.metadata.uid },
    ...(pod ? { pod: { name: subject.name, uid: pod.metadata!.uid! } } : {}),
    ...(nodeName ? { node: { name: nodeName } } : {}),
  };
}

function refuseWithoutAutomount(
  subject: MountSubject,
  fromPod: boolean | undefined,
  fromAccount: boolean | undefined,
): void {
  const target = `${subject.namespace}/${subject.name}`;
  if (fromPod === false) {
    throw new FakeApiServerError(
      'AUTOMOUNT_DISABLED',
      `pod ${target} sets automountServiceAccountToken: false, so the kubelet mounts no service-account token for it`,
      'remove that setting, or take a token with issueToken() instead',
    );
  }
  if (fromPod === undefined && fromAccount === false) {
    const account = subject.kind === 'pod' ? 'its service account' : `service account ${target}`;
    throw new FakeApiServerError(
      'AUTOMOUNT_DISABLED',
      `${account} sets automountServiceAccountToken: false, so the kubelet mounts no token` +
        (subject.kind === 'pod' ? ` for pod ${target}` : ' for pods that use it'),
      subject.kind === 'pod'
        ? "set automountServiceAccountToken: true in the pod's spec (it takes precedence), or take a token with issueToken()"
        : 'use --pod with a pod whose spec sets automountServiceAccountToken: true, or take a token with issueToken()',
    );
  }
}
