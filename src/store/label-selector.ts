/**
 * Label selectors: the `labelSelector=` query parameter and `metav1.LabelSelector`, parsed and matched
 * exactly as kube-apiserver 1.33 does, including its error messages.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/labels/selector.go
 */
import { badRequest } from '../errors/status.js';

/** A `selection.Operator` as a label requirement uses it. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/**
 * One `labels.Requirement`. Values parsed from a string are sorted and deduplicated (`sets.String.List()`);
 * values from a `metav1.LabelSelector` keep their order.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/labels/selector.go
 */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/**
 * A parsed label selector, as `labels.Selector`: an AND of requirements sorted by key.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/labels/selector.go
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (`Empty()`); false for the match-nothing selector. */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The canonical form, as `String()`: `a=b,c in (d,e),!f`. */
  toString(): string;
}

/**
 * The wire form of `metav1.LabelSelector`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go
 */
export interface Metav1LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

/**
 * Parses a `labelSelector=` value as `labels.Parse`. An empty string selects everything.
 * @throws ApiError 400 BadRequest with the parser's message, which `handlers/get.go` passes through
 * `NewBadRequest(err.Error())` unchanged, e.g. `found ',', expected: !, identifier, or 'end of string'`.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/labels/selector.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return new RequirementsSelector(sortByKey(new Parser(text).parse()));
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

/**
 * Converts a `metav1.LabelSelector` as `metav1.LabelSelectorAsSelector`: `null`/`undefined` matches nothing,
 * a selector with no terms matches everything.
 * @throws ApiError 400 BadRequest with the upstream message for an invalid key, value or operator.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go
 */
export function labelSelectorFromMetav1(sel: Metav1LabelSelector | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  const matchExpressions = sel.matchExpressions ?? [];
  if (matchLabels.length + matchExpressions.length === 0) return new RequirementsSelector([]);
  try {
    const requirements: LabelRequirement[] = [];
    // Go ranges over the map in random order; sorting makes the first reported error deterministic.
    for (const [key, value] of matchLabels.sort(([a], [b]) => compareGoStrings(a, b))) {
      requirements.push(newRequirement(key, '=', [value]));
    }
    for (const expr of matchExpressions) {
      const operator = METAV1_OPERATORS.get(expr.operator);
      if (operator === undefined) {
        throw new SelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
      }
      // `append([]string(nil), expr.Values...)` is a nil slice when there are no values.
      requirements.push(
        newRequirement(expr.key, operator, [...(expr.values ?? [])], expr.values?.length ? undefined : null),
      );
    }
    return new RequirementsSelector(sortByKey(requirements));
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
}

const METAV1_OPERATORS = new Map<string, LabelOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
]);

class SelectorError extends Error {}

