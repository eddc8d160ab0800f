// report.js - the interactive parts of chorus's report.html. The C side
// (src/out/report.c) writes the page skeleton and the run's data as JSON in
// <script type="application/json" id="chorus-data">; this script draws the
// tables, the network (sigma.js on graphology, positions computed in C with
// igraph), the timelines (uPlot) and the laundering alignments. It never
// builds markup from data: every string lands through textContent.
import Graph from 'graphology';
import Sigma from 'sigma';
import uPlot from 'uplot';
import { el, fmtTime, fmtCell, makeTable } from './table.js';

const D = JSON.parse(document.getElementById('chorus-data').textContent);
const parsed = performance.now() + performance.timing.navigationStart;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b',
  '#e377c2', '#7f7f7f', '#bcbd22', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173'];
const groupColor = g => PALETTE[g % PALETTE.length];
const $ = id => document.getElementById(id);

function notRun(host, what) {
  host.append(el('p', { cls: 'notrun', text: `Not run: ${what}` }));
}

function cols(spec) { return spec.map(([label, type]) => ({ label, type })); }

// ---- timelines --------------------------------------------------------
function series(sparse) {
  const xs = [], ys = [];
  const n = D.buckets;
  const dense = new Array(n).fill(0);
  for (const [b, c] of sparse || []) if (b >= 0 && b < n) dense[b] = c;
  for (let i = 0; i < n; i++) { xs.push((D.t0 + i * D.bucket_ms) / 1000); ys.push(dense[i]); }
  return [xs, ys];
}

function chart(host, title, sparse, color) {
  if (!D.buckets) return;
  const box = el('div', { cls: 'chart' });
  host.append(box);
  const width = Math.max(300, Math.min(host.clientWidth || 900, 1100));
  new uPlot({
    title, width, height: 180,
    scales: { x: { time: true } },
    series: [{}, { label: 'posts', stroke: color || '#4a7fb0', fill: (color || '#4a7fb0') + '33', width: 1.5 }],
    axes: [{}, { size: 50 }],
  }, series(sparse), box);
}

// ---- groups and the network --------------------------------------------
let renderer = null, focusGroup = null;

function drawNetwork(host) {
  const nodes = D.nodes.rows;
  if (!nodes.length) { notRun(host, 'no coordinated groups were found, so there is no network to draw'); return; }
  const g = new Graph({ type: 'undirected', multi: false });
  const maxScore = nodes.reduce((m, r) => Math.max(m, r[3] || 0), 1);
  nodes.forEach((r, i) => r[4] != null && g.addNode(i, {
    x: r[4], y: r[5], label: r[1], color: groupColor(r[2]),
    size: 3 + 9 * Math.sqrt((r[3] || 0) / maxScore), group: r[2],
  }));
  for (const [a, b, w] of D.links) if (a !== b && g.hasNode(a) && g.hasNode(b) && !g.hasEdge(a, b)) g.addEdge(a, b, { size: Math.min(1.5, 0.4 + Math.log1p(w) / 6), color: '#bbb' });
  const box = el('div', { id: 'graph', cls: 'graph', role: 'img', 'aria-label': 'coordination network' });
  const tip = el('div', { cls: 'tip', hidden: '' });
  host.append(box, tip);
  renderer = new Sigma(g, box, { renderEdgeLabels: false, labelRenderedSizeThreshold: 8, zIndex: true });
  renderer.setSetting('nodeReducer', (n, a) => (focusGroup == null || a.group === focusGroup ? a : { ...a, color: '#ddd', label: '', zIndex: 0 }));
  renderer.setSetting('edgeReducer', (e, a) => {
    if (focusGroup == null) return a;
    const s = g.source(e);
    return g.getNodeAttribute(s, 'group') === focusGroup ? { ...a, color: '#888' } : { ...a, hidden: true };
  });
  renderer.on('enterNode', ({ node, event }) => {
    const r = nodes[node];
    tip.replaceChildren(el('b', null, el('bdi', { text: r[1] })),
      el('div', { text: `group ${r[2]} \u00b7 score ${fmtCell(r[3], 'num')} \u00b7 posts ${r[6]}` }),
      el('div', { text: r[7] ? `created ${r[7]}` : 'creation date unknown' }));
    tip.hidden = false;
    tip.style.left = (event.x + 14) + 'px';
    tip.style.top = (event.y + 14) + 'px';
  });
  renderer.on('leaveNode', () => { tip.hidden = true; });
  renderer.on('clickNode', ({ node }) => openGroup(nodes[node][2]));
  renderer.once('afterRender', () => { document.body.dataset.network = String(Math.round(performance.now())); });
  box.dataset.nodes = String(g.order);
  box.dataset.edges = String(g.size);
}

