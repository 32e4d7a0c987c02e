import { FakeApiServerError } from '../errors/developer-error.js';
import type { AuditLevel } from './types.js';

/** The levels `auditLevel` / `--audit-level` accept, least first. */
export const AUDIT_LEVELS: readonly AuditLevel[] = ['Metadata', 'Request', 'RequestResponse'];

/** How many events are kept in memory unless `auditMaxEvents` says otherwise. */
export const DEFAULT_AUDIT_MAX_EVENTS = 10_000;

/**
 * An audit level from an option or flag, exactly as kube-apiserver's policy spells it.
 * @throws FakeApiServerError `INVALID_OPTION` naming `source` for anything else
 */
export function parseAuditLevel(value: string, source: string): AuditLevel {
  if ((AUDIT_LEVELS as readonly string[]).includes(value)) return value as AuditLevel;
  throw new FakeApiServerError(
    'INVALID_OPTION',
    `${source} ${JSON.stringify(value)} is not an audit level`,
    `use one of ${AUDIT_LEVELS.join(', ')}`,
  );
}

/**
 * How many events to keep in memory: a whole number, 0 for none (the log file and subscribers still get
 * every event).
 * @throws FakeApiServerError `INVALID_OPTION` for anything else
 */
export function parseAuditMaxEvents(value: number | undefined): number {
  if (value === undefined) return DEFAULT_AUDIT_MAX_EVENTS;
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new FakeApiServerError(
    'INVALID_OPTION',
    `auditMaxEvents ${value} is not a whole number of events`,
    'use 0 or more',
  );
}
