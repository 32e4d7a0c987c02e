import { FakeApiServerError } from '../errors/developer-error.js';
import { createServiceAccountMount, type ManagedServiceAccountMount, type MountDeps } from './mount.js';
import { resolveMountRequest, type MountRequest } from './mount-request.js';
import type { MountServiceAccountOptions, ServiceAccountMount } from './types.js';

/**
 * The serviceaccount directories of one server, each for its own identity, as a node's kubelet keeps the
 * volumes of its pods. One directory holds one mount; `stopAll()` ends every refresh timer.
 */
export class ServiceAccountMounts {
  readonly #deps: MountDeps;
  readonly #mounts = new Map<string, ManagedServiceAccountMount | 'pending'>();
  #closed = false;

  constructor(deps: MountDeps) {
    this.#deps = deps;
  }

  /** Writes a directory and keeps it fresh; refuses a directory another mount of this server holds. */
  async mount(options: MountServiceAccountOptions | MountRequest): Promise<ServiceAccountMount> {
    this.#refuseIfClosed();
    const request = 'subject' in options ? options : resolveMountRequest(options);
    const existing = this.#mounts.get(request.dir);
    if (existing) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `${request.dir} already holds the serviceaccount files of ${existing === 'pending' ? 'another mount' : existing.serviceAccount}`,
        'stop() that mount first, or use another directory',
      );
    }
    this.#mounts.set(request.dir, 'pending');
    let mount: ManagedServiceAccountMount;
    try {
      mount = await createServiceAccountMount(this.#deps, request, () => this.#mounts.delete(request.dir));
    } catch (error) {
      this.#mounts.delete(request.dir);
      throw error;
    }
    if (this.#closed) {
      await mount.stop();
      this.#refuseIfClosed();
    }
    this.#mounts.set(request.dir, mount);
    return mount;
  }

  /** Stops the mount writing `dir` (an absolute path); false when no mount of this server holds it. */
  async stop(dir: string): Promise<boolean> {
    const mount = this.#mounts.get(dir);
    if (!mount || mount === 'pending') return false;
    await mount.stop();
    return true;
  }

  /**
   * Refreshes at once every mount whose refresh point has passed by the clock (after a fake clock moved),
   * instead of at its next check; resolves once their files are written.
   */
  async refreshDue(): Promise<void> {
    await Promise.all(
      [...this.#mounts.values()].map((mount) => (mount === 'pending' ? undefined : mount.refreshIfDue())),
    );
  }

  /** Stops every mount's refreshing, and refuses new mounts. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [...this.#mounts.values()].map((mount) => (mount === 'pending' ? undefined : mount.stop())),
    );
  }

  #refuseIfClosed(): void {
    if (this.#closed) {
      throw new FakeApiServerError('ALREADY_CLOSED', 'the server is closed: it mounts nothing more');
    }
  }
}
