// tests/browser/report.mjs -- report.html in chromium: it opens from the file with no console
// error and no request to anything but the file itself, draws its charts, and the chart of
// firms alive holds exactly the database's numbers. Screenshot into the test output.
// Usage: node report.mjs OUT_DIR(results folder) SHOT_DIR
import path from 'node:path';
import { launch, watch, check, chartSeries, aliveFromDb, sameSeries, fail } from './lib.mjs';

const T = 'browser report';
const [outDir, shotDir] = process.argv.slice(2);
const file = path.resolve(outDir, 'report.html');
const url = 'file://' + file;
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watch(page, [url, 'data:', 'blob:', 'about:']);
  await page.goto(url);
  await page.waitForSelector('[data-lm-ready="1"]', { timeout: 30000 });
  const n = await page.evaluate(() => Object.keys(window.LM.charts).length);
  check(T, n >= 5, `only ${n} charts were drawn`);
  const regions = sameSeries(T, await chartSeries(page, 'lm-chart-alive'), aliveFromDb(path.join(outDir, 'results.sqlite')));
  // Chinese names are in the page as text (the font is the system's business).
  const text = await page.textContent('body');
  check(T, /甲市/.test(text), 'the region name 甲市 is not on the page');
  await page.screenshot({ path: path.join(shotDir, 'report.png'), fullPage: true });
  check(T, problems.length === 0, problems.join('; '));
  console.log(`${T}: ok (${n} charts, ${regions} regions match the database, no console error, no request)`);
} catch (e) {
  fail(T, e.stack || String(e));
} finally {
  await browser.close();
}
