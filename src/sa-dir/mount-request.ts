import { join, resolve } from 'node:path';
import { KUBELET_TOKEN_SECONDS } from '../auth/service-account-tokens.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { FakeApiServerOptions } from '../types.js';
import { validateTokenTtl } from './token-ttl.js';
import type { MountServiceAccountOptions } from './types.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from './paths.js';

export { SERVICE_ACCOUNT_MOUNT_PATH, SERVICE_ACCOUNT_PATH } from './paths.js';

/** A namespaced object named by `NAMESPACE/NAME`. */
export interface NamespacedName {
  namespace: string;
  name: string;
}

/** Whose volume it is: a service account used by an unnamed pod, or a named pod. */
export type MountSubject = ({ kind: 'serviceAccount' } | { kind: 'pod' }) & NamespacedName;

/** A checked mount request: an absolute directory, one subject, a lifetime. */
export interface MountRequest {
  dir: string;
  subject: MountSubject;
  tokenTtlSeconds: number;
}

/** Parses `NAMESPACE/NAME`, refusing anything else with an example. */
export function parseNamespacedName(value: string, what: 'service account' | 'pod'): NamespacedName {
  const match = /^([^/]+)\/([^/]+)$/.exec(value);
  if (!match) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `${what} ${JSON.stringify(value)} is not NAMESPACE/NAME`,
      what === 'pod' ? 'e.g. default/helloworld' : 'e.g. default/pod-reader',
    );
  }
  return { namespace: match[1]!, name: match[2]! };
}

/** Checks the options of `mountServiceAccount`: one of dir/root, one of serviceAccount/pod. */
export function resolveMountRequest(options: MountServiceAccountOptions): MountRequest {
  if (options.dir !== undefined && options.root !== undefined) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      'dir and root are alternatives: give one',
      `root writes the files at ROOT/${SERVICE_ACCOUNT_MOUNT_PATH}`,
    );
  }
  const dir =
    options.dir !== undefined
      ? resolve(options.dir)
      : options.root !== undefined
        ? join(resolve(options.root), SERVICE_ACCOUNT_MOUNT_PATH)
        : undefined;
  if (!dir) {
    throw new FakeApiServerError('INVALID_OPTION', 'a service-account mount needs dir or root', undefined);
  }
  return { dir, subject: resolveSubject(options), tokenTtlSeconds: resolveTtl(options.tokenTtlSeconds) };
}

/**
 * The start-up mount asked for by `saDir`/`root` (`--sa-dir`/`--root`), or undefined when neither is
 * given; checked before anything is started, so that a bad combination serves nothing.
 */
export function resolveStartupMount(options: FakeApiServerOptions): MountRequest | undefined {
  if (options.saDir !== undefined && options.root !== undefined) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      'saDir and root (--sa-dir, --root) are alternatives: give one',
      `--root DIR writes the files at DIR/${SERVICE_ACCOUNT_MOUNT_PATH}`,
    );
  }
  const subject = resolveSubject(options);
  const tokenTtlSeconds = resolveTtl(options.tokenTtlSeconds);
  if (options.saDir === undefined && options.root === undefined) {
    for (const [option, flag] of [
      ['pod', '--pod'],
      ['tokenTtlSeconds', '--token-ttl'],
    ] as const) {
      if (options[option] !== undefined) {
        throw new FakeApiServerError(
          'INVALID_OPTION',
          `${option} (${flag}) applies to the serviceaccount directory, but neither saDir nor root (--sa-dir, --root) is given`,
          'add --sa-dir DIR or --root DIR',
        );
      }
    }
    return undefined;
  }
  return resolveMountRequest({
    ...(options.saDir !== undefined ? { dir: options.saDir } : { root: options.root! }),
    ...(subject.kind === 'pod' ? { pod: options.pod! } : { serviceAccount: options.serviceAccount }),
    tokenTtlSeconds,
  });
}

function resolveSubject(options: { serviceAccount?: string; pod?: string }): MountSubject {
  if (options.pod !== undefined && options.serviceAccount !== undefined) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      "pod and serviceAccount (--pod, --service-account) are alternatives: a pod's token is for its spec.serviceAccountName",
      'give --pod alone; to use another service account, use a pod that runs as it',
    );
  }
  if (options.pod !== undefined) return { kind: 'pod', ...parseNamespacedName(options.pod, 'pod') };
  return {
    kind: 'serviceAccount',
    ...parseNamespacedName(options.serviceAccount ?? 'default/default', 'service account'),
  };
}

function resolveTtl(seconds: number | undefined): number {
  return seconds === undefined ? KUBELET_TOKEN_SECONDS : validateTokenTtl(seconds);
}
