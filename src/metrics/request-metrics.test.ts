import { describe, expect, it } from 'vitest';
import { goFloat, RequestMetrics } from './request-metrics.js';

const labels = {
  verb: 'GET',
  dry_run: '',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  scope: 'resource',
  component: 'apiserver',
};

describe('goFloat', () => {
  it("writes floats as strconv.FormatFloat(f, 'g', -1, 64)", () => {
    expect(goFloat(3)).toBe('3');
    expect(goFloat(0.005)).toBe('0.005');
    expect(goFloat(0.0001)).toBe('0.0001');
    expect(goFloat(0.00001234)).toBe('1.234e-05');
    expect(goFloat(1.5e-7)).toBe('1.5e-07');
    expect(goFloat(0)).toBe('0');
  });
});

describe('RequestMetrics', () => {
  it('is empty before any request, as client_golang leaves families without series out', () => {
    expect(new RequestMetrics().render()).toBe('');
  });

  it('counts by code and fills the cumulative buckets', () => {
    const metrics = new RequestMetrics();
    metrics.observe(labels, 200, 0.003);
    metrics.observe(labels, 200, 0.07);
    metrics.observe(labels, 404, 100);
    const text = metrics.render();
    expect(text).toContain(
      'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"} 2\n',
    );
    expect(text).toContain('verb="GET",version="v1"} 1\n');
    const bucket = (le: string) =>
      Number(new RegExp(`_bucket\\{[^}]*le="${le.replace('+', '\\+')}"\\} (\\d+)`).exec(text)![1]);
    expect([bucket('0.005'), bucket('0.05'), bucket('0.1'), bucket('60'), bucket('+Inf')]).toEqual([
      1, 1, 2, 2, 3,
    ]);
    expect(text).toContain('apiserver_request_duration_seconds_count{');
    expect(text.indexOf('# HELP apiserver_request_duration_seconds')).toBeLessThan(
      text.indexOf('# HELP apiserver_request_total'),
    );
  });
});
