import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The raw connection of a request that asked to switch protocols (`Upgrade:` header). */
export interface UpgradedConnection {
  socket: Duplex;
  /** Bytes the client sent after the request's headers. */
  head: Buffer;
}

const upgrades = new WeakMap<IncomingMessage, UpgradedConnection>();

/** Records the raw connection of an upgrade request, for a handler that switches protocols. */
export function noteUpgrade(req: IncomingMessage, connection: UpgradedConnection): void {
  upgrades.set(req, connection);
}

/** The raw connection of an upgrade request, or undefined for an ordinary request. */
export function upgradeOf(req: IncomingMessage): UpgradedConnection | undefined {
  return upgrades.get(req);
}
