import { resolve } from 'node:path';
import { FakeApiServerError } from '../errors/developer-error.js';
import {
  createRunEnvironment,
  type RunEnvironment,
  type RunEnvironmentDeps,
  type RunEnvironmentRequest,
} from './run-environment.js';

/**
 * The runs one server prepares, each in its own directory, as a node's kubelet keeps its pods' volumes:
 * `refreshDue()` follows a moved clock, `stopAll()` ends them with the server.
 */
export class RunEnvironments {
  readonly #deps: () => RunEnvironmentDeps;
  readonly #environments = new Map<string, RunEnvironment | 'pending'>();
  #closed = false;

  /** `deps` is read when a run is prepared (the server's address is known once it listens). */
  constructor(deps: () => RunEnvironmentDeps) {
    this.#deps = deps;
  }

  /** Prepares a run in `request.dir`; refuses a directory another run holds, and new runs once closed. */
  async create(request: RunEnvironmentRequest): Promise<RunEnvironment> {
    if (this.#closed)
      throw new FakeApiServerError('ALREADY_CLOSED', 'the server is closed: it prepares no more runs');
    const dir = resolve(request.dir);
    if (this.#environments.has(dir)) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `${dir} already holds a run`,
        'stop that run first, or use another directory',
      );
    }
    this.#environments.set(dir, 'pending');
    let environment: RunEnvironment;
    try {
      environment = await createRunEnvironment(this.#deps(), { ...request, dir });
    } catch (error) {
      this.#environments.delete(dir);
      throw error;
    }
    this.#environments.set(dir, environment);
    return environment;
  }

  /** Stops the run prepared in `dir`; false if none is. */
  async stop(dir: string): Promise<boolean> {
    const environment = this.#environments.get(resolve(dir));
    if (!environment || environment === 'pending') return false;
    this.#environments.delete(resolve(dir));
    await environment.stop();
    return true;
  }

  /** Rewrites the tokens due by the clock in every run. */
  async refreshDue(): Promise<void> {
    await Promise.all(
      [...this.#environments.values()].map((environment) =>
        environment === 'pending' ? undefined : environment.refreshDue(),
      ),
    );
  }

  /** Stops every run, and refuses new ones. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    const environments = [...this.#environments.values()];
    this.#environments.clear();
    await Promise.all(
      environments.map((environment) => (environment === 'pending' ? undefined : environment.stop())),
    );
  }
}
