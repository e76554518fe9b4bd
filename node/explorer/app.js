// Swarmchain explorer: the model lineage and the live network, over the node's JSON-RPC
// WebSocket. No libraries. Every piece of chain data reaches the page through textContent or
// DOM attributes, never as HTML: model names and descriptions are written by users.

// ==== DOM and formatting helpers ====

const $ = (selector) => document.querySelector(selector);
const SVG_NS = 'http://www.w3.org/2000/svg';
/** Appends `value` to the list under `key` in the map `m`. */
const push = (m, key, value) => (m.get(key) ?? m.set(key, []).get(key)).push(value);

/** Builds an element: attrs `class`, `text`, `dataset`, others as attributes; kids as nodes or text. */
function build(element, attrs = {}, kids = []) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) element.append(kid instanceof Node ? kid : String(kid));
  }
  return element;
}
const el = (tag, attrs, ...kids) => build(document.createElement(tag), attrs, kids);
const svgEl = (tag, attrs, ...kids) => build(document.createElementNS(SVG_NS, tag), attrs, kids);

/** The token's decimals and symbol (from `system_properties`) and the chain's name. */
const chain = { decimals: 12, symbol: 'SWARM', name: '' };

/** A planck amount (decimal string) in tokens, rounded to 4 decimals: `1,000.0000 SWARM`. */
function fmtBalance(planck) {
  let value;
  try { value = BigInt(planck); } catch { return planck == null ? '—' : String(planck); }
  const sign = value < 0n ? '-' : '';
  if (value < 0n) value = -value;
  const d = chain.decimals;
  const units = d >= 4 ? (value + 10n ** BigInt(d - 4) / 2n) / 10n ** BigInt(d - 4) : value * 10n ** BigInt(4 - d);
  const fraction = (units % 10000n).toString().padStart(4, '0');
  return `${sign}${(units / 10000n).toLocaleString('en-US')}.${fraction} ${chain.symbol}`;
}

/** A fraction given as a decimal string (`"0.5"`) as a percentage (`50.0%`). */
function fmtPercent(s) {
  const x = Number.parseFloat(s);
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : String(s ?? '—');
}

function fmtBytes(n) {
  if (!Number.isFinite(n)) return '—';
  const i = n < 1024 ? 0 : Math.min(4, Math.floor(Math.log2(n) / 10));
  return i === 0 ? `${n} B` : `${(n / 1024 ** i).toFixed(1)} ${['B', 'KiB', 'MiB', 'GiB', 'TiB'][i]}`;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const shortText = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const shortHash = (h) => (h && h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h ?? '—');
const shortAddr = (a) => (a && a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a ?? '—');
const account = (a) => el('span', { class: 'mono', title: a, text: shortAddr(a) });
const block = (n) => (n == null ? '—' : `#${n}`);
const idList = (ids) => (ids && ids.length ? ids.join(', ') : '—');
const versionLink = (id, text = `#${id}`) => el('a', { href: `#/version/${id}`, text });
const tags = (words) => (words.length ? words.map((a) => el('span', { class: 'tag', text: a })) : '—');

/** `federated_round` (or `federatedRound`) as words: `federated round`. */
const derivationLabel = (d) => String(d).replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** What the user typed as a model or version: a number when it is all digits, else the text. */
const numOrText = (s) => (/^\d+$/.test(s) ? Number(s) : s);

/** Replaces a table body's rows, or shows a single "none yet" row. */
function fillTable(selector, rows) {
  const tbody = $(`${selector} tbody`);
  const columns = tbody.closest('table').querySelectorAll('thead th').length || 1;
  if (rows.length) tbody.replaceChildren(...rows);
  else tbody.replaceChildren(el('tr', { class: 'empty' }, el('td', { colspan: columns, text: 'none yet' })));
}

function factList(pairs) {
  return el('dl', { class: 'facts' }, pairs.map(([term, value]) => [
    el('dt', { text: term }), el('dd', {}, value == null || value === '' ? '—' : value)]));
}

// ==== Error banner ====

function showError(error) {
  $('#error-text').textContent = error && error.message ? error.message : String(error);
  $('#error').hidden = false;
}

function clearError() {
  $('#error').hidden = true;
  $('#error-text').textContent = '';
}

/** Wraps an async handler so that its failure goes to the banner, not to the console. */
const guarded = (fn) => (...args) => Promise.resolve().then(() => fn(...args)).catch(showError);

// ==== JSON-RPC 2.0 client over a WebSocket, with subscriptions and reconnection ====

class RpcError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

class RpcClient {
  constructor(url, onState) {
    Object.assign(this, { url, onState, nextId: 1, pending: new Map(), subscriptions: [], attempt: 0, opened: false });
    this.onOpen = () => {};
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
  }

  connect() {
    this.onState('connecting');
    let ws;
    try { ws = new WebSocket(this.url); } catch (e) { this.onState('error', e.message); this.retry(); return; }
    this.ws = ws;
    ws.onopen = () => {
      Object.assign(this, { attempt: 0, opened: true });
      this.onState('connected');
      this.markReady();
      for (const sub of this.subscriptions) this.sendSubscribe(sub);
      this.onOpen();
    };
    ws.onmessage = (event) => this.receive(event.data);
    ws.onerror = () => {};
    ws.onclose = () => this.closed(ws);
  }

  /** Fails the requests in flight and reconnects; calls made meanwhile wait for the connection. */
  closed(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    if (this.opened) {
      this.opened = false;
      this.ready = new Promise((resolve) => { this.markReady = resolve; });
    }
    for (const request of this.pending.values()) {
      clearTimeout(request.timer);
      request.reject(new RpcError(-1, `${request.method}: the connection to the node was lost`));
    }
    this.pending.clear();
    for (const sub of this.subscriptions) sub.id = null;
    this.retry();
  }

  retry() {
    const delay = Math.min(500 * 2 ** this.attempt, 15000);
    this.attempt += 1;
    this.onState('disconnected', delay);
    setTimeout(() => this.connect(), delay);
  }

  /** Calls `method` once connected; trailing undefined parameters (an absent `at`) are dropped. */
  async call(method, params = []) {
    const trimmed = [...params];
    while (trimmed.length && trimmed[trimmed.length - 1] === undefined) trimmed.pop();
    while (!this.ws || this.ws.readyState !== WebSocket.OPEN) await this.ready;
    return this.send(method, trimmed);
  }

  send(method, params) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(-2, `${method}: the node did not answer within 30 s`));
      }, 30000);
      this.pending.set(id, { resolve, reject, timer, method });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Subscribes now and after every reconnection; `onResult` gets each notification's result. */
  subscribe(method, params, notification, onResult) {
    const sub = { method, params, notification, onResult, id: null };
    this.subscriptions.push(sub);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.sendSubscribe(sub);
  }

  sendSubscribe(sub) {
    this.send(sub.method, sub.params).then((id) => { sub.id = id; }, showError);
  }

  receive(text) {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    for (const m of Array.isArray(message) ? message : [message]) {
      const request = m.id != null && this.pending.get(m.id);
      if (request) {
        this.pending.delete(m.id);
        clearTimeout(request.timer);
        if (m.error) request.reject(new RpcError(m.error.code, m.error.message ?? 'unknown error'));
        else request.resolve(m.result);
      } else if (m.method && m.params && m.params.subscription != null) {
        const sub = this.subscriptions.find((s) => s.notification === m.method && s.id === m.params.subscription);
        if (sub) sub.onResult(m.params.result);
      }
    }
  }
}

