import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../http/request-info.js';
import type { Clock } from '../time/clock.js';
import { isCompletedWrite, matchesFilter, toRecordedWrite } from './filter.js';
import type { AuditLogFile } from './log-file.js';
import { RequestRecording, type RecordedStage } from './request-recording.js';
import type { AuditEvent, AuditLevel, RecordedRequestFilter, RecordedWrite } from './types.js';

/** Receives every audit event as it is recorded. */
export type AuditListener = (event: AuditEvent) => void;

/**
 * Records every request one server answers as `audit.k8s.io/v1` events: keeps the last `maxEvents` in
 * memory for queries, appends each to the audit log file if there is one, and hands each to subscribers.
 * An event is built only when something needs it (a query, the file, a subscriber): without those, a
 * request costs one small object kept in a ring.
 */
export class AuditRecorder {
  /** The level every request is recorded at. */
  readonly level: AuditLevel;
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #file: AuditLogFile | undefined;
  readonly #maxEvents: number;
  // A ring: once full, #head is the oldest stage and the slot the next one overwrites.
  #stages: RecordedStage[] = [];
  #head = 0;
  readonly #listeners = new Set<AuditListener>();
  readonly #onStage = (stage: RecordedStage): void => this.#record(stage);

  constructor(options: {
    level: AuditLevel;
    clock: Clock;
    maxEvents: number;
    log: (message: string) => void;
    file?: AuditLogFile;
  }) {
    this.level = options.level;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#file = options.file;
    this.#maxEvents = options.maxEvents;
  }

  /** Starts recording one request; its stages are recorded as its response starts and closes. */
  begin(req: IncomingMessage, res: ServerResponse, auditID: string, info: RequestInfo): RequestRecording {
    return new RequestRecording({
      req,
      res,
      auditID,
      info,
      level: this.level,
      clock: this.#clock,
      onStage: this.#onStage,
    });
  }

  #record(stage: RecordedStage): void {
    if (this.#maxEvents > 0) {
      if (this.#stages.length < this.#maxEvents) {
        this.#stages.push(stage);
      } else {
        this.#stages[this.#head] = stage;
        this.#head = (this.#head + 1) % this.#maxEvents;
      }
    }
    if (!this.#file && this.#listeners.size === 0) return;
    const event = stage.event();
    this.#file?.append(event);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A subscriber's failure must not fail the request, nor hide the event from the others.
        this.#log(`audit listener failed: ${String(error)}`);
      }
    }
  }

  /** The events kept (the last `maxEvents`), oldest first, that match the filter. Events are frozen. */
  requests(filter: RecordedRequestFilter = {}): AuditEvent[] {
    const out: AuditEvent[] = [];
    const count = this.#stages.length;
    for (let i = 0; i < count; i++) {
      const event = this.#stages[(this.#head + i) % count]!.event();
      if (matchesFilter(event, filter)) out.push(event);
    }
    return out;
  }

  /** The completed writes among the events kept that match the filter, as compact lines, oldest first. */
  writes(filter: RecordedRequestFilter = {}): RecordedWrite[] {
    return this.requests(filter).filter(isCompletedWrite).map(toRecordedWrite);
  }

  /** Forgets the events kept in memory (the log file keeps its lines). */
  clear(): void {
    this.#stages = [];
    this.#head = 0;
  }

  /** Calls `listener` with every event recorded from now on (frozen). Returns the function that stops it. */
  subscribe(listener: AuditListener): () => void {
    // Wrapped, so that the same function subscribed twice is called twice and unsubscribed once each.
    const deliver = (event: AuditEvent): void => listener(event);
    this.#listeners.add(deliver);
    return () => {
      this.#listeners.delete(deliver);
    };
  }

  /**
   * Flushes and closes the audit log file; idempotent. Called once the server stopped listening: the
   * events of responses closed on the way (ended watches) are written first.
   */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#file?.close();
  }
}
