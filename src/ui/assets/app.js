/* global document, EventSource, fetch, URLSearchParams */
// fake-apiserver's web inspector: requests with their RBAC decisions, live, and the objects in the store.
// Everything the server sends is data: the DOM is built with textContent only, never parsed as HTML.
'use strict';

const MAX_REQUESTS = 2000;
const STORE_REFRESH_DELAY_MS = 120;

const $ = (id) => document.getElementById(id);

/** An element with text content, classes, attributes and children (strings become text nodes). */
function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/** `system:serviceaccount:ns:name` as text that may wrap after each colon. */
function breakable(name) {
  return name
    .split(/(?<=:)/)
    .flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part]));
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// ---- Requests ----------------------------------------------------------------------------------------

const requestsTable = $('requests');
const seenDecisions = new Set();

function decisionRow(d) {
  const body = el('tbody', { className: `decision ${d.allowed ? 'allowed' : 'denied'}` });
  body.dataset.seq = String(d.seq);
  const user = el('td', { className: 'user' }, [
    el('div', {}, breakable(d.user)),
    el('div', { className: 'groups', text: d.groups.join(', '), attrs: { title: d.groups.join('\n') } }),
  ]);
  const target = el('td', {
    className: 'target',
    text: d.resource || d.path,
    attrs: { title: `${d.method} ${d.path}` },
  });
  if (d.check === 'impersonation') target.append(el('span', { className: 'tag', text: 'impersonation' }));
  const where = [d.namespace, d.name].filter(Boolean).join(' / ');
  const summary = el('tr', { className: 'summary', attrs: { title: 'click for the full explanation' } }, [
    el('td', { className: 'time', text: d.time.slice(11, 23) }),
    user,
    el('td', { className: 'verb', text: d.verb }),
    target,
    el('td', { className: 'where', text: where }),
    el('td', { className: 'decision-cell' }, [
      el('span', {
        className: `badge ${d.allowed ? 'allowed' : 'denied'}`,
        text: d.allowed ? 'allowed' : 'denied',
      }),
    ]),
    el('td', { className: 'reason', text: d.reason }),
  ]);
  const detail = el('tr', { className: 'detail' }, [
    el('td', { attrs: { colspan: '7' } }, [el('pre', { text: d.explanation })]),
  ]);
  detail.hidden = true;
  summary.addEventListener('click', () => {
    detail.hidden = !detail.hidden;
  });
  body.append(summary, detail);
  body.dataset.search = [
    d.user,
    ...d.groups,
    d.verb,
    d.method,
    d.resource,
    d.path,
    d.namespace,
    d.name,
    d.allowed ? 'allowed' : 'denied',
    d.reason,
    d.check,
  ]
    .join(' ')
    .toLowerCase();
  return body;
}

function matchesFilter(body) {
  if ($('denied-only').checked && !body.classList.contains('denied')) return false;
  const words = $('filter').value.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => body.dataset.search.includes(word));
}

function updateRequestCount() {
  const rows = requestsTable.tBodies;
  let shown = 0;
  for (const body of rows) if (!body.hidden) shown++;
  $('request-count').textContent = shown === rows.length ? `${rows.length}` : `${shown} of ${rows.length}`;
  $('requests-empty').hidden = rows.length > 0;
}

function addDecision(d) {
  if (seenDecisions.has(d.seq)) return;
  seenDecisions.add(d.seq);
  const body = decisionRow(d);
  body.hidden = !matchesFilter(body);
  const head = requestsTable.tHead;
  head.after(body);
  while (requestsTable.tBodies.length > MAX_REQUESTS) {
    const oldest = requestsTable.tBodies[requestsTable.tBodies.length - 1];
    seenDecisions.delete(Number(oldest.dataset.seq));
    oldest.remove();
  }
  updateRequestCount();
}

function applyFilter() {
  for (const body of requestsTable.tBodies) body.hidden = !matchesFilter(body);
  updateRequestCount();
}

$('filter').addEventListener('input', applyFilter);
$('denied-only').addEventListener('change', applyFilter);

// ---- Store -------------------------------------------------------------------------------------------

const store = { kind: undefined, namespaced: false, object: undefined, format: 'yaml' };

function listButton(current, parts, onClick) {
  const button = el('button', { attrs: { type: 'button', 'aria-current': String(current) } }, parts);
  button.addEventListener('click', onClick);
  return el('li', {}, [button]);
}

