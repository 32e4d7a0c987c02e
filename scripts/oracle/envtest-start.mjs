#!/usr/bin/env node
// `npm run oracle:envtest`: controller-runtime's envtest start (kube-apiserver v1.33.4 and etcd v3.5.21 as
// processes, built here from the Go module proxy, since setup-envtest's download is not reachable) against
// fake-apiserver's Environment, taking turns in one run (oracle/envtest). Prints the medians and the ratio.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const assets = join(ROOT, '.cache', 'oracle', 'assets');
mkdirSync(assets, { recursive: true });

function go(cwd, args) {
  const started = Date.now();
  execFileSync('nice', ['-n', '10', 'go', ...args], { cwd, stdio: 'inherit' });
  return (Date.now() - started) / 1000;
}

const kube = join(ROOT, 'oracle', 'kube');
const built = [
  [
    'kube-apiserver',
    go(kube, ['build', '-o', join(assets, 'kube-apiserver'), 'k8s.io/kubernetes/cmd/kube-apiserver']),
  ],
  ['etcd', go(kube, ['build', '-o', join(assets, 'etcd'), './etcd'])],
  ['envtest-start', go(join(ROOT, 'oracle', 'envtest'), ['build', '-o', join(assets, 'envtest-start'), '.'])],
];
console.error(`built: ${built.map(([n, s]) => `${n} ${s.toFixed(0)} s`).join(', ')}`);
const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
if (existsSync(kubectl) && !existsSync(join(assets, 'kubectl')))
  symlinkSync(kubectl, join(assets, 'kubectl'));

const out = execFileSync(join(assets, 'envtest-start'), ['-assets', assets, '-rounds', String(rounds)], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
const results = JSON.parse(out);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = median(results.map((r) => r.envtestStartMs));
const fake = median(results.map((r) => r.fakeStartMs));
const envStop = median(results.map((r) => r.envtestStopMs));
const fakeStop = median(results.map((r) => r.fakeStopMs));
console.log(
  `envtest start (kube-apiserver + etcd), median of ${rounds}: ${env.toFixed(0)} ms; stop ${envStop.toFixed(0)} ms`,
);
console.log(
  `fake-apiserver Environment start, median of ${rounds}: ${fake.toFixed(0)} ms; stop ${fakeStop.toFixed(0)} ms`,
);
console.log(`ratio: envtest takes ${(env / fake).toFixed(1)}x as long to start`);
console.log(JSON.stringify(results));
