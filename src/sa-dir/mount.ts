import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { KUBELET_TOKEN_SECONDS, type ServiceAccountTokenIssuer } from '../auth/service-account-tokens.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { Clock } from '../time/clock.js';
import type { ObjectStore } from '../store/object-store.js';
import { resolveIdentity } from './identity.js';
import type { MountRequest } from './mount-request.js';
import { startRefreshLoop, type RefreshLoop } from './refresh-loop.js';
import { refreshPoint, requiresRefresh, staleTokenWarning } from './token-refresh.js';
import type { ServiceAccountMount } from './types.js';
import { writeServiceAccountDir } from './write-sa-dir.js';

/** What a mount needs from the server. */
export interface MountDeps {
  store: ObjectStore;
  tokens: ServiceAccountTokenIssuer;
  clock: Clock;
  /** The CA certificate (PEM) written as `ca.crt`. */
  caCert: string;
  log(message: string): void;
}

interface CurrentToken {
  token: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** A mount as its server holds it: the public handle, plus what a moved clock needs. */
export interface ManagedServiceAccountMount extends ServiceAccountMount {
  /** Refreshes now if the refresh point has passed by the clock; resolves once the files are written. */
  refreshIfDue(): Promise<void>;
}

/** The directory was removed from under the mount: nothing is written there again. */
class MountGone extends Error {}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[fake-apiserver\] /, '').split('\n')[0]!;
}

/**
 * Writes a serviceaccount directory as the kubelet does for a pod, then keeps its token fresh: at the
 * refresh point a new token goes in through the `..data` swap. Refused up front (nothing written) when the
 * pod or service account is missing or the token would not be mounted.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/projected/projected.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/token/token_manager.go
 */
export async function createServiceAccountMount(
  deps: MountDeps,
  request: MountRequest,
  onStop: () => void = () => {},
): Promise<ManagedServiceAccountMount> {
  const identity = resolveIdentity(deps.store, request.subject, { checkAutomount: true });
  const mount = new KubeletStyleMount(deps, request, identity.pod?.uid, identity.serviceAccount.name, onStop);
  await mount.writeFirst();
  const warning = staleTokenWarning(request.tokenTtlSeconds);
  if (warning) deps.log(`warning: ${warning}`);
  mount.startRefreshing();
  return mount;
}

class KubeletStyleMount implements ManagedServiceAccountMount {
  readonly dir: string;
  readonly tokenFile: string;
  readonly caFile: string;
  readonly namespaceFile: string;
  readonly serviceAccount: string;
  readonly pod: string | undefined;
  readonly tokenTtlSeconds: number;
  readonly #deps: MountDeps;
  readonly #request: MountRequest;
  readonly #podUid: string | undefined;
  readonly #onStop: () => void;
  #current: CurrentToken | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #loop: RefreshLoop | undefined;
  #stopped: Promise<void> | undefined;
  #lastFailure: string | undefined;

  constructor(
    deps: MountDeps,
    request: MountRequest,
    podUid: string | undefined,
    accountName: string,
    onStop: () => void,
  ) {
    this.#deps = deps;
    this.#request = request;
    this.#podUid = podUid;
    this.#onStop = onStop;
    const { dir, subject } = request;
    this.dir = dir;
    this.tokenFile = join(dir, 'token');
    this.caFile = join(dir, 'ca.crt');
    this.namespaceFile = join(dir, 'namespace');
    this.serviceAccount = `${subject.namespace}/${accountName}`;
    this.pod = subject.kind === 'pod' ? `${subject.namespace}/${subject.name}` : undefined;
    this.tokenTtlSeconds = request.tokenTtlSeconds;
  }

  get token(): string {
    return this.#currentToken().token;
  }

  get expiresAt(): Date {
    return new Date(this.#currentToken().expiresAt);
  }

  get refreshAt(): Date {
    const { issuedAt } = this.#currentToken();
    return refreshPoint({ issuedAt, ttlSeconds: this.tokenTtlSeconds });
  }

  writeFirst(): Promise<void> {
    return this.#enqueue(() => this.#write(true));
  }

  startRefreshing(): void {
    this.#loop = startRefreshLoop({
      clock: this.#deps.clock,
      dueIn: (now) => {
        const { issuedAt } = this.#currentToken();
        const times = { issuedAt, ttlSeconds: this.tokenTtlSeconds };
        return requiresRefresh(times, now) ? 0 : refreshPoint(times).getTime() - now.getTime();
      },
      refresh: () => this.#scheduledRefresh(),
    });
  }

  async refreshIfDue(): Promise<void> {
    await this.#loop?.checkNow();
  }

  rotate(): Promise<void> {
    if (this.#stopped) {
      return Promise.reject(
        new FakeApiServerError('ALREADY_CLOSED', `the service-account mount at ${this.dir} is stopped`),
      );
    }
    return this.#enqueue(() => this.#write(false));
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#onStop();
      await this.#loop?.stop();
      await this.#queue;
    })();
    return this.#stopped;
  }

  async #scheduledRefresh(): Promise<boolean> {
    try {
      await this.#enqueue(() => this.#write(false));
      this.#lastFailure = undefined;
      this.#deps.log(
        `rotated the token in ${this.dir} (expires ${this.#currentToken().expiresAt.toISOString()})`,
      );
      return true;
    } catch (error) {
      const gone =
        error instanceof MountGone || (error instanceof FakeApiServerError && error.code === 'POD_NOT_FOUND');
      if (gone) {
        this.#deps.log(`stopped refreshing the token in ${this.dir}: ${reason(error)}`);
        return false;
      }
      // The kubelet retries (a service account may come back); say so once, not every period.
      if (this.#lastFailure !== reason(error)) {
        this.#lastFailure = reason(error);
        this.#deps.log(`cannot refresh the token in ${this.dir} yet: ${this.#lastFailure}`);
      }
      return true;
    }
  }

  async #write(first: boolean): Promise<void> {
    if (!first && this.#stopped) return;
    const { store, tokens, clock, caCert } = this.#deps;
    const identity = resolveIdentity(store, this.#request.subject, {
      checkAutomount: first,
      pinnedPodUid: this.#podUid,
    });
    if (!first) await this.#assertStillThere();
    const now = clock.now();
    const { token, claims } = tokens.issue(
      {
        namespace: identity.namespace,
        name: identity.serviceAccount.name,
        uid: identity.serviceAccount.uid,
        expirationSeconds: this.tokenTtlSeconds,
        ...(identity.pod ? { pod: identity.pod } : {}),
        ...(identity.node ? { node: identity.node } : {}),
        // As kube-apiserver does for the kubelet's own request: valid a year, `warnafter` at the lifetime.
        extendExpiration: identity.pod !== undefined && this.tokenTtlSeconds === KUBELET_TOKEN_SECONDS,
      },
      now,
    );
    await writeServiceAccountDir(this.dir, { token, 'ca.crt': caCert, namespace: identity.namespace }, now);
    this.#current = { token, issuedAt: new Date(claims.iat * 1000), expiresAt: new Date(claims.exp * 1000) };
  }

  async #assertStillThere(): Promise<void> {
    try {
      await lstat(join(this.dir, '..data'));
    } catch {
      throw new MountGone(`${this.dir} is gone`);
    }
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => {});
    return result;
  }

  #currentToken(): CurrentToken {
    if (!this.#current) throw new Error('the service-account mount has not been written yet');
    return this.#current;
  }
}
