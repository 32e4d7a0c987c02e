import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../../src/index.js';
import { adminCredentials } from '../support/admin.js';
import { send } from '../support/https-client.js';

// A --data-dir holding objects that cannot be loaded, or that trip a controller at start, still starts:
// each bad record is reported on stderr, naming the file, line and object, and kept aside; every other
// object is served. The bad records are written by hand, as the journal stores changes.

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the command and resolves once it has printed its exports (rejects if it exits first). */
async function startCli(args: string[]): Promise<{ port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolvePort, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^export KUBERNETES_SERVICE_PORT=(\d+)$/.exec(line);
      if (match) resolvePort(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return { port, stderr: () => stderr };
}

const configMap = (name: string, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...metadata },
  data: { from: 'data dir' },
});

describe('--data-dir replay', () => {
  it('skips and reports each record that cannot be loaded, and serves the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-replay-'));
    const dataDir = join(dir, 'data');
    const kubeconfig = join(dir, 'kubeconfig');
    const first = await startFakeApiServer({ dataDir, kubeconfig });
    const admin = adminCredentials(await readFile(kubeconfig, 'utf8'));
    const ca = first.caCert;
    const kept = await send(first.url, ca, {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: configMap('kept'),
      client: admin,
    });
    expect(kept.status).toBe(201);
    const keptVersion = Number(kept.json().metadata.resourceVersion);
    await first.close();

    // After the journal's last change: a ClusterRole with `labels: null` (the role aggregation controller
    // cannot match it: it used to keep the server from ever starting again), a line that is not JSON, a
    // ConfigMap stored under a key that is not its name, a good ConfigMap, then one whose data is a list.
    const rv = (n: number) => keptVersion + n;
    const object = (name: string, version: number, extra: Record<string, unknown> = {}) =>
      configMap(name, {
        uid: `00000000-0000-0000-0000-00000000000${version}`,
        creationTimestamp: '2026-01-01T00:00:00Z',
        resourceVersion: String(rv(version)),
        ...extra,
      });
    const lines = [
      {
        rv: rv(1),
        type: 'ADDED',
        kind: 'rbac.authorization.k8s.io/clusterroles',
        key: '/null-labels',
        object: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: {
            name: 'null-labels',
            labels: null,
            uid: '00000000-0000-0000-0000-000000000001',
            creationTimestamp: '2026-01-01T00:00:00Z',
            resourceVersion: String(rv(1)),
          },
          rules: [],
        },
      },
      '{"rv": 99999, "type": "ADDED", "kind": "/configmaps", "key": "default/torn", "object": {',
      {
        rv: rv(3),
        type: 'ADDED',
        kind: '/configmaps',
        key: 'default/misfiled',
        object: object('elsewhere', 3),
      },
      { rv: rv(4), type: 'ADDED', kind: '/configmaps', key: 'default/after', object: object('after', 4) },
      {
        rv: rv(5),
        type: 'ADDED',
        kind: '/configmaps',
        key: 'default/typed',
        object: { ...object('typed', 5), data: [1] },
      },
    ];
    await appendFile(
      join(dataDir, 'journal.jsonl'),
      lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n',
    );
    const journalLines = (await readFile(join(dataDir, 'journal.jsonl'), 'utf8')).split('\n').length - 1;
    const lineOf = (n: number) => journalLines - lines.length + n;

    const second = await startCli(['--data-dir', dataDir]);
    const url = `https://127.0.0.1:${second.port}`;
    const get = (path: string) => send(url, ca, { path, client: admin });

    expect((await get('/api/v1/namespaces/default/configmaps/kept')).status).toBe(200);
    expect((await get('/api/v1/namespaces/default/configmaps/after')).json().data).toEqual({
      from: 'data dir',
    });
    expect((await get('/api/v1/namespaces/default/configmaps/misfiled')).status).toBe(404);
    expect((await get('/api/v1/namespaces/default/configmaps/elsewhere')).status).toBe(404);
    // Decoded as any write is: null labels are no labels, so the aggregation controller has nothing to trip on.
    const nullLabels = await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/null-labels');
    expect(nullLabels.status).toBe(200);
    expect(nullLabels.json().metadata).not.toHaveProperty('labels');
    expect((await get('/api/v1/namespaces/default/configmaps/typed')).status).toBe(404);
    const view = (await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/view')).json();
    expect(view.rules.length).toBeGreaterThan(0);

    const stderr = second.stderr();
    const where = `data dir ${dataDir}`;
    const kept2 = join(dataDir, 'skipped.jsonl');
    expect(stderr).toContain(
      `fake-apiserver: warning: ${where}: skipped journal.jsonl line ${lineOf(2)}: not JSON (`,
    );
    expect(stderr).toContain(
      `fake-apiserver: warning: ${where}: skipped journal.jsonl line ${lineOf(3)} (configmaps default/misfiled): it is stored under the key "default/misfiled", which is not its namespace/name; it is kept in ${kept2}`,
    );
    expect(stderr).toContain(
      `fake-apiserver: warning: ${where}: skipped journal.jsonl line ${lineOf(5)} (configmaps default/typed): json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string; it is kept in ${kept2}`,
    );
    expect(stderr).not.toContain('clusterrole-aggregation');
    const skipped = (await readFile(kept2, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { source: string });
    expect(skipped.map((entry) => entry.source)).toEqual([
      `journal.jsonl line ${lineOf(2)}`,
      `journal.jsonl line ${lineOf(3)}`,
      `journal.jsonl line ${lineOf(5)}`,
    ]);

    // The versions of the skipped changes were handed out: the next write is above them all.
    const next = await send(url, ca, {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: configMap('next'),
      client: admin,
    });
    expect(next.status).toBe(201);
    expect(Number(next.json().metadata.resourceVersion)).toBeGreaterThan(rv(4));
  });
});