function focusOn(gid) {
  focusGroup = gid;
  if (!D.groups) return;
  if (!renderer) return;
  renderer.refresh();
  const pos = [];
  renderer.getGraph().forEachNode((n, a) => { if (a.group === gid) pos.push(renderer.getNodeDisplayData(n)); });
  if (!pos.length) return;
  const xs = pos.map(p => p.x), ys = pos.map(p => p.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.02);
  renderer.getCamera().animate({ x: cx, y: cy, ratio: Math.min(1, span * 1.4) }, { duration: 300 });
}

function openGroup(gid) {
  const row = D.groups.rows.find(r => r[0] === gid);
  const host = $('group-detail');
  host.replaceChildren();
  if (!row) return;
  focusOn(gid);
  host.dataset.group = String(gid);
  host.append(el('h3', { text: `Group ${gid}: ${row[1]} accounts` }));
  const dl = el('dl', { cls: 'facts' });
  const fact = (k, v) => dl.append(el('dt', { text: k }), el('dd', null, el('bdi', { text: v })));
  fact('signals', row[4]);
  fact('active', `${fmtTime(row[5])} \u2013 ${fmtTime(row[6])}`);
  fact('pairs / shared co-actions', `${row[2]} / ${row[3]}`);
  fact('strength of evidence', `${fmtCell(row[7], 'num')} (summed \u2212log10 p of the members)`);
  fact('creation dates', row[8] ? `${fmtCell(row[9], 'share')} of members created in ${row[8]}` : 'unknown');
  fact('clients', row[10] ? `${fmtCell(row[11], 'share')} of their posts from ${row[10]}` : 'unknown');
  host.append(dl);
  const evRows = D.evidence[String(gid)] || [];
  const ev = { total: evRows.length ? evRows[0][0] : 0, rows: evRows.map(r => r.slice(1)) };
  host.append(el('h4', { text: `Evidence: shared objects and both accounts' times (${ev.rows.length} of ${ev.total} co-actions)` }));
  makeTable(host, cols([['signal', 'text'], ['account A', 'text'], ['account B', 'text'], ['object', 'text'],
    ['time A', 'time'], ['time B', 'time'], ['delay s', 'num']]),
  ev.rows.map(r => [...r, r[4] != null && r[5] != null ? Math.abs(r[5] - r[4]) / 1000 : null]), { name: 'evidence', pageSize: 25 });
  const att = (D.attached || {})[String(gid)] || [];
  if (att.length) {
    host.append(el('h4', { text: `Attached: ${att.length} accounts without pair evidence whose actions keep landing on this group's objects` }));
    makeTable(host, cols([['account', 'text'], ['p-value', 'num'], ['on held objects', 'num'], ['actions', 'num'],
      ['objects', 'text']]), att, { name: 'attached', pageSize: 25 });
  }
  chart(host, `Group ${gid}: posts of its members over time`, (D.series.groups || {})[String(gid)], groupColor(gid));
  host.scrollIntoView({ block: 'nearest' });
}

function groupsSection() {
  const host = $('groups-body');
  const none = why => {
    notRun(host, why);
    notRun($('accounts-body'), why);
    document.body.dataset.network = String(Math.round(performance.now()));
  };
  if (!D.groups) return none('coordination (the database has no group_members or edges table)');
  if (!D.groups.rows.length) return none('coordination found no groups');
  makeTable(host, cols([['group', 'num'], ['accounts', 'num'], ['pairs', 'num'], ['co-actions', 'num'],
    ['signals', 'text'], ['first', 'time'], ['last', 'time'], ['strength', 'num'],
    ['top creation month', 'text'], ['share', 'share'], ['top client', 'text'], ['share', 'share']]),
  D.groups.rows, { name: 'groups', onRow: r => openGroup(r[0]), sort: [1, -1] });
  // The network starts its WebGL contexts after the tables are painted,
  // so the page is readable while the graph is set up.
  requestAnimationFrame(() => setTimeout(() => {
    try { drawNetwork($('network')); } catch (e) { $('network').append(el('p', { cls: 'error', text: `network: ${e.message}` })); }
    if (!renderer) document.body.dataset.network = String(Math.round(performance.now()));
  }, 0));
  const tl = $('timelines-body');
  for (const r of D.groups.rows.slice().sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 6))
    chart(tl, `Group ${r[0]} (${r[1]} accounts): posts of its members`, (D.series.groups || {})[String(r[0])], groupColor(r[0]));
  makeTable($('accounts-body'), cols([['account', 'text'], ['group', 'num'], ['score', 'num'], ['posts', 'num'], ['created', 'text']]),
    D.nodes.rows.map(r => [r[1], r[2], r[3], r[6], r[7]]), { name: 'accounts', sort: [2, -1] });
}

