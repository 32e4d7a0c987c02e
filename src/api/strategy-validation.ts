/**
 * The validation of each kind's REST strategy that clients commonly hit on create and update (`Validate`,
 * `ValidateUpdate`), with upstream's field paths and messages: pods' containers and immutable spec,
 * ConfigMap and Secret keys and `immutable`, a Job's immutable selector and template. A failure is the 422
 * `Invalid` Status with one cause per error.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/core/validation/validation.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/apis/batch/validation/validation.go
 */
import { isDeepStrictEqual } from 'node:util';
import { invalid, type FieldError } from '../errors/status.js';
import { defaultPodFields } from '../registry/pod-defaults.js';
import type { KubeObject, ResourceKind } from '../registry/resource-kind.js';
import { validateName } from './object-validation.js';
import { validateApiService } from './apiservice-validation.js';
import { isJsonObject, type JsonObject } from '../json/json-object.js';
import { duplicateField, forbiddenField, invalidField, requiredField } from '../errors/field-errors.js';

/** `k8s.io/apimachinery/pkg/util/validation.IsConfigMapKey`'s messages, empty when valid. */
export function configMapKeyErrors(key: string): string[] {
  const errors: string[] = [];
  if (key.length > 253) errors.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    errors.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errors.push("must not be '.'");
  else if (key === '..') errors.push("must not be '..'");
  else if (key.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}

/** `ValidateConfigMap` / `ValidateSecret`: every key of `data` (and a ConfigMap's `binaryData`) a config key. */
function validateKeys(obj: KubeObject, fields: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const fieldName of fields) {
    const map = obj[fieldName];
    if (!isJsonObject(map)) continue;
    for (const key of Object.keys(map)) {
      const path = `${fieldName}[${key}]`;
      for (const message of configMapKeyErrors(key)) errors.push(invalidField(path, key, message));
      if (seen.has(key)) errors.push(invalidField(path, key, 'duplicate of key present in data'));
      seen.add(key);
    }
  }
  return errors;
}

/** Go's `reflect.DeepEqual` on maps as JSON carries them: absent, null and empty are one value here. */
function sameMap(a: unknown, b: unknown): boolean {
  const normalize = (value: unknown) =>
    isJsonObject(value) && Object.keys(value).length > 0 ? value : undefined;
  return isDeepStrictEqual(normalize(a), normalize(b));
}

/** `ValidateConfigMapUpdate` / `ValidateSecretUpdate`: nothing of an immutable object's data may change. */
function validateImmutableData(
  obj: KubeObject,
  current: KubeObject,
  fields: readonly string[],
): FieldError[] {
  if (current.immutable !== true) return [];
  const message = 'field is immutable when `immutable` is set';
  const errors: FieldError[] = [];
  if (obj.immutable !== true) errors.push(forbiddenField('immutable', message));
  for (const fieldName of fields) {
    if (!sameMap(obj[fieldName], current[fieldName])) errors.push(forbiddenField(fieldName, message));
  }
  return errors;
}

/** `validateContainers` (+ `validateContainerCommon`) for a Pod's containers and init containers. */
function validatePodContainers(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const lists: [string, unknown][] = [
    ['spec.containers', spec.containers],
    ['spec.initContainers', spec.initContainers],
  ];
  for (const [path, list] of lists) {
    const containers = Array.isArray(list) ? list : [];
    if (path === 'spec.containers' && containers.length === 0) errors.push(requiredField(path));
    const names = new Set<string>();
    containers.forEach((container: unknown, index) => {
      const ctr = isJsonObject(container) ? container : {};
      const name = typeof ctr.name === 'string' ? ctr.name : '';
      const namePath = `${path}[${index}].name`;
      if (!name) errors.push(requiredField(namePath));
      else
        for (const message of validateName(name, 'dns1123Label'))
          errors.push(invalidField(namePath, name, message));
      if (typeof ctr.image !== 'string' || ctr.image === '')
        errors.push(requiredField(`${path}[${index}].image`));
      else if (ctr.image.trim() !== ctr.image)
        errors.push(
          invalidField(`${path}[${index}].image`, ctr.image, 'must not have leading or trailing whitespace'),
        );
      if (name && names.has(name)) errors.push(duplicateField(namePath, name));
      names.add(name);
    });
  }
  return errors;
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
].join(',');

/** JSON as Go sees it: null members are absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/**
 * The diff appended to the Forbidden message. Upstream prints `cmp.Diff` of the internal Go structs; this
 * prints the changed top-level spec fields as JSON, one `-` (stored) and one `+` (sent) line each.
 */
function specDiff(current: JsonObject, munged: JsonObject): string {
  const lines: string[] = [];
  for (const key of new Set([...Object.keys(current), ...Object.keys(munged)])) {
    if (isDeepStrictEqual(current[key], munged[key])) continue;
    if (current[key] !== undefined) lines.push(`- ${key}: ${JSON.stringify(current[key])}`);
    if (munged[key] !== undefined) lines.push(`+ ${key}: ${JSON.stringify(munged[key])}`);
  }
  return lines.join('\n');
}

