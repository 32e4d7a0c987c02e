import { describe, expect, it } from 'vitest';
import { parseCliArguments } from './args.js';

const optionsOf = (...argv: string[]) => {
  const request = parseCliArguments(argv);
  if (request.action !== 'serve') throw new Error(`not serve: ${request.action}`);
  return request.options;
};

describe('the cluster flags', () => {
  it('--controllers in kube-controller-manager syntax, --no-scheduler, --no-kubelet, --static', () => {
    expect(optionsOf('--controllers', '*,-endpointslice').controllers).toEqual(['*', '-endpointslice']);
    expect(optionsOf('--controllers', '').controllers).toEqual([]);
    expect(optionsOf('--no-scheduler', '--no-kubelet')).toMatchObject({ scheduler: false, kubelet: false });
    expect(optionsOf('--static').cluster).toBe(false);
    const plain = optionsOf();
    expect([plain.controllers, plain.scheduler, plain.kubelet, plain.cluster]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
