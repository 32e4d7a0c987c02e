import { describe, expect, it } from 'vitest';
import { isInspectorPath } from './access.js';

describe('isInspectorPath', () => {
  it('owns /fake-apiserver/ui and what is below it, nothing else', () => {
    expect(isInspectorPath('/fake-apiserver/ui')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/ui/')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/ui/events')).toBe(true);
    expect(isInspectorPath('/fake-apiserver/uix')).toBe(false);
    expect(isInspectorPath('/fake-apiserver/v1/reset')).toBe(false);
    expect(isInspectorPath('/api/v1/pods')).toBe(false);
  });
});
