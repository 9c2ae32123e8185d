// tests/browser/dashboard.mjs -- the dashboard of `longmen serve` in chromium, as a user
// would use it: pick the scenario, switch a policy off, set a seed, start the run, watch it
// finish, and see its charts; the chart of firms alive must hold the database's numbers.
// Then a compare from the page (2 replications per arm, region 乙市 adopts 甲市's st_fund, a
// field edit): both arms must appear in the chart (baseline and counterfactual series) and
// the paired difference table must list every region and metric of compare.csv.
// The example field edit names a region of the chosen scenario; the runs list says run,
// compare or optimise; a slow run shows a loading state at once, with the run's summary.txt,
// then its charts when the core of its data arrives and each remaining section as its part
// does (the API calls held back one by one); an optimise folder opens its own report
// (answer, frontier, mixes).
// Then a run that fails (a second server with --max-memory too small) shows its error.
// Screenshots into the test output.
// Usage: node dashboard.mjs URL RUNS_DIR SHOT_DIR FAILING_URL
import path from 'node:path';
import { launch, watch, check, chartSeries, aliveFromDb, sameSeries, fail, sql } from './lib.mjs';

const T = 'browser dashboard';
const [url, runsDir, shotDir, failingUrl] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const origin = new URL(url).origin;
  const problems = watch(page, [origin, 'data:', 'blob:', 'about:']);
  await page.goto(url);
  await page.waitForSelector('body[data-app-ready="1"]', { timeout: 30000 });
  await page.selectOption('#scenario', 'tiny');
  await page.waitForSelector('#policies input[type=checkbox]', { timeout: 10000 });
  const boxes = await page.$$('#policies input[type=checkbox]');
  check(T, boxes.length >= 2, `the policies of tiny are not listed (${boxes.length} boxes)`);
  await boxes[0].uncheck(); // the first policy of the first region: off
  await page.fill('#seed', '7');
  await page.click('#start');
  // The run appears in the view when its job is done (tiny takes seconds; allow for ASan).
  await page.waitForSelector('#run-view[data-lm-ready="1"]', { timeout: 240000 });
  const runId = await page.getAttribute('#run-view', 'data-run');
  check(T, runId && runId.startsWith('tiny-edited-seed7-'), `unexpected run id ${runId}`);
  const db = path.join(runsDir, runId, 'results.sqlite');
  const regions = sameSeries(T, await chartSeries(page, 'lm-chart-alive'), aliveFromDb(db));
  const seed = sql(db, 'SELECT seed FROM run')[0][0];
  check(T, seed === '7', `the run's seed is ${seed}, not 7`);
  // The policy switched off starts after the period (2016-12) in the scenario the run read.
  const yaml = sql(db, 'SELECT scenario_yaml FROM run').map((r) => r.join('\t')).join('\n');
  check(T, /start:\s*2017-01/.test(yaml), 'the switched-off policy does not start after the period in the run\'s scenario');
  const done = await page.$$('#jobs .job[data-state="done"]');
  check(T, done.length >= 1, 'the finished job is not listed as done');
  await page.screenshot({ path: path.join(shotDir, 'dashboard.png'), fullPage: false });
  await page.screenshot({ path: path.join(shotDir, 'dashboard-full.png'), fullPage: true });

  // A compare started from the page.
  await boxes[0].check(); // the policy is on again: the counterfactual adopts it as it is
  await page.fill('#replications', '2');
  await page.click('#cf-box summary');
  await page.selectOption('#adopt-to', '乙市');
  await page.selectOption('#adopt-from', '甲市');
  await page.selectOption('#adopt-kind', 'st_fund');
  await page.fill('#adopt-month', '2016-03');
  await page.click('#adopt-add');
  const adoptions = await page.$$eval('#adopt-list li', (li) => li.map((x) => x.dataset.adopt));
  check(T, adoptions.length === 1 && adoptions[0] === '乙市:甲市.st_fund@2016-03', `adoptions listed: ${adoptions}`);
  await page.fill('#cf-policy', '甲市.st_fund.loss_tolerance=0.4');
  await page.click('#compare');
  await page.waitForSelector('#run-view[data-run^="tiny-compare-seed7-"][data-lm-ready="1"]', { timeout: 240000 });
  const cmpId = await page.getAttribute('#run-view', 'data-run');
  const cdb = path.join(runsDir, cmpId, 'results.sqlite');
  const arms = sql(cdb, 'SELECT arm, count(*) FROM run GROUP BY arm ORDER BY arm').map((r) => r.join(':')).join(',');
  check(T, arms === 'baseline:2,counterfactual:2', `the compare's runs by arm: ${arms}`);
  const cmpSeries = Object.keys(await chartSeries(page, 'lm-chart-alive') || {});
  for (const arm of ['baseline', 'counterfactual'])
    check(T, cmpSeries.some((n) => n.endsWith(' · ' + arm)), `no ${arm} series in the chart (${cmpSeries.join(', ')})`);
  const pairedRows = await page.$$eval('#compare-table table.paired tbody tr', (tr) => tr.length);
  check(T, pairedRows === 3 * 5, `the paired table has ${pairedRows} rows, expected 3 regions x 5 metrics`);
  const cfYaml = sql(cdb, "SELECT scenario_yaml FROM run WHERE arm = 'counterfactual' LIMIT 1").map((r) => r.join('\t')).join('\n');
  check(T, /--adopt 乙市:甲市\.st_fund@2016-03/.test(cfYaml) && /loss_tolerance=0\.4/.test(cfYaml), 'the counterfactual\'s scenario does not list the edits');
  await page.screenshot({ path: path.join(shotDir, 'dashboard-compare.png'), fullPage: false });
  await page.screenshot({ path: path.join(shotDir, 'dashboard-compare-full.png'), fullPage: true });

  // The example field edit names a region of the chosen scenario (tiny), not a fixed one.
  const example = await page.getAttribute('#cf-policy', 'placeholder');
  check(T, /^(Jiashi|甲市|Yishi|乙市)\./.test(example), `the field-edit example "${example}" names no region of tiny`);
  // The runs list says what each folder is.
  await page.waitForSelector(`#runs tr.run[data-id="${cmpId}"]`, { timeout: 30000 });
  const kindOf = async (id) => page.$eval(`#runs tr.run[data-id="${id}"] td.kind`, (td) => td.textContent);
  check(T, await kindOf(runId) === 'run', `the run is listed as "${await kindOf(runId)}"`);
  check(T, await kindOf(cmpId) === 'compare', `the compare is listed as "${await kindOf(cmpId)}"`);
  check(T, await kindOf('opt') === 'optimise', `the optimise folder is listed as "${await kindOf('opt')}"`);

  // A slow run shows a loading state at once, then fills its sections as their parts of the
  // data arrive (each held back here until released): the core first, the rest later.
  const gates = {};
  for (const part of ['core', 'sections', 'tables']) {
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    gates[part] = release;
    await page.route((u) => u.pathname === `/api/runs/${encodeURIComponent(runId)}/data/${part}`,
      async (route) => { await gate; await route.continue(); });
  }
  let whole = 0;
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/runs/' + encodeURIComponent(runId)) ++whole; });
  await page.click(`#runs tr.run[data-id="${runId}"]`);
  await page.waitForSelector('#run-loading', { state: 'visible', timeout: 10000 });
  const loadingText = await page.textContent('#run-loading');
  check(T, loadingText.includes(runId), `the loading state does not name the run: "${loadingText}"`);
  // the summary table comes first, while the report data is held back
  await page.waitForSelector('#run-summary', { timeout: 10000 });
  const early = await page.textContent('#run-summary');
  const fileSummary = (await import('node:fs')).readFileSync(path.join(runsDir, runId, 'summary.txt'), 'utf8');
  check(T, early === fileSummary, 'the summary shown while loading is not the run\'s summary.txt');
  check(T, await page.getAttribute('#run-view', 'data-lm-ready') === null, 'the view is ready before its data came');
  await page.screenshot({ path: path.join(shotDir, 'dashboard-loading.png'), fullPage: false });
  // the core: the yearly charts are drawn, the sections of the parts held back say they load
  gates.core();
  await page.waitForSelector('#lm-chart-alive', { timeout: 60000 });
  check(T, (await page.$('#run-loading')) === null, 'the first loading state stays after the core came');
  await page.waitForSelector('#run-loading-more', { state: 'visible', timeout: 10000 });
  sameSeries(T, await chartSeries(page, 'lm-chart-alive'), aliveFromDb(db));
  for (const sec of ['firms', 'tables'])
    check(T, (await page.$(`#sec-${sec} .lm-loading`)) !== null, `section ${sec} does not say it is loading`);
  check(T, await page.getAttribute('#run-view', 'data-lm-ready') === null, 'the view is ready before all its data came');
  await page.screenshot({ path: path.join(shotDir, 'dashboard-loading-core.png'), fullPage: false });
  // the firm-level sections next: the firm section is drawn, the tables still load
  gates.sections();
  await page.waitForSelector('#sec-firms:not(:has(.lm-loading))', { timeout: 60000 });
  check(T, (await page.$('#sec-tables .lm-loading')) !== null, 'the tables stopped loading before their data came');
  gates.tables();
  await page.waitForSelector(`#run-view[data-run="${runId}"][data-lm-ready="1"]`, { timeout: 60000 });
  check(T, (await page.$('#run-loading-more')) === null, 'the loading state stays after the report came');
  check(T, (await page.$$('#run-view .lm-loading')).length === 0, 'a section still says it is loading');
  check(T, (await page.$('#sec-tables .lm-preview, #sec-tables .lm-note')) !== null, 'the other tables are not shown');
  check(T, whole === 0, 'the dashboard asked for the whole report data in one call');
  for (const part of Object.keys(gates))
    await page.unroute((u) => u.pathname === `/api/runs/${encodeURIComponent(runId)}/data/${part}`);

  // An optimise folder opens its own report: the answer, the frontier, the mixes.
  await page.click('#runs tr.run[data-id="opt"]');
  await page.waitForSelector('#run-view[data-run="opt"][data-lm-ready="1"]', { timeout: 30000 });
  const frame = page.frame({ url: /\/api\/runs\/opt\/report\.html$/ });
  check(T, frame, 'no frame with the optimise report');
  for (const id of ['lm-optimise-answer', 'lm-optimise-frontier', 'lm-optimise-mixes', 'lm-optimise-robustness'])
    check(T, (await frame.$('#' + id)) !== null, `the optimise report has no #${id}`);
  const dots = await frame.$$eval('#lm-optimise-frontier circle.mix', (c) => c.length);
  const evals = Number(sql(path.join(runsDir, 'opt', 'results.sqlite'), 'SELECT count(*) FROM optimise_evaluation WHERE draw = 0')[0][0]);
  check(T, dots === evals, `the frontier has ${dots} dots for ${evals} evaluations`);
  await page.screenshot({ path: path.join(shotDir, 'dashboard-optimise.png'), fullPage: false });

  // A run that fails shows its error on the page.
  const page2 = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems2 = watch(page2, [new URL(failingUrl).origin, 'data:', 'blob:', 'about:']);
  await page2.goto(failingUrl);
  await page2.waitForSelector('body[data-app-ready="1"]', { timeout: 30000 });
  await page2.selectOption('#scenario', 'tiny');
  await page2.click('#start');
  await page2.waitForSelector('#jobs .job[data-state="failed"] .err', { timeout: 60000 });
  const err = await page2.textContent('#jobs .job[data-state="failed"] .err');
  check(T, /memory/.test(err), `the failed job shows "${err}", expected the memory estimate`);
  const msg = await page2.textContent('#start-msg');
  check(T, /failed/.test(msg), `the form does not say the run failed: "${msg}"`);
  await page2.screenshot({ path: path.join(shotDir, 'dashboard-failed.png') });

  check(T, problems.length === 0, problems.join('; '));
  check(T, problems2.length === 0, problems2.join('; '));
  console.log(`${T}: ok (run ${runId}: ${regions} regions match the database; compare ${cmpId}: ${arms}, ${pairedRows} paired rows; failure shown: ${err.trim().slice(0, 80)})`);
} catch (e) {
  fail(T, e.stack || String(e));
} finally {
  await browser.close();
}
