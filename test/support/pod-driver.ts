import type { StartedFakeApiServer } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { adminCredentials } from './admin.js';
import { send } from './https-client.js';

type Obj = Record<string, any>;

/** What a test wants a pod to become. */
export type PodOutcome = 'Ready' | 'Succeeded' | 'Failed';

/**
 * A test-only stand-in for the kubelet: it writes pods' status through the API (`PUT .../pods/NAME/status`
 * as the admin), so that the workload controllers see pods become Running and Ready, or finish. `decide`
 * says what each new pod becomes (Ready by default); pods being deleted are left alone.
 */
export class PodDriver {
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #admin: { cert: string; key: string } | undefined;
  readonly #done = new Set<string>();

  constructor(
    private readonly server: StartedFakeApiServer,
    /** The path of the admin kubeconfig the server wrote. */
    private readonly kubeconfig: string,
    private readonly decide: (pod: Obj) => PodOutcome | undefined = () => 'Ready',
    /** The server's time, for the conditions' lastTransitionTime (a fake clock's, when the test has one). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts driving pods, every 20 ms. */
  start(): this {
    this.#timer = setInterval(() => void this.tick(), 20);
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Drives every pod not yet driven, once. */
  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (const pod of this.server.list({ kind: 'Pod' }) as Obj[]) {
        const uid = pod.metadata.uid as string;
        if (this.#done.has(uid) || pod.metadata.deletionTimestamp) continue;
        const outcome = this.decide(pod);
        if (!outcome) continue;
        this.#done.add(uid);
        await this.setStatus(pod, outcome);
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Writes one pod's status as the kubelet would report the outcome. */
  async setStatus(pod: Obj, outcome: PodOutcome): Promise<void> {
    const time = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const ready = outcome === 'Ready' ? 'True' : 'False';
    const status = {
      phase: outcome === 'Ready' ? 'Running' : outcome,
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: time },
        { type: 'Ready', status: ready, lastTransitionTime: time },
        { type: 'ContainersReady', status: ready, lastTransitionTime: time },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: time },
      ],
      startTime: time,
    };
    const { namespace, name } = pod.metadata;
    const response = await send(this.server.url, this.server.caCert, {
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace}/pods/${name}/status`,
      body: { status },
      contentType: 'application/merge-patch+json',
      client: (this.#admin ??= adminCredentials(readFileSync(this.kubeconfig, 'utf8'))),
    });
    if (response.status !== 200 && response.status !== 404) {
      throw new Error(`pod status ${namespace}/${name}: ${response.status} ${response.text}`);
    }
  }
}
