#!/usr/bin/env node
// The differential harness (`npm run oracle`): starts the real kube-apiserver 1.33 (oracle/kube) and
// fake-apiserver, sends every scenario to both, compares the normalized answers and writes oracle/report.md
// (and report.json). Options: --bin PATH (a built oracle, else `go build` into .cache/oracle/), --only TEXT
// (scenarios whose name contains it), --verbose (the oracle's logs on stderr), --report-only (rewrite the
// report from the last run's report.json, after editing known.mjs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { agentFor, send } from './http-client.mjs';
import { writeReport } from './report.mjs';
import { runScenario } from './run-scenario.mjs';
import { allScenarios } from './scenarios/index.mjs';
import { startFake, startOracle } from './servers.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** /version as a release build says it (a module build has no git data of its own). */
const LDFLAGS = ['gitVersion=v1.33.4', 'gitMajor=1', 'gitMinor=33', 'gitTreeState=clean']
  .map((kv) => `-X k8s.io/component-base/version.${kv}`)
  .join(' ');

function buildOracle() {
  const out = join(ROOT, '.cache', 'oracle', 'kube');
  mkdirSync(join(ROOT, '.cache', 'oracle'), { recursive: true });
  const started = Date.now();
  console.error(
    'oracle: go build (k8s.io/kubernetes v1.33.4, etcd v3.5.21); a cold build takes many minutes',
  );
  execFileSync('nice', ['-n', '10', 'go', 'build', '-ldflags', LDFLAGS, '-o', out, '.'], {
    cwd: join(ROOT, 'oracle', 'kube'),
    stdio: 'inherit',
  });
  console.error(`oracle: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

async function waitFor(side, path, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const res = await send(side.target, side.agent, {
      method: 'GET',
      path,
      headers: { authorization: `Bearer ${side.target.adminToken}` },
    });
    if (res.status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${side.target.name}: ${path} never appeared`);
}

async function prepareNamespace(sides, ns) {
  for (const side of sides) {
    const res = await send(side.target, side.agent, {
      method: 'POST',
      path: '/api/v1/namespaces',
      headers: { authorization: `Bearer ${side.target.adminToken}`, 'content-type': 'application/json' },
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });
    if (res.status !== 201)
      throw new Error(`${side.target.name}: namespace ${ns}: ${res.status} ${res.body}`);
  }
  // What the controllers add to every namespace: the `default` service account (pods are refused until it
  // exists) and the `kube-root-ca.crt` config map (lists of config maps would otherwise race it).
  await Promise.all(sides.map((side) => waitFor(side, `/api/v1/namespaces/${ns}/serviceaccounts/default`)));
  await Promise.all(
    sides.map((side) => waitFor(side, `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)),
  );
}

async function main() {
  if (args.includes('--report-only')) {
    // Re-classify the last run's results (after editing known.mjs) without running it again.
    const last = JSON.parse(readFileSync(join(ROOT, 'oracle', 'report.json'), 'utf8'));
    console.log(
      writeReport(ROOT, last.results, last.meta ?? { seconds: 0, oracleStartMs: 0, fakeStartMs: 0 }),
    );
    return;
  }
  const started = Date.now();
  const bin = opt('--bin') ?? buildOracle();
  const only = opt('--only');
  const oracle = await startOracle(bin, { verbose: args.includes('--verbose') });
  const fake = await startFake(ROOT);
  const sides = [
    { target: oracle.target, agent: agentFor(oracle.target) },
    { target: fake.target, agent: agentFor(fake.target) },
  ];
  console.error(
    `oracle ready in ${(oracle.startMs / 1000).toFixed(1)} s at ${oracle.target.url}; fake in ${fake.startMs.toFixed(0)} ms`,
  );
  const scenarios = allScenarios().filter((s) => !only || s.name.includes(only));
  const results = [];
  try {
    for (const [i, scenario] of scenarios.entries()) {
      const sid = `s${String(i).padStart(3, '0')}`;
      const ns = `ora-${sid}`;
      await prepareNamespace(sides, ns);
      const result = await runScenario(scenario, sides[0], sides[1], { ns, sid });
      results.push({ ...result, group: scenario.group, note: scenario.note });
      const mark = result.error ? 'E' : result.differences.length ? 'x' : '.';
      process.stderr.write(mark);
      if ((i + 1) % 80 === 0) process.stderr.write(`\n`);
    }
  } finally {
    process.stderr.write('\n');
    await fake.stop();
    await oracle.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  // A run of some scenarios only (--only) leaves the full report alone: it writes report.partial.md.
  const meta = { seconds, oracleStartMs: oracle.startMs, fakeStartMs: fake.startMs };
  const summary = writeReport(ROOT, results, meta, only ? 'report.partial' : 'report');
  console.log(summary);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
