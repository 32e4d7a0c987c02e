import { badRequest, expired, invalid } from '../errors/status.js';
import { booleanParameter } from '../http/query-parameters.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { parseFieldSelector, type FieldSelector } from '../store/field-selector.js';
import { parseLabelSelector, type LabelSelector } from '../store/label-selector.js';

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

/** Decodes a continue token; 400 when it is not one of ours. */
export function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: string;
      rv?: number;
      start?: string;
    };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') {
      throw new Error('bad token');
    }
    if (parsed.rv <= 0) throw expired(CONTINUE_TOO_OLD);
    return {
      resourceVersion: parsed.rv,
      startAfter: parsed.start.endsWith('\u0000') ? parsed.start.slice(0, -1) : parsed.start,
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'ApiError') throw error;
    throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
}

/** The message for a continue token whose snapshot left the history. */
export const continueTooOldMessage = CONTINUE_TOO_OLD;

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
  const errors: { type: string; field: string; detail: string }[] = [];
  if (resourceVersionMatch) {
    if (resourceVersionMatch !== 'Exact' && resourceVersionMatch !== 'NotOlderThan') {
      errors.push({
        type: 'FieldValueNotSupported',
        field: 'resourceVersionMatch',
        detail: `Unsupported value: "${resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`,
      });
    } else if (!resourceVersion) {
      errors.push({
        type: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        detail: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      });
    } else if (resourceVersionMatch === 'Exact' && resourceVersion === '0') {
      errors.push({
        type: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        detail: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      });
    }
    if (continueRaw) {
      errors.push({
        type: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        detail: 'Forbidden: resourceVersionMatch is forbidden when continue is provided',
      });
    }
  }
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
