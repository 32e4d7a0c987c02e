// A structural diff of two normalized answers: the paths where they differ, each with both values.

/**
 * @returns {{ path: string, oracle: unknown, fake: unknown }[]}
 */
export function diffValues(oracle, fake, path = '', out = [], limit = 40) {
  if (out.length >= limit) return out;
  if (Object.is(oracle, fake)) return out;
  const ta = kindOf(oracle);
  const tb = kindOf(fake);
  if (ta !== tb || (ta !== 'object' && ta !== 'array')) {
    out.push({ path: path || '/', oracle: brief(oracle), fake: brief(fake) });
    return out;
  }
  if (ta === 'array') {
    const n = Math.max(oracle.length, fake.length);
    for (let i = 0; i < n; i++) {
      if (i >= oracle.length) out.push({ path: `${path}/${i}`, oracle: '(absent)', fake: brief(fake[i]) });
      else if (i >= fake.length)
        out.push({ path: `${path}/${i}`, oracle: brief(oracle[i]), fake: '(absent)' });
      else diffValues(oracle[i], fake[i], `${path}/${i}`, out, limit);
      if (out.length >= limit) break;
    }
    return out;
  }
  const keys = new Set([...Object.keys(oracle), ...Object.keys(fake)]);
  for (const key of keys) {
    const p = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!(key in fake)) out.push({ path: p, oracle: brief(oracle[key]), fake: '(absent)' });
    else if (!(key in oracle)) out.push({ path: p, oracle: '(absent)', fake: brief(fake[key]) });
    else diffValues(oracle[key], fake[key], p, out, limit);
    if (out.length >= limit) break;
  }
  return out;
}

function kindOf(v) {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

function brief(v) {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length > 300 ? `${text.slice(0, 297)}...` : v;
}
