// tests/browser/lib.mjs -- what the browser tests share: Debian's chromium driven by
// playwright-core (never a downloaded browser), headless, no sandbox (CI runs as root), no
// network of its own, a fresh profile per launch (playwright makes one); checks that fail
// with a message; the database read with the sqlite3 tool, independently of longmen.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LM_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run',
           '--disable-dev-shm-usage'],
  });
}

export function fail(test, msg) {
  console.error(`${test}: FAIL: ${msg}`);
  process.exit(1);
}

export function check(test, cond, msg) {
  if (!cond) fail(test, msg);
}

// Rows of a query as arrays of strings (sqlite3 -separator $'\t').
export function sql(db, query) {
  const out = execFileSync('sqlite3', ['-readonly', '-separator', '\t', db, query], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

// Console errors, page errors and requests to anything but allowed origins.
export function watch(page, allowed) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!allowed.some((a) => u.startsWith(a))) problems.push(`request to ${u}`);
  });
  return problems;
}

// The series of a chart of the report (web/report.js registers them in LM.charts):
// {name: [values...]} for the line series (bands excluded).
export async function chartSeries(page, id) {
  return page.evaluate((chartId) => {
    const c = window.LM && window.LM.charts[chartId];
    if (!c || !c.chart) return null;
    const out = {};
    for (const s of c.chart.getOption().series) {
      if (s.type !== 'line' || s.stack) continue;
      out[s.name] = s.data.map((v) => (Array.isArray(v) ? v[1] : v));
    }
    return out;
  }, id);
}

// alive per region name and year from the database: {name: [v per year...]}.
export function aliveFromDb(db) {
  const rows = sql(db, "SELECT r.name, y.year, y.alive FROM region_year y JOIN region r ON r.run_id = y.run_id AND r.region_id = y.region_id WHERE y.run_id = 1 ORDER BY y.region_id, y.year");
  const out = {};
  for (const [name, , alive] of rows) (out[name] = out[name] || []).push(Number(alive));
  return out;
}

export function sameSeries(test, fromChart, fromDb) {
  check(test, fromChart, 'the chart of firms alive is missing');
  const names = Object.keys(fromDb);
  check(test, names.length > 0, 'the database has no region_year rows');
  for (const n of names) {
    const a = fromChart[n], b = fromDb[n];
    check(test, Array.isArray(a), `the chart has no series for ${n} (it has ${Object.keys(fromChart).join(', ')})`);
    check(test, a.length === b.length, `${n}: the chart has ${a.length} points, the database ${b.length} years`);
    for (let i = 0; i < b.length; ++i)
      check(test, a[i] === b[i], `${n}, year ${i}: the chart shows ${a[i]}, the database holds ${b[i]}`);
  }
  return names.length;
}
