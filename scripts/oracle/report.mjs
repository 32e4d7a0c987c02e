// Writes oracle/report.md (counts, then every differing scenario with its diff) and oracle/report.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { KNOWN, contextOf, explain } from './known.mjs';

/** Writes the report files and returns the one-line summary. */
export function writeReport(root, results, { seconds, oracleStartMs, fakeStartMs }, base = 'report') {
  const identical = results.filter((r) => !r.error && r.differences.length === 0);
  const differing = results.filter((r) => !r.error && r.differences.length > 0);
  const failed = results.filter((r) => r.error);
  // Each diff entry explained by a documented rule, or not.
  const seen = new Map();
  for (const r of differing) {
    r.unexplained = 0;
    const ctx = contextOf(r);
    for (const d of r.differences) {
      for (const x of d.diff) {
        const rule = explain(r.name, x, d.label, ctx);
        x.known = rule?.id;
        if (rule) (seen.get(rule.id) ?? seen.set(rule.id, new Set()).get(rule.id)).add(r.name);
        else r.unexplained++;
      }
    }
  }
  const unexplained = differing.filter((r) => r.unexplained > 0);
  const summary = `${results.length} scenarios: ${identical.length} identical, ${differing.length} differing (${differing.length - unexplained.length} by documented differences only, ${unexplained.length} with differences not yet explained), ${failed.length} failed to run (${seconds.toFixed(0)} s)`;
  const lines = [
    '# Differential report: fake-apiserver against kube-apiserver v1.33.4',
    '',
    `Written by \`npm run oracle\` (${new Date().toISOString().slice(0, 10)}). ${summary}.`,
    `The oracle (kube-apiserver + kube-controller-manager + etcd) was ready in ${(oracleStartMs / 1000).toFixed(1)} s, fake-apiserver in ${fakeStartMs.toFixed(0)} ms.`,
    '',
    '| group | scenarios | identical | differing | failed |',
    '| --- | --- | --- | --- | --- |',
  ];
  const groups = [...new Set(results.map((r) => r.group))];
  for (const g of groups) {
    const of = results.filter((r) => r.group === g);
    lines.push(
      `| ${g} | ${of.length} | ${of.filter((r) => !r.error && !r.differences.length).length} | ${of.filter((r) => !r.error && r.differences.length).length} | ${of.filter((r) => r.error).length} |`,
    );
  }
  if (failed.length) {
    lines.push('', '## Failed to run', '');
    for (const r of failed) lines.push(`- **${r.name}**: \`${r.error.split('\n')[0]}\``);
  }
  lines.push(
    '',
    '## Documented differences',
    '',
    '| id | class | scenarios | what |',
    '| --- | --- | --- | --- |',
  );
  for (const k of KNOWN)
    lines.push(`| ${k.id} | ${k.cls} | ${seen.get(k.id)?.size ?? 0} | ${k.text.replace(/\|/g, '\\|')} |`);
  lines.push(
    '',
    '## Differences',
    '',
    'Each: the step, then the JSON paths where the normalized answers differ (oracle → fake), with the documented',
    'difference that explains it in brackets; scenarios with a difference not yet explained come first.',
    '',
  );
  for (const r of [...unexplained, ...differing.filter((x) => !x.unexplained)]) {
    lines.push(`### ${r.name}${r.unexplained ? ' (not yet explained)' : ' (documented)'}`, '');
    if (r.note) lines.push(`> ${r.note}`, '');
    for (const d of r.differences) {
      lines.push(`- step ${d.step + 1}, \`${d.label}\``);
      for (const x of d.diff.slice(0, 12)) {
        lines.push(`  - \`${x.path}\`: ${show(x.oracle)} → ${show(x.fake)}${x.known ? ` [${x.known}]` : ''}`);
      }
      if (d.diff.length > 12) lines.push(`  - … ${d.diff.length - 12} more`);
    }
    lines.push('');
  }
  lines.push('## Identical', '', identical.map((r) => r.name).join(' · '), '');
  writeFileSync(join(root, 'oracle', `${base}.md`), lines.join('\n'));
  writeFileSync(
    join(root, 'oracle', `${base}.json`),
    JSON.stringify({ summary, meta: { seconds, oracleStartMs, fakeStartMs }, results }, null, 1) + '\n',
  );
  return summary;
}

function show(v) {
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return '`' + (text ?? 'undefined').replace(/`/g, "'").slice(0, 240) + '`';
}
