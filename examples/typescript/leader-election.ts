/**
 * Leader election on a `coordination.k8s.io/v1` Lease, the algorithm of client-go's
 * `tools/leaderelection` (which @kubernetes/client-node does not ship): candidates read the Lease, take it
 * when it is free or its holder has not renewed it for `leaseDurationSeconds` (measured on their own clock,
 * from the moment they saw the record change), and write it back with its `resourceVersion`, so that of two
 * candidates racing for it one gets a 409 Conflict and stays a follower.
 *
 * In a pod: `node leader-election.js` (after `tsc`), or `node leader-election.ts` on Node 22.18+, with
 * `POD_NAME` set from the downward API.
 * @see https://github.com/kubernetes/client-go/blob/master/tools/leaderelection/leaderelection.go
 */
import {
  ApiException,
  CoordinationV1Api,
  KubeConfig,
  V1MicroTime,
  type V1Lease,
} from '@kubernetes/client-node';

/** What a candidate needs to know. */
export interface LeaderElectionConfig {
  api: CoordinationV1Api;
  namespace: string;
  /** The Lease's name, the same for every candidate. */
  lease: string;
  /** This candidate, unique among them (a pod name). */
  identity: string;
  /** How long followers wait, after the last renewal they saw, before taking the lease. */
  leaseDurationSeconds: number;
  /** How long the leader keeps trying to renew before it gives up leading. */
  renewDeadlineMs: number;
  /** Pause between two attempts to acquire or renew. */
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  /** Failed reads and writes (a 403 among them); the candidate keeps trying. */
  onError?: (error: unknown) => void;
}

const isStatus = (error: unknown, code: number) => error instanceof ApiException && error.code === code;

/** One candidate; `run()` campaigns and leads until it loses the lease or `stop()` is called. */
export class LeaderElector {
  readonly #config: LeaderElectionConfig;
  #observed: { record: string; at: number } | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(config: LeaderElectionConfig) {
    this.#config = config;
  }

  /** One attempt: true when this candidate holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace, lease: name, identity, leaseDurationSeconds } = this.#config;
    const now = new V1MicroTime(); // serialized with six fractional digits, as the API requires
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      const spec = { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now };
      return this.#write(() => api.createNamespacedLease({ namespace, body: { metadata: { name }, spec } }));
    }
    const spec = current.spec ?? {};
    const record = JSON.stringify(spec);
    if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const expiresAt = this.#observed.at + (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (holder !== '' && holder !== identity && Date.now() < expiresAt) return false;
    const renewing = holder === identity;
    const transitions = spec.leaseTransitions ?? 0;
    const body: V1Lease = {
      ...current, // metadata.resourceVersion: the write fails with 409 if anyone wrote in between
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        renewTime: now,
        acquireTime: renewing ? spec.acquireTime : now,
        leaseTransitions: renewing ? transitions : transitions + 1,
      },
    };
    return this.#write(() => api.replaceNamespacedLease({ name, namespace, body }));
  }

  async #write(write: () => Promise<V1Lease>): Promise<boolean> {
    try {
      this.#observed = { record: JSON.stringify((await write()).spec ?? {}), at: Date.now() };
      return true;
    } catch (error) {
      if (isStatus(error, 409)) return false; // another candidate won this round
      throw error;
    }
  }

  async #attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch (error) {
      this.#config.onError?.(error);
      return false;
    }
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Campaigns until elected, then renews every `retryPeriodMs`; returns once it stops leading or is stopped. */
  async run(): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs } = this.#config;
    while (!this.#stopped && !(await this.#attempt())) await this.#sleep(retryPeriodMs);
    if (this.#stopped) return;
    this.#config.onStartedLeading();
    let renewedAt = Date.now();
    while (!this.#stopped && Date.now() - renewedAt < renewDeadlineMs) {
      await this.#sleep(retryPeriodMs);
      if (!this.#stopped && (await this.#attempt())) renewedAt = Date.now();
    }
    this.#config.onStoppedLeading();
  }

  /** Stops campaigning and renewing, as a crashed leader would: the others take over once the lease expires. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const kc = new KubeConfig();
  kc.loadFromCluster(process.env.SA_ROOT ?? '');
  const identity = process.env.POD_NAME ?? `candidate-${process.pid}`;
  const elector = new LeaderElector({
    api: kc.makeApiClient(CoordinationV1Api),
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default',
    lease: 'example-controller',
    identity,
    leaseDurationSeconds: 15,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: () => console.log(`${identity} is leading`),
    onStoppedLeading: () => console.log(`${identity} stopped leading`),
    onError: (error) => console.error(error),
  });
  process.once('SIGTERM', () => elector.stop());
  await elector.run();
}