/** The RPC URL: `?rpc=`, else `/config.json`'s with 127.0.0.1 replaced by the page's own host. */
async function rpcUrl() {
  const override = new URLSearchParams(location.search).get('rpc');
  if (override) return override;
  let url = 'ws://127.0.0.1:9944';
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) url = (await response.json()).rpc || url;
  } catch { /* keep the default */ }
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '127.0.0.1' && location.hostname && location.hostname !== '127.0.0.1') {
      parsed.hostname = location.hostname;
      url = parsed.toString().replace(/\/$/, '');
    }
  } catch { /* not a URL: try it as it is */ }
  return url;
}

let rpc = null;

function onConnectionState(state, detail) {
  const conn = $('#conn');
  conn.dataset.state = state;
  conn.textContent = state === 'connected' ? `connected · ${rpc.url}`
    : state === 'disconnected' ? `disconnected · retrying in ${Math.round(detail / 1000) || 1} s`
      : state === 'error' ? `cannot connect: ${detail}` : 'connecting…';
}

// ==== Routing: #/network, #/lineage, #/model/<name or id>, #/version/<id> ====

let routeSeq = 0;
let currentView = 'network';

function parseRoute() {
  let hash = location.hash.replace(/^#\/?/, '');
  try { hash = decodeURIComponent(hash); } catch { /* keep it raw */ }
  const slash = hash.indexOf('/');
  const [view, arg] = slash < 0 ? [hash, ''] : [hash.slice(0, slash), hash.slice(slash + 1)];
  if ((view === 'version' || view === 'model') && arg) return { view: 'lineage', kind: view, arg };
  return { view: view === 'lineage' ? 'lineage' : 'network' };
}

function showView(view) {
  currentView = view;
  for (const name of ['lineage', 'network']) {
    $(`#${name}`).hidden = view !== name;
    const tab = $(`#tab-${name}`);
    tab.classList.toggle('active', view === name);
    if (view === name) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

async function route() {
  const seq = ++routeSeq;
  const target = parseRoute();
  clearError();
  showView(target.view);
  if (target.view === 'network') { scheduleNetworkRefresh(0); return; }
  if (!target.kind) return;
  $('#tab-lineage').setAttribute('href', location.hash);
  $('#lineage-hint').hidden = true;
  try {
    await (target.kind === 'version' ? openVersion(target.arg, seq) : openModel(target.arg, seq));
  } catch (e) {
    if (seq === routeSeq) showError(e);
  }
}

/** Sets the hash, or re-runs the route when it is already the current one. */
function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ==== Search: a model name or id, a version reference (name@alias, name@v2) or a version id ====

async function search(text) {
  const query = text.trim();
  if (!query) return;
  clearError();
  const notFound = (e) => e instanceof RpcError && (e.code === 4001 || e.code === 4002);
  if (query.includes('@') || /^\d+$/.test(query)) {
    try {
      const version = await rpc.call('models_version', [numOrText(query)]);
      navigate(`#/version/${version.id}`);
      return;
    } catch (e) {
      if (!notFound(e)) throw e;
      if (query.includes('@')) throw new Error(`No version “${query}”: ${e.message}`);
    }
  }
  try {
    const model = await rpc.call('models_model', [numOrText(query)]);
    navigate(`#/model/${encodeURIComponent(model.name)}`);
  } catch (e) {
    if (!notFound(e)) throw e;
    throw new Error(`Nothing found for “${query}”: no model by that name or id, and no version with that id.`);
  }
}

// ==== Lineage view: the model, its versions table and the selected version's details ====

const PAGE = 50;
const lineage = { model: null, start: 1, selected: null, cardUrl: null };
const modelNames = new Map();
const versionCache = new Map();
const roundCache = new Map();

function remember(version) {
  versionCache.set(version.id, version);
  modelNames.set(version.model, version.modelName);
}

async function openModel(arg, seq) {
  const model = await rpc.call('models_model', [numOrText(arg)]);
  if (seq !== routeSeq) return;
  await showModel(model, seq);
  if (model.versionCount === 0) { selectNone('This model has no versions yet.'); return; }
  const latest = await rpc.call('models_version', [`${model.id}@latest`]);
  if (seq === routeSeq) await selectVersion(latest, seq);
}

async function openVersion(arg, seq) {
  const version = await rpc.call('models_version', [numOrText(arg)]);
  if (seq !== routeSeq) return;
  if (!lineage.model || lineage.model.id !== version.model) {
    const model = await rpc.call('models_model', [version.model]);
    if (seq !== routeSeq) return;
    await showModel(model, seq);
  }
  await selectVersion(version, seq);
}

async function showModel(model, seq) {
  lineage.model = model;
  modelNames.set(model.id, model.name);
  $('#model-header').replaceChildren(
    el('h2', { text: model.name }, el('span', { class: 'muted', text: ` model #${model.id}` })),
    el('p', { class: 'description', text: model.description || 'No description.' }),
    factList([['Owner', account(model.owner)], ['Licence', model.licence],
      ['Derivation', model.derivationPolicy === 'owner_only' ? 'owner only' : model.derivationPolicy],
      ['Created', block(model.createdAt)], ['Versions', model.versionCount]]));
  lineage.start = model.versionCount + 1;
  fillTable('#versions', []);
  await loadVersionsPage(seq);
}

/** Loads the next (older) page of the model's versions; the table lists them newest first. */
async function loadVersionsPage(seq = routeSeq) {
  const model = lineage.model;
  const start = Math.max(1, lineage.start - PAGE);
  const more = $('#versions-more');
  if (lineage.start - start <= 0) { more.hidden = true; return; }
  const page = await rpc.call('models_versions', [model.id, start, lineage.start - start]);
  if (seq !== routeSeq || lineage.model !== model) return;
  lineage.start = start;
  const tbody = $('#versions tbody');
  tbody.querySelector('tr.empty')?.remove();
  for (const version of [...page.versions].reverse()) {
    remember(version);
    tbody.append(versionRow(version));
  }
  more.hidden = start <= 1;
  more.textContent = `More (${tbody.rows.length} of ${page.versionCount} shown)`;
  markSelectedRow();
}

function versionRow(v) {
  const status = [v.deprecatedAt != null && `deprecated at #${v.deprecatedAt}`,
    v.overturned && `overturned at #${v.overturned.at}`].filter(Boolean).join(', ');
  return el('tr', { dataset: { version: v.id }, tabindex: 0, title: v.reference },
    el('td', {}, versionLink(v.id, `v${v.number}`), el('span', { class: 'muted', text: ` #${v.id}` })),
    el('td', {}, el('span', { class: 'mono', title: v.weightsHash, text: shortHash(v.weightsHash) })),
    el('td', { text: fmtBytes(v.weightsSize) }),
    el('td', { text: v.metrics.map((m) => `${m.name} ${m.value}`).join(', ') || '—' }),
    el('td', {}, tags(v.aliases)),
    el('td', { class: status ? 'warn' : null, text: status || '—' }),
    el('td', {}, producer(v.producer)),
    el('td', { text: block(v.publishedAt) }));
}

function producer(p) {
  if (p && p.round != null) return `round ${p.round}`;
  return p && p.account ? account(p.account) : '—';
}

function markSelectedRow() {
  for (const row of document.querySelectorAll('#versions tr[data-version]')) {
    row.classList.toggle('selected', Number(row.dataset.version) === lineage.selected);
  }
}

function selectNone(message) {
  lineage.selected = null;
  markSelectedRow();
  $('#version-details').replaceChildren(el('p', { class: 'hint', text: message }));
  graph.data = null;
  graph.layout = null;
  $('#graph').replaceChildren();
  $('#graph-deeper').hidden = true;
}

async function selectVersion(version, seq) {
  remember(version);
  if (lineage.selected !== version.id) resetGraph(version.id);
  lineage.selected = version.id;
  markSelectedRow();
  renderVersionDetails(version, null);
  const current = () => seq === routeSeq;
  const results = await Promise.allSettled([
    rpc.call('models_contributors', [version.id]).then((c) => current() && renderVersionDetails(version, c)),
    rpc.call('models_card', [version.id]).then((card) => current() && setCard(card)),
    loadGraph(seq)]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed && current()) showError(failed.reason);
}

function renderVersionDetails(v, contributors) {
  const config = v.config || {};
  const configText = config.kind === 'inline' ? (config.text ?? config.bytes) : config.hash;
  const parents = v.parents.length ? v.parents.map((p, i) => [i ? ', ' : '', versionLink(p.id),
    ` (${derivationLabel(p.derivation)})`]) : 'none (a root)';
  const o = v.overturned;
  const overturned = o ? [`by a dispute of round ${o.round} at #${o.at}`,
    o.corrected != null ? [', corrected by ', versionLink(o.corrected)] : ''] : 'no';
  const link = $('#card-download');
  $('#version-details').replaceChildren(
    el('h3', { text: v.reference }),
    factList([
      ['Version id', v.id], ['Model', el('a', { href: `#/model/${v.model}`, text: v.modelName })],
      ['Number', `v${v.number}`], ['Weights hash', el('span', { class: 'mono wrap', text: v.weightsHash })],
      ['Weights size', `${fmtBytes(v.weightsSize)} (${v.weightsSize} bytes)`],
      ['Config', configText && el('span', { class: 'mono wrap', title: config.kind, text: configText })],
      ['Metrics', v.metrics.map((m) => el('div', { text: `${m.name}: ${m.value}` }))],
      ['Parents', parents], ['Producer', producer(v.producer)], ['Publisher', account(v.publisher)],
      ['Published', block(v.publishedAt)], ['Deprecated', v.deprecatedAt != null ? `at #${v.deprecatedAt}` : 'no'],
      ['Overturned', overturned], ['Aliases', tags(v.aliases)],
      ['Contributors', contributors ? contributorsView(contributors) : el('span', { class: 'muted', text: 'loading…' })],
    ]),
    link && link.dataset.version === String(v.id) ? link : el('a', { id: 'card-download', class: 'button disabled',
      download: 'README.md', 'aria-disabled': 'true', text: 'Model card (README.md)' }));
}

function contributorsView(c) {
  const accounts = c.accounts.slice(0, 12).map((a) => el('div', {}, account(a)));
  if (c.accounts.length > 12) accounts.push(el('div', { class: 'muted', text: `and ${c.accounts.length - 12} more` }));
  return [el('div', { text: `${plural(c.accounts.length, 'account')}, ${plural(c.rounds.length, 'round')}, `
      + `${plural(c.versions, 'version')}${c.truncated ? ' (truncated)' : ''}` }),
  accounts, c.rounds.length > 0 && el('div', { text: `rounds: ${c.rounds.join(', ')}` })];
}

/** Offers the version's model card as a download, from a Blob URL. */
function setCard(card) {
  if (lineage.cardUrl) URL.revokeObjectURL(lineage.cardUrl);
  lineage.cardUrl = URL.createObjectURL(new Blob([card.card], { type: 'text/markdown' }));
  const link = $('#card-download');
  const name = card.fileName || 'README.md';
  Object.assign(link, { href: lineage.cardUrl, download: name, textContent: `Download model card (${name})` });
  link.dataset.version = String(card.version);
  link.classList.remove('disabled');
  link.removeAttribute('aria-disabled');
}

// ==== Lineage graph: data (the ancestors and descendants of the selected version) ====

const GRAPH = { depth: 64, nodeW: 150, nodeH: 30, gapX: 180, gapY: 130, run: 6, reveal: 25, layerCap: 40 };
const graph = { selected: null, depth: GRAPH.depth, data: null, layout: null, path: null, view: null,
  expanded: new Map(), caps: new Map(), renderTimer: null };

function resetGraph(id) {
  Object.assign(graph, { selected: id, depth: GRAPH.depth, data: null, layout: null, path: null, view: null });
  graph.expanded.clear();
  graph.caps.clear();
  $('#path-result').textContent = '';
  $('#path-to').value = '';
}

async function loadGraph(seq) {
  const id = graph.selected;
  const [up, down] = await Promise.all([
    rpc.call('models_ancestors', [id, graph.depth]), rpc.call('models_descendants', [id, graph.depth])]);
  if (seq !== routeSeq || id !== graph.selected) return;
  const nodes = new Map();
  for (const n of up.nodes) nodes.set(n.id, { ...n, side: n.id === id ? 0 : -1 });
  for (const n of down.nodes) if (!nodes.has(n.id)) nodes.set(n.id, { ...n, side: 1 });
  const edges = [];
  for (const n of nodes.values()) {
    for (const p of n.parents) if (nodes.has(p.id)) edges.push({ parent: p.id, child: n.id, derivation: p.derivation });
  }
  graph.data = { nodes, edges };
  // The walks stop at the depth asked for without saying so: nodes at that depth may go on.
  $('#graph-deeper').hidden = !(up.truncated || down.truncated
    || up.nodes.some((n) => n.depth >= graph.depth && n.parents.length) || down.nodes.some((n) => n.depth >= graph.depth));
  relayout();
}

/** Fetches the details of the versions and rounds the graph shows, six at a time. */
const loader = { queue: [], active: 0, queued: new Set() };
function fetchLater(key, task) {
  if (loader.queued.has(key)) return;
  loader.queued.add(key);
  loader.queue.push(task);
  pumpLoader();
}
function pumpLoader() {
  while (loader.active < 6 && loader.queue.length) {
    loader.active += 1;
    loader.queue.shift()().finally(() => { loader.active -= 1; scheduleGraphRender(); pumpLoader(); });
  }
}
function wantVersion(id) {
  if (versionCache.has(id)) return;
  fetchLater(`v${id}`, () => rpc.call('models_version', [id]).then(remember, () => versionCache.set(id, null)));
}
function wantRound(id) {
  if (roundCache.has(id)) return;
  fetchLater(`r${id}`, () => rpc.call('rounds_round', [id]).then((r) => roundCache.set(id, r), () => roundCache.set(id, null)));
}

// ==== Lineage graph: collapsed chains, layers (generations), barycenter ordering, positions ====

/** The displayed graph: version nodes, and runs of over 6 single-parent single-child versions folded. */
function displayGraph() {
  const { nodes, edges } = graph.data;
  const parentsOf = new Map(); const childrenOf = new Map();
  for (const e of edges) { push(parentsOf, e.child, e); push(childrenOf, e.parent, e); }
  const chainable = (id) => id !== graph.selected && parentsOf.get(id)?.length === 1 && childrenOf.get(id)?.length === 1;
  const owner = new Map(); const disp = new Map();
  const add = (key, kind, ids, extra = {}) => {
    disp.set(key, { key, kind, ids, side: nodes.get(ids[0]).side, ...extra });
    for (const id of ids) owner.set(id, key);
  };
  for (const id of nodes.keys()) {
    if (!chainable(id) || chainable(parentsOf.get(id)[0].parent)) continue;
    const run = [];
    for (let cur = id; chainable(cur) && run.length <= nodes.size; cur = childrenOf.get(cur)[0].child) run.push(cur);
    const reveal = graph.expanded.get(run[0]) ?? 0;
    if (run.length - 2 * reveal <= GRAPH.run) continue;
    add(`c${run[0]}`, 'collapsed', run.slice(reveal, run.length - reveal), { run: run[0] });
  }
  for (const id of nodes.keys()) if (!owner.has(id)) add(`v${id}`, 'version', [id]);
  return { disp, owner, edges: mapEdges(edges, owner) };
}

/** The version edges between displayed nodes, one per pair, each keeping its first version edge. */
function mapEdges(edges, owner) {
  const seen = new Map();
  for (const e of edges) {
    const from = owner.get(e.parent); const to = owner.get(e.child);
    if (from !== to && !seen.has(`${from}>${to}`)) seen.set(`${from}>${to}`, { ...e, from, to });
  }
  return [...seen.values()];
}

/** Layers: 0 for the selected version, -n for ancestors, +n for descendants (longest paths). */
function assignLayers(disp, edges) {
  const preds = new Map(); const succs = new Map(); const indegree = new Map([...disp.keys()].map((k) => [k, 0]));
  for (const e of edges) { push(preds, e.to, e.from); push(succs, e.from, e.to); indegree.set(e.to, indegree.get(e.to) + 1); }
  const order = [...disp.keys()].filter((k) => indegree.get(k) === 0);
  for (let i = 0; i < order.length; i += 1) {
    for (const t of succs.get(order[i]) ?? []) {
      indegree.set(t, indegree.get(t) - 1);
      if (indegree.get(t) === 0) order.push(t);
    }
  }
  const layer = new Map([[`v${graph.selected}`, 0]]);
  const side = (k) => disp.get(k).side;
  for (const k of order.filter((o) => side(o) > 0)) {
    const above = (preds.get(k) ?? []).filter((p) => layer.has(p) && side(p) >= 0).map((p) => layer.get(p) + 1);
    layer.set(k, above.length ? Math.max(...above) : 1);
  }
  for (const k of order.filter((o) => side(o) < 0).reverse()) {
    const below = (succs.get(k) ?? []).filter((s) => layer.has(s) && side(s) <= 0).map((s) => layer.get(s) - 1);
    layer.set(k, below.length ? Math.min(...below) : -1);
  }
  return { layer, preds, succs };
}

/** Orders each layer by the barycenter of its neighbours, sweeping down and up twice. */
function orderLayers(disp, layer, preds, succs) {
  const layers = new Map();
  for (const [k, l] of layer) push(layers, l, k);
  const minId = new Map([...disp.values()].map((d) => [d.key, Math.min(...d.ids)]));
  const levels = [...layers.keys()].sort((a, b) => a - b);
  for (const l of levels) layers.get(l).sort((a, b) => minId.get(a) - minId.get(b));
  const pos = new Map();
  const index = (l) => layers.get(l).forEach((k, i) => pos.set(k, i - (layers.get(l).length - 1) / 2));
  levels.forEach(index);
  for (let pass = 0; pass < 4; pass += 1) {
    const near = pass % 2 === 0 ? preds : succs;
    for (const l of pass % 2 === 0 ? levels : [...levels].reverse()) {
      const bary = (k) => {
        const ns = (near.get(k) ?? []).filter((n) => pos.has(n));
        return ns.length ? ns.reduce((s, n) => s + pos.get(n), 0) / ns.length : pos.get(k);
      };
      layers.set(l, layers.get(l).map((k) => [k, bary(k)]).sort((a, b) => a[1] - b[1]).map(([k]) => k));
      index(l);
    }
  }
  return { layers, levels };
}

/** Folds the nodes of a layer beyond its cap (40) into one "… N versions" node. */
function capLayers(disp, layers, layer) {
  const folded = new Map();
  for (const [l, keys] of layers) {
    const cap = graph.caps.get(l) ?? GRAPH.layerCap;
    if (keys.length <= cap + 1) continue;
    const hidden = keys.splice(cap);
    const key = `o${l}`;
    const ids = hidden.flatMap((k) => disp.get(k).ids);
    disp.set(key, { key, kind: 'collapsed', ids, side: disp.get(hidden[0]).side, overflow: l });
    for (const k of hidden) { folded.set(k, key); disp.delete(k); layer.delete(k); }
    keys.push(key);
    layer.set(key, l);
  }
  return folded;
}

/** Places each layer, top down, under the mean of its parents and at least gapX apart. */
function placeNodes(layers, levels, preds) {
  const x = new Map();
  for (const l of levels) {
    const keys = layers.get(l);
    const wants = keys.map((k) => {
      const ps = (preds.get(k) ?? []).filter((p) => x.has(p));
      return ps.length ? ps.reduce((s, p) => s + x.get(p), 0) / ps.length : null;
    });
    const xs = [];
    keys.forEach((k, i) => {
      const previous = i ? xs[i - 1] : -Infinity;
      xs.push(Math.max(wants[i] ?? (i ? previous + GRAPH.gapX : 0), previous + GRAPH.gapX));
    });
    const offsets = wants.map((w, i) => (w == null ? null : w - xs[i])).filter((d) => d != null);
    const shift = offsets.length ? offsets.reduce((s, d) => s + d, 0) / offsets.length : -(xs[0] + xs[xs.length - 1]) / 2;
    keys.forEach((k, i) => x.set(k, xs[i] + shift));
  }
  return x;
}

function relayout() {
  if (!graph.data) return;
  const { disp, owner, edges } = displayGraph();
  const { layer, preds, succs } = assignLayers(disp, edges);
  const { layers, levels } = orderLayers(disp, layer, preds, succs);
  const folded = capLayers(disp, layers, layer);
  for (const [id, key] of owner) if (folded.has(key)) owner.set(id, folded.get(key));
  const shown = mapEdges(graph.data.edges, owner);
  const shownPreds = new Map();
  for (const e of shown) push(shownPreds, e.to, e.from);
  const x = placeNodes(layers, levels, shownPreds);
  const pos = new Map([...disp.keys()].map((k) => [k, { x: x.get(k), y: layer.get(k) * GRAPH.gapY }]));
  graph.layout = { disp, edges: shown, pos };
  renderGraph();
  if (!graph.view) fitGraph();
}

// ==== Lineage graph: SVG rendering ====

function scheduleGraphRender() {
  clearTimeout(graph.renderTimer);
  graph.renderTimer = setTimeout(() => { if (graph.layout) renderGraph(); }, 60);
}

/** The round node's lines and tooltip: "round N", then its participants while it is stored. */
function roundLines(round) {
  const info = roundCache.get(round);
  if (!info) return [`round ${round}`, null, `round ${round}`];
  const ids = info.participants.map((p) => p.node);
  const list = ids.length > 4 ? `${ids.slice(0, 4).join(', ')}, …` : ids.join(', ');
  const title = info.participants.map((p) => `node ${p.node}: ${p.outcome ?? p.vote}`).join('\n');
  return [`round ${round}`, `${plural(ids.length, 'node')}: ${list || '—'}`, `round ${round}, ${info.phase.name}\n${title}`];
}

function renderGraph() {
  const { disp, edges, pos } = graph.layout;
  const { nodeW: W, nodeH: H } = GRAPH;
  const path = graph.path;
  const edgeLayer = svgEl('g', { class: 'edges' });
  const nodeLayer = svgEl('g', { class: 'nodes' });
  const rounds = new Map();
  for (const d of disp.values()) {
    if (d.kind !== 'version') continue;
    wantVersion(d.ids[0]);
    const round = versionCache.get(d.ids[0])?.producer?.round;
    if (round != null) { rounds.set(d.key, round); wantRound(round); }
  }
  for (const e of edges) {
    const a = pos.get(e.from); const b = pos.get(e.to);
    const viaRound = rounds.has(e.to) && derivationLabel(e.derivation) === 'federated round';
    drawEdge(edgeLayer, { x: a.x, y: a.y + H / 2 }, { x: b.x, y: b.y - H / 2 - (viaRound ? 56 : 0) },
      derivationLabel(e.derivation), Boolean(path && path.steps.has(`${e.parent}>${e.child}`)));
  }
  for (const [key, round] of rounds) {
    const b = pos.get(key);
    const id = disp.get(key).ids[0];
    const hit = Boolean(path && graph.data.nodes.get(id).parents.some((p) => path.steps.has(`${p.id}>${id}`)));
    drawEdge(edgeLayer, { x: b.x, y: b.y - H / 2 - 20 }, { x: b.x, y: b.y - H / 2 }, null, hit);
    const [first, second, title] = roundLines(round);
    nodeLayer.append(svgEl('g', { class: `round-node${hit ? ' on-path' : ''}`, dataset: { round },
      transform: `translate(${b.x},${b.y - H / 2 - 38})` }, svgEl('title', { text: title }),
    svgEl('rect', { x: -W / 2, y: -18, width: W, height: 36, rx: 10 }), svgEl('text', { y: second ? -4 : 4, text: first }),
    second && svgEl('text', { class: 'sub', y: 11, text: shortText(second, 24) })));
  }
  for (const d of disp.values()) {
    nodeLayer.append(drawNode(d, pos.get(d.key), Boolean(path && d.ids.some((id) => path.ids.has(id)))));
  }
  $('#graph').replaceChildren(arrowDefs(), edgeLayer, nodeLayer);
  if (graph.view) applyView();
}

/** An edge from a to b, with an arrow and the derivation word half-way. */
function drawEdge(parent, a, b, label, onPath) {
  const dy = (b.y - a.y) / 2;
  const on = onPath ? ' on-path' : '';
  parent.append(svgEl('path', { class: `edge${on}`, 'marker-end': `url(#${onPath ? 'arrow-on' : 'arrow'})`,
    d: `M${a.x},${a.y} C${a.x},${a.y + dy} ${b.x},${b.y - dy} ${b.x},${b.y}` }));
  if (label) parent.append(svgEl('text', { class: `edge-label${on}`, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 + 4, text: label }));
}

/** A version node (`<model> v<n>`, or `#<model id> v<n>` until its name arrives) or a folded one. */
function drawNode(d, p, onPath) {
  const { nodeW: W, nodeH: H } = GRAPH;
  const id = d.ids[0];
  const on = onPath ? ' on-path' : '';
  let attrs; let label; let title;
  if (d.kind === 'version') {
    const n = graph.data.nodes.get(id);
    const name = modelNames.get(n.model);
    label = `${name ? shortText(name, 14) : `#${n.model}`} v${n.number}`;
    title = versionCache.get(id)?.reference ?? `version ${id}`;
    attrs = { class: `node${id === graph.selected ? ' selected' : ''}${on}`, dataset: { version: id },
      role: 'link', 'aria-label': `${title} (version ${id})` };
  } else {
    label = `… ${d.ids.length} versions`;
    title = `${d.ids.length} versions (#${Math.min(...d.ids)}–#${Math.max(...d.ids)}): click to expand`;
    attrs = { class: `collapsed${on}`, dataset: { count: d.ids.length, key: d.key }, role: 'button', 'aria-label': title };
  }
  return svgEl('g', { ...attrs, tabindex: 0, transform: `translate(${p.x},${p.y})` }, svgEl('title', { text: title }),
    svgEl('rect', { x: -W / 2, y: -H / 2, width: W, height: H, rx: 6 }), svgEl('text', { y: 5, text: label }));
}

function arrowDefs() {
  const marker = (id) => svgEl('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' }, svgEl('path', { d: 'M0,0 L10,5 L0,10 z' }));
  return svgEl('defs', {}, marker('arrow'), marker('arrow-on'));
}

// ==== Lineage graph: pan, zoom, clicks and the derivation path ====

function applyView() {
  const v = graph.view;
  $('#graph').setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
}

/** Fits the whole graph; unless `force`, centres the selected version when it would be too small. */
function fitGraph(force = false) {
  if (!graph.layout) return;
  const svg = $('#graph');
  const cw = svg.clientWidth || 900; const ch = svg.clientHeight || 540;
  const xs = [...graph.layout.pos.values()].map((p) => p.x); const ys = [...graph.layout.pos.values()].map((p) => p.y);
  const [minX, maxX] = [Math.min(...xs) - GRAPH.nodeW, Math.max(...xs) + GRAPH.nodeW];
  const [minY, maxY] = [Math.min(...ys) - 90, Math.max(...ys) + 40];
  const scale = Math.min(cw / (maxX - minX), ch / (maxY - minY), 1.2);
  if (scale >= 0.5 || force) {
    const w = cw / scale; const h = ch / scale;
    graph.view = { x: (minX + maxX - w) / 2, y: (minY + maxY - h) / 2, w, h };
  } else {
    const c = graph.layout.pos.get(`v${graph.selected}`) ?? { x: 0, y: 0 };
    graph.view = { x: c.x - cw / 2, y: c.y - ch / 2, w: cw, h: ch };
  }
  applyView();
}

function bindGraphControls() {
  const svg = $('#graph');
  let drag = null; let dragged = false;
  svg.addEventListener('wheel', (event) => {
    const matrix = svg.getScreenCTM();
    if (!graph.view || !matrix) return;
    event.preventDefault();
    const p = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    const v = graph.view;
    const w = Math.max(150, Math.min(20000, v.w * Math.exp(Math.max(-1, Math.min(1, event.deltaY / 500)))));
    const k = w / v.w;
    graph.view = { x: p.x - (p.x - v.x) * k, y: p.y - (p.y - v.y) * k, w, h: v.h * k };
    applyView();
  }, { passive: false });
  svg.addEventListener('pointerdown', (event) => {
    dragged = false;
    if (event.button !== 0 || !graph.view) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...graph.view }, moved: false, id: event.pointerId };
  });
  svg.addEventListener('pointermove', (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const dx = event.clientX - drag.x; const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    // Capture only once it is a drag, so that a plain click still reaches the node under it.
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(event.pointerId); svg.classList.add('dragging'); }
    const scale = drag.view.w / (svg.clientWidth || drag.view.w);
    graph.view = { ...drag.view, x: drag.view.x - dx * scale, y: drag.view.y - dy * scale };
    applyView();
  });
  const stop = () => { dragged = Boolean(drag && drag.moved); drag = null; svg.classList.remove('dragging'); };
  svg.addEventListener('pointerup', stop);
  svg.addEventListener('pointercancel', stop);
  svg.addEventListener('click', (event) => {
    if (dragged) dragged = false;
    else activateGraphItem(event.target, event.shiftKey);
  });
  svg.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    activateGraphItem(event.target, event.shiftKey);
  });
}

