#!/usr/bin/env node
/**
 * Generates `src/http/protobuf-schemas.generated.ts`: the protobuf schemas of the built-in kinds, read from
 * the `generated.proto` files of k8s.io/api and k8s.io/apimachinery at a commit, with each field's JSON
 * name, Go field name and JSON presence (pointer, `omitempty`, inline) read from the Go struct tags of the
 * same packages, since the .proto files do not say how `encoding/json` writes a field.
 *
 * The sources are read from git snapshots of the two repositories, not vendored:
 *
 *   node scripts/generate-protobuf-schemas.mjs --api <k8s.io/api git dir> \
 *     --apimachinery <k8s.io/apimachinery git dir> [--api-ref <commit>] [--apimachinery-ref <commit>]
 *
 * @see https://github.com/kubernetes/kubernetes/tree/master/staging/src/k8s.io/code-generator/cmd/go-to-protobuf
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join('=')
    .split(/=?--/)
    .filter(Boolean)
    .map((pair) => pair.split('=')),
);
if (!args.api || !args.apimachinery) {
  console.error(
    'usage: generate-protobuf-schemas.mjs --api <git dir> --apimachinery <git dir> [--api-ref C] [--apimachinery-ref C]',
  );
  process.exit(2);
}
// The master commits the decoder was first written against: a superset of v0.33 (newer fields such as
// TokenRequestSpec.attestations decode too; a v0.33 client never sends them).
const apiRef = args['api-ref'] ?? '10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2';
const machineryRef = args['apimachinery-ref'] ?? 'eed236ceee2c19c2753a3d93ac0631dc20750454';

/** The API packages whose kinds are served (apiextensions is left out: its JSONSchemaProps has custom JSON). */
const API_PACKAGES = [
  'core/v1',
  'apps/v1',
  'batch/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'coordination/v1',
  'discovery/v1',
  'events/v1',
  'networking/v1',
  'policy/v1',
  'rbac/v1',
  'scheduling/v1',
  'storage/v1',
  'authentication/v1',
  'authorization/v1',
];
/** API group names whose package directory is not `<group>.k8s.io`. */
const API_GROUPS = {
  core: '',
  apps: 'apps',
  batch: 'batch',
  autoscaling: 'autoscaling',
  policy: 'policy',
  rbac: 'rbac.authorization.k8s.io',
};
const MACHINERY_PACKAGES = ['pkg/apis/meta/v1'];

/** Messages with their own JSON form, decoded by hand-written code in protobuf.ts. */
const WELL_KNOWN = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'fieldsV1',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawExtension',
};
const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'bytes']);

