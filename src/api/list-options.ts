import { ApiError, badRequest, invalid, type StatusBody } from '../errors/status.js';
import { booleanParameter } from '../http/query-parameters.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { parseFieldSelector, type FieldSelector } from '../store/field-selector.js';
import { parseLabelSelector, type LabelSelector } from '../store/label-selector.js';
import { forbiddenField, notSupportedField } from '../errors/field-errors.js';
import type { FieldError } from '../errors/status.js';

/** The list and watch query parameters this server honours. */
export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  /** 0 when not paginating. */
  limit: number;
  continueToken?: ContinueToken;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  /** Watch only: stream the current state first, then a bookmark marking its end (WatchList). */
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/** The decoded `continue` parameter: the snapshot version and the key to continue after. */
export interface ContinueToken {
  resourceVersion: number;
  startAfter: string;
}

function integerParameter(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return Number(raw);
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Encodes a continue token the way `storage.EncodeContinue` does. */
export function encodeContinue(resourceVersion: number, lastKey: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: resourceVersion, start: `${lastKey}\u0000` }),
  ).toString('base64url');
}

const INVALID_KEY = 'continue key is not valid';
const BASE64URL_CHAR = /[A-Za-z0-9_-]/;

function invalidContinue(detail: string): ApiError {
  return badRequest(`invalid continue token: ${detail}`);
}

/** Decodes unpadded base64url as Go's `base64.RawURLEncoding.DecodeString`, with its error offset. */
function decodeRawBase64Url(token: string): Buffer {
  for (let i = 0; i < token.length; i++) {
    if (!BASE64URL_CHAR.test(token[i]!)) {
      throw invalidContinue(`${INVALID_KEY}: illegal base64 data at input byte ${i}`);
    }
  }
  if (token.length % 4 === 1) {
    throw invalidContinue(`${INVALID_KEY}: illegal base64 data at input byte ${token.length - 1}`);
  }
  return Buffer.from(token, 'base64url');
}

