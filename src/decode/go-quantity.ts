/**
 * `resource.Quantity` as `Quantity.UnmarshalJSON` reads it: a JSON string or number parsed by `ParseQuantity`,
 * with its two format errors. Only the form is checked here; values are kept as sent.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go
 */

/** `resource.ErrFormatWrong`. */
export const QUANTITY_FORMAT_WRONG =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** `resource.ErrSuffix`. */
export const QUANTITY_SUFFIX_WRONG = "unable to parse quantity's suffix";

const DIGITS = /[0-9]/;
const SUFFIX_CHARS = 'eEinumkKMGTP';
const KNOWN_SUFFIXES = new Set([
  '',
  'n',
  'u',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
]);

/** The suffix of a quantity string as `parseQuantityString` splits it, or the format error. */
function suffixOf(str: string): string | { error: string } {
  let pos = 0;
  if (str[0] === '-' || str[0] === '+') pos++;
  while (pos < str.length && DIGITS.test(str[pos]!)) pos++;
  if (pos === str.length) return '';
  if (str[pos] === '.') {
    pos++;
    while (pos < str.length && DIGITS.test(str[pos]!)) pos++;
    if (pos === str.length) return '';
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos === str.length) return str.slice(suffixStart);
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < str.length && DIGITS.test(str[pos]!)) pos++;
  if (pos === str.length) return str.slice(suffixStart);
  return { error: QUANTITY_FORMAT_WRONG };
}

/** Whether `suffixHandler.interpret` knows the suffix: SI, binary SI, or a decimal exponent (`e3`, `E-2`). */
function knownSuffix(suffix: string): boolean {
  if (KNOWN_SUFFIXES.has(suffix)) return true;
  return suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1));
}

/** `ParseQuantity`'s error for `text` (the JSON string's content, or a bare JSON value's text); none when valid. */
export function goQuantityError(text: string): string | undefined {
  const str = text.trim();
  if (str.length === 0) return QUANTITY_FORMAT_WRONG;
  if (str === '0') return undefined;
  const suffix = suffixOf(str);
  if (typeof suffix !== 'string') return suffix.error;
  return knownSuffix(suffix) ? undefined : QUANTITY_SUFFIX_WRONG;
}
