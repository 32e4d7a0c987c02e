/**
 * Field selectors: the `fieldSelector=` query parameter, parsed and matched as kube-apiserver 1.33 does.
 * Which fields a resource supports is the caller's business (`ConvertFieldLabel`); this only parses.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/fields/selector.go
 */
import { badRequest } from '../errors/status.js';

/**
 * One `fields.Requirement`; `==` is folded into `=` as upstream does.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/fields/requirements.go
 */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/**
 * A parsed field selector, as `fields.Selector`: an AND of requirements in the order of their sorted source terms.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/fields/selector.go
 */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** `get` returns a field's value; a field it does not know reads as `''`, as `fields.Set.Get` does. */
  matches(get: (field: string) => string | undefined): boolean;
  /** The canonical form, as `String()`, with values escaped again. */
  toString(): string;
}

/**
 * Parses a `fieldSelector=` value as `fields.ParseSelector`. An empty string selects everything.
 * @throws ApiError 400 BadRequest with the upstream message, e.g. `invalid selector: 'a'; can't understand 'a'`,
 * which `handlers/get.go` passes through `NewBadRequest(err.Error())` unchanged.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/fields/selector.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go
 */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(text).sort(compareGoStrings)) {
    if (part === '') continue;
    const term = splitTerm(part);
    if (term === undefined) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const value = unescapeValue(term.rhs);
    // Transform with the identity function turns a term whose field and value are both empty into Everything.
    if (term.lhs === '' && value === '') continue;
    requirements.push({ field: term.lhs, operator: term.op === '!=' ? '!=' : '=', value });
  }
  return new TermsSelector(requirements);
}

/**
 * The name that `requestinfo.go` takes from a list or watch request's field selector, which RBAC then checks
 * against `resourceNames`: the value of the first `metadata.name=` (or `==`) term, if it is a valid path segment
 * name (not `.` or `..`, no `/` or `%`). The real server only gets there when the whole query, label selector
 * included, decodes; a caller that fails to parse either selector must not use this.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/api/validation/path/name.go
 */
export function exactMetadataName(sel: FieldSelector): string | undefined {
  const name = sel.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
  if (name === undefined || name === '.' || name === '..' || name.includes('/') || name.includes('%')) {
    return undefined;
  }
  return name;
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.operator === '='));
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

/** Splits on commas that no backslash escapes, keeping escapes in the terms. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** `!=` and `==` are tried before `=` at each position, so `a==b` does not leave `=b` as the value. */
const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(
  term: string,
): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, which is its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Go compares strings bytewise in UTF-8, which is code point order, not UTF-16 order. */
function compareGoStrings(a: string, b: string): number {
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i]?.codePointAt(0) ?? 0) - (cb[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
