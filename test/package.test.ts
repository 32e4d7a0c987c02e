import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { run } from './support/external.js';

const ROOT = resolve(import.meta.dirname, '..');

// What a user gets from the registry: the packed tarball installed into another project.
describe('the published package', () => {
  it('installs from its tarball and runs with npx, serving its own default fixtures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-pack-'));
    const packed = await run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], {
      timeoutMs: 120_000,
      cwd: ROOT,
    });
    expect(packed.code).toBe(0);
    const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
    const project = join(dir, 'project');
    await run('mkdir', ['-p', project]);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
    const installed = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', project, join(dir, tarball)],
      { timeoutMs: 120_000 },
    );
    expect(installed.stderr).not.toMatch(/ERR!/);

    const child = spawn('npx', ['--no-install', 'fake-apiserver', '--port', '0'], {
      cwd: project,
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
  }, 180_000);
});