/** A click on a version opens it (shift: highlights the path to it); on a folded node, unfolds it. */
function activateGraphItem(target, shift) {
  const node = target.closest('g.node');
  if (node) {
    const id = node.dataset.version;
    if (!shift) { navigate(`#/version/${id}`); return; }
    $('#path-to').value = id;
    guarded(highlightPath)(id);
    return;
  }
  const d = graph.layout && graph.layout.disp.get(target.closest('g.collapsed')?.dataset.key);
  if (!d) return;
  if (d.overflow != null) graph.caps.set(d.overflow, (graph.caps.get(d.overflow) ?? GRAPH.layerCap) + GRAPH.layerCap);
  else graph.expanded.set(d.run, (graph.expanded.get(d.run) ?? 0) + GRAPH.reveal);
  relayout();
}

async function highlightPath(text) {
  const to = text.trim();
  if (!to || graph.selected == null) return;
  const seq = routeSeq;
  const result = await rpc.call('models_path', [graph.selected, numOrText(to)]);
  if (seq !== routeSeq) return;
  graph.path = null;
  $('#path-result').textContent = 'not related';
  if (result.related) {
    const ids = new Set([result.ancestor, result.descendant]);
    for (const s of result.steps) { ids.add(s.parent); ids.add(s.child); }
    graph.path = { ids, steps: new Set(result.steps.map((s) => `${s.parent}>${s.child}`)) };
    const outside = [...ids].some((id) => !graph.data?.nodes.has(id)) ? ' (partly outside the loaded graph)' : '';
    const steps = plural(result.steps.length, 'step');
    $('#path-result').textContent = `${steps}: #${result.ancestor} → #${result.descendant}${outside}`;
  }
  if (graph.layout) renderGraph();
}

