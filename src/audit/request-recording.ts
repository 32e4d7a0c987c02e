import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/user-info.js';
import { decodeObjectBody } from '../http/body.js';
import { isLongRunning } from '../http/long-running.js';
import type { RequestInfo } from '../http/request-info.js';
import type { Clock } from '../time/clock.js';
import { observeExchange, type ExchangeObserver } from './capture.js';
import {
  buildAuditEvent,
  isStatusBody,
  recordsResponseBodies,
  sourceIps,
  type StatusLike,
} from './event-builder.js';
import type { AuditEvent, AuditLevel } from './types.js';

/** One recorded stage of a request; its event is built when first asked for, then kept. */
export interface RecordedStage {
  event(): AuditEvent;
}

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) freeze(field);
  }
  return value;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One request being recorded, and afterwards its `ResponseComplete` stage. The pipeline tells it what it
 * learns (the user, the impersonated user, the RBAC decision); the body reader and the JSON writer hand it
 * the bodies; when the response closes (finished, failed or aborted) it is recorded. It keeps what the
 * event needs and nothing else (not `req` nor `res`), and builds the event only when asked: most recorded
 * requests are never looked at.
 */
export class RequestRecording implements ExchangeObserver, RecordedStage {
  readonly #auditID: string;
  readonly #level: AuditLevel;
  readonly #info: RequestInfo;
  readonly #requestURI: string;
  readonly #receivedAt: number;
  readonly #forwardedFor: string | undefined;
  readonly #realIp: string | undefined;
  readonly #remoteAddress: string | undefined;
  readonly #userAgent: string | undefined;
  readonly #contentType: string | undefined;
  readonly #clock: Clock;
  readonly #onStage: (stage: RecordedStage) => void;
  #res: ServerResponse | undefined;
  #user: UserInfo | undefined;
  #impersonatedUser: UserInfo | undefined;
  #authorization: { allowed: boolean; reason: string } | undefined;
  #rawBody: Buffer | undefined;
  #requestBody: unknown;
  #status: StatusLike | undefined;
  #responseBody: unknown;
  #code: number | undefined;
  #completedAt = 0;
  #event: AuditEvent | undefined;

  constructor(options: {
    req: IncomingMessage;
    res: ServerResponse;
    auditID: string;
    info: RequestInfo;
    level: AuditLevel;
    clock: Clock;
    onStage: (stage: RecordedStage) => void;
  }) {
    const { req, res } = options;
    this.#auditID = options.auditID;
    this.#level = options.level;
    this.#info = options.info;
    this.#requestURI = req.url ?? '/';
    this.#clock = options.clock;
    this.#receivedAt = options.clock.now().getTime();
    this.#forwardedFor = header(req.headers['x-forwarded-for']);
    this.#realIp = header(req.headers['x-real-ip']);
    this.#remoteAddress = req.socket.remoteAddress;
    this.#userAgent = req.headers['user-agent'];
    this.#contentType = req.headers['content-type'];
    this.#onStage = options.onStage;
    this.#res = res;
    observeExchange(req, res, this);
  }

  /**
   * Who authenticated. From here on a long-running request reports `ResponseStarted` (a 401, answered
   * before, does not: kube-apiserver's audit filter runs after authentication).
   */
  noteUser(user: UserInfo): void {
    this.#user = user;
    if (isLongRunning(this.#info)) this.#reportResponseStart();
  }

  /** Who the request acts as, once the impersonation was allowed. */
  noteImpersonatedUser(user: UserInfo): void {
    this.#impersonatedUser = user;
  }

  /** The RBAC decision on the request. */
  noteAuthorization(decision: { allowed: boolean; reason: string }): void {
    this.#authorization = { allowed: decision.allowed, reason: decision.reason };
  }

  /** @inheritdoc */
  requestBody(body: Buffer): void {
    this.#rawBody = body;
  }

  /** @inheritdoc */
  responseBody(body: unknown): void {
    if (isStatusBody(body)) this.#status = body;
    if (recordsResponseBodies(this.#level)) this.#responseBody = body;
  }

  /** @inheritdoc */
  responseClosed(): void {
    const res = this.#res;
    if (!res) return;
    this.#res = undefined;
    this.#code = res.headersSent ? res.statusCode : undefined;
    this.#completedAt = this.#clock.now().getTime();
    this.#decodeRequestBody();
    this.#onStage(this);
  }

  /** The `ResponseComplete` event (frozen). */
  event(): AuditEvent {
    this.#event ??= this.build('ResponseComplete', this.#completedAt, this.#code, this.#status);
    return this.#event;
  }

  /** An event of this request at a stage, as it stands. */
  build(
    stage: 'ResponseStarted' | 'ResponseComplete',
    at: number,
    code: number | undefined,
    status: StatusLike | undefined,
  ): AuditEvent {
    const event = buildAuditEvent(
      {
        auditID: this.#auditID,
        level: this.#level,
        requestURI: this.#requestURI,
        info: this.#info,
        user: this.#user,
        impersonatedUser: this.#impersonatedUser,
        sourceIPs: sourceIps(this.#forwardedFor, this.#realIp, this.#remoteAddress),
        userAgent: this.#userAgent,
        receivedAt: new Date(this.#receivedAt),
        requestBody: this.#requestBody,
        authorization: this.#authorization,
      },
      { code, status, body: stage === 'ResponseComplete' ? this.#responseBody : undefined },
      stage,
      new Date(at),
    );
    return freeze(event);
  }

  // Node writes the status line through `writeHead` (directly, or from write/end/flushHeaders), so wrapping
  // it on this one response sees the moment the response starts.
  #reportResponseStart(): void {
    const res = this.#res;
    if (!res || res.headersSent) return;
    const writeHead = res.writeHead;
    res.writeHead = ((statusCode: number, ...rest: unknown[]) => {
      res.writeHead = writeHead;
      this.#onStage(new ResponseStarted(this, this.#clock.now().getTime(), statusCode, this.#status));
      return (writeHead as (...args: unknown[]) => ServerResponse).call(res, statusCode, ...rest);
    }) as ServerResponse['writeHead'];
  }

  // A create or update names its object in its body (the objectRef takes the name from there), and level
  // Request records the body itself; at level Metadata only the metadata is kept.
  #decodeRequestBody(): void {
    const raw = this.#rawBody;
    if (!raw) return;
    this.#rawBody = undefined;
    const verb = this.#info.verb;
    const atMetadata = this.#level === 'Metadata';
    if (atMetadata && verb !== 'create' && verb !== 'update') return;
    let decoded: unknown;
    try {
      decoded =
        verb === 'patch' ? JSON.parse(raw.toString('utf8')) : decodeObjectBody(raw, this.#contentType);
    } catch {
      return; // The handler could not decode it either: the request failed before its object was logged.
    }
    this.#requestBody = atMetadata ? { metadata: (decoded as { metadata?: unknown }).metadata } : decoded;
  }
}

/** The `ResponseStarted` stage of a long-running request. */
class ResponseStarted implements RecordedStage {
  #event: AuditEvent | undefined;

  constructor(
    readonly recording: RequestRecording,
    readonly at: number,
    readonly code: number,
    readonly status: StatusLike | undefined,
  ) {}

  event(): AuditEvent {
    this.#event ??= this.recording.build('ResponseStarted', this.at, this.code, this.status);
    return this.#event;
  }
}