// ---- narratives -------------------------------------------------------
function genericCols(t) { return t.cols.map(([label, type]) => ({ label, type })); }

function narrativesSection() {
  const host = $('narratives-body');
  if (!D.narratives) { notRun(host, 'catalogue matching (no narrative_summary table; give --narratives)'); return; }
  const detail = el('div', { cls: 'detail', id: 'narrative-detail' });
  const idCol = D.narratives.cols.findIndex(c => c[0] === 'narrative_id');
  makeTable(host, genericCols(D.narratives), D.narratives.rows, {
    name: 'narratives', onRow: r => {
      const nid = String(r[idCol]);
      detail.replaceChildren(el('h3', null, 'Narrative ', el('bdi', { text: nid })));
      chart(detail, 'matching posts over time', (D.series.narratives || {})[nid]);
      detail.append(el('h4', { text: 'Earliest witnesses' }));
      makeTable(detail, cols([['post', 'text'], ['account', 'text'], ['time', 'time'], ['score', 'num'], ['passage', 'text']]),
        (D.witnesses || {})[nid] || [], { name: 'witnesses', pageSize: 10 });
    },
  });
  host.append(detail);
}

// ---- laundering: aligned passages ---------------------------------------
function tokens(s) { return (s || '').split(/(\s+)/); }

// Marks the words of `a` that start or continue a run of N words also
// found in `b` (case-insensitive): the shared text of the two passages.
function sharedMarks(a, b, N = 4) {
  const wa = tokens(a), wb = tokens(b).filter(t => t.trim()).map(t => t.toLowerCase());
  const grams = new Set();
  for (let i = 0; i + N <= wb.length; i++) grams.add(wb.slice(i, i + N).join(' '));
  const idx = [], words = [];
  wa.forEach((t, i) => { if (t.trim()) { idx.push(i); words.push(t.toLowerCase()); } });
  const mark = new Array(wa.length).fill(false);
  for (let i = 0; i + N <= words.length; i++)
    if (grams.has(words.slice(i, i + N).join(' '))) for (let k = i; k < i + N; k++) mark[idx[k]] = true;
  const out = el('div', { cls: 'passage', dir: 'auto' });
  wa.forEach((t, i) => out.append(mark[i] ? el('mark', { text: t }) : document.createTextNode(t)));
  return out;
}

function launderingSection() {
  const host = $('provenance-body');
  if (!D.laundering) { notRun(host, 'provenance and laundering (no laundering table; give articles with --docs)'); return; }
  const detail = el('div', { cls: 'detail', id: 'laundering-detail' });
  const L = D.laundering;
  makeTable(host, [...genericCols(L), { label: 'chain', type: 'num' }], L.rows.map((r, i) => [...r, i]), {
    name: 'laundering', onRow: r => {
      const i = r[r.length - 1], pass = L.cols.findIndex(c => c[0] === 'passage');
      const [origin, outlet] = (D.laundering_texts || [])[i] || [null, null];
      const lag = L.cols.findIndex(c => c[0] === 'lag_s');
      detail.replaceChildren(el('h3', { text: `Chain ${i + 1}: delay ${lag >= 0 ? fmtCell(r[lag], 'num') + ' s' : 'unknown'}` }),
        el('div', { cls: 'side' },
          el('div', null, el('h4', { text: 'origin post' }), sharedMarks(origin || '', outlet || r[pass] || '')),
          el('div', null, el('h4', { text: 'outlet item' }), sharedMarks(outlet || r[pass] || '', origin || ''))));
    },
  });
  host.append(detail);
}

function extraSection() {
  const host = $('more-body');
  for (const t of D.extra || []) {
    host.append(el('h3', null, el('code', { text: t.name }), ` (${t.total} rows${t.total > t.rows.length ? `, first ${t.rows.length} shown` : ''})`));
    makeTable(host, genericCols(t), t.rows, { name: t.name, pageSize: 20 });
  }
  for (const name of D.missing || []) host.append(el('p', { cls: 'notrun' }, 'Not run: ', el('code', { text: name })));
}

function main() {
  const allPosts = () => chart($('timeline-all'), 'all posts over time', ((D.series || {}).all || {}).all);
  const steps = [allPosts, groupsSection, narrativesSection, launderingSection, extraSection];
  const timings = { parse: Math.round(parsed - performance.timing.navigationStart) };
  for (const s of steps) {
    const t = performance.now();
    try { s(); } catch (e) { document.body.append(el('p', { cls: 'error', text: `report error in ${s.name}: ${e.message}` })); }
    timings[s.name] = Math.round(performance.now() - t);
  }
  document.body.dataset.timings = JSON.stringify(timings);
  document.body.dataset.ready = String(Math.round(performance.now()));
}
main();
