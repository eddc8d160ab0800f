// table.js - sortable, filterable, paged tables for the chorus report.
// Rows stay plain arrays in memory; only the visible page becomes DOM, so
// a table of 100 000 accounts renders as fast as one of 50. Every cell is
// set through textContent inside <bdi>: data never becomes markup and
// right-to-left text cannot reorder the columns around it.

export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  if (attrs) for (const k in attrs) {
    if (k === 'text') e.textContent = attrs[k];
    else if (k === 'cls') e.className = attrs[k];
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), attrs[k]);
    else e.setAttribute(k, attrs[k]);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

export function fmtTime(ms) {
  if (ms == null || ms === '') return '';
  const d = new Date(Number(ms));
  return isNaN(d) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

export function fmtCell(v, type) {
  if (v == null) return '';
  if (type === 'time') return fmtTime(v);
  if (type === 'share') return (100 * v).toFixed(0) + '%';
  if (type === 'num' && typeof v === 'number' && !Number.isInteger(v)) return v.toPrecision(4);
  return String(v);
}

function compare(a, b) {
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

// cols: [{label, type}] (type: text, num, time, share); rows: arrays in
// column order. opts: pageSize, onRow(row) for clickable rows, sort
// [column, direction] to start with, name for tests (data-table).
export function makeTable(host, cols, rows, opts = {}) {
  const pageSize = opts.pageSize || 50;
  let view = rows.slice(), page = 0, sortCol = -1, sortDir = 1;
  const filter = el('input', { type: 'search', placeholder: 'filter rows', 'aria-label': 'filter rows' });
  const info = el('span', { cls: 'pageinfo' });
  const prev = el('button', { text: '\u2039 prev', type: 'button' });
  const next = el('button', { text: 'next \u203a', type: 'button' });
  const tbody = el('tbody');
  const heads = cols.map((c, i) => el('th', {
    text: c.label, title: 'sort', cls: c.type === 'text' ? '' : 'n',
    onclick: () => { sortDir = sortCol === i ? -sortDir : (c.type === 'text' ? 1 : -1); sortCol = i; apply(); },
  }));
  const table = el('table', { cls: 'data' }, el('thead', null, el('tr', null, ...heads)), tbody);
  const wrap = el('div', { cls: 'tablewrap', 'data-table': opts.name || '' },
    el('div', { cls: 'tools' }, filter, prev, info, next), table);
  host.append(wrap);

  function apply() {
    const q = filter.value.trim().toLowerCase();
    view = q ? rows.filter(r => r.some((v, i) => v != null && fmtCell(v, cols[i].type).toLowerCase().includes(q))) : rows.slice();
    if (sortCol >= 0) view.sort((a, b) => sortDir * compare(a[sortCol], b[sortCol]));
    page = 0;
    render();
  }
  function render() {
    const pages = Math.max(1, Math.ceil(view.length / pageSize));
    page = Math.min(Math.max(page, 0), pages - 1);
    tbody.replaceChildren();
    for (const r of view.slice(page * pageSize, (page + 1) * pageSize)) {
      const tr = el('tr');
      cols.forEach((c, i) => {
        const td = el('td', { cls: c.type === 'text' ? '' : c.type === 'time' ? 'n t' : 'n' });
        td.append(el('bdi', { text: fmtCell(r[i], c.type) }));
        tr.append(td);
      });
      if (opts.onRow) { tr.className = 'click'; tr.tabIndex = 0; tr.addEventListener('click', () => opts.onRow(r, tr)); }
      tbody.append(tr);
    }
    wrap.dataset.total = String(view.length);
    const a = view.length ? page * pageSize + 1 : 0;
    info.textContent = `${a}\u2013${Math.min(view.length, (page + 1) * pageSize)} of ${view.length}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  filter.addEventListener('input', apply);
  prev.addEventListener('click', () => { page--; render(); });
  next.addEventListener('click', () => { page++; render(); });
  if (opts.sort) { sortCol = opts.sort[0]; sortDir = opts.sort[1]; }
  apply();
  return { wrap, setFilter(q) { filter.value = q; apply(); } };
}