/** `validateOnlyAddedTolerations`: every stored toleration must still be there. */
function validateTolerationUpdate(next: unknown, old: unknown): FieldError[] {
  const nextList = Array.isArray(next) ? next.map(withoutNulls) : [];
  const oldList = Array.isArray(old) ? old.map(withoutNulls) : [];
  const errors: FieldError[] = [];
  const withoutSeconds = (t: unknown) => ({ ...(t as JsonObject), tolerationSeconds: undefined });
  for (const toleration of oldList) {
    if (!nextList.some((t) => isDeepStrictEqual(withoutSeconds(t), withoutSeconds(toleration)))) {
      errors.push(
        forbiddenField(
          'spec.tolerations',
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      );
      break;
    }
  }
  return errors;
}

/** `ValidatePodUpdate`: containers may not come or go; of the spec, only the updatable fields may change. */
function validatePodUpdate(pod: KubeObject, current: KubeObject): FieldError[] {
  const spec = withoutNulls(pod.spec) as JsonObject;
  const old = withoutNulls(current.spec ?? {}) as JsonObject;
  const errors: FieldError[] = [];
  for (const [field, path] of [
    ['containers', 'spec.containers'],
    ['initContainers', 'spec.initContainers'],
  ] as const) {
    const nextLength = Array.isArray(spec[field]) ? (spec[field] as unknown[]).length : 0;
    const oldLength = Array.isArray(old[field]) ? (old[field] as unknown[]).length : 0;
    if (nextLength !== oldLength) {
      errors.push(forbiddenField(path, 'pod updates may not add or remove containers'));
      return errors;
    }
  }
  const nextDeadline = spec.activeDeadlineSeconds;
  const oldDeadline = old.activeDeadlineSeconds;
  if (typeof nextDeadline === 'number') {
    if (nextDeadline < 0 || nextDeadline > 2147483647) {
      errors.push(
        invalidField(
          'spec.activeDeadlineSeconds',
          nextDeadline,
          'must be between 0 and 2147483647, inclusive',
        ),
      );
      return errors;
    }
    if (typeof oldDeadline === 'number' && oldDeadline < nextDeadline) {
      errors.push(
        invalidField(
          'spec.activeDeadlineSeconds',
          nextDeadline,
          'must be less than or equal to previous value',
        ),
      );
      return errors;
    }
  } else if (typeof oldDeadline === 'number') {
    errors.push(
      invalidField(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  errors.push(...validateTolerationUpdate(spec.tolerations, old.tolerations));
  if (isDeepStrictEqual(spec, old)) return errors;
  const munged: JsonObject = structuredClone(spec);
  for (const field of ['containers', 'initContainers'] as const) {
    const oldContainers = (old[field] ?? []) as JsonObject[];
    if (Array.isArray(munged[field])) {
      munged[field] = (munged[field] as JsonObject[]).map((container, index) => {
        const copy = { ...container };
        if (oldContainers[index]?.image === undefined) delete copy.image;
        else copy.image = oldContainers[index].image;
        return copy;
      });
    }
  }
  for (const field of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations'] as const) {
    if (old[field] === undefined) delete munged[field];
    else munged[field] = old[field];
  }
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldGrace;
  if (!isDeepStrictEqual(munged, old)) {
    errors.push(
      forbiddenField(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS}\n${specDiff(old, munged)}`,
      ),
    );
  }
  return errors;
}

/** `ValidateJobSpecUpdate`: a Job's selector and pod template never change. */
function validateJobUpdate(job: KubeObject, current: KubeObject): FieldError[] {
  const spec = isJsonObject(job.spec) ? job.spec : {};
  const old = isJsonObject(current.spec) ? current.spec : {};
  const errors: FieldError[] = [];
  for (const field of ['selector', 'template'] as const) {
    if (!isDeepStrictEqual(withoutNulls(spec[field]), withoutNulls(old[field])))
      errors.push(invalidField(`spec.${field}`, spec[field], 'field is immutable'));
  }
  return errors;
}

/** A kind's strategy validation: `Validate` on create and `ValidateUpdate` on update, as field errors. */
export interface KindValidation {
  create?(obj: KubeObject): FieldError[];
  update?(obj: KubeObject, current: KubeObject): FieldError[];
}

/**
 * The built-in kinds whose strategies validate more than the typed decode and the name do, by `group/Kind`.
 * A Pod's body is defaulted before its update is validated, as decoding defaults it upstream, so a client that
 * sends back what it read (without the server's defaults) changes nothing.
 * @see https://github.com/kubernetes/kubernetes/tree/v1.33.0/pkg/registry (each `<kind>/strategy.go`)
 */
export const KIND_VALIDATION: Readonly<Record<string, KindValidation>> = {
  '/Pod': {
    create: (obj) => validatePodContainers(isJsonObject(obj.spec) ? obj.spec : {}),
    update(obj, current) {
      defaultPodFields(obj);
      return [...validatePodContainers(obj.spec as JsonObject), ...validatePodUpdate(obj, current)];
    },
  },
  '/ConfigMap': {
    create: (obj) => validateKeys(obj, ['data', 'binaryData']),
    update: (obj, current) => [
      ...validateKeys(obj, ['data', 'binaryData']),
      ...validateImmutableData(obj, current, ['data', 'binaryData']),
    ],
  },
  '/Secret': {
    create: (obj) => validateKeys(obj, ['data']),
    update: (obj, current) => [
      ...validateKeys(obj, ['data']),
      ...validateImmutableData(obj, current, ['data']),
    ],
  },
  'batch/Job': { update: validateJobUpdate },
  'apiregistration.k8s.io/APIService': { create: validateApiService, update: validateApiService },
};

/** Throws the kind's 422 Invalid when a validation found errors. */
export function throwIfInvalid(kind: ResourceKind, obj: KubeObject, errors: readonly FieldError[]): void {
  if (errors.length > 0) throw invalid(kind.kind, kind.group, obj.metadata?.name ?? '', [...errors]);
}
