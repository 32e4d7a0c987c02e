import { describe, expect, it } from 'vitest';
import { enabledControllers } from './controllers-flag.js';

const known = ['deployment', 'replicaset', 'job', 'bootstrap-signer'];

describe('enabledControllers, as kube-controller-manager reads --controllers', () => {
  it('* turns on every controller on by default', () => {
    expect([...enabledControllers(['*'], known, ['bootstrap-signer'])].sort()).toEqual([
      'deployment',
      'job',
      'replicaset',
    ]);
  });
  it('-name turns one off and name turns one on', () => {
    expect([...enabledControllers(['*', '-deployment'], known)].sort()).toEqual([
      'bootstrap-signer',
      'job',
      'replicaset',
    ]);
    expect([...enabledControllers(['job'], known)]).toEqual(['job']);
    expect([...enabledControllers(['bootstrap-signer', '*'], known, ['bootstrap-signer'])]).toContain(
      'bootstrap-signer',
    );
  });
  it('an empty list runs nothing, and an unknown name is refused', () => {
    expect(enabledControllers([], known).size).toBe(0);
    expect(() => enabledControllers(['*', '-deploy'], known)).toThrow(
      /"deploy" is not in the list of known controllers/,
    );
  });

  it('takes the 1.33 names beside their aliases', () => {
    expect([...enabledControllers(['*', '-deployment-controller'], known)].sort()).toEqual([
      'bootstrap-signer',
      'job',
      'replicaset',
    ]);
    expect([...enabledControllers(['job-controller'], known)]).toEqual(['job']);
  });
});
