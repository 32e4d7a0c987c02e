import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { goJson, jsonBytes, prettyJsonBytes, wantsPrettyJson } from './serialize.js';

describe('jsonBytes', () => {
  it('serializes a frozen object once and reuses the bytes', () => {
    const obj = Object.freeze({ metadata: Object.freeze({ name: 'a' }) });
    const first = jsonBytes(obj);
    expect(first.toString()).toBe('{"metadata":{"name":"a"}}\n');
    expect(jsonBytes(obj)).toBe(first);
  });

  it('serializes a mutable object afresh every time', () => {
    const obj: { n: number } = { n: 1 };
    expect(jsonBytes(obj).toString()).toBe('{"n":1}\n');
    obj.n = 2;
    expect(jsonBytes(obj).toString()).toBe('{"n":2}\n');
  });

  it('serializes primitives', () => {
    expect(jsonBytes('x').toString()).toBe('"x"\n');
    expect(jsonBytes(null).toString()).toBe('null\n');
  });
});

describe('jsonBytes cache', () => {
  it('keeps a bounded number of objects, oldest out first', () => {
    const first = Object.freeze({ n: -1 });
    const firstBytes = jsonBytes(first);
    for (let i = 0; i < 2000; i++) jsonBytes(Object.freeze({ n: i }));
    const again = jsonBytes(first);
    expect(again).not.toBe(firstBytes);
    expect(again.equals(firstBytes)).toBe(true);
  });
});

describe("Go's encoding/json text", () => {
  it('escapes <, >, & and the JavaScript line separators as json.Marshal does', () => {
    expect(goJson({ a: '<b> & \u2028\u2029' })).toBe('{"a":"\\u003cb\\u003e \\u0026 \\u2028\\u2029"}');
  });

  it('indents as json.MarshalIndent(obj, "", "  "), without a trailing newline', () => {
    expect(prettyJsonBytes({ kind: 'Status', metadata: {}, items: [] }).toString()).toBe(
      '{\n  "kind": "Status",\n  "metadata": {},\n  "items": []\n}',
    );
  });
});

describe('wantsPrettyJson', () => {
  const request = (url: string, agent?: string) =>
    ({ url, headers: agent ? { 'user-agent': agent } : {} }) as IncomingMessage;

  it('follows ?pretty= as strconv.ParseBool reads it', () => {
    expect(wantsPrettyJson(request('/api?pretty=true'))).toBe(true);
    expect(wantsPrettyJson(request('/api?pretty=1'))).toBe(true);
    expect(wantsPrettyJson(request('/api?pretty=True'))).toBe(true);
    expect(wantsPrettyJson(request('/api?pretty=yes'))).toBe(false);
    expect(wantsPrettyJson(request('/api?pretty=false', 'curl/8.5.0'))).toBe(false);
  });

  it('pretty-prints for curl, Wget and browsers unless told otherwise', () => {
    expect(wantsPrettyJson(request('/api', 'curl/8.5.0'))).toBe(true);
    expect(wantsPrettyJson(request('/api', 'Wget/1.21'))).toBe(true);
    expect(wantsPrettyJson(request('/api', 'Mozilla/5.0 (X11; Linux x86_64)'))).toBe(true);
    expect(wantsPrettyJson(request('/api?pretty=', 'curl/8.5.0'))).toBe(true);
    expect(wantsPrettyJson(request('/api', 'kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0'))).toBe(false);
    expect(wantsPrettyJson(request('/api', 'wget/1.21'))).toBe(false);
  });
});
