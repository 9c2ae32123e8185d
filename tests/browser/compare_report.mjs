// tests/browser/compare_report.mjs -- the report.html of a compare in chromium: it opens with
// the answer (the mean paired difference per year with its band, the region the edits touch
// first), whose numbers are those of the compare's paths.csv; fund multiples are drawn per
// arm, and so are the guidance-fund and exit charts of finance_year (the means over each
// arm's replications, said under them); the dragon parts say which replication and which
// definition they show, the tier chart counts the tables' dragons; the table at a glance
// counts dragons first certified over the run. Screenshot into the test output.
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
  // figures of the tables per region and year say under them what they show: the means over
  // each arm's replications (finance_year: funds, exits) or, where still so, one replication
  const notes = await page.$$eval('.lm-one-run', (ps) => ps.map((p) => p.textContent));
  const byArm = `means over each arm's replications (baseline ${runs}, counterfactual ${runs})`;
  check(T, notes.length >= 1 && notes.every((t) => t.includes('run_id 1 (baseline, replication 1)') || t.includes(byArm) ||
    t.includes(`every fund of each arm's replications, baseline ${runs}`)), `figure notes: ${notes.join(' | ')}`);
  check(T, notes.some((t) => t.includes(byArm)), `no figure of a table per region and year split by arm: ${notes.join(' | ')}`);
  // finance_year's charts split the baseline from the counterfactual
  for (const id of ['lm-chart-funds', 'lm-chart-funds-committed', 'lm-chart-exits-ipos']) {
    const names = await page.evaluate((cid) => window.LM.charts[cid] ? window.LM.charts[cid].chart.getOption().series.map((x) => x.name) : null, id);
    if (names === null) continue; // a section the tiny scenario does not fill
    check(T, names.some((n) => n.endsWith(' · baseline')) && names.some((n) => n.endsWith(' · counterfactual')),
      `${id} does not split the arms: ${names.join(', ')}`);
  }
  check(T, await page.evaluate(() => !!window.LM.charts['lm-chart-funds-committed'] || !!window.LM.charts['lm-chart-funds']), 'no guidance fund chart');
  // the tier chart's dragons are the tables' (first certified up to the year)
  check(T, await page.$('#lm-chart-tier-dragons_certified') !== null, 'the tier chart has no dragons first certified up to the year');
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
