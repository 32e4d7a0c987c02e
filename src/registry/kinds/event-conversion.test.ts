import { describe, expect, it } from 'vitest';
import { ApiError } from '../../errors/status.js';
import { coreEventToEventsV1, eventsV1ToCoreEvent, validateEventsV1Create } from './event-conversion.js';

const metadata = { name: 'web.1', namespace: 'default' };

const newEvent = {
  kind: 'Event',
  apiVersion: 'events.k8s.io/v1',
  metadata,
  eventTime: '2025-01-01T00:00:00.000000Z',
  series: { count: 2, lastObservedTime: '2025-01-01T00:00:05.000000Z' },
  reportingController: 'example.com/ctrl',
  reportingInstance: 'ctrl-1',
  action: 'Scaling',
  reason: 'Scaled',
  regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
  related: { kind: 'Pod', name: 'web-1' },
  note: 'scaled to 3',
  type: 'Normal',
};

describe('events.k8s.io/v1 <-> core/v1 Event conversion', () => {
  it('maps every field of conversion.go to the core form', () => {
    expect(eventsV1ToCoreEvent(newEvent)).toEqual({
      kind: 'Event',
      apiVersion: 'v1',
      metadata,
      involvedObject: newEvent.regarding,
      reason: 'Scaled',
      message: 'scaled to 3',
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      type: 'Normal',
      eventTime: newEvent.eventTime,
      series: newEvent.series,
      action: 'Scaling',
      related: newEvent.related,
      reportingComponent: 'example.com/ctrl',
      reportingInstance: 'ctrl-1',
    });
  });

  it('round-trips an events.k8s.io event through its stored form', () => {
    expect(coreEventToEventsV1(eventsV1ToCoreEvent(newEvent))).toEqual({
      ...newEvent,
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  it('serves a legacy core event with its deprecated fields', () => {
    const core = {
      kind: 'Event',
      apiVersion: 'v1',
      metadata,
      involvedObject: { kind: 'Pod', name: 'web' },
      reason: 'Pulled',
      message: 'image pulled',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2025-01-01T00:00:00Z',
      lastTimestamp: '2025-01-01T00:01:00Z',
      count: 4,
      type: 'Normal',
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    };
    const served = coreEventToEventsV1(core);
    expect(served).toEqual({
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata,
      eventTime: null,
      reason: 'Pulled',
      regarding: core.involvedObject,
      note: 'image pulled',
      type: 'Normal',
      deprecatedSource: core.source,
      deprecatedFirstTimestamp: core.firstTimestamp,
      deprecatedLastTimestamp: core.lastTimestamp,
      deprecatedCount: 4,
    });
    expect(Object.keys(served).slice(0, 4)).toEqual(['kind', 'apiVersion', 'metadata', 'eventTime']);
    expect(eventsV1ToCoreEvent(served)).toEqual(core);
  });
});

describe('validateEventsV1Create', () => {
  const invalidMessage = (event: Record<string, unknown>): string => {
    try {
      validateEventsV1Create(eventsV1ToCoreEvent(event));
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(422);
      return (error as ApiError).message;
    }
    return 'valid';
  };

  it('accepts a complete event', () => {
    expect(invalidMessage(newEvent)).toBe('valid');
  });

  it('requires eventTime and a valid type, as ValidateEventCreate does for events.k8s.io/v1', () => {
    expect(invalidMessage({ ...newEvent, eventTime: undefined, type: 'Odd' })).toBe(
      'Event.events.k8s.io "web.1" is invalid: [eventTime: Required value, type: Invalid value: "": has invalid value: Odd]',
    );
  });

  it('checks the legacy fields of events with an eventTime and refuses the deprecated ones', () => {
    expect(
      invalidMessage({
        ...newEvent,
        reportingInstance: undefined,
        action: undefined,
        series: { count: 1, lastObservedTime: '2025-01-01T00:00:05.000000Z' },
        deprecatedCount: 3,
        deprecatedSource: { component: 'kubelet' },
      }),
    ).toBe(
      'Event.events.k8s.io "web.1" is invalid: [reportingInstance: Required value, action: Required value, series.count: Invalid value: "": should be at least 2, count: Invalid value: "": needs to be unset, source: Invalid value: "": needs to be unset]',
    );
  });
});
