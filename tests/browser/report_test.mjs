// report_test.mjs - opens chorus's report.html in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core) and checks what a reader
// relies on: the page renders (WebGL network canvas not empty), the tables
// hold the rows the database has, a group's evidence opens on click, no
// request leaves the page, and hostile data neither runs nor reorders the
// report's text. Prints one line per check and "browser: N passed, N failed".
// Usage: node report_test.mjs SAMPLE_DIR SHOT.png HOSTILE_DIR SHOT.png
//        node report_test.mjs --time OUTDIR [RUNS]   (opening time only)
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ' (' + detail + ')' : ''}`);
}
const sql = (dir, q) => execFileSync('sqlite3', [`${dir}/chorus.db`, q]).toString().trim();
const num = (dir, q) => Number(sql(dir, q));

async function openReport(browser, dir, label) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const url = pathToFileURL(`${dir}/report.html`).href;
  const ev = { requests: [], dialogs: [], errors: [] };
  await page.route('**/*', route => {
    const u = route.request().url();
    if (u === url) return route.continue();
    ev.requests.push(u);
    return route.abort();
  });
  page.on('request', r => { const u = r.url(); if (u !== url && !u.startsWith('data:') && !u.startsWith('blob:')) ev.requests.push(u); });
  page.on('dialog', d => { ev.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', e => ev.errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') ev.errors.push(m.text()); });
  const t = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  const ms = Date.now() - t;
  await page.waitForSelector('body[data-network]', { timeout: 60000 });
  const all = Date.now() - t;
  // The page's own clock (ms since navigation start) says when it was
  // ready; the polling above only sees it once the main thread is free.
  const d = await page.evaluate(() => ({ ...document.body.dataset }));
  console.log(`${label}: in-page clock: tables ready at ${d.ready} ms, network drawn at ${d.network} ms; ` +
    `seen by the test at ${ms} and ${all} ms (ms per step: ${d.timings})`);
  return { page, ev, ms: Number(d.ready), all: Number(d.network), seen: all };
}

// The WebGL node layer alone, screenshotted, must differ from a blank one.
async function canvasDrawn(page) {
  const info = await page.evaluate(() => {
    const c = document.querySelector('#graph canvas.sigma-nodes');
    if (!c) return { ok: false, why: 'no sigma-nodes canvas' };
    const gl = c.getContext('webgl2') || c.getContext('webgl');
    document.querySelectorAll('#graph canvas').forEach(x => { if (x !== c) x.style.visibility = 'hidden'; });
    return { ok: !!gl, why: gl ? '' : 'no WebGL context', w: c.width, h: c.height };
  });
  if (!info.ok) return info;
  await page.waitForTimeout(300);
  const drawn = await page.locator('#graph').screenshot();
  await page.evaluate(() => { document.querySelector('#graph canvas.sigma-nodes').style.visibility = 'hidden'; });
  const blank = await page.locator('#graph').screenshot();
  await page.evaluate(() => document.querySelectorAll('#graph canvas').forEach(x => { x.style.visibility = ''; }));
  return { ok: drawn.length > 2 * blank.length, why: `png ${drawn.length} bytes drawn vs ${blank.length} blank` };
}

const total = (page, name) => page.evaluate(n => {
  const w = document.querySelector(`[data-table="${n}"]`);
  return w ? Number(w.dataset.total) : -1;
}, name);

async function common(page, ev, dir, label) {
  const groups = num(dir, 'SELECT count(DISTINCT group_id) FROM group_members');
  const members = num(dir, 'SELECT count(*) FROM group_members');
  check(`${label}: groups table has ${groups} rows`, await total(page, 'groups') === groups, `shown ${await total(page, 'groups')}`);
  check(`${label}: accounts table has ${members} rows`, await total(page, 'accounts') === members, `shown ${await total(page, 'accounts')}`);
  const c = await canvasDrawn(page);
  check(`${label}: network WebGL canvas is not empty`, c.ok, c.why);
  // Open the first group of the table (largest first) and its evidence.
  const gid = Number(await page.locator('[data-table="groups"] tbody tr').first().locator('td').first().innerText());
  await page.locator('[data-table="groups"] tbody tr').first().click();
  await page.waitForSelector('#group-detail [data-table="evidence"]', { timeout: 10000 });
  const per = Math.max(10, Math.min(500, Math.floor(50000 / groups)));
  const expect = Math.min(per, num(dir, `SELECT count(*) FROM evidence e JOIN group_members a ON a.account_idx = e.account_a
    JOIN group_members b ON b.account_idx = e.account_b AND b.group_id = a.group_id WHERE a.group_id = ${gid}`));
  const shown = await total(page, 'evidence');
  check(`${label}: clicking group ${gid} opens its ${expect} evidence rows`, shown === expect && expect > 0, `shown ${shown}`);
  check(`${label}: no network request`, ev.requests.length === 0, ev.requests.slice(0, 3).join(' '));
  check(`${label}: no dialog`, ev.dialogs.length === 0, ev.dialogs.join(' | '));
  check(`${label}: no script error or CSP violation`, ev.errors.length === 0, ev.errors.slice(0, 3).join(' | '));
  const scripts = await page.evaluate(() => document.scripts.length);
  check(`${label}: only the report's two scripts`, scripts === 2, `${scripts} script elements`);
}

