import type { ControllerWriter } from '../api/write-path.js';
import { eventKind } from '../registry/kinds/core-kinds.js';
import { apiVersionOf, type KubeObject } from '../registry/resource-kind.js';
import type { KindRegistry } from '../registry/kind-registry.js';
import type { Clock } from '../time/clock.js';
import { kubeTimestamp } from '../store/object-store.js';
import type { ClusterEvent } from './cluster-context.js';

/**
 * Records core/v1 Events as client-go's legacy event recorder writes them: named `<object>.<hex of the time in
 * nanoseconds>`, written as the component's field manager, in the object's namespace (`default` for a cluster-scoped object), `count: 1`, first and
 * last timestamps, `source` with the component (and host for the kubelet). A failed write is logged, never
 * thrown: an event is best effort on a cluster too.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/staging/src/k8s.io/client-go/tools/record/event.go (makeEvent)
 */
export function eventRecorder(
  writerFor: (component: string) => ControllerWriter,
  registry: KindRegistry,
  clock: Clock,
  log: (message: string) => void,
): (event: ClusterEvent) => void {
  let sequence = 0n;
  return (event) => {
    const involved = event.involvedObject;
    const metadata = involved.metadata ?? {};
    const now = clock.now();
    // Unique per call even when the clock stands still (a fake clock).
    const nanos = BigInt(now.getTime()) * 1_000_000n + (sequence++ % 1_000_000n);
    const kind = involved.kind
      ? registry.byApiVersionKind(involved.apiVersion ?? '', involved.kind)
      : undefined;
    const timestamp = kubeTimestamp(now);
    const obj: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${metadata.name ?? ''}.${nanos.toString(16)}`,
        namespace: metadata.namespace || 'default',
      },
      involvedObject: {
        kind: involved.kind,
        ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
        name: metadata.name,
        uid: metadata.uid,
        apiVersion: kind ? apiVersionOf(kind) : involved.apiVersion,
        resourceVersion: metadata.resourceVersion,
      },
      reason: event.reason,
      message: event.message,
      source: { component: event.component, ...(event.host ? { host: event.host } : {}) },
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      type: event.type,
      eventTime: null,
      reportingComponent: event.component,
      reportingInstance: event.host ?? '',
    };
    try {
      writerFor(event.component).create(eventKind, obj);
    } catch (error) {
      log(
        `event ${event.reason} on ${metadata.namespace ?? ''}/${metadata.name ?? ''} not recorded: ${String(error)}`,
      );
    }
  };
}
