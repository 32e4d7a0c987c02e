// What legitimately differs between two servers given the same requests, replaced by placeholders before
// comparing: uids, resourceVersions (each distinct value by the order it first appears in the scenario, so
// "the same object, unchanged" stays visible), timestamps, generated names, tokens and certificates, cluster
// IPs, continue tokens, OpenAPI hashes. One Normalizer per scenario and server.

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const TABLE_AGE = /^(\d+(s|m|h|d))+$/;

/** Replaces the values that differ between servers by stable placeholders. */
export class Normalizer {
  /** @param {string} [serverHost] the side's own host:port, replaced by `<server>` wherever it appears */
  constructor(serverHost) {
    this.serverHost = serverHost;
    this.uids = new Map();
    this.rvs = new Map();
    this.generated = new Map();
  }

  /** Learns the generated names and resourceVersions of a body before normalizing it. */
  learn(value) {
    walk(value, (node) => {
      const meta = node.metadata;
      if (meta && typeof meta === 'object') {
        if (
          typeof meta.generateName === 'string' &&
          typeof meta.name === 'string' &&
          meta.name.startsWith(meta.generateName)
        ) {
          if (!this.generated.has(meta.name))
            this.generated.set(meta.name, `${meta.generateName}<gen${this.generated.size + 1}>`);
        }
      }
    });
  }

  rv(value) {
    if (value === '' || value === '0') return value;
    if (!this.rvs.has(value)) this.rvs.set(value, `<rv${this.rvs.size + 1}>`);
    return this.rvs.get(value);
  }

  uid(value) {
    if (!this.uids.has(value)) this.uids.set(value, `<uid${this.uids.size + 1}>`);
    return this.uids.get(value);
  }

  /** Normalizes a string wherever it appears: generated names, RVs and uids inside messages. */
  text(value) {
    let out = value;
    if (this.serverHost) out = out.split(this.serverHost).join('<server>');
    for (const [name, placeholder] of this.generated) out = out.split(name).join(placeholder);
    // "too old resource version: 5 (120)" and the like: the numbers are resourceVersions.
    out = out.replace(/resource ?version:? "?(\d+)"? \((\d+)\)/gi, (m, a, b) =>
      m.replace(a, '<n>').replace(`(${b})`, '(<n>)'),
    );
    out = out.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, (u) =>
      this.uid(u),
    );
    return out;
  }

  /** The normalized copy of a decoded body. */
  value(value, key = '', context = {}) {
    if (Array.isArray(value)) return value.map((v) => this.value(v, key, context));
    if (value && typeof value === 'object') {
      const isTable =
        value.kind === 'Table' &&
        typeof value.apiVersion === 'string' &&
        value.apiVersion.startsWith('meta.k8s.io');
      const out = {};
      for (const [k, v] of Object.entries(value))
        out[k] = this.field(k, v, { ...context, table: context.table || isTable });
      // A list's resourceVersion is the store's revision when it was read: other writers (kube-apiserver's own
      // lease, controllers) move it, so only its presence is compared.
      if (
        Array.isArray(value.items) &&
        value.metadata &&
        typeof value.metadata.resourceVersion === 'string' &&
        value.metadata.resourceVersion !== ''
      ) {
        out.metadata = { ...out.metadata, resourceVersion: '<list-rv>' };
      }
      return out;
    }
    if (typeof value === 'string') return this.scalar(value, key, context);
    return value;
  }

  field(key, value, context) {
    if (typeof value === 'string') {
      if (key === 'resourceVersion') return this.rv(value);
      if (key === 'continue' && value !== '') return '<continue>';
      if (key === 'uid' || key === 'controller-uid' || key === 'batch.kubernetes.io/controller-uid')
        return UID.test(value) ? this.uid(value) : value;
      if ((key === 'clusterIP' || key === 'ip') && IPV4.test(value) && value !== '10.96.0.1') return '<ip>';
      if (key === 'token' || key === 'ca.crt' || key === 'certificate-authority-data')
        return value === '' ? '' : `<${key}>`;
      if (key === 'serverRelativeURL') return value.replace(/hash=[0-9A-F]+/i, 'hash=<hash>');
    }
    if (key === 'clusterIPs' && Array.isArray(value))
      return value.map((ip) => (IPV4.test(ip) && ip !== '10.96.0.1' ? '<ip>' : ip));
    if (key === 'remainingItemCount' && typeof value === 'number') return value;
    return this.value(value, key, context);
  }

  scalar(value, key, context) {
    if (RFC3339.test(value)) return '<time>';
    if (JWT.test(value)) return '<jwt>';
    if (UID.test(value)) return this.uid(value);
    if (context.table && TABLE_AGE.test(value)) return '<age>';
    if (context.table && IPV4.test(value) && value !== '10.96.0.1') return '<ip>';
    return this.text(value);
  }
}

function walk(value, visit) {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
  } else if (value && typeof value === 'object') {
    visit(value);
    for (const v of Object.values(value)) walk(v, visit);
  }
}
