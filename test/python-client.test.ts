import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer, type StartedFakeApiServer } from '../src/index.js';
import { clientAvailable, pythonClientInstalled, run } from './support/external.js';

// The official Python client in in-cluster mode, as the docs' snippet uses it, with the sa-dir's files.
const SCRIPT = `
import json, os, sys
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader

sa = sys.argv[1]
cfg = client.Configuration()
InClusterConfigLoader(token_filename=os.path.join(sa, "token"), cert_filename=os.path.join(sa, "ca.crt"), try_refresh_token=True, environ=os.environ).load_and_set(cfg)
client.Configuration.set_default(cfg)
v1 = client.CoreV1Api()
with open(os.path.join(sa, "namespace")) as f:
    namespace = f.read()
out = {"namespace": namespace}
pods = v1.list_namespaced_pod(namespace=namespace)
out["pods"] = sorted(p.metadata.name for p in pods.items)
out["phase"] = v1.read_namespaced_pod("helloworld", namespace).status.phase
out["log"] = v1.read_namespaced_pod_log("helloworld", namespace, tail_lines=1)
try:
    v1.list_namespaced_pod(namespace="kube-system")
except ApiException as e:
    out["forbidden"] = {"status": e.status, "message": json.loads(e.body)["message"], "bodyEnd": e.body[-2:]}
review = client.AuthorizationV1Api().create_self_subject_access_review(
    client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(namespace=namespace, verb="watch", resource="pods"))))
out["canWatch"] = review.status.allowed
w_events = []
from kubernetes import watch
for event in watch.Watch().stream(v1.list_namespaced_pod, namespace=namespace, timeout_seconds=1):
    w_events.append(event["type"] + ":" + event["object"].metadata.name)
out["watch"] = sorted(w_events)
print(json.dumps(out))
`;

describe.runIf(clientAvailable('python3-kubernetes', pythonClientInstalled))(
  'the official Python client',
  () => {
    let server: StartedFakeApiServer;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fake-apiserver-python-'));
      server = await startFakeApiServer({ saDir: join(dir, 'sa'), serviceAccount: 'default/pod-reader' });
      await writeFile(join(dir, 'check.py'), SCRIPT);
    });
    afterAll(() => server?.close());

    it('lists, reads, watches and is forbidden exactly as RBAC says', async () => {
      const result = await run('/usr/bin/python3', [join(dir, 'check.py'), join(dir, 'sa')], {
        env: { ...process.env, ...server.env },
      });
      expect(result.stderr).toBe('');
      const out = JSON.parse(result.stdout);
      expect(out).toEqual({
        namespace: 'default',
        pods: ['helloworld', 'web-7d4b9c6f5-x2kqp'],
        phase: 'Running',
        log: 'GET /healthz 200 0.3ms\n',
        forbidden: {
          status: 403,
          message:
            'pods is forbidden: User "system:serviceaccount:default:pod-reader" cannot list resource "pods" in API group "" in the namespace "kube-system"',
          // The body as Go's json.Encoder writes it, newline included.
          bodyEnd: '}\n',
        },
        canWatch: true,
        watch: ['ADDED:helloworld', 'ADDED:web-7d4b9c6f5-x2kqp'],
      });
      expect(await readFile(join(dir, 'sa', 'namespace'), 'utf8')).toBe('default');
    });

    it('keeps a watch.Watch stream going across a watch ERROR 410, as its retry does', async () => {
      await writeFile(join(dir, 'admin.kubeconfig'), server.kubeconfig);
      await writeFile(join(dir, 'watch410.py'), WATCH_ACROSS_410);
      const rule = server.injectFault({
        id: 'expire-python-watch',
        resource: 'configmaps',
        namespace: 'default',
        watchError: true,
        times: 1,
      });
      const result = await run('/usr/bin/python3', [join(dir, 'watch410.py'), join(dir, 'admin.kubeconfig')]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({ seen: ['ADDED:py-after-410'] });
      expect(rule.hits).toBe(1);
    });
  },
);

// A watch from a listed resourceVersion; the first watch request ends with ERROR 410 (an injected fault), the
// client retries once from the same version, and sees a config map created a moment later.
const WATCH_ACROSS_410 = `
import json, sys, threading, time
from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
listed = v1.list_namespaced_config_map("default")
def create_later():
    time.sleep(1)
    v1.create_namespaced_config_map("default", {"metadata": {"name": "py-after-410"}})
threading.Thread(target=create_later).start()
w = watch.Watch()
seen = []
for event in w.stream(v1.list_namespaced_config_map, "default", resource_version=listed.metadata.resource_version):
    seen.append(event["type"] + ":" + event["object"].metadata.name)
    if event["object"].metadata.name == "py-after-410":
        w.stop()
        break
print(json.dumps({"seen": seen}))
`;