/** Whether `key` is what Go's `path.Clean` returns for it (no `//`, `.` or `..` segment, no trailing `/`). */
function isCleanPath(key: string): boolean {
  if (key === '/') return true;
  if (key.endsWith('/')) return false;
  return key
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Decodes a continue token as `storage.DecodeContinue` does, with its 400 messages (`invalid continue token:
 * continue key is not valid...`). A negative `rv` is the token a 410 hands out: go on at the latest version.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/continue.go
 */
export function decodeContinue(token: string): ContinueToken {
  const data = decodeRawBase64Url(token);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw invalidContinue(`${INVALID_KEY}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidContinue(
      `${INVALID_KEY}: json: cannot unmarshal ${goJsonType(parsed)} into Go value of type storage.continueToken`,
    );
  }
  const { v = '', rv = 0, start = '' } = parsed as Record<string, unknown>;
  for (const [field, value, type] of [
    ['v', v, 'string'],
    ['rv', rv, 'int64'],
    ['start', start, 'string'],
  ] as const) {
    const fits = type === 'string' ? typeof value === 'string' : Number.isSafeInteger(value);
    if (!fits && value !== null) {
      throw invalidContinue(
        `${INVALID_KEY}: json: cannot unmarshal ${goJsonType(value)} into Go struct field continueToken.${field} of type ${type}`,
      );
    }
  }
  if (v !== 'meta.k8s.io/v1') {
    throw invalidContinue(
      `${INVALID_KEY}: server does not recognize this encoded version ${String(v ?? '')}`,
    );
  }
  if (!rv) {
    throw invalidContinue(`${INVALID_KEY}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  }
  const startKey = String(start ?? '');
  if (!startKey) throw invalidContinue(`${INVALID_KEY}: encoded start key empty (version meta.k8s.io/v1)`);
  // Upstream's guard against a start key that climbs out of the listed prefix.
  if (!isCleanPath(startKey.startsWith('/') ? startKey : `/${startKey}`)) {
    throw invalidContinue(`${INVALID_KEY}: ${startKey}`);
  }
  return {
    resourceVersion: rv as number,
    startAfter: startKey.endsWith('\u0000') ? startKey.slice(0, -1) : startKey,
  };
}

function goJsonType(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : `number ${value}`;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && value !== null) return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/**
 * 410 for a continue token whose snapshot has left the history, as `handleCompactedErrorForPaging` answers:
 * its `metadata.continue` goes on from the same key at the latest version (an inconsistent list).
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go
 */
export class ExpiredContinueError extends ApiError {
  constructor(readonly nextContinue: string) {
    super(410, 'Expired', CONTINUE_TOO_OLD);
  }

  override toStatus(): StatusBody {
    return { ...super.toStatus(), metadata: { continue: this.nextContinue } };
  }
}

/** The message for a continue token whose snapshot left the history. */
export const continueTooOldMessage = CONTINUE_TOO_OLD;

/**
 * `ValidateListOptions` with the WatchList feature gate enabled: the resourceVersionMatch and
 * sendInitialEvents rules, in upstream's order.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/internalversion/validation/validation.go
 */
function validateConsistency(options: {
  watch: boolean;
  resourceVersion: string | undefined;
  resourceVersionMatch: string | undefined;
  continueRaw: string;
  sendInitialEvents: boolean | undefined;
}): FieldError[] {
  const { watch, resourceVersion, resourceVersionMatch: match, continueRaw, sendInitialEvents } = options;
  const errors: FieldError[] = [];
  const field = 'resourceVersionMatch';
  if (watch) {
    if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      errors.push(
        forbiddenField(field, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'),
      );
    }
    if (match) {
      if (sendInitialEvents === undefined) {
        errors.push(
          forbiddenField(
            field,
            'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
          ),
        );
      }
      if (match !== 'NotOlderThan') errors.push(notSupportedField(field, match, ['NotOlderThan']));
      if (continueRaw)
        errors.push(forbiddenField(field, 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errors;
  }
  if (match) {
    if (!resourceVersion) {
      errors.push(
        forbiddenField(field, 'resourceVersionMatch is forbidden unless resourceVersion is provided'),
      );
    }
    if (continueRaw)
      errors.push(forbiddenField(field, 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errors.push(notSupportedField(field, match, ['Exact', 'NotOlderThan', '']));
    }
    if (match === 'Exact' && resourceVersion === '0') {
      errors.push(forbiddenField(field, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (sendInitialEvents !== undefined) {
    errors.push(forbiddenField('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  return errors;
}

/**
 * Parses and validates list/watch options as `ValidateListOptions` and the handlers do.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/apis/meta/internalversion/validation/validation.go
 */
export function parseListOptions(query: URLSearchParams, kind: ResourceKind): ListOptions {
  const labelSelector = parseLabelSelector(query.get('labelSelector') ?? '');
  const fieldSelector = parseFieldSelector(query.get('fieldSelector') ?? '');
  for (const requirement of fieldSelector.requirements) {
    const supported = kind.fieldSelectors ?? {};
    const generic = requirement.field === 'metadata.name' || requirement.field === 'metadata.namespace';
    if (kind.fieldSelectors ? !(requirement.field in supported) : !generic) {
      throw badRequest(
        kind.unsupportedFieldMessage
          ? kind.unsupportedFieldMessage(requirement.field)
          : `"${requirement.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
  }
  const limit = integerParameter(query, 'limit') ?? 0;
  const timeoutSeconds = integerParameter(query, 'timeoutSeconds');
  const resourceVersion = query.get('resourceVersion') ?? undefined;
  const resourceVersionMatch = query.get('resourceVersionMatch') ?? undefined;
  const continueRaw = query.get('continue') ?? '';
  const watch = booleanParameter(query.get('watch'));
  const sendInitialEventsRaw = query.get('sendInitialEvents');
  const sendInitialEvents =
    sendInitialEventsRaw === null ? undefined : booleanParameter(sendInitialEventsRaw);
  const errors = validateConsistency({
    watch,
    resourceVersion,
    resourceVersionMatch,
    continueRaw,
    sendInitialEvents,
  });
  if (errors.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', errors);
  if (resourceVersion !== undefined && resourceVersion !== '' && !/^\d+$/.test(resourceVersion)) {
    throw badRequest(
      `invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(resourceVersion)}: invalid syntax`,
    );
  }
  let continueToken: ContinueToken | undefined;
  if (continueRaw) {
    if (resourceVersion && resourceVersion !== '0') {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    continueToken = decodeContinue(continueRaw);
  }
  return {
    labelSelector,
    fieldSelector,
    limit: limit > 0 ? limit : 0,
    ...(continueToken ? { continueToken } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(resourceVersionMatch !== undefined ? { resourceVersionMatch } : {}),
    watch,
    allowWatchBookmarks: booleanParameter(query.get('allowWatchBookmarks')),
    ...(sendInitialEvents !== undefined ? { sendInitialEvents } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}

/** A predicate for the label and field selectors of `options`. */
export function selectorPredicate(kind: ResourceKind, options: ListOptions): (obj: KubeObject) => boolean {
  const getters = kind.fieldSelectors;
  return (obj) => {
    if (!options.labelSelector.matches(obj.metadata?.labels)) return false;
    return options.fieldSelector.matches((field) => {
      if (getters?.[field]) return getters[field]!(obj);
      if (field === 'metadata.name') return obj.metadata?.name ?? '';
      if (field === 'metadata.namespace') return obj.metadata?.namespace ?? '';
      return undefined;
    });
  };
}
