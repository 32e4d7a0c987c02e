import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, kubectlBinary, run } from './support/external.js';

const PROTOBUF_KUBECTL = kubectlBinary(33);
const JSON_KUBECTL = kubectlBinary(27);

/** A kubectl typed generator: `args(name)` builds the command line, `resource` is what it creates. */
interface CreateCommand {
  resource: string;
  args: (name: string) => string[];
}

const COMMANDS: Record<string, CreateCommand> = {
  deployment: {
    resource: 'deployments.apps',
    args: (name) => ['create', 'deployment', name, '--image=nginx:1.25', '--replicas=2', '--port=80'],
  },
  job: {
    resource: 'jobs.batch',
    args: (name) => ['create', 'job', name, '--image=busybox', '--', 'echo', 'hi'],
  },
  cronjob: {
    resource: 'cronjobs.batch',
    args: (name) => ['create', 'cronjob', name, '--image=busybox', '--schedule=*/5 * * * *'],
  },
  'service clusterip': {
    resource: 'services',
    args: (name) => ['create', 'service', 'clusterip', name, '--tcp=80:8080'],
  },
  ingress: {
    resource: 'ingresses.networking.k8s.io',
    args: (name) => ['create', 'ingress', name, '--rule=foo.com/bar=svc:80'],
  },
  poddisruptionbudget: {
    resource: 'poddisruptionbudgets.policy',
    args: (name) => ['create', 'poddisruptionbudget', name, '--selector=app=x', '--min-available=1'],
  },
  quota: { resource: 'resourcequotas', args: (name) => ['create', 'quota', name, '--hard=pods=10,cpu=2'] },
  priorityclass: {
    resource: 'priorityclasses.scheduling.k8s.io',
    args: (name) => ['create', 'priorityclass', name, '--value=1000', '--description=high'],
  },
};

/** Drops what differs between two creations of the same object: identity, times and names derived from it. */
function comparable(object: Record<string, unknown>, name: string): unknown {
  const uid = (object.metadata as { uid: string }).uid;
  const text = JSON.stringify(object, (key, value: unknown) =>
    ['uid', 'resourceVersion', 'creationTimestamp', 'time', 'clusterIP', 'clusterIPs'].includes(key)
      ? undefined
      : value,
  );
  // A job's selector and template labels carry its own uid.
  return JSON.parse(
    text.replaceAll(uid, 'UID').replaceAll(`"${name}"`, '"NAME"').replaceAll(`app=${name}`, 'app=NAME'),
  );
}

describe.runIf(
  clientAvailable('kubectl 1.33 and 1.27', () => existsSync(PROTOBUF_KUBECTL) && existsSync(JSON_KUBECTL)),
)('kubectl create generators: protobuf bodies (1.33) store what JSON bodies (1.27) store', () => {
  let server: StartedFakeApiServer;
  let dir: string;
  let served: Set<string>;

  const kubectl = (binary: string, ...args: string[]) =>
    run(binary, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-protobuf-create-'));
    // A still cluster: what each body stores is compared before any controller writes status.
    server = await startFakeApiServer({ kubeconfig: join(dir, 'kubeconfig'), controllers: [] });
    const resources = await kubectl(JSON_KUBECTL, 'api-resources', '-o', 'name');
    expect(resources.code, resources.stderr).toBe(0);
    served = new Set(resources.stdout.split('\n').filter(Boolean));
  });
  afterAll(() => server?.close());

  it.for(Object.entries(COMMANDS))('create %s', async ([what, command]) => {
    expect(served, `kubectl create ${what} needs ${command.resource}`).toContain(command.resource);
    const slug = what.replace(/\W+/g, '-');
    const viaProtobuf = await kubectl(PROTOBUF_KUBECTL, '-v=8', ...command.args(`${slug}-pb`));
    expect(viaProtobuf.code, viaProtobuf.stderr).toBe(0);
    // client-go logs the request headers at -v=8: proof that the body really was protobuf.
    expect(viaProtobuf.stderr).toMatch(/Content-Type: application\/vnd\.kubernetes\.protobuf/);
    const viaJson = await kubectl(JSON_KUBECTL, ...command.args(`${slug}-js`));
    expect(viaJson.code, viaJson.stderr).toBe(0);

    const get = async (name: string) => {
      const result = await kubectl(JSON_KUBECTL, 'get', command.resource, name, '-o', 'json');
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    const [stored, expected] = [await get(`${slug}-pb`), await get(`${slug}-js`)];
    expect(comparable(stored, `${slug}-pb`)).toEqual(comparable(expected, `${slug}-js`));
  });
});
