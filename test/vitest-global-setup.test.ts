import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './support/external.js';

const PROJECT = resolve(import.meta.dirname, 'fixtures/vitest-project');
const VITEST = resolve(import.meta.dirname, '../node_modules/vitest/vitest.mjs');

describe('fake-apiserver/vitest as a globalSetup', () => {
  it('runs a user project whose tests reach the server through the injected details and env', async () => {
    const result = await run(process.execPath, [VITEST, 'run', '--root', PROJECT], {
      env: {
        ...process.env,
        KUBERNETES_SERVICE_HOST: '',
        KUBERNETES_SERVICE_PORT: '',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      timeoutMs: 60_000,
    });
    expect(result.stdout + result.stderr).toMatch(/Tests\s+1 passed/);
    expect(result.code).toBe(0);
  });
});