function git(dir, ...rest) {
  return execFileSync('git', ['--git-dir', dir, ...rest], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Parses a go-to-protobuf `generated.proto`: flat messages of optional, repeated and map fields. */
function parseProto(text) {
  const pkg = /^package ([\w.]+);/m.exec(text)[1];
  const messages = [];
  let current;
  for (const line of text.split('\n')) {
    const open = /^message (\w+) \{/.exec(line);
    if (open) {
      current = { name: open[1], fullName: `${pkg}.${open[1]}`, fields: [] };
      messages.push(current);
      continue;
    }
    if (/^}/.test(line)) current = undefined;
    if (!current) continue;
    const field = /^\s+(optional|repeated) ([\w.]+) (\w+) = (\d+);/.exec(line);
    const mapField = /^\s+map<(\w+), ([\w.]+)> (\w+) = (\d+);/.exec(line);
    if (field) {
      current.fields.push({
        label: field[1],
        type: resolveType(field[2], pkg),
        name: field[3],
        no: Number(field[4]),
      });
    } else if (mapField) {
      if (mapField[1] !== 'string') throw new Error(`${current.fullName}: map key ${mapField[1]}`);
      current.fields.push({
        label: 'map',
        type: resolveType(mapField[2], pkg),
        name: mapField[3],
        no: Number(mapField[4]),
      });
    } else if (/^\s+(optional|repeated|map|oneof)/.test(line)) {
      throw new Error(`${current.fullName}: cannot parse ${line.trim()}`);
    }
  }
  return { pkg, messages };
}

function resolveType(type, pkg) {
  if (SCALARS.has(type)) return type;
  if (type.startsWith('.')) return type.slice(1);
  if (['double', 'float', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64'].includes(type)) {
    throw new Error(`unsupported scalar ${type}`);
  }
  return `${pkg}.${type}`;
}

/** Go structs by name: each field's Go name, type and `json` / `protobuf` tags; named slice types too. */
function parseGo(text) {
  const structs = new Map();
  const sliceTypes = new Set();
  const rootKinds = new Set();
  let current;
  let currentName;
  for (const line of text.split('\n')) {
    const open = /^type (\w+) struct \{/.exec(line);
    if (open) {
      current = [];
      currentName = open[1];
      structs.set(open[1], current);
      continue;
    }
    const slice = /^type (\w+) \[\]/.exec(line);
    if (slice) sliceTypes.add(slice[1]);
    if (/^}/.test(line)) current = undefined;
    if (!current) continue;
    const named = /^\t(\w+)\s+(\S+)\s+`([^`]*)`/.exec(line);
    const embedded = /^\t(\*?[\w.]+)\s+`([^`]*)`/.exec(line);
    let goName, goType, tags;
    let anonymous = false;
    if (named) [, goName, goType, tags] = named;
    else if (embedded) {
      [, goType, tags] = embedded;
      anonymous = true;
      goName = goType.replace(/^\*/, '').split('.').pop();
    } else continue;
    const json = /json:"([^"]*)"/.exec(tags)?.[1];
    const protobuf = /protobuf:"\w+,(\d+),[^"]*"/.exec(tags);
    const protoNo = protobuf ? Number(protobuf[1]) : undefined;
    const protoName = /protobuf:"[^"]*name=(\w+)/.exec(tags)?.[1];
    if (goType === 'metav1.TypeMeta') rootKinds.add(currentName);
    if (json === undefined || protoNo === undefined) continue;
    const [jsonName, ...options] = json.split(',');
    current.push({
      goName,
      goType,
      jsonName,
      omitempty: options.includes('omitempty'), // encoding/json promotes the fields of an embedded struct without a JSON name (`,inline` means nothing to it).
      inline: anonymous && jsonName === '',
      protoName,
      protoNo,
    });
  }
  return { structs, sliceTypes, rootKinds };
}

function readPackage(dir, path, prefix, ref) {
  const files = git(dir, 'ls-tree', '--name-only', ref, `${path}/`)
    .split('\n')
    .filter((file) => /\.go$/.test(file) && !/(_test|zz_generated\.\w+|generated\.pb|_fuzz)\.go$/.test(file));
  const go = { structs: new Map(), sliceTypes: new Set(), rootKinds: new Set() };
  for (const file of files) {
    const parsed = parseGo(git(dir, 'show', `${ref}:${file}`));
    for (const [name, fields] of parsed.structs) go.structs.set(name, fields);
    for (const name of parsed.sliceTypes) go.sliceTypes.add(name);
    for (const name of parsed.rootKinds) go.rootKinds.add(name);
  }
  const proto = parseProto(git(dir, 'show', `${ref}:${path}/generated.proto`));
  return { ...proto, go, source: `${prefix}/${path}` };
}

const packages = [
  ...MACHINERY_PACKAGES.map((path) =>
    readPackage(args.apimachinery, path, 'k8s.io/apimachinery', machineryRef),
  ),
  ...API_PACKAGES.map((path) => readPackage(args.api, path, 'k8s.io/api', apiRef)),
];

const known = new Set(packages.flatMap((pkg) => pkg.messages.map((message) => message.fullName)));
const out = {};
const rootKinds = {};
const warnings = [];

