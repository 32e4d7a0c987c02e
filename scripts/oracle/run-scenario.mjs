// Runs one scenario against both servers in lockstep (each step to both at once) and compares the normalized
// answers step by step.
import { diffValues } from './diff.mjs';
import { openStream, send } from './http-client.mjs';
import { Normalizer } from './normalize.mjs';

/**
 * A step of a scenario.
 * @typedef {{
 *   name?: string,
 *   as?: string,            // 'admin' (default), 'anonymous', or '{var}' holding a bearer token
 *   method?: string, path?: string, headers?: Record<string, string>, body?: unknown,
 *   capture?: Record<string, string>,  // var name -> dotted path into the answer's JSON body
 *   compare?: 'full' | 'status' | 'none',
 *   watch?: string,         // open a stream under this id (GET path)
 *   collect?: string, count?: number, timeoutMs?: number,
 *   sleepMs?: number,
 * }} Step
 */

/** What the harness calls itself: the field manager of its writes, as kubectl's is `kubectl-client-side-apply`. */
const USER_AGENT = 'oracle-harness/1.0 (linux/amd64)';

/** Where a scenario runs on one server: its target, agent, namespace and captured variables. */
class Side {
  constructor(target, agent, vars) {
    this.target = target;
    this.agent = agent;
    this.vars = { ...vars };
    this.normalizer = new Normalizer(new URL(target.url).host);
    this.streams = new Map();
  }

  fill(value) {
    if (typeof value === 'string')
      return value.replace(/\{(\w+)\}/g, (m, k) => (k in this.vars ? String(this.vars[k]) : m));
    if (Array.isArray(value)) return value.map((v) => this.fill(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.fill(k), this.fill(v)]));
    return value;
  }

  auth(as = 'admin') {
    if (as === 'anonymous') return {};
    if (as === 'admin') return { authorization: `Bearer ${this.target.adminToken}` };
    return { authorization: `Bearer ${this.fill(as)}` };
  }

  async run(step) {
    if (step.sleepMs) {
      await new Promise((r) => setTimeout(r, step.sleepMs));
      return null;
    }
    if (step.watch) {
      const stream = openStream(this.target, this.agent, {
        path: this.fill(step.path),
        headers: {
          accept: 'application/json',
          'user-agent': USER_AGENT,
          ...this.auth(step.as),
          ...this.fill(step.headers ?? {}),
        },
      });
      this.streams.set(step.watch, stream);
      const head = await stream.ready;
      if (head.status !== 200) {
        await stream.collect(0, 2000);
        return this.answer(head.status, head.headers, Buffer.from(stream.body()), step);
      }
      return { status: head.status, contentType: contentType(head.headers) };
    }
    if (step.collect) {
      const stream = this.streams.get(step.collect);
      const events = await stream.collect(step.count ?? 1, step.timeoutMs ?? 5000);
      // Whatever else arrives shortly after (an event one server sends and the other does not) counts too.
      if (!stream.ended()) events.push(...(await stream.collect(Infinity, step.settleMs ?? 300)));
      if (step.close !== false) stream.close();
      for (const e of events) this.normalizer.learn(e);
      return { events: this.normalizer.value(events.map(project(step))) };
    }
    const body =
      step.body === undefined ? undefined : this.fill(typeof step.body === 'string' ? step.body : step.body);
    const headers = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...this.auth(step.as),
      ...this.fill(step.headers ?? {}),
    };
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    const res = await send(this.target, this.agent, {
      method: step.method ?? 'GET',
      path: this.fill(step.path),
      headers,
      body,
    });
    return this.answer(res.status, res.headers, res.body, step);
  }

  answer(status, headers, raw, step) {
    const type = contentType(headers);
    let body;
    if (/json/.test(type)) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = raw.toString('utf8');
      }
    } else if (/protobuf/.test(type)) {
      body = `<protobuf ${raw.length > 0 ? 'non-empty' : 'empty'}>`;
    } else {
      body = raw.toString('utf8');
    }
    for (const [name, path] of Object.entries(step.capture ?? {})) this.vars[name] = pick(body, path);
    this.normalizer.learn(body);
    const warning = headers.warning;
    const out = { status };
    if (step.compare === 'status') return out;
    out.contentType = type;
    if (warning) out.warning = this.normalizer.value(Array.isArray(warning) ? warning : [warning]);
    out.body =
      typeof body === 'string'
        ? this.normalizer.text(body)
        : this.normalizer.value(step.project ? step.project(body) : body);
    return out;
  }

  close() {
    for (const s of this.streams.values()) s.close();
  }
}

function project(step) {
  return (event) => (step.project ? step.project(event) : event);
}

function contentType(headers) {
  return String(headers['content-type'] ?? '')
    .toLowerCase()
    .replace(/\s+/g, '');
}

function pick(body, path) {
  let cur = body;
  for (const part of path.split('.')) cur = cur?.[part];
  return cur;
}

/**
 * Runs a scenario on both sides.
 * @returns {Promise<{ name: string, steps: number, differences: { step: number, label: string, diff: object[] }[], error?: string }>}
 */
export async function runScenario(scenario, oracle, fake, vars) {
  const sides = [new Side(oracle.target, oracle.agent, vars), new Side(fake.target, fake.agent, vars)];
  const differences = [];
  try {
    for (const [i, step] of scenario.steps.entries()) {
      if (step.when && !step.when(sides[0].vars)) continue;
      const [a, b] = await Promise.all(sides.map((s) => s.run(step)));
      if (a === null || step.compare === 'none') continue;
      const diff = diffValues(a, b);
      if (diff.length) differences.push({ step: i, label: label(step), diff });
    }
  } catch (err) {
    return {
      name: scenario.name,
      steps: scenario.steps.length,
      differences,
      error: String(err?.stack ?? err),
    };
  } finally {
    for (const s of sides) s.close();
  }
  return { name: scenario.name, steps: scenario.steps.length, differences };
}

function label(step) {
  if (step.name) return step.name;
  if (step.watch) return `WATCH ${step.path}`;
  if (step.collect) return `collect ${step.collect}`;
  return `${step.method ?? 'GET'} ${step.path}`;
}
