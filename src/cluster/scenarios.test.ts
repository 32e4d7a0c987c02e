import { describe, expect, it } from 'vitest';
import { fullImageName, imageIdOf, newContainerId } from './container-ids.js';
import { podScenario } from './scenarios.js';

describe('scenarios from pod annotations', () => {
  it('reads one for every container or one container, with run-for', () => {
    const warnings: string[] = [];
    const scenario = podScenario(
      {
        metadata: {
          annotations: {
            'fake-apiserver.dev/scenario': 'CrashLoopBackOff',
            'fake-apiserver.dev/scenario.side': 'Exit:3',
            'fake-apiserver.dev/scenario.odd': 'Explode',
            'fake-apiserver.dev/run-for': '250ms',
          },
        },
      },
      (m) => warnings.push(m),
    );
    expect(scenario.runForMs).toBe(250);
    expect(scenario.container('app')).toEqual({ kind: 'Exit', exitCode: 1, reason: 'Error' });
    expect(scenario.container('side')).toEqual({ kind: 'Exit', exitCode: 3, reason: 'Error' });
    expect(scenario.container('odd')).toEqual({ kind: 'Run' });
    expect(warnings).toEqual([
      'fake-apiserver.dev/scenario of container odd: "Explode" is not one of ErrImagePull, CrashLoopBackOff, Exit:<code>, OOMKilled, Unready, IgnoreSIGTERM; the container runs normally',
    ]);
    expect(scenario.ignoreSigterm).toBe(false);
    const plain = podScenario(
      { metadata: { annotations: { 'fake-apiserver.dev/scenario': 'IgnoreSIGTERM' } } },
      () => {},
    );
    expect(plain.ignoreSigterm).toBe(true);
    expect(plain.runForMs).toBe(1000);
  });

  it('names images and containers as containerd reports them', () => {
    expect(fullImageName('nginx')).toBe('docker.io/library/nginx:latest');
    expect(fullImageName('nginx:1.27')).toBe('docker.io/library/nginx:1.27');
    expect(fullImageName('bitnami/redis:7')).toBe('docker.io/bitnami/redis:7');
    expect(fullImageName('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io/pause:3.10');
    expect(fullImageName('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(imageIdOf('nginx:1.27')).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(imageIdOf('nginx:1.27')).toBe(imageIdOf('nginx:1.27'));
    expect(newContainerId()).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
  });
});
