// Writes oracle/report.md (counts, then every differing scenario with its diff) and oracle/report.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the report files and returns the one-line summary. */
export function writeReport(root, results, { seconds, oracleStartMs, fakeStartMs }) {
  const identical = results.filter((r) => !r.error && r.differences.length === 0);
  const differing = results.filter((r) => !r.error && r.differences.length > 0);
  const failed = results.filter((r) => r.error);
  const summary = `${results.length} scenarios: ${identical.length} identical, ${differing.length} differing, ${failed.length} failed to run (${seconds.toFixed(0)} s)`;
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
    '## Differences',
    '',
    'Each: the step, then the JSON paths where the normalized answers differ (oracle → fake).',
    '',
  );
  for (const r of differing) {
    lines.push(`### ${r.name}`, '');
    if (r.note) lines.push(`> ${r.note}`, '');
    for (const d of r.differences) {
      lines.push(`- step ${d.step + 1}, \`${d.label}\``);
      for (const x of d.diff.slice(0, 12))
        lines.push(`  - \`${x.path}\`: ${show(x.oracle)} → ${show(x.fake)}`);
      if (d.diff.length > 12) lines.push(`  - … ${d.diff.length - 12} more`);
    }
    lines.push('');
  }
  lines.push('## Identical', '', identical.map((r) => r.name).join(' · '), '');
  writeFileSync(join(root, 'oracle', 'report.md'), lines.join('\n'));
  writeFileSync(join(root, 'oracle', 'report.json'), JSON.stringify({ summary, results }, null, 1) + '\n');
  return summary;
}

function show(v) {
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return '`' + (text ?? 'undefined').replace(/`/g, "'").slice(0, 240) + '`';
}
