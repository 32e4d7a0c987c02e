import { describe, expect, it } from 'vitest';
import { goQuote } from '../json/go-quote.js';
import { formatMap, podFieldValue } from './downward-api.js';

describe('the downward API in a volume', () => {
  it('writes labels and annotations as fieldpath.FormatMap does: sorted key=%q lines', () => {
    expect(formatMap({ tier: 'front', app: 'web' })).toBe('app="web"\ntier="front"');
    expect(formatMap({})).toBe('');
    expect(goQuote('a "quoted"\\ line\nand\ttab \x01 é')).toBe(
      '"a \\"quoted\\"\\\\ line\\nand\\ttab \\x01 é"',
    );
  });

  it('takes the metadata fields only, whole maps included; an environment variable takes spec and status too', () => {
    const pod = {
      metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { b: '2', a: '1' } },
      spec: { nodeName: 'node-1' },
    };
    expect(podFieldValue(pod, 'metadata.labels', { forEnv: false })).toBe('a="1"\nb="2"');
    expect(podFieldValue(pod, "metadata.labels['a']", { forEnv: false })).toBe('1');
    expect(podFieldValue(pod, "metadata.labels['absent']", { forEnv: false })).toBe('');
    expect(podFieldValue(pod, 'spec.nodeName', { forEnv: true })).toBe('node-1');
    expect(() => podFieldValue(pod, 'spec.nodeName', { forEnv: false })).toThrow(
      'unsupported fieldPath: spec.nodeName',
    );
  });
});