class RequirementsSelector implements LabelSelector {
  constructor(readonly requirements: readonly LabelRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

const NOTHING: LabelSelector = Object.freeze({
  requirements: Object.freeze([]),
  empty: false,
  matches: () => false,
  toString: () => '',
});

function lookup(labels: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return labels !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function requirementMatches(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const value = lookup(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case 'gt':
    case 'lt': {
      if (value === undefined || r.values.length !== 1) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(r.values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_SPELLING: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function requirementToString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort(compareGoStrings).join(',');
  const rendered = r.operator === 'in' || r.operator === 'notin' ? `(${values})` : values;
  return `${r.key}${OPERATOR_SPELLING[r.operator]}${rendered}`;
}

/** `sort.Sort(ByKey(...))`; a stable sort, which Go's insertion sort also is for fewer than 12 requirements. */
function sortByKey(requirements: LabelRequirement[]): LabelRequirement[] {
  return requirements.sort((a, b) => compareGoStrings(a.key, b.key));
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

/** `strconv.ParseInt(s, 10, 64)`. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

// ---- Lexer -------------------------------------------------------------------------------------

type Token =
  'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

const STRING_TO_TOKEN = new Map<string, Token>([
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['==', '=='],
  ['=', '='],
  ['>', '>'],
  ['in', 'in'],
  ['<', '<'],
  ['!=', '!='],
  ['notin', 'notin'],
  ['(', '('],
]);

interface ScannedItem {
  token: Token;
  literal: string;
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return '=!(),><'.includes(ch) && ch !== '';
}

/** The `Lexer` of selector.go. Go reads bytes and treats a NUL byte as the end of the input; so does this. */
class Lexer {
  private pos = 0;

  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++] ?? '\0';
    return '\0';
  }

  private unread(): void {
    this.pos--;
  }

  lex(): ScannedItem {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === '\0') return { token: 'end', literal: '' };
    this.unread();
    return isSpecialSymbol(ch) ? this.scanSpecialSymbol() : this.scanIdOrKeyword();
  }

  private scanIdOrKeyword(): ScannedItem {
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (ch === '\0') break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
    }
    return { token: STRING_TO_TOKEN.get(buffer) ?? 'identifier', literal: buffer };
  }

  private scanSpecialSymbol(): ScannedItem {
    let last: ScannedItem | undefined;
    let buffer = '';
    for (;;) {
      const ch = this.read();
      if (ch === '\0') break;
      if (!isSpecialSymbol(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
      const token = STRING_TO_TOKEN.get(buffer);
      if (token !== undefined) {
        last = { token, literal: buffer };
      } else if (last !== undefined) {
        this.unread();
        break;
      }
    }
    return last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'` };
  }
}

// ---- Parser ------------------------------------------------------------------------------------

/** `in` and `notin` are plain identifiers where a value is expected (`x in (in)`). */
type ParserContext = 'keyAndOperator' | 'values';

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

class Parser {
  private readonly items: ScannedItem[] = [];
  private position = 0;

  constructor(text: string) {
    const lexer = new Lexer(text);
    for (;;) {
      const item = lexer.lex();
      this.items.push(item);
      if (item.token === 'end') break;
    }
  }

  private lookahead(context: ParserContext): ScannedItem {
    return this.inContext(this.items[this.position], context);
  }

  private consume(context: ParserContext): ScannedItem {
    return this.inContext(this.items[this.position++], context);
  }

  private inContext(item: ScannedItem | undefined, context: ParserContext): ScannedItem {
    // Past the end only happens after 'end' was consumed, which the grammar never does twice.
    const scanned = item ?? { token: 'end', literal: '' };
    if (context === 'values' && (scanned.token === 'in' || scanned.token === 'notin')) {
      return { token: 'identifier', literal: scanned.literal };
    }
    return scanned;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead('values');
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!') {
        throw new SelectorError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof SelectorError)
          throw new SelectorError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const next = this.consume('values');
      if (next.token === 'end') return requirements;
      if (next.token !== ',')
        throw new SelectorError(`found '${next.literal}', expected: ',' or 'end of string'`);
      const after = this.lookahead('values');
      if (after.token !== 'identifier' && after.token !== '!') {
        throw new SelectorError(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator: inferred } = this.parseKeyAndInferOperator();
    if (inferred !== undefined) return newRequirement(key, inferred, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, [...values].sort(compareGoStrings));
  }

  /** Returns the operator only when it is `exists` or `!`, which need no further tokens. */
  private parseKeyAndInferOperator(): { key: string; operator?: 'exists' | '!' } {
    let operator: 'exists' | '!' | undefined;
    let { token, literal } = this.consume('values');
    if (token === '!') {
      operator = '!';
      ({ token, literal } = this.consume('values'));
    }
    if (token !== 'identifier') throw new SelectorError(`found '${literal}', expected: identifier`);
    // The parser validates the key with a nil field path, hence the "<nil>" the message carries.
    const keyError = validateLabelKey(literal, '<nil>');
    if (keyError !== undefined) throw new SelectorError(keyError);
    const next = this.lookahead('values').token;
    if ((next === 'end' || next === ',') && operator === undefined) operator = 'exists';
    return { key: literal, operator };
  }

  private parseOperator(): LabelOperator {
    const { token, literal } = this.consume('keyAndOperator');
    switch (token) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new SelectorError(`found '${literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.token !== '(') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.lookahead('values');
    if (token === 'identifier' || token === ',') {
      const values = this.parseIdentifiersList();
      if (this.consume('values').token !== ')') throw new SelectorError(`found '${literal}', expected: ')'`);
      return values;
    }
    if (token === ')') {
      this.consume('values');
      return new Set(['']);
    }
    throw new SelectorError(`found '${literal}', expected: ',', ')' or identifier`);
  }

  /** Kubernetes 1.33 consumes the second of two adjacent commas, so `(a,,)` is an error there (fixed in 1.35). */
  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { token, literal } = this.consume('values');
      if (token === 'identifier') {
        values.add(literal);
        const next = this.lookahead('values');
        if (next.token === ',') continue;
        if (next.token === ')') return values;
        throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token === ',') {
        if (values.size === 0) values.add('');
        const next = this.lookahead('values').token;
        if (next === ')') {
          values.add('');
          return values;
        }
        if (next === ',') {
          this.consume('values');
          values.add('');
        }
        continue;
      }
      throw new SelectorError(`found '${literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead('values').token;
    if (next === 'end' || next === ',') return new Set(['']);
    const { token, literal } = this.consume('values');
    if (token === 'identifier') return new Set([literal]);
    throw new SelectorError(`found '${literal}', expected: identifier`);
  }
}

// ---- Requirement validation (labels.NewRequirement) --------------------------------------------

/**
 * `labels.NewRequirement` with no field path. `valuesForMessage` is the values slice as reported whole in a
 * message; `null` stands for a nil slice.
 */
function newRequirement(
  key: string,
  operator: LabelOperator,
  values: string[],
  valuesForMessage: string[] | null = values,
): LabelRequirement {
  const errors: string[] = [];
  const keyError = validateLabelKey(key, 'key');
  if (keyError !== undefined) errors.push(keyError);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) {
        errors.push(
          invalidValue('values', valuesForMessage, "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) {
        errors.push(
          invalidValue('values', valuesForMessage, 'exact-match compatibility requires one single value'),
        );
      }
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) {
        errors.push(
          invalidValue('values', valuesForMessage, 'values set must be empty for exists and does not exist'),
        );
      }
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) {
        errors.push(
          invalidValue('values', valuesForMessage, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      }
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errors.push(
            invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrors = labelValueErrors(v);
    if (valueErrors.length > 0) errors.push(invalidValue(`values[${i}][${key}]`, v, valueErrors.join('; ')));
  });
  if (errors.length > 0) throw new SelectorError(aggregate(errors));
  return { key, operator, values };
}

/** `utilerrors.NewAggregate(...).Error()` after `ErrorList.ToAggregate()` dropped duplicate messages. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/** `field.Invalid(path, value, detail).Error()`; v0.33 prints a `[]string` with `%#v`. */
function invalidValue(path: string, value: string | string[] | null, detail: string): string {
  let rendered: string;
  if (typeof value === 'string') rendered = goQuote(value);
  else if (value === null) rendered = '[]string(nil)';
  else rendered = `[]string{${value.map(goQuote).join(', ')}}`;
  return `${path}: Invalid value: ${rendered}: ${detail}`;
}

function validateLabelKey(key: string, path: string): string | undefined {
  const errors = qualifiedNameErrors(key);
  return errors.length === 0 ? undefined : invalidValue(path, key, errors.join('; '));
}

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

/** `validation.RegexError`, including its doubled spaces before "or". */
function regexError(message: string, format: string, ...examples: string[]): string {
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Go's `len` counts UTF-8 bytes. */
function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** `validation.IsQualifiedName` of apimachinery v0.33 (renamed `IsLabelKey`, with new wording, in 1.35). */
function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) {
      errors.push('prefix part must be non-empty');
    } else {
      errors.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
    }
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) {
    errors.push('name part must be non-empty');
  } else if (byteLength(name) > 63) {
    errors.push(`name part ${maxLenError(63)}`);
  }
  if (!QUALIFIED_NAME_RE.test(name)) {
    errors.push(
      `name part ${regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errors;
}

function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 253) errors.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_MESSAGE, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errors;
}

/** `validation.IsValidLabelValue`. */
function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) {
    errors.push(regexError(LABEL_VALUE_MESSAGE, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

// ---- Go formatting -----------------------------------------------------------------------------

const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** `strconv.Quote` (what `%q` prints). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const escape = GO_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (GO_PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