// ==== Network view: the finalized head, reward pot, nodes, jobs and rounds, live ====

const network = { busy: false, again: false, timer: null };

/** Refreshes soon (debounced); a refresh asked for while one runs follows it, never overlaps it. */
function scheduleNetworkRefresh(delay = 300) {
  clearTimeout(network.timer);
  network.timer = setTimeout(() => refreshNetwork().catch(showError), delay);
}

/** Reads everything at the finalized head, so that the view shows finalized state. */
async function refreshNetwork() {
  if (currentView !== 'network') return;
  if (network.busy) { network.again = true; return; }
  network.busy = true;
  try {
    const hash = await rpc.call('chain_getFinalizedHead');
    showHead(await rpc.call('chain_getHeader', [hash]));
    const calls = [['rewards_status', [hash], renderPot],
      ['nodes_list', [0, 100, hash], (v) => renderNodes(v.nodes)],
      ['jobs_recent', [20, hash], (v) => renderJobs(v.jobs)],
      ['rounds_recent', [20, hash], (v) => renderRounds(v.rounds)]];
    const results = await Promise.allSettled(calls.map(([method, params]) => rpc.call(method, params)));
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') calls[i][2](r.value);
      else if (currentView === 'network') showError(`${calls[i][0]}: ${r.reason.message}`);
    });
  } finally {
    network.busy = false;
    if (network.again) { network.again = false; scheduleNetworkRefresh(); }
  }
}

