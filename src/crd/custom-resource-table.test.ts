import { describe, expect, it } from 'vitest';
import { evaluateSimpleJsonPath } from './custom-resource-table.js';

describe('evaluateSimpleJsonPath', () => {
  const obj = {
    spec: { size: 'small', list: [1, 2, 3] },
    status: {
      conditions: [
        { type: 'Synced', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
    },
  };

  it('follows fields, indexes and filters', () => {
    expect(evaluateSimpleJsonPath(obj, '.spec.size')).toBe('small');
    expect(evaluateSimpleJsonPath(obj, '{.spec.list[1]}')).toBe(2);
    expect(evaluateSimpleJsonPath(obj, '.spec.list[-1]')).toBe(3);
    expect(evaluateSimpleJsonPath(obj, '.status.conditions[?(@.type=="Ready")].status')).toBe('True');
    expect(evaluateSimpleJsonPath(obj, '.status.conditions[*].type')).toBe('Synced');
    expect(evaluateSimpleJsonPath(obj, '.spec.missing.deeper')).toBeUndefined();
  });
});
