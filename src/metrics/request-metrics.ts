import type { ServerResponse } from 'node:http';
import type { RequestMetricLabels } from './request-labels.js';

/** `apiserver_request_duration_seconds`' buckets. */
const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
] as const;

const COUNTER_HELP =
  '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.';
const DURATION_HELP =
  '[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.';

interface Histogram {
  labels: RequestMetricLabels;
  buckets: number[];
  sum: number;
  count: number;
}

type Labels = Readonly<Record<string, string>>;

/** Prometheus' label value escaping: backslash, double quote and newline. */
const escapeValue = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The label pairs sorted by name, as client_golang writes them, with `le` (for buckets) last. */
function labelText(labels: Labels, le?: string): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${escapeValue(labels[name]!)}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return `{${pairs.join(',')}}`;
}

/**
 * A float as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it, which the text format uses: the shortest
 * digits, with an exponent (at least two digits) below 1e-4 or from 1e21 on.
 */
export function goFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mantissa, exponent = '0'] = value.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[-+]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

const keyOf = (labels: Labels) => labelText(labels);

/**
 * The request metrics kube-apiserver exposes at `/metrics` that this server keeps: `apiserver_request_total` and
 * `apiserver_request_duration_seconds`, recorded once per instrumented request when its response ends, and
 * written in the Prometheus text format (0.0.4) as component-base's registry writes them: families by name, their
 * `[STABLE]` help, series sorted by their labels.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go
 */
export class RequestMetrics {
  readonly #counts = new Map<string, { labels: Labels; value: number }>();
  readonly #durations = new Map<string, Histogram>();

  /** Records one request's response code and duration. */
  observe(labels: RequestMetricLabels, code: number, seconds: number): void {
    const counted = { ...labels, code: String(code) };
    const countKey = keyOf(counted);
    const count = this.#counts.get(countKey) ?? { labels: counted, value: 0 };
    count.value += 1;
    this.#counts.set(countKey, count);
    const durationKey = keyOf({ ...labels });
    const histogram = this.#durations.get(durationKey) ?? {
      labels,
      buckets: DURATION_BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.buckets[i]! += 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
    this.#durations.set(durationKey, histogram);
  }

  /** The exposition text; a family without series is left out, as client_golang leaves it. */
  render(): string {
    const lines: string[] = [];
    const sorted = <T>(map: Map<string, T>) =>
      [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (this.#durations.size) {
      lines.push(`# HELP apiserver_request_duration_seconds ${DURATION_HELP}`);
      lines.push('# TYPE apiserver_request_duration_seconds histogram');
      for (const [, h] of sorted(this.#durations)) {
        const labels = h.labels as unknown as Labels;
        DURATION_BUCKETS.forEach((bound, i) =>
          lines.push(
            `apiserver_request_duration_seconds_bucket${labelText(labels, goFloat(bound))} ${h.buckets[i]}`,
          ),
        );
        lines.push(`apiserver_request_duration_seconds_bucket${labelText(labels, '+Inf')} ${h.count}`);
        lines.push(`apiserver_request_duration_seconds_sum${labelText(labels)} ${goFloat(h.sum)}`);
        lines.push(`apiserver_request_duration_seconds_count${labelText(labels)} ${h.count}`);
      }
    }
    if (this.#counts.size) {
      lines.push(`# HELP apiserver_request_total ${COUNTER_HELP}`);
      lines.push('# TYPE apiserver_request_total counter');
      for (const [key, { value }] of sorted(this.#counts))
        lines.push(`apiserver_request_total${key} ${value}`);
    }
    return lines.length ? `${lines.join('\n')}\n` : '';
  }
}

/**
 * The text format's content type as client_golang 1.22 (Kubernetes 1.33) negotiates it for any Accept: the
 * protobuf and OpenMetrics forms are not served (see the README).
 * @see https://github.com/prometheus/common/blob/v0.62.0/expfmt/encode.go
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores';

/** Answers `GET /metrics` (authorized before: RBAC's `nonResourceURLs: ["/metrics"]`, `get`). */
export function serveMetrics(res: ServerResponse, metrics: RequestMetrics): void {
  const body = Buffer.from(metrics.render());
  res.statusCode = 200;
  res.setHeader('Content-Type', METRICS_CONTENT_TYPE);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
