import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVitestProject } from './support/external.js';

const PROJECT = resolve(import.meta.dirname, 'fixtures/vitest-project');

describe('fake-apiserver/vitest as a globalSetup', () => {
  it('runs a user project whose tests reach the server through the injected details and env', async () => {
    const result = await runVitestProject(PROJECT);
    expect(result.stdout + result.stderr).toMatch(/Tests\s+1 passed/);
    expect(result.code).toBe(0);
  });
});