function showHead(header) {
  const number = header ? Number.parseInt(header.number, 16) : NaN;
  if (Number.isFinite(number)) $('#chain-head [data-field="number"]').textContent = `#${number}`;
}

function renderPot(s) {
  $('#pot').replaceChildren(...[
    ['Pot account', 'pot', account(s.pot)], ['Pot balance', 'potBalance', fmtBalance(s.potBalance)],
    ['Available', 'potAvailable', fmtBalance(s.potAvailable)],
    ['Emission per block', 'emissionPerBlock', fmtBalance(s.emissionPerBlock)],
    ['Author share', 'authorShare', fmtPercent(s.authorShare)],
    ['Total issuance', 'totalIssuance', fmtBalance(s.totalIssuance)],
    ['Genesis issuance', 'genesisIssuance', fmtBalance(s.genesisIssuance)],
    ['Minted', 'minted', fmtBalance(s.minted)], ['Burnt', 'burnt', fmtBalance(s.burnt)],
  ].flatMap(([term, field, value]) => [el('dt', { text: term }), el('dd', { dataset: { field } }, value)]));
}

/** The outcomes that cost a node its bond's slash. */
const SLASHED = new Set(['outvoted', 'missedReveal', 'missedCommit']);

/** `node → outcome` chips, coloured by outcome (the vote while there is none yet). */
function outcomeChips(items) {
  if (!items || !items.length) return '—';
  return items.map((item) => {
    const word = item.outcome ?? item.vote ?? '—';
    const slashed = SLASHED.has(word);
    return el('span', { class: `chip outcome-${word}${slashed ? ' slashed' : ''}`, title: slashed ? 'slashed' : null,
      text: `${item.node} → ${word}` });
  });
}