async function loadKinds() {
  const kinds = await getJson('api/kinds');
  const items = kinds.map((kind) => {
    const item = listButton(
      kind.key === store.kind,
      [el('span', { text: kind.kind }), el('span', { className: 'count', text: String(kind.count) })],
      () => selectKind(kind),
    );
    item.dataset.kind = kind.key;
    item.title = `${kind.apiVersion} ${kind.resource}`;
    return item;
  });
  $('kinds').replaceChildren(...items);
}

async function loadNamespaces() {
  const select = $('namespace');
  const namespaces = await getJson('api/objects?kind=%2Fnamespaces');
  const chosen = select.value;
  const options = [el('option', { text: 'all namespaces', attrs: { value: '' } })];
  for (const { name } of namespaces) options.push(el('option', { text: name, attrs: { value: name } }));
  select.replaceChildren(...options);
  select.value = namespaces.some((n) => n.name === chosen) ? chosen : '';
}

async function loadObjects() {
  if (store.kind === undefined) {
    $('objects').replaceChildren();
    return;
  }
  const query = new URLSearchParams({ kind: store.kind });
  const namespace = $('namespace').value;
  if (namespace && store.namespaced) query.set('namespace', namespace);
  const objects = await getJson(`api/objects?${query}`);
  const items = objects.map((obj) => {
    const current = store.object?.namespace === obj.namespace && store.object?.name === obj.name;
    const parts = [el('span', { className: 'name', text: obj.name })];
    if (obj.namespace) parts.push(el('span', { className: 'namespace', text: obj.namespace }));
    const item = listButton(current, parts, () => selectObject(obj));
    item.dataset.namespace = obj.namespace;
    item.dataset.name = obj.name;
    return item;
  });
  if (items.length === 0) items.push(el('li', { className: 'empty', text: 'none' }));
  $('objects').replaceChildren(...items);
}

async function loadObject() {
  const title = $('object-title');
  const text = $('object-text');
  if (!store.object) {
    title.textContent = 'Pick an object to see it.';
    text.textContent = '';
    return;
  }
  const { namespace, name } = store.object;
  const query = new URLSearchParams({ kind: store.kind, namespace, name, format: store.format });
  const response = await fetch(`api/object?${query}`, { cache: 'no-store' });
  title.textContent = `${store.kind.replace(/^\//, '')} ${namespace ? `${namespace}/` : ''}${name}`;
  text.textContent = response.ok ? await response.text() : `(${response.status}: no longer in the store)`;
}

function selectKind(kind) {
  store.kind = kind.key;
  store.namespaced = kind.namespaced;
  store.object = undefined;
  void refreshStore();
}

function selectObject(obj) {
  store.object = { namespace: obj.namespace, name: obj.name };
  void Promise.all([loadObjects(), loadObject()]).catch(showStoreError);
}

for (const button of document.querySelectorAll('.formats button')) {
  button.addEventListener('click', () => {
    store.format = button.dataset.format;
    for (const other of document.querySelectorAll('.formats button'))
      other.setAttribute('aria-pressed', String(other === button));
    void loadObject().catch(showStoreError);
  });
}

$('namespace').addEventListener('change', () => void loadObjects().catch(showStoreError));

function showStoreError(error) {
  $('object-title').textContent = 'Could not read the store';
  $('object-text').textContent = String(error);
}

function refreshStore() {
  return Promise.all([loadKinds(), loadNamespaces(), loadObjects(), loadObject()]).catch(showStoreError);
}

let refreshTimer;
const pending = { namespaces: false, objects: false, object: false };
function onStoreChange(change) {
  pending.namespaces ||= change.kind === '/namespaces';
  pending.objects ||= change.kind === store.kind;
  pending.object ||=
    change.kind === store.kind &&
    store.object?.namespace === change.namespace &&
    store.object?.name === change.name;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    const loads = [loadKinds()];
    if (pending.namespaces) loads.push(loadNamespaces());
    if (pending.objects) loads.push(loadObjects());
    if (pending.object) loads.push(loadObject());
    pending.namespaces = pending.objects = pending.object = false;
    void Promise.all(loads).catch(showStoreError);
  }, STORE_REFRESH_DELAY_MS);
}

// ---- Live events -------------------------------------------------------------------------------------

function setConnection(state, text) {
  const badge = $('connection');
  badge.dataset.state = state;
  badge.textContent = text;
}

const events = new EventSource('events');
events.addEventListener('decision', (event) => addDecision(JSON.parse(event.data)));
events.addEventListener('store', (event) => onStoreChange(JSON.parse(event.data)));
events.addEventListener('ready', () => {
  setConnection('live', 'live');
  void refreshStore();
});
events.addEventListener('error', () => setConnection('lost', 'reconnecting…'));
updateRequestCount();