for (const pkg of packages) {
  for (const message of pkg.messages) {
    if (WELL_KNOWN[message.fullName]) continue;
    const goFields = pkg.go.structs.get(message.name);
    if (!goFields && !pkg.go.sliceTypes.has(message.name))
      warnings.push(`no Go struct for ${message.fullName}`);
    const fields = [];
    for (const field of message.fields) {
      const goField = goFields?.find((candidate) =>
        candidate.protoName ? candidate.protoName === field.name : candidate.protoNo === field.no,
      );
      if (goFields && !goField) warnings.push(`no Go field for ${message.fullName}.${field.name}`);
      let type = field.type;
      if (WELL_KNOWN[type]) type = WELL_KNOWN[type];
      else if (!SCALARS.has(type) && !known.has(type)) {
        // A message of a package not generated here (an alpha API): the field is skipped like an unknown one.
        warnings.push(`unknown type ${type} in ${message.fullName}.${field.name}: skipped`);
        continue;
      }
      const isMessage = !SCALARS.has(type);
      const pointer = goField?.goType.startsWith('*') ?? false;
      let presence;
      if (pointer) presence = 'pointer';
      else if (isMessage && type !== 'bytes') presence = 'value';
      else presence = goField && !goField.omitempty ? 'value' : 'omitempty';
      const entry = [
        field.no,
        goField?.jsonName || field.name,
        type,
        presence,
        goField?.goName ?? field.name,
      ];
      const flags = {};
      if (field.label === 'repeated') flags.list = 'repeated';
      if (field.label === 'map') flags.list = 'map';
      if (goField?.inline) flags.inline = true;
      if (Object.keys(flags).length > 0) entry.push(flags);
      fields.push(entry);
    }
    out[message.fullName] = { name: message.name, fields };
    if (pkg.go.sliceTypes.has(message.name)) out[message.fullName].itemsOnly = true;
  }
}

// Second pass for root kinds: the Go source tells which structs embed TypeMeta.
for (const pkg of packages) {
  if (!pkg.source.startsWith('k8s.io/api/')) continue;
  const [group, version] = pkg.source.replace('k8s.io/api/', '').split('/');
  const apiGroup = API_GROUPS[group] ?? `${group}.k8s.io`;
  const apiVersion = apiGroup ? `${apiGroup}/${version}` : version;
  for (const name of pkg.go.rootKinds) {
    const message = out[`${pkg.pkg}.${name}`];
    // Objects clients send as bodies carry ObjectMeta; the *Options kinds travel as query parameters.
    if (
      name.endsWith('List') ||
      !message?.fields.some(([, json, type]) => json === 'metadata' && type.endsWith('.ObjectMeta'))
    )
      continue;
    rootKinds[`${apiVersion} ${name}`] = `${pkg.pkg}.${name}`;
  }
}

const header = `// Code generated by scripts/generate-protobuf-schemas.mjs from k8s.io/api ${apiRef}
// and k8s.io/apimachinery ${machineryRef}; DO NOT EDIT.
// Field numbers and types come from the packages' generated.proto files, JSON names and presence from their
// Go struct tags (Copyright The Kubernetes Authors, Apache License 2.0).

import type { GeneratedMessage } from './protobuf-schema.js';

/** Every message of the served API packages, by full protobuf name. */
export const GENERATED_MESSAGES: Readonly<Record<string, GeneratedMessage>> = ${JSON.stringify(out, null, 0)
  .replace(/\],\[/g, '],\n    [')
  .replace(/\},"/g, '},\n  "')};

/** The full protobuf message name of each decodable root kind, by \`apiVersion kind\`. */
export const GENERATED_ROOT_KINDS: Readonly<Record<string, string>> = ${JSON.stringify(rootKinds, null, 2)};
`;
const target = resolve(dirname(fileURLToPath(import.meta.url)), '../src/http/protobuf-schemas.generated.ts');
writeFileSync(target, header);
execFileSync('npx', ['prettier', '--write', target], { stdio: 'ignore' });
for (const warning of warnings) console.warn(`warning: ${warning}`);
console.error(`wrote ${target}: ${Object.keys(out).length} messages, ${Object.keys(rootKinds).length} kinds`);
