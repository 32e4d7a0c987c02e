// Every verb on every kind: one scenario per (kind, verb), each in a namespace of its own.
import { SAMPLES, collectionPath, objectOf } from '../samples.mjs';

const slug = (s) => `${s.group || 'core'}/${s.version}/${s.resource}`;

/** @returns {{ name: string, group: string, steps: object[] }[]} */
export function verbScenarios() {
  const out = [];
  for (const s of SAMPLES) {
    const coll = collectionPath(s);
    const item = `${coll}/{sid}-a`;
    const obj = objectOf(s, '{sid}-a');
    const create = { method: 'POST', path: coll, body: obj, capture: { rv: 'metadata.resourceVersion' } };
    const cleanup = s.namespaced ? [] : [{ method: 'DELETE', path: item, compare: 'none' }];
    const add = (verb, steps) =>
      out.push({ name: `${slug(s)} ${verb}`, group: 'verbs', steps: [...steps, ...cleanup] });

    add('create', [create, { method: 'GET', path: item }]);
    add('create AlreadyExists', [
      { ...create, compare: 'none' },
      { method: 'POST', path: coll, body: obj },
    ]);
    add('create dry-run', [
      { method: 'POST', path: `${coll}?dryRun=All`, body: obj },
      { method: 'GET', path: item },
    ]);
    add('get NotFound', [{ method: 'GET', path: `${coll}/{sid}-missing` }]);
    add('list by label', [
      create,
      { method: 'POST', path: coll, body: objectOf(s, '{sid}-b'), compare: 'none' },
      { method: 'GET', path: `${coll}?labelSelector=oracle%3D{sid}` },
      ...(s.namespaced ? [] : [{ method: 'DELETE', path: `${coll}/{sid}-b`, compare: 'none' }]),
    ]);
    add('list as Table', [
      create,
      {
        method: 'GET',
        path: `${coll}?labelSelector=oracle%3D{sid}`,
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
    ]);
    add('update', [
      create,
      {
        method: 'PUT',
        path: item,
        body: {
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: '{rv}', labels: { oracle: '{sid}', changed: 'yes' } },
        },
      },
    ]);
    add('update Conflict', [
      create,
      {
        method: 'PUT',
        path: item,
        body: {
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: '1', labels: { oracle: '{sid}', changed: 'yes' } },
        },
      },
    ]);
    add('patch merge', [
      create,
      {
        method: 'PATCH',
        path: item,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { metadata: { labels: { changed: 'merge' } } },
      },
    ]);
    add('patch json', [
      create,
      {
        method: 'PATCH',
        path: item,
        headers: { 'content-type': 'application/json-patch+json' },
        body: [{ op: 'add', path: '/metadata/annotations', value: { note: 'json' } }],
      },
    ]);
    add('patch strategic', [
      create,
      {
        method: 'PATCH',
        path: item,
        headers: { 'content-type': 'application/strategic-merge-patch+json' },
        body: { metadata: { labels: { changed: 'strategic' } } },
      },
    ]);
    add('apply create and change', [
      {
        method: 'PATCH',
        path: `${item}?fieldManager=oracle`,
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: obj,
      },
      {
        method: 'PATCH',
        path: `${item}?fieldManager=oracle`,
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: { ...obj, metadata: { ...obj.metadata, labels: { oracle: '{sid}', applied: 'twice' } } },
      },
    ]);
    add('delete', [
      create,
      { method: 'DELETE', path: item, project: deleteAnswer },
      { method: 'GET', path: item, compare: s.resource === 'namespaces' ? 'none' : 'full' },
    ]);
    add('deletecollection', [
      create,
      { method: 'POST', path: coll, body: objectOf(s, '{sid}-b'), compare: 'none' },
      { method: 'DELETE', path: `${coll}?labelSelector=oracle%3D{sid}`, project: deleteAnswer },
      {
        method: 'GET',
        path: `${coll}?labelSelector=oracle%3D{sid}`,
        compare: s.resource === 'namespaces' ? 'none' : 'full',
      },
    ]);
    add('watch', [
      { watch: 'w', path: `${coll}?watch=1&labelSelector=oracle%3D{sid}` },
      create,
      {
        method: 'PATCH',
        path: item,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { metadata: { labels: { changed: 'watched' } } },
        compare: 'none',
      },
      { collect: 'w', count: 2, timeoutMs: 3000, project: watchEvent },
    ]);
  }
  return out;
}

/** What a DELETE answers, minus what a terminating object's finalizers make racy. */
function deleteAnswer(body) {
  return body;
}

/** A watch event's type and object. */
function watchEvent(event) {
  return event;
}
