/**
 * events.k8s.io/v1 Events served from the core/v1 events they are stored as, with upstream's conversion, and the
 * stricter create validation events.k8s.io/v1 requests get.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/events/v1/conversion.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/events.go
 */
import { invalid, type FieldError } from '../../errors/status.js';
import type { KindConversion, KubeObject } from '../resource-kind.js';
import { invalidField, requiredField } from '../../errors/field-errors.js';

type Obj = Record<string, unknown>;

const asObj = (value: unknown): Obj =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {};

/** Copies the entries whose value is set, in the order given (the order of the Go struct's fields). */
function defined(entries: Array<[string, unknown]>): KubeObject {
  const out: Obj = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}

/** A `metav1.Time`/`MicroTime` struct field without `omitempty` effect: the zero time marshals as `null`. */
const timeOrNull = (value: unknown): unknown => (typeof value === 'string' && value !== '' ? value : null);
/** An `int32` with `omitempty`: 0 is left out. */
const nonZero = (value: unknown): unknown => (typeof value === 'number' && value !== 0 ? value : undefined);
/** A `string` with `omitempty`. */
const nonEmpty = (value: unknown): unknown => (typeof value === 'string' && value !== '' ? value : undefined);

/** `Convert_core_Event_To_v1_Event`: a stored core/v1 Event as events.k8s.io/v1 serves it. */
export function coreEventToEventsV1(core: KubeObject): KubeObject {
  return defined([
    ['kind', 'Event'],
    ['apiVersion', 'events.k8s.io/v1'],
    ['metadata', core.metadata],
    ['eventTime', timeOrNull(core.eventTime)],
    ['series', core.series ?? undefined],
    ['reportingController', nonEmpty(core.reportingComponent)],
    ['reportingInstance', nonEmpty(core.reportingInstance)],
    ['action', nonEmpty(core.action)],
    ['reason', nonEmpty(core.reason)],
    ['regarding', asObj(core.involvedObject)],
    ['related', core.related ?? undefined],
    ['note', nonEmpty(core.message)],
    ['type', nonEmpty(core.type)],
    ['deprecatedSource', asObj(core.source)],
    ['deprecatedFirstTimestamp', timeOrNull(core.firstTimestamp)],
    ['deprecatedLastTimestamp', timeOrNull(core.lastTimestamp)],
    ['deprecatedCount', nonZero(core.count)],
  ]);
}

/** `Convert_v1_Event_To_core_Event`: an events.k8s.io/v1 Event in the core/v1 form it is stored in. */
export function eventsV1ToCoreEvent(event: KubeObject): KubeObject {
  return defined([
    ['kind', 'Event'],
    ['apiVersion', 'v1'],
    ['metadata', event.metadata],
    ['involvedObject', asObj(event.regarding)],
    ['reason', nonEmpty(event.reason)],
    ['message', nonEmpty(event.note)],
    ['source', asObj(event.deprecatedSource)],
    ['firstTimestamp', timeOrNull(event.deprecatedFirstTimestamp)],
    ['lastTimestamp', timeOrNull(event.deprecatedLastTimestamp)],
    ['count', nonZero(event.deprecatedCount)],
    ['type', nonEmpty(event.type)],
    ['eventTime', timeOrNull(event.eventTime)],
    ['series', event.series ?? undefined],
    ['action', nonEmpty(event.action)],
    ['related', event.related ?? undefined],
    // core/v1 writes these two without omitempty.
    ['reportingComponent', typeof event.reportingController === 'string' ? event.reportingController : ''],
    ['reportingInstance', typeof event.reportingInstance === 'string' ? event.reportingInstance : ''],
  ]);
}

/** The conversion of events.k8s.io/v1 Events to and from their core/v1 storage. */
export const eventsV1Conversion: KindConversion = {
  toStored: eventsV1ToCoreEvent,
  fromStored: coreEventToEventsV1,
};

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/**
 * `ValidateEventCreate` for a create through events.k8s.io/v1, on the event in its stored (core) form, so the
 * field paths are the internal ones upstream reports (`eventTime`, `reportingController`, `count`...): the
 * legacy rules for events with an `eventTime`, then the strict ones of the new API.
 * @throws ApiError 422 Invalid
 */
export function validateEventsV1Create(core: KubeObject): void {
  const errors: FieldError[] = [];
  const namespace = core.metadata?.namespace ?? '';
  const regarding = asObj(core.involvedObject);
  const str = (value: unknown): string => (typeof value === 'string' ? value : '');
  const eventTime = str(core.eventTime);
  if (eventTime) {
    if (!str(regarding.namespace) && namespace !== 'default' && namespace !== 'kube-system')
      errors.push(invalidField('involvedObject.namespace', '', 'does not match event.namespace'));
    const controller = str(core.reportingComponent);
    if (!controller) errors.push(requiredField('reportingController'));
    if (!QUALIFIED_NAME.test(controller) || controller.length > 316)
      errors.push(invalidField('reportingController', controller, QUALIFIED_NAME_MESSAGE));
    const instance = str(core.reportingInstance);
    if (!instance) errors.push(requiredField('reportingInstance'));
    if (instance.length > REPORTING_INSTANCE_LIMIT)
      errors.push(
        invalidField('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`),
      );
    const action = str(core.action);
    if (!action) errors.push(requiredField('action'));
    if (action.length > ACTION_LIMIT)
      errors.push(invalidField('action', '', `can have at most ${ACTION_LIMIT} characters`));
    const reason = str(core.reason);
    if (!reason) errors.push(requiredField('reason'));
    if (reason.length > REASON_LIMIT)
      errors.push(invalidField('reason', '', `can have at most ${REASON_LIMIT} characters`));
    if (str(core.message).length > NOTE_LIMIT)
      errors.push(invalidField('message', '', `can have at most ${NOTE_LIMIT} characters`));
  }
  if (core.series !== undefined && core.series !== null) {
    const series = asObj(core.series);
    if (typeof series.count !== 'number' || series.count < 2)
      errors.push(invalidField('series.count', '', 'should be at least 2'));
    if (!str(series.lastObservedTime)) errors.push(requiredField('series.lastObservedTime'));
  }
  if (!eventTime) errors.push(requiredField('eventTime'));
  const type = str(core.type);
  if (type !== 'Normal' && type !== 'Warning')
    errors.push(invalidField('type', '', `has invalid value: ${type}`));
  if (str(core.firstTimestamp)) errors.push(invalidField('firstTimestamp', '', 'needs to be unset'));
  if (str(core.lastTimestamp)) errors.push(invalidField('lastTimestamp', '', 'needs to be unset'));
  if (typeof core.count === 'number' && core.count !== 0)
    errors.push(invalidField('count', '', 'needs to be unset'));
  const source = asObj(core.source);
  if (str(source.component) || str(source.host)) errors.push(invalidField('source', '', 'needs to be unset'));
  if (errors.length > 0) throw invalid('Event', 'events.k8s.io', core.metadata?.name ?? '', errors);
}
