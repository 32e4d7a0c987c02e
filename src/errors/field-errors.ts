/**
 * The field errors of apimachinery's `field` package (`field.Required`, `field.Invalid`, ...), with its wording:
 * each is one cause of a 422 `invalid(...)` Status.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go
 */
import type { FieldError } from './status.js';

/** `field.Required`: `Required value`, or `Required value: <detail>`. */
export function requiredField(field: string, detail = ''): FieldError {
  return {
    type: 'FieldValueRequired',
    field,
    detail: detail ? `Required value: ${detail}` : 'Required value',
  };
}

/** `field.Forbidden`: `Forbidden: <detail>`. */
export function forbiddenField(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail: `Forbidden: ${detail}` };
}

/** `field.Duplicate`: `Duplicate value: "<value>"`. */
export function duplicateField(field: string, value: string): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${JSON.stringify(value)}` };
}

/** `field.Invalid`: the value as `%#v` shows it (strings quoted, numbers and booleans bare, else JSON). */
export function invalidField(field: string, value: unknown, detail: string): FieldError {
  const rendered =
    typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value ?? null);
  return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${rendered}: ${detail}` };
}

/** `field.NotSupported`: `Unsupported value: "<value>": supported values: "a", "b"`. */
export function notSupportedField(field: string, value: string, supported: readonly string[]): FieldError {
  const list = supported.map((v) => JSON.stringify(v)).join(', ');
  return {
    type: 'FieldValueNotSupported',
    field,
    detail: `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}`,
  };
}
