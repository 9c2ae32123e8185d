// tests/browser/compare_report.mjs -- the report.html of a compare in chromium: it opens with
// the answer (the mean paired difference per year with its band, the region the edits touch
// first), whose numbers are those of the compare's paths.csv; fund multiples are drawn per
// arm; the dragon parts say which replication and which definition they show; the table at a
// glance counts dragons first certified over the run. Screenshot into the test output.
// Usage: node compare_report.mjs COMPARE_DIR SHOT_DIR TOUCHED_REGION RUNS
import fs from 'node:fs';
import path from 'node:path';
import { launch, watch, check, chartSeries, fail } from './lib.mjs';

const T = 'browser compare report';
const [outDir, shotDir, touched, runs] = process.argv.slice(2);
const url = 'file://' + path.resolve(outDir, 'report.html');
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watch(page, [url, 'data:', 'blob:', 'about:']);
  await page.goto(url);
  await page.waitForSelector('[data-lm-ready="1"]', { timeout: 30000 });
  const first = await page.$eval('.lm-body section', (s) => s.id);
  check(T, first === 'sec-answer', `the report opens with ${first}, not the answer`);
  check(T, await page.getAttribute('#sec-answer', 'data-touched') === touched, `touched regions: ${await page.getAttribute('#sec-answer', 'data-touched')}`);
  // paths.csv: region,metric,year,runs,baseline_mean,counterfactual_mean,diff_mean,lo,hi
  const paths = fs.readFileSync(path.join(outDir, 'paths.csv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split(','));
  let compared = 0;
  for (const metric of ['jobs', 'high_tech', 'dragons']) {
    const lines = await chartSeries(page, 'lm-chart-paired-' + metric);
    check(T, lines, `no chart of the paired ${metric}`);
    const names = Object.keys(lines);
    check(T, names[0] === touched && names[1] === 'total', `${metric}: series in the order ${names.join(', ')}`);
    for (const name of [touched, 'total']) {
      const want = paths.filter((r) => r[0] === `"${name}"` && r[1] === metric).map((r) => Number(r[6]));
      check(T, want.length === lines[name].length, `${metric} ${name}: ${lines[name].length} years in the chart, ${want.length} in paths.csv`);
      want.forEach((w, i) => check(T, Math.abs(lines[name][i] - w) < 1e-9, `${metric} ${name} year ${i}: chart ${lines[name][i]}, paths.csv ${w}`));
      compared += want.length;
    }
  }
  const note = await page.textContent('#sec-answer .lm-note');
  check(T, note.includes(`i = 1..${runs}`), `the answer does not say which replications: ${note}`);
  const armSeries = await page.evaluate(() => window.LM.charts['lm-chart-multiples-arms'] ? window.LM.charts['lm-chart-multiples-arms'].chart.getOption().series.map((s) => s.name) : null);
  check(T, armSeries && armSeries.length === 2 && /^baseline/.test(armSeries[0]) && /^counterfactual/.test(armSeries[1]),
    `fund multiples not split by arm: ${armSeries}`);
  const which = await page.textContent('#lm-dragons-which');
  check(T, which.includes(`replication 1 of ${runs}`) && which.includes('first certified'), `the dragon section does not say what it shows: ${which}`);
  // every other section says which runs it shows
  const whiches = await page.$$eval('.lm-body section', (ss) => ss.map((s) => [s.id, (s.querySelector('.lm-which') || {}).textContent || '']));
  for (const [id, text] of whiches) {
    if (id === 'sec-answer') continue;
    check(T, text.includes(`baseline ${runs} replications (run_id 1–${runs})`) && text.includes('counterfactual'), `${id} does not say which runs: "${text}"`);
  }
  // figures drawn from one replication (finance_year panels) say so under them
  const oneRun = await page.$$eval('.lm-one-run', (ps) => ps.map((p) => p.textContent));
  check(T, oneRun.length >= 1 && oneRun.every((t) => t.includes('run_id 1 (baseline, replication 1)')), `one-run figures: ${oneRun.join(' | ')}`);
  const glance = await page.textContent('#sec-summary thead');
  check(T, glance.includes('dragons (first certified over the run)'), `at a glance: ${glance}`);
  await page.screenshot({ path: path.join(shotDir, 'compare-report.png'), fullPage: true });
  check(T, problems.length === 0, problems.join('; '));
  console.log(`${T}: ok (answer first, ${compared} yearly differences match paths.csv, funds by arm, dragons said)`);
} catch (e) {
  fail(T, e.stack || String(e));
} finally {
  await browser.close();
}
