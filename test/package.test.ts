import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { isolatedNpxEnv, run } from './support/external.js';

const ROOT = resolve(import.meta.dirname, '..');

// What a user gets from the registry: the packed tarball installed into another project, next to the
// oldest vitest the globalSetup supports.
describe('the published package', () => {
  it('installs from its tarball, runs with npx, and works as a vitest 3 globalSetup', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-pack-'));
    const packed = await run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], {
      timeoutMs: 120_000,
      cwd: ROOT,
    });
    expect(packed.code).toBe(0);
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
    // The OpenAPI documents the server reads lazily travel with it.
    const listed = await run('tar', ['-tzf', join(dir, tarball)]);
    expect(listed.stdout).toContain('package/data/openapi/v3-index.json');
    expect(listed.stdout).toContain('package/data/openapi/v3/api__v1.json.gz');
    const project = join(dir, 'project');
    await run('mkdir', ['-p', project]);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
    );
    const installed = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--prefix',
        project,
        'vitest@3',
        join(dir, tarball),
      ],
      { timeoutMs: 120_000 },
    );
    expect(installed.stderr).not.toMatch(/ERR!/);

    const child = spawn('npx', ['--no-install', 'fake-apiserver', '--port', '0'], {
      cwd: project,
      env: isolatedNpxEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: string[] = [];
      await new Promise<void>((done, fail) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          lines.push(line);
          if (lines.length === 2) done();
        });
        child.once('exit', (code) => fail(new Error(`npx fake-apiserver exited with ${code}`)));
      });
      expect(lines[0]).toBe('export KUBERNETES_SERVICE_HOST=127.0.0.1');
      expect(lines[1]).toMatch(/^export KUBERNETES_SERVICE_PORT=\d+$/);
    } finally {
      child.kill('SIGTERM');
    }

    const userProject = resolve(import.meta.dirname, 'fixtures/vitest-project');
    for (const file of ['vitest.config.mjs', 'global-setup.mjs', 'in-cluster.test.mjs']) {
      await copyFile(join(userProject, file), join(project, file));
    }
    const tested = await run(join(project, 'node_modules/.bin/vitest'), ['run', '--root', project], {
      cwd: project,
      env: { ...process.env, NO_COLOR: '1', KUBERNETES_SERVICE_HOST: '', KUBERNETES_SERVICE_PORT: '' },
      timeoutMs: 60_000,
    });
    expect(tested.stdout).toMatch(/vitest\/3|v3\./);
    expect(tested.stdout).toMatch(/Tests\s+1 passed/);
    expect(tested.code).toBe(0);
  }, 180_000);
});