function phaseCell(phase) {
  const name = phase?.name ?? '—';
  const more = [phase?.until != null && `until #${phase.until}`, phase?.payoutAt != null && `payout at #${phase.payoutAt}`,
    phase?.reason && `reason: ${phase.reason}`, phase?.end && `end: ${phase.end}`].filter(Boolean).join(', ');
  return el('td', { class: `phase phase-${name}`, title: more || null, text: name });
}

function renderNodes(nodes) {
  fillTable('#nodes', nodes.map((n) => el('tr', { dataset: { node: n.id } },
    el('td', { text: n.id }), el('td', {}, account(n.owner)),
    el('td', { class: `status-${n.status?.name}`,
      text: `${n.status?.name ?? '—'}${n.status?.until != null ? ` until #${n.status.until}` : ''}` }),
    el('td', { text: fmtPercent(n.reputation) }), el('td', { text: fmtBalance(n.bond) }),
    el('td', { text: block(n.lastHeartbeat) }), el('td', { text: idList(n.jobs) }),
    el('td', { text: idList(n.rounds) }), workDoneCell(n.workDone), el('td', { text: fmtBalance(n.earnings) }))));
}

/** The verified work a node has done: jobs, rounds and committees, counted by the chain. */
function workDoneCell(done) {
  const parts = [['job', done?.jobs], ['round', done?.rounds], ['committee', done?.committees]]
    .map(([noun, count]) => `${count ?? 0} ${noun}${count === 1 ? '' : 's'}`);
  return el('td', { class: 'work-done', text: parts.join(' · ') });
}

function renderJobs(jobs) {
  fillTable('#jobs', jobs.map((j) => el('tr', { dataset: { job: j.id } },
    el('td', { text: j.id }), el('td', {}, versionLink(j.version)), phaseCell(j.phase),
    el('td', { text: j.seats.map((s) => `${s.node}: ${s.vote}`).join(', ') || '—' }),
    el('td', {}, outcomeChips(j.outcomes)), el('td', { text: block(j.requestedAt) }))));
}

function renderRounds(rounds) {
  fillTable('#rounds', rounds.map((r) => el('tr', { dataset: { round: r.id } },
    el('td', { text: r.id }), el('td', {}, versionLink(r.base)), phaseCell(r.phase),
    el('td', {}, outcomeChips(r.participants)), el('td', {}, outcomeChips(r.committee)),
    el('td', {}, r.phase?.version != null ? versionLink(r.phase.version) : '—'))));
}

// ==== Start-up: UI bindings, chain properties, the finalized-head subscription ====

function bindUi() {
  const onSubmit = (form, handler) => $(form).addEventListener('submit', (event) => { event.preventDefault(); handler(); });
  onSubmit('#search-form', guarded(() => search($('#search').value)));
  onSubmit('#path-form', guarded(() => highlightPath($('#path-to').value)));
  $('#error-close').addEventListener('click', clearError);
  $('#versions-more').addEventListener('click', guarded(() => loadVersionsPage()));
  $('#graph-fit').addEventListener('click', () => fitGraph(true));
  $('#graph-deeper').addEventListener('click', guarded(() => { graph.depth *= 4; return loadGraph(routeSeq); }));
  const rows = $('#versions tbody');
  const open = (event) => {
    const row = event.target.closest('tr[data-version]');
    if (row && !event.target.closest('a')) navigate(`#/version/${row.dataset.version}`);
  };
  rows.addEventListener('click', open);
  rows.addEventListener('keydown', (event) => { if (event.key === 'Enter') open(event); });
  bindGraphControls();
  window.addEventListener('hashchange', () => route());
}

async function loadChainInfo() {
  const [properties, name] = await Promise.all([rpc.call('system_properties'), rpc.call('system_chain')]);
  const first = (v) => (Array.isArray(v) ? v[0] : v);
  const decimals = Number(first(properties?.tokenDecimals));
  chain.decimals = Number.isInteger(decimals) && decimals >= 0 ? decimals : 12;
  chain.symbol = first(properties?.tokenSymbol) || 'SWARM';
  chain.name = name || '';
  $('#chain-head [data-field="chain"]').textContent = chain.name || '—';
}

async function main() {
  bindUi();
  rpc = new RpcClient(await rpcUrl(), onConnectionState);
  let connections = 0;
  rpc.onOpen = () => {
    connections += 1;
    loadChainInfo().then(() => currentView === 'network' && scheduleNetworkRefresh(0)).catch(showError);
    if (connections > 1) route();
  };
  rpc.subscribe('chain_subscribeFinalizedHeads', [], 'chain_finalizedHead', (header) => {
    showHead(header);
    scheduleNetworkRefresh();
  });
  rpc.connect();
  route();
}

main().catch(showError);