async function hostile(page, dir) {
  const pwned = await page.evaluate(() => document.querySelectorAll('img, iframe, svg:not(.u-over *), b[onmouseover]').length);
  check('hostile: no element created from data (img, iframe, b)', pwned === 0, `${pwned} found`);
  const text = await page.evaluate(() => document.body.innerText);
  check('hostile: markup payload shown as text (input file)', text.includes('<b onmouseover=alert(7)>'));
  check('hostile: bidi override shown as [U+202E], never obeyed', text.includes('[U+202E]') && !text.includes('\u202e'));
  await page.locator('[data-table="accounts"] input').fill('onerror');
  const acc = await page.locator('[data-table="accounts"] tbody').innerText();
  check('hostile: hostile account name visible as text in the accounts table', acc.includes('<img src=x onerror=alert(5)>[U+202E]evil'), acc.slice(0, 80));
  check('hostile: </script><!-- in JSON did not break out', acc.length > 0 && (await page.locator('[data-table="accounts"]').count()) === 1);
  const nar = num(dir, 'SELECT count(*) FROM narrative_summary');
  check(`hostile: narratives table has ${nar} rows`, await total(page, 'narratives') === nar);
  const la = num(dir, 'SELECT count(*) FROM laundering');
  check(`hostile: laundering table has ${la} rows`, await total(page, 'laundering') === la);
  await page.locator('[data-table="laundering"] tbody tr').first().click();
  const marks = await page.locator('#laundering-detail mark').count();
  check('hostile: laundering chain opens with shared text highlighted', marks > 0, `${marks} marked words`);
  const side = await page.locator('#laundering-detail .side').innerText();
  check('hostile: origin payload shown as text side by side', side.includes('</script><!-- <script>alert(3)</script>'));
  await page.locator('[data-table="narratives"] tbody tr').first().click();
  check('hostile: narrative opens its earliest witnesses', await total(page, 'witnesses') === 2);
  // The report's own words keep their order: headings read left to right.
  const order = await page.evaluate(() => [...document.querySelectorAll('[data-table="groups"] thead th')].map(th => th.getBoundingClientRect().x));
  check('hostile: table columns keep their left-to-right order', order.every((x, i) => i === 0 || x > order[i - 1]));
  const title = await page.evaluate(() => {
    const h = document.querySelector('#data-table th');
    const r = document.createRange(); r.selectNodeContents(h);
    return h.textContent;
  });
  check('hostile: overview labels intact', title === 'posts');
  const notRun = await page.locator('.notrun').allInnerTexts();
  check('hostile: absent stage tables say "not run"', notRun.some(t => t.includes('reuse')));
}

const [sampleDir, sampleShot, hostileDir, hostileShot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--no-sandbox'],
});
if (sampleDir === '--time') {
  // From navigation to the page's ready marks (tables and charts drawn;
  // network drawn), in a fresh page each run; prints the medians.
  const times = [], alls = [], seen = [];
  for (let i = 0; i < Number(hostileDir || 3); i++) {
    const r = await openReport(browser, sampleShot, `run ${i + 1}`);
    times.push(r.ms);
    alls.push(r.all);
    seen.push(r.seen);
    await r.page.close();
  }
  const med = a => a.sort((x, y) => x - y)[a.length >> 1];
  console.log(`median over ${times.length} runs: tables ready ${med(times)} ms, network drawn ${med(alls)} ms, ` +
    `everything seen by the test ${med(seen)} ms`);
  await browser.close();
  process.exit(0);
}
try {
  const s = await openReport(browser, sampleDir, 'sample');
  await common(s.page, s.ev, sampleDir, 'sample');
  const sla = num(sampleDir, 'SELECT count(*) FROM laundering');
  check(`sample: laundering table has ${sla} rows from the trace stage`, sla > 0 && await total(s.page, 'laundering') === sla);
  // The group with most attached accounts lists them, with their test.
  const agid = num(sampleDir, `SELECT group_id FROM group_members WHERE attached_round IS NOT NULL
    GROUP BY group_id ORDER BY count(*) DESC, group_id LIMIT 1`);
  const natt = num(sampleDir, `SELECT count(*) FROM group_members WHERE attached_round IS NOT NULL AND group_id = ${agid}`);
  await s.page.locator('[data-table="groups"] tbody tr').filter({ has: s.page.locator('td', { hasText: new RegExp(`^${agid}$`) }) }).first().click();
  await s.page.waitForSelector('#group-detail [data-table="attached"]', { timeout: 10000 });
  check(`sample: group ${agid} lists its ${natt} attached accounts`, natt > 0 && await total(s.page, 'attached') === natt,
    `shown ${await total(s.page, 'attached')}`);
  await s.page.screenshot({ path: sampleShot, fullPage: true });
  // One screen of the groups, the network and the opened group (docs/report.png).
  await s.page.evaluate(() => document.getElementById('groups').scrollIntoView());
  await s.page.waitForTimeout(400);
  await s.page.screenshot({ path: sampleShot.replace(/\.png$/, '-view.png') });
  const h = await openReport(browser, hostileDir, 'hostile');
  await common(h.page, h.ev, hostileDir, 'hostile');
  await hostile(h.page, hostileDir);
  check('hostile: no dialog after all clicks', h.ev.dialogs.length === 0, h.ev.dialogs.join(' | '));
  await h.page.screenshot({ path: hostileShot, fullPage: true });
} catch (e) {
  check('browser run', false, String(e).split('\n')[0]);
} finally {
  await browser.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
