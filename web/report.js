/* web/report.js -- draws a longmen report from its data (docs/report.md) with ECharts.
 * Used twice: embedded in every report.html (src/report/html.c) and by the dashboard of
 * `longmen serve` (web/app.js), which fetches the same data from /api/runs/{id}.
 *
 * A section is drawn when its data is in the database and otherwise says so in one small
 * note, so the report grows as the model writes more tables. Names decide: region_year
 * columns and extra tables are recognised by the words in their names (tier, dragon, talent,
 * wage, chain, deal, fund, exit...). With several runs of one arm the lines are medians with
 * a 90% band; with several arms the first is the baseline (solid) and the others dashed.
 * Public: LM.renderReport(container, data, options), LM.charts (for tests), LM.dispose(). */
(function (global) {
  'use strict';

  const LM = global.LM || (global.LM = {});
  LM.charts = LM.charts || {};
  const NOT_YET = "not in this run's database yet";
  const PALETTE = ['#c23531', '#2f6fb3', '#e08a00', '#2e8b57', '#7b4fa0', '#00838f',
                   '#b5651d', '#d81b60', '#546e7a', '#827717', '#5d4037', '#1565c0'];

  /* ---- small DOM helpers ---- */
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of children || []) if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  }

  function fmtNumber(v, unit) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    if (unit === 'CNY' || unit === 'CNY/month') {
      const a = Math.abs(v);
      if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e11 ? 0 : 1) + ' bn';
      if (a >= 1e6) return (v / 1e6).toFixed(1) + ' m';
      return Math.round(v).toLocaleString('en-US');
    }
    if (unit === 'share' || unit === '0..1') return (100 * v).toFixed(1) + '%';
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    const a = Math.abs(v);
    return a >= 100 ? Math.round(v).toLocaleString('en-US') : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
  }

  function axisFormatter(unit) {
    return function (v) {
      if (unit === 'CNY' || unit === 'CNY/month') return Math.abs(v) >= 1e9 ? (v / 1e9) + ' bn' : Math.abs(v) >= 1e6 ? (v / 1e6) + ' m' : String(v);
      if (unit === 'share' || unit === '0..1') return Math.round(v * 100) + '%';
      return Math.abs(v) >= 1e6 ? (v / 1e6) + 'M' : Math.abs(v) >= 1e4 ? (v / 1e3) + 'k' : String(v);
    };
  }

  /* ---- the data ---- */
  function model(data) {
    const ry = data.region_year || { columns: [], arms: [] };
    const cols = {};
    for (const c of ry.columns || []) cols[c.name] = c;
    return {
      data: data,
      regions: data.regions || [],
      years: data.years || [],
      arms: (ry.arms || []).map(function (a, i) {
        return Object.assign({ name: ((data.arms || [])[i] || {}).name || ('arm ' + (i + 1)) }, a);
      }),
      cols: cols,
      colNames: (ry.columns || []).map(function (c) { return c.name; }),
      sections: data.sections || {},
      tables: data.tables || {},
      mode: data.mode || 'single',
      used: {}
    };
  }

  function has(m, col) { return Object.prototype.hasOwnProperty.call(m.cols, col); }
  function matching(m, re) { return m.colNames.filter(function (n) { return re.test(n); }); }
  function regionName(m, g) { const r = m.regions[g]; return r ? r.name : 'region ' + g; }
  function series(arm, stat, col, g) { const s = (arm[stat] || {})[col]; return s ? s[g] || [] : []; }
  function lastValue(arr) { for (let i = arr.length - 1; i >= 0; --i) if (arr[i] !== null && arr[i] !== undefined) return arr[i]; return null; }
  function sum(arr) { let s = 0; for (const v of arr) if (v !== null && v !== undefined) s += v; return s; }

  /* ---- charts ---- */
  let chartSeq = 0;

  function chartBox(parent, id, height) {
    const box = el('div', { class: 'lm-chart', id: 'lm-chart-' + id });
    box.style.height = (height || 340) + 'px';
    parent.appendChild(box);
    return box;
  }

  function draw(box, option, meta) {
    if (LM._oneRun) {
      box.insertAdjacentElement('afterend', el('p', { class: 'lm-note lm-one-run', text: LM._oneRun }));
      LM._oneRun = '';
    }
    if (typeof global.echarts === 'undefined') {
      box.classList.add('lm-nochart');
      box.textContent = 'charts unavailable: ECharts was not bundled when longmen was built ' +
        '(run `npm ci` in the source tree and rebuild)';
      return null;
    }
    const chart = global.echarts.init(box, null, { renderer: 'canvas' });
    option.animation = false;
    option.textStyle = Object.assign({ fontFamily: "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Zen Hei','PingFang SC','Microsoft YaHei',sans-serif" }, option.textStyle || {});
    chart.setOption(option);
    const id = box.id || ('lm-chart-' + (++chartSeq));
    LM.charts[id] = Object.assign({ chart: chart, box: box }, meta || {});
    return chart;
  }

  /* Lines per region (and arm) of one region_year column, with 90% bands for replications. */
  function regionLines(m, box, col, opts) {
    opts = opts || {};
    const unit = (m.cols[col] || {}).unit || '';
    const out = [];
    const legend = [];
    const regions = opts.regions || m.regions.map(function (_, g) { return g; });
    // More regions than colours: the ten largest at the end get the colours (and are shown),
    // the others are grey and one click away in the legend.
    const many = regions.length > PALETTE.length;
    const top = many && m.arms.length ? regions.slice().sort(function (a, b) {
      return (lastValue(series(m.arms[0], 'values', col, b)) || 0) - (lastValue(series(m.arms[0], 'values', col, a)) || 0);
    }).slice(0, 10) : [];
    const colorOf = function (g, k) { return !many ? PALETTE[k % PALETTE.length] : top.indexOf(g) >= 0 ? PALETTE[top.indexOf(g)] : '#a8a8a8'; };
    m.arms.forEach(function (arm, a) {
      regions.forEach(function (g, k) {
        const color = colorOf(g, k);
        const name = regionName(m, g) + (m.arms.length > 1 ? ' · ' + arm.name : '');
        legend.push(name);
        if (arm.lo && arm.hi) {
          const lo = series(arm, 'lo', col, g), hi = series(arm, 'hi', col, g);
          const stack = 'band-' + a + '-' + g;
          // The legend takes its colour from the first series of a name: colour the band too.
          out.push({ name: name, type: 'line', stack: stack, data: lo, symbol: 'none', itemStyle: { color: color },
                     lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } });
          out.push({ name: name, type: 'line', stack: stack, symbol: 'none', silent: true, itemStyle: { color: color },
                     data: hi.map(function (v, i) { return v === null || lo[i] === null ? null : v - lo[i]; }),
                     lineStyle: { opacity: 0 }, areaStyle: { color: color, opacity: 0.18 }, tooltip: { show: false } });
        }
        out.push({ name: name, type: 'line', data: series(arm, 'values', col, g), symbolSize: 4,
                   lineStyle: { width: 2, type: a > 0 ? 'dashed' : 'solid', color: color },
                   itemStyle: { color: color }, lmRegion: g, lmArm: a });
      });
    });
    const selected = {};
    if (many) {
      m.arms.forEach(function (arm) {
        regions.forEach(function (g) { selected[regionName(m, g) + (m.arms.length > 1 ? ' · ' + arm.name : '')] = top.indexOf(g) >= 0; });
      });
    }
    return draw(box, {
      color: PALETTE,
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, unit); } },
      legend: { type: 'scroll', top: 0, data: legend, selected: selected },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: m.years.map(String), boundaryGap: false },
      yAxis: { type: 'value', name: opts.yName || unit, axisLabel: { formatter: axisFormatter(unit) } },
      series: out
    }, { kind: 'region_lines', column: col, regions: regions });
  }

  /* Several columns of one region (or all summed) as lines: tiers, talent by skill... */
  function columnLines(m, box, cols, region, opts) {
    opts = opts || {};
    const arm = m.arms[0] || {};
    const out = cols.map(function (col, k) {
      let data;
      if (region === 'all') {
        data = m.years.map(function (_, y) {
          let s = null;
          m.regions.forEach(function (_, g) { const v = series(arm, 'values', col, g)[y]; if (v !== null && v !== undefined) s = (s || 0) + v; });
          return s;
        });
      } else data = series(arm, 'values', col, region);
      return { name: (m.cols[col] || {}).label || col, type: 'line', data: data, symbolSize: 4,
               itemStyle: { color: PALETTE[k % PALETTE.length] }, lmColumn: col };
    });
    const unit = (m.cols[cols[0]] || {}).unit || '';
    return draw(box, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, unit); } },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: m.years.map(String), boundaryGap: false },
      yAxis: { type: opts.log ? 'log' : 'value', name: unit, axisLabel: { formatter: axisFormatter(unit) } },
      series: out
    }, { kind: 'column_lines', columns: cols, region: region });
  }

  function regionSelect(m, onChange, withAll) {
    const sel = el('select', { class: 'lm-select' });
    if (withAll) sel.appendChild(el('option', { value: 'all', text: 'all regions' }));
    m.regions.forEach(function (r, g) { sel.appendChild(el('option', { value: String(g), text: r.name + (r.name_en ? ' ' + r.name_en : '') })); });
    sel.addEventListener('change', function () { onChange(sel.value === 'all' ? 'all' : Number(sel.value)); });
    return sel;
  }

  function table(columns, rows, fmt) {
    const t = el('table', { class: 'lm-table' });
    t.appendChild(el('thead', {}, [el('tr', {}, columns.map(function (c) { return el('th', { text: c }); }))]));
    const body = el('tbody');
    for (const row of rows) body.appendChild(el('tr', {}, row.map(function (v, i) {
      const text = fmt ? fmt(v, i) : (typeof v === 'number' ? fmtNumber(v, '') : v === null ? '–' : String(v));
      return el('td', { text: text, class: typeof v === 'number' ? 'num' : '' });
    })));
    t.appendChild(body);
    return t;
  }

  /* ---- sections ---- */
  function section(root, toc, id, title, lead) {
    const s = el('section', { class: 'lm-sec', id: 'sec-' + id }, [el('h2', { text: title })]);
    if (lead) s.appendChild(el('p', { class: 'lm-lead', text: lead }));
    /* several runs: every section says which (the answer says it per figure) */
    if (LM._which && id !== 'answer') s.appendChild(el('p', { class: 'lm-note lm-which', text: LM._which }));
    root.appendChild(s);
    toc.appendChild(el('a', { href: '#sec-' + id, text: title }));
    return s;
  }

  /* The dashboard draws the report before all of its data has come (LM.renderReport's
     options.pending): a section without its data then says it is loading, not missing. */
  function loading(s) {
    s.appendChild(el('p', { class: 'lm-note lm-loading', text: 'loading… (this section\'s data is on its way)' }));
  }

  function notYet(s, needs) {
    if (LM._pending) { loading(s); return; }
    s.classList.add('lm-absent');
    s.appendChild(el('p', { class: 'lm-note', text: NOT_YET + (needs ? ' (needs ' + needs + ')' : '') }));
  }

  function header(m, root, opts) {
    const run = (m.data.runs || [])[0] || {};
    const period = (run.start_month || '?') + ' – ' + (run.end_month || '?');
    const runs = (m.data.runs || []).length;
    const what = m.mode === 'compare' ? m.arms.map(function (a, i) {
        /* arms named by compare already say what they are; others (scenario names) get it said */
        const role = i === 0 ? 'baseline' : 'counterfactual';
        return (a.name === role ? '' : role + ' ') + a.name + ' (' + a.runs + ' runs)';
      }).join(' vs ')
      : m.mode === 'replications' ? runs + ' replications; lines are medians, bands the 90% interval'
      : 'seed ' + run.seed;
    const h = el('header', { class: 'lm-head' }, [
      el('h1', {}, [opts.standalone ? 'longmen report: ' : '', el('span', { class: 'lm-scn', text: run.scenario || 'run' })]),
      el('p', { class: 'lm-meta', text: period + ' · ' + what + ' · ' + (m.regions.length) + ' regions · ' + (m.data.generator || 'longmen') + (run.started_at ? ' · run started ' + run.started_at : '') })
    ]);
    root.appendChild(h);
  }

  /* The answer of a compare: per headline metric the mean paired difference per year with its
     90% band (data.paired, src/report/paired.c), the regions the edits touch first and shown,
     the others one click away in the legend. */
  function answer(m, root, toc) {
    const P = m.data.paired;
    if (!P || !P.metrics || !P.metrics.length) return;
    const nr = m.regions.length;
    const touched = (P.touched || []).filter(function (g) { return g >= 0 && g < nr; });
    const others = m.regions.map(function (_, g) { return g; }).filter(function (g) { return touched.indexOf(g) < 0; });
    const order = touched.concat([nr], others);
    const name = function (g) { return g === nr ? 'total' : regionName(m, g); };
    const which = 'replication i of the counterfactual minus replication i of the baseline, i = 1..' + P.pairs +
      ' (run_id ' + P.counterfactual_run_ids.join(',') + ' minus ' + P.baseline_run_ids.join(',') + '), common random numbers';
    const s = section(root, toc, 'answer', 'The answer: counterfactual − baseline, year by year',
      'Mean paired difference per year over ' + P.pairs + ' pair' + (P.pairs === 1 ? '' : 's') + ' of replications, with its 90% t-interval as a band. ' +
      (touched.length ? 'The regions the edits touch come first: ' + touched.map(name).join(', ') + ', then the total; the other regions are one click away in the legend.'
                      : 'The edits name no region: every region is shown.'));
    s.setAttribute('data-touched', touched.map(name).join(','));
    for (const met of P.metrics) {
      const out = [];
      order.forEach(function (g, k) {
        const color = g === nr ? '#333' : PALETTE[k % PALETTE.length];
        const lo = met.lo[g] || [], hi = met.hi[g] || [];
        const stack = 'paired-' + met.id + '-' + g;
        out.push({ name: name(g), type: 'line', stack: stack, stackStrategy: 'all', data: lo, symbol: 'none', itemStyle: { color: color },
                   lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } });
        out.push({ name: name(g), type: 'line', stack: stack, stackStrategy: 'all', symbol: 'none', silent: true, itemStyle: { color: color },
                   data: hi.map(function (v, i) { return v === null || lo[i] === null ? null : v - lo[i]; }),
                   lineStyle: { opacity: 0 }, areaStyle: { color: color, opacity: 0.15 }, tooltip: { show: false } });
        out.push({ name: name(g), type: 'line', data: met.mean[g] || [], symbolSize: 3,
                   lineStyle: { width: g === nr ? 1.5 : 2, type: g === nr ? 'dashed' : 'solid', color: color }, itemStyle: { color: color } });
      });
      const selected = {};
      order.forEach(function (g) { selected[name(g)] = !touched.length || g === nr || touched.indexOf(g) >= 0; });
      s.appendChild(el('h3', { text: met.title }));
      draw(chartBox(s, 'paired-' + met.id, 280), {
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, ''); } },
        legend: { type: 'scroll', top: 0, data: order.map(name), selected: selected },
        grid: { left: 70, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: P.years.map(String), boundaryGap: false },
        yAxis: { type: 'value', name: 'difference', axisLabel: { formatter: axisFormatter('') } },
        series: out
      }, { kind: 'paired', metric: met.id, order: order.map(name) });
      s.appendChild(el('p', { class: 'lm-note', text: 'Shows ' + which + '. ' + met.title + '.' }));
    }
  }

  function summary(m, root, toc) {
    const s = section(root, toc, 'summary', 'Regions at a glance',
      'Firms alive at the end, births, deaths and launched products over the run, revenue of the last year; dragons: firms first certified a little dragon over the run (the definition of the terminal\'s tables).' +
      (m.mode !== 'single' ? ' ' + (m.arms[0] ? m.arms[0].name : 'first arm') + ' arm, ' + ((m.arms[0] || {}).runs || '?') + ' replications: yearly medians (summed over the years for flows).' : ''));
    const arm = m.arms[0] || {};
    /* Dragons as everywhere else (run's and compare's tables, the answer above): firms first
       certified a little dragon over the run, the sum of dragons_new; not those alive at the end. */
    const dragonCol = has(m, 'dragons_new') ? 'dragons_new' : null;
    const cols = ['region', 'English', 'alive (end)', 'births', 'deaths', 'launched', 'revenue, last year', 'non-local founders'];
    if (dragonCol) cols.push('dragons (first certified over the run)');
    const rows = m.regions.map(function (r, g) {
      const births = sum(series(arm, 'values', 'births', g));
      const row = [r.name, r.name_en || '', lastValue(series(arm, 'values', 'alive', g)), births,
        sum(series(arm, 'values', 'deaths', g)), sum(series(arm, 'values', 'launched', g)),
        lastValue(series(arm, 'values', 'revenue_cny', g)),
        births > 0 ? sum(series(arm, 'values', 'births_nonlocal', g)) / births : null];
      if (dragonCol) row.push(sum(series(arm, 'values', dragonCol, g)));
      return row;
    });
    s.appendChild(table(cols, rows, function (v, i) {
      if (i === 6) return fmtNumber(v, 'CNY');
      if (i === 7) return fmtNumber(v, 'share');
      return typeof v === 'number' ? fmtNumber(Math.round(v), '') : (v === null ? '–' : String(v));
    }));
  }

  function columnSection(m, root, toc, id, title, lead, col, needs) {
    const s = section(root, toc, id, title, lead);
    if (!has(m, col)) { notYet(s, needs || 'region_year.' + col); return; }
    regionLines(m, chartBox(s, id), col);
  }

  function birthsDeaths(m, root, toc) {
    const s = section(root, toc, 'births', 'Births and deaths', 'Firms founded and firms that died each year, per region.');
    if (!has(m, 'births') || !has(m, 'deaths')) { notYet(s, 'region_year.births, region_year.deaths'); return; }
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    const a = el('div', { class: 'lm-half' }, [el('h3', { text: 'births' })]);
    const b = el('div', { class: 'lm-half' }, [el('h3', { text: 'deaths' })]);
    row.appendChild(a); row.appendChild(b);
    regionLines(m, chartBox(a, 'births', 300), 'births');
    regionLines(m, chartBox(b, 'deaths', 300), 'deaths');
  }

  function multiColumnSection(m, root, toc, id, title, lead, cols, needs) {
    const s = section(root, toc, id, title, lead);
    if (!cols.length) { notYet(s, needs); return; }
    let region = 'all';
    const box = chartBox(s, id);
    const redraw = function () {
      const old = LM.charts[box.id];
      if (old && old.chart) old.chart.dispose();
      columnLines(m, box, cols, region);
    };
    s.insertBefore(el('div', { class: 'lm-controls' }, ['region: ', regionSelect(m, function (v) { region = v; redraw(); }, true)]), box);
    redraw();
  }

  function tiers(m, root, toc) {
    const order = ['tech_sme', 'high_tech', 'little_giant', 'unicorn', 'dragon'];
    const names = { tech_sme: 'tech SMEs 科技型中小企业', high_tech: 'high-tech enterprises 高新技术企业',
                    little_giant: 'little giants 专精特新小巨人', unicorn: 'unicorns 独角兽', dragon: 'dragons 小龙' };
    // Stocks, but dragons as in every table: first certified up to the year
    // (dragons_certified), not those holding the title at the year's end.
    const certified = has(m, 'dragons_certified');
    const cols = matching(m, /tech_sme|high_tech|little_giant|unicorn|^dragons?$|^dragons_certified$|tier/)
      .filter(function (c) { return !/_new$/.test(c) && !(certified && /^dragons?$/.test(c)); })
      .sort(function (a, b) {
        const rank = function (c) { const i = order.findIndex(function (o) { return c.indexOf(o) >= 0; }); return i < 0 ? 99 : i; };
        return rank(a) - rank(b);
      });
    const s = section(root, toc, 'tiers', 'Firms alive by tier',
      'Certified tiers (MODEL.md 5.8) and unicorns at the end of each year, per region' +
      (certified ? '; dragons as in every table of longmen: firms first certified a little dragon up to the year (they stay counted when the title lapses).' : '.'));
    if (!cols.length) { notYet(s, 'region_year columns of tier counts (tech_sme, high_tech, little_giant, unicorn)'); return; }
    const grid = el('div', { class: 'lm-grid' });
    s.appendChild(grid);
    for (const c of cols) {
      const key = order.find(function (o) { return c.indexOf(o) >= 0; });
      const title = c === 'dragons_certified' ? 'dragons 小龙, first certified up to the year' : names[key] || (m.cols[c] || {}).label || c;
      const cell = el('div', { class: 'lm-cell' }, [el('h3', { text: title })]);
      grid.appendChild(cell);
      regionLines(m, chartBox(cell, 'tier-' + c, 250), c);
    }
  }

  function dragonsSection(m, root, toc) {
    const s = section(root, toc, 'dragons', 'Dragons', 'Breakout firms (little dragons, 出圈): when and where they were founded, in which sector and business model, and where their founders came from.');
    const stock = has(m, 'dragons_certified') ? 'dragons_certified' : has(m, 'dragon') ? 'dragon' : matching(m, /^dragons?$/)[0];
    const d = m.sections.dragons;
    if (!stock && (!d || !d.present)) { notYet(s, (d && d.needs) || 'a dragon table'); return; }
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    /* say which replication the firm-level parts show, and which dragons each part counts */
    const first = (m.data.runs || [])[0] || {};
    const arm0 = m.arms[0] || {};
    s.appendChild(el('p', { class: 'lm-note', id: 'lm-dragons-which', text:
      (stock ? 'Lines: ' + (stock === 'dragons_certified' ? 'firms first certified a little dragon up to each year, the definition of every table' : 'dragons holding the title at each year\'s end (region_year.' + stock + ')') + (m.mode !== 'single' ? ', medians of each arm\'s replications' : '') + '. ' : '') +
      'List and business models: the firms first certified a little dragon over the run (the definition of the tables) in ' +
      (m.mode === 'single' ? 'this run' : 'one replication only: run_id ' + first.run_id + ' (' + (arm0.name || 'first arm') + ', replication 1 of ' + (arm0.runs || '?') + ')') + '.' }));
    if (stock) {
      const a = el('div', { class: 'lm-half' }, [el('h3', { text: stock === 'dragons_certified' ? 'dragons first certified up to the year, per region' : 'dragons holding the title, per region' })]);
      row.appendChild(a);
      regionLines(m, chartBox(a, 'dragons-lines', 280), stock);
    }
    if (!d && LM._pending) { loading(s); return; }
    if (!d || !d.present) { s.appendChild(el('p', { class: 'lm-note', text: 'the list of dragons is ' + NOT_YET })); return; }
    m.used[d.source] = true;
    if (!d.rows.length) { s.appendChild(el('p', { class: 'lm-note', text: 'no dragon in this run' })); return; }
    const col = function (re) { return d.columns.findIndex(function (c) { return re.test(c); }); };
    const ri = col(/^region$/), bi = col(/business_model/);
    if (ri >= 0 && bi >= 0) {
      const b = el('div', { class: 'lm-half' }, [el('h3', { text: 'dragons by business model' })]);
      row.appendChild(b);
      const models = Array.from(new Set(d.rows.map(function (r) { return r[bi]; }))).sort();
      const label = { to_c: 'To C (consumers)', to_b: 'To B (businesses)', to_g: 'To G (government)' };
      draw(chartBox(b, 'dragons-models', 280), {
        tooltip: { trigger: 'axis' }, legend: { top: 0 },
        grid: { left: 50, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: m.regions.map(function (r) { return r.name; }) },
        yAxis: { type: 'value', minInterval: 1 },
        series: models.map(function (bm, k) {
          return { name: label[bm] || bm, type: 'bar', stack: 'bm', itemStyle: { color: PALETTE[(k + 4) % PALETTE.length] },
                   data: m.regions.map(function (r) { return d.rows.filter(function (x) { return x[ri] === r.name && x[bi] === bm; }).length; }) };
        })
      }, { kind: 'dragons_models' });
    }
    const shown = 15;
    const fmt = function (v, i) { return /cny/.test(d.columns[i]) ? fmtNumber(v, 'CNY') : v === null ? '–' : String(v); };
    s.appendChild(el('p', { class: 'lm-note', text: d.rows.length + ' dragons' + (d.rows.length >= 500 ? ' (the first 500)' : '') + ', in order of becoming one' }));
    s.appendChild(table(d.columns, d.rows.slice(0, shown), fmt));
    if (d.rows.length > shown) {
      const more = el('details', { class: 'lm-more' }, [el('summary', { text: 'all ' + d.rows.length + ' dragons' })]);
      more.appendChild(table(d.columns, d.rows.slice(shown), fmt));
      s.appendChild(more);
    }
  }

  /* A table per region and year (and category): value of col for each region and year of
     one category. */
  function panelSeries(m, t, catCol, cat, valCol) {
    const ci = t.columns.indexOf(catCol), vi = t.columns.indexOf(valCol);
    const gi = t.columns.indexOf('region_id'), yi = t.columns.indexOf('year'), ri = t.columns.indexOf('run_id');
    const first = (m.data.arms && m.data.arms[0] && m.data.arms[0].run_ids) ? m.data.arms[0].run_ids[0] : null;
    /* the next figure drawn shows this one run: draw() says so under it */
    if (first !== null && m.mode !== 'single') LM._oneRun = 'This figure: one replication, run_id ' + first + ' (' + ((m.arms[0] || {}).name || 'first arm') + ', replication 1).';
    const y0 = m.years[0];
    const out = m.regions.map(function () { return m.years.map(function () { return null; }); });
    for (const r of t.rows) {
      if (first !== null && ri >= 0 && r[ri] !== first) continue;
      if (ci >= 0 && r[ci] !== cat) continue;
      const g = r[gi], y = r[yi] - y0;
      if (out[g] && y >= 0 && y < m.years.length) out[g][y] = r[vi];
    }
    return out;
  }

  function panelCats(t, catCol) {
    const ci = t.columns.indexOf(catCol);
    return ci < 0 ? [] : Array.from(new Set(t.rows.map(function (r) { return r[ci]; })));
  }

  /* Lines per category of one region from a panel table. */
  function panelLines(m, box, t, catCol, valCol, region, unit, meta) {
    const cats = panelCats(t, catCol);
    return draw(box, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, unit); } },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: m.years.map(String), boundaryGap: false },
      yAxis: { type: 'value', name: unit, axisLabel: { formatter: axisFormatter(unit) } },
      series: cats.map(function (c, k) {
        return { name: c, type: 'line', symbolSize: 4, itemStyle: { color: PALETTE[k % PALETTE.length] },
                 data: panelSeries(m, t, catCol, c, valCol)[region] };
      })
    }, meta);
  }

  function withRegion(m, s, id, height, drawFn) {
    const box = chartBox(s, id, height);
    let region = 0;
    const redraw = function () { const old = LM.charts[box.id]; if (old && old.chart) old.chart.dispose(); drawFn(box, region); };
    s.insertBefore(el('div', { class: 'lm-controls' }, ['region: ', regionSelect(m, function (v) { region = v; redraw(); }, false)]), box);
    redraw();
  }

  function talent(m, root, toc) {
    const s = section(root, toc, 'talent', 'Talent and wages', 'Talent pools and migration per region; wages by skill (MODEL.md 5.6).');
    const t = m.tables.region_skill_year;
    const cols = ['talent', 'migrants_in', 'migrants_out'].filter(function (c) { return has(m, c); });
    const wages = t && t.columns && t.columns.indexOf('wage_cny_month') >= 0 && t.columns.indexOf('skill') >= 0;
    if (!cols.length && !wages) { notYet(s, 'talent columns of region_year or a region_skill_year table'); return; }
    const grid = el('div', { class: 'lm-grid' });
    s.appendChild(grid);
    const titles = { talent: 'talent pool (people)', migrants_in: 'talent moving in (people a year)', migrants_out: 'talent moving out (people a year)' };
    for (const c of cols) {
      const cell = el('div', { class: 'lm-cell' }, [el('h3', { text: titles[c] })]);
      grid.appendChild(cell);
      regionLines(m, chartBox(cell, 'talent-' + c, 250), c);
    }
    if (wages) {
      m.used.region_skill_year = true;
      const cell = el('div', { class: 'lm-cell' }, [el('h3', { text: 'monthly wage by skill (CNY)' })]);
      grid.appendChild(cell);
      withRegion(m, cell, 'wages', 250, function (box, g) { panelLines(m, box, t, 'skill', 'wage_cny_month', g, 'CNY/month', { kind: 'wages', region: g }); });
    }
  }

  function chain(m, root, toc) {
    const s = section(root, toc, 'chain', 'Chain completeness', 'How complete each layer of the industrial chain is in each region, 0 to 1 (MODEL.md 5.9).');
    const t = m.tables.region_layer_year;
    const cols = matching(m, /chain|completeness/);
    if (!(t && t.columns && t.columns.indexOf('chain') >= 0 && t.columns.indexOf('layer') >= 0)) {
      if (cols.length) { regionLines(m, chartBox(s, 'chain'), cols[0]); return; }
      notYet(s, 'a region_layer_year table with chain completeness');
      return;
    }
    m.used.region_layer_year = true;
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    const a = el('div', { class: 'lm-half' }, [el('h3', { text: 'per layer over time' })]);
    const b = el('div', { class: 'lm-half' }, [el('h3', { text: 'every region and layer, ' + m.years[m.years.length - 1] })]);
    row.appendChild(a); row.appendChild(b);
    withRegion(m, a, 'chain', 300, function (box, g) { panelLines(m, box, t, 'layer', 'chain', g, '0..1', { kind: 'chain', region: g }); });
    const layers = panelCats(t, 'layer');
    const last = m.years.length - 1;
    const cells = [];
    layers.forEach(function (l, x) {
      const v = panelSeries(m, t, 'layer', l, 'chain');
      m.regions.forEach(function (_, g) { const val = v[g][last]; if (val !== null && val !== undefined) cells.push([x, g, Math.round(val * 100) / 100]); });
    });
    draw(chartBox(b, 'chain-map', 300), {
      tooltip: { position: 'top' },
      grid: { left: 70, right: 20, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: layers, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: m.regions.map(function (r) { return r.name; }) },
      visualMap: { min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#f7f4ea', '#e08a00', '#c23531'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: layers.length * m.regions.length <= 80 } }]
    }, { kind: 'chain_map' });
  }

  function findTable(m, re) {
    const names = Object.keys(m.tables).filter(function (n) { return re.test(n); });
    return names.length ? { name: names[0], t: m.tables[names[0]] } : null;
  }

  function columnIndex(t, re) {
    const cols = t.columns || [];
    for (let i = 0; i < cols.length; ++i) if (re.test(cols[i])) return i;
    return -1;
  }

  /* Stages and tiers in their natural order, anything else alphabetically. */
  const ORDER = ['pre_seed', 'angel', 'seed', 'a', 'b', 'c', 'd', 'growth', 'pre_ipo', 'ipo',
                 'tech_sme', 'high_tech', 'little_giant', 'unicorn', 'dragon'];
  function byKnownOrder(x, y) {
    const i = ORDER.indexOf(String(x)), j = ORDER.indexOf(String(y));
    if (i >= 0 && j >= 0) return i - j;
    if (i >= 0 || j >= 0) return i >= 0 ? -1 : 1;
    return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
  }

  /* Sums of amount per year and category from a table's rows or summary. */
  function pivot(t, catRe, amountRe) {
    const ci = columnIndex(t, catRe);
    const yi = columnIndex(t, /^year$/);
    const mi = t.mode === 'rows' ? columnIndex(t, /month$/) : -1;
    const ai = columnIndex(t, amountRe);
    if (ci < 0 || ai < 0 || (yi < 0 && mi < 0)) return null;
    const years = new Set(), cats = new Set(), val = {};
    for (const r of t.rows) {
      const y = yi >= 0 ? r[yi] : (r[mi] ? Number(String(r[mi]).slice(0, 4)) : null);
      if (y === null) continue;
      const c = String(r[ci]); years.add(y); cats.add(c);
      val[c + '|' + y] = (val[c + '|' + y] || 0) + (r[ai] || 0);
    }
    const ys = Array.from(years).sort(), cs = Array.from(cats).sort(byKnownOrder);
    return { years: ys, cats: cs, amount: t.columns[ai], get: function (c, y) { return val[c + '|' + y] || 0; } };
  }

  function stackedBars(box, p, unit, meta) {
    return draw(box, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, unit); } },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: p.years.map(String) },
      yAxis: { type: 'value', name: unit, axisLabel: { formatter: axisFormatter(unit) } },
      series: p.cats.map(function (c, k) {
        return { name: c, type: 'bar', stack: 'all', data: p.years.map(function (y) { return p.get(c, y); }), itemStyle: { color: PALETTE[k % PALETTE.length] } };
      })
    }, meta);
  }

  /* Lines from per-region arrays: [{name, data, color, dashed}]. */
  function plainLines(m, box, lines, unit, meta) {
    return draw(box, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, unit); } },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: m.years.map(String), boundaryGap: false },
      yAxis: { type: 'value', name: unit, axisLabel: { formatter: axisFormatter(unit) } },
      series: lines.map(function (l) {
        return { name: l.name, type: 'line', data: l.data, symbolSize: 4, itemStyle: { color: l.color },
                 lineStyle: { color: l.color, width: l.dotted ? 1.5 : 2, type: l.dotted ? 'dotted' : l.dashed ? 'dashed' : 'solid' } };
      })
    }, meta);
  }

  function has2(t, col) { return t && t.columns && t.columns.indexOf(col) >= 0; }

  /* Per arm and region, one column of a table per region and year: the mean over the arm's
     replications (t.arm_means, src/report/data.c), so that a compare's arms are drawn apart
     and every replication counts. null for a single run or without the column. */
  function armMeans(m, t, col) {
    const am = t && t.arm_means;
    if (m.mode === 'single' || !am || !am.columns) return null;
    const ai = am.columns.indexOf('arm'), ni = am.columns.indexOf('runs');
    const gi = am.columns.indexOf('region_id'), yi = am.columns.indexOf('year'), vi = am.columns.indexOf(col);
    if (vi < 0 || ai < 0) return null;
    const y0 = m.years[0];
    const v = m.arms.map(function () { return m.regions.map(function () { return m.years.map(function () { return null; }); }); });
    const runs = m.arms.map(function () { return 0; });
    for (const r of am.rows) {
      const a = m.arms.findIndex(function (x) { return x.name === r[ai]; });
      if (a < 0) continue;
      const g = r[gi], y = r[yi] - y0;
      if (v[a][g] && y >= 0 && y < m.years.length) v[a][g][y] = r[vi];
      runs[a] = Math.max(runs[a], r[ni]);
    }
    return { v: v, runs: runs };
  }

  /* What a figure drawn from armMeans shows, said under it. */
  function armNote(m, am) {
    return 'This figure: means over each arm\'s replications (' + m.arms.map(function (a, i) { return a.name + ' ' + am.runs[i]; }).join(', ') + ')' +
      (m.arms.length > 1 ? '; ' + m.arms[0].name + ' solid, ' + m.arms.slice(1).map(function (a) { return a.name; }).join(', ') + ' dashed.' : '.');
  }

  /* Per region, one column of a table per region and year (finance_year...); with several
     runs, per arm the mean over its replications. */
  function panelRegionLines(m, box, t, col, unit, meta) {
    const am = armMeans(m, t, col);
    if (am) {
      LM._oneRun = armNote(m, am);
      const lines = [];
      m.arms.forEach(function (arm, a) {
        m.regions.forEach(function (r, g) {
          lines.push({ name: r.name + (m.arms.length > 1 ? ' · ' + arm.name : ''), data: am.v[a][g], color: PALETTE[g % PALETTE.length], dashed: a > 0 });
        });
      });
      return plainLines(m, box, lines, unit, Object.assign({ arms: m.arms.length }, meta));
    }
    const v = panelSeries(m, t, null, null, col);
    return plainLines(m, box, m.regions.map(function (r, g) { return { name: r.name, data: v[g], color: PALETTE[g % PALETTE.length] }; }), unit, meta);
  }

  function half(row, title) { const d = el('div', { class: 'lm-half' }, [el('h3', { text: title })]); row.appendChild(d); return d; }

  function investment(m, root, toc) {
    const s = section(root, toc, 'investment', 'Investment by investor kind and stage', 'Money invested in firms each year, by kind of investor (guidance funds, VC, strategic investors, angels...) and by stage, all regions.');
    let found = m.tables.investment_year ? { name: 'investment_year', t: m.tables.investment_year } : findTable(m, /deal|invest|round/);
    if (found) {
      const byKind = pivot(found.t, /investor.*(kind|type)|^kind$|^investor$/, /amount.*cny|_cny$/);
      const byStage = pivot(found.t, /stage|round/, /amount.*cny|_cny$/);
      if (byKind || byStage) {
        m.used[found.name] = true;
        if (found.name === 'investment_year') m.used.deal = true;
        const row = el('div', { class: 'lm-row' });
        s.appendChild(row);
        if (byKind) stackedBars(chartBox(half(row, 'by investor kind (CNY a year)'), 'invest-kind', 300), byKind, 'CNY', { kind: 'bars', table: found.name });
        if (byStage) stackedBars(chartBox(half(row, 'by stage (CNY a year)'), 'invest-stage', 300), byStage, 'CNY', { kind: 'bars', table: found.name });
        return;
      }
    }
    const cols = matching(m, /invest/);
    if (cols.length) { multiColumnSection(m, s, el('div'), 'invest-cols', 'by column', '', cols, ''); return; }
    notYet(s, 'a deal or investment_year table with investor kind, stage and amount');
  }

  function isGuidance(kind) { return /gov|guid|st_fund|innovation|fof/.test(String(kind)); }

  function funds(m, root, toc) {
    const s = section(root, toc, 'funds', 'Guidance funds: loss ratio against tolerance', 'Realised loss ratio of the government guidance funds next to the loss they may bear (MODEL.md 5.5), and the capital they commit.');
    const fy = m.tables.finance_year, fund = m.tables.fund;
    const lossCols = matching(m, /loss_ratio|realised_loss|realized_loss/);
    let drawn = false;
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    if (has2(fy, 'guidance_loss_ratio')) {
      m.used.finance_year = true;
      const amr = armMeans(m, fy, 'guidance_loss_ratio');
      if (amr) {
        /* per arm: the mean loss ratio over its replications; tolerances dotted */
        const amt = armMeans(m, fy, 'guidance_loss_tolerance');
        const lines = [];
        m.arms.forEach(function (arm, a) {
          m.regions.forEach(function (r, g) {
            const c = PALETTE[g % PALETTE.length], tag = m.arms.length > 1 ? ' · ' + arm.name : '';
            lines.push({ name: r.name + tag, data: amr.v[a][g], color: c, dashed: a > 0 });
            if (amt) lines.push({ name: r.name + ' tolerance' + tag, data: amt.v[a][g], color: c, dotted: true });
          });
        });
        LM._oneRun = armNote(m, amr) + ' Tolerances dotted.';
        plainLines(m, chartBox(half(row, 'loss ratio per region and arm, tolerance dotted'), 'funds', 300), lines, 'share', { kind: 'funds', table: 'finance_year', arms: m.arms.length });
      } else {
        const ratio = panelSeries(m, fy, null, null, 'guidance_loss_ratio');
        const tol = has2(fy, 'guidance_loss_tolerance') ? panelSeries(m, fy, null, null, 'guidance_loss_tolerance') : null;
        const lines = [];
        m.regions.forEach(function (r, g) {
          const c = PALETTE[g % PALETTE.length];
          lines.push({ name: r.name, data: ratio[g], color: c });
          if (tol) lines.push({ name: r.name + ' tolerance', data: tol[g], color: c, dashed: true });
        });
        plainLines(m, chartBox(half(row, 'loss ratio (solid) and tolerance (dashed), per region'), 'funds', 300), lines, 'share', { kind: 'funds', table: 'finance_year' });
      }
      drawn = true;
    }
    if (fund && fund.mode === 'rows' && has2(fund, 'loss_ratio') && has2(fund, 'loss_tolerance')) {
      m.used.fund = true;
      const ki = fund.columns.indexOf('kind'), ri = fund.columns.indexOf('region');
      const li = fund.columns.indexOf('loss_ratio'), ti = fund.columns.indexOf('loss_tolerance');
      const ni = fund.columns.indexOf('policy');
      const rows = fund.rows.filter(function (r) { return ki < 0 || isGuidance(r[ki]); });
      if (rows.length) {
        const top = Math.max(0.05, Math.max.apply(null, rows.map(function (r) { return Math.max(r[li] || 0, r[ti] || 0); })));
        /* a compare's arms apart (circles and triangles), every replication's funds */
        const rui = fund.columns.indexOf('run_id');
        const splitArms = m.arms.length > 1 && rui >= 0 ? m.arms : [m.arms[0] || { name: '' }];
        const armIds = (m.data.arms || []).map(function (a) { return a.run_ids || []; });
        const inArm = function (r, a) { return splitArms.length === 1 || (armIds[a] || []).indexOf(r[rui]) >= 0; };
        if (m.mode !== 'single') LM._oneRun = 'This figure: every fund of ' + (splitArms.length > 1 ? 'each arm\'s replications, ' + m.arms.map(function (a, i) { return a.name + ' ' + (armIds[i] || []).length + (i ? ' (triangles)' : ' (circles)'); }).join(', ') : 'the ' + (m.data.runs || []).length + ' replications') + '.';
        draw(chartBox(half(row, 'each guidance fund: realised loss ratio against its tolerance'), 'funds-scatter', 300), {
          tooltip: { trigger: 'item', formatter: function (p) { const r = p.data[2]; return (r[ri] || '') + ' ' + (ni >= 0 && r[ni] ? r[ni] : '') + '<br>loss ' + fmtNumber(r[li], 'share') + ', tolerance ' + fmtNumber(r[ti], 'share'); } },
          legend: { top: 0 },
          grid: { left: 60, right: 24, top: 44, bottom: 40 },
          xAxis: { type: 'value', name: 'tolerance', min: 0, max: top, axisLabel: { formatter: axisFormatter('share') } },
          yAxis: { type: 'value', name: 'realised loss', min: 0, max: top, axisLabel: { formatter: axisFormatter('share') } },
          series: [].concat.apply([], splitArms.map(function (arm, a) {
            return m.regions.map(function (reg, g) {
              return { name: reg.name + (splitArms.length > 1 ? ' · ' + arm.name : ''), type: 'scatter', symbolSize: 7, symbol: a ? 'triangle' : 'circle',
                       itemStyle: { color: PALETTE[g % PALETTE.length], opacity: 0.6 },
                       data: rows.filter(function (r) { return r[ri] === reg.name && inArm(r, a); }).map(function (r) { return [r[ti], r[li], r]; }),
                       markLine: g === 0 && a === 0 ? { silent: true, symbol: 'none', lineStyle: { color: '#999', type: 'dashed' }, label: { formatter: 'at tolerance' }, data: [[{ coord: [0, 0] }, { coord: [top, top] }]] } : undefined };
            });
          }))
        }, { kind: 'funds_scatter', table: 'fund', arms: splitArms.length });
        drawn = true;
      }
    }
    if (has2(fy, 'gov_committed_cny') && has2(fy, 'social_committed_cny')) {
      const row2 = el('div', { class: 'lm-row' });
      s.appendChild(row2);
      const sumYears = function (v) { return m.years.map(function (_, y) { return v.reduce(function (a, r) { return a + (r[y] || 0); }, 0); }); };
      const amg = armMeans(m, fy, 'gov_committed_cny'), ams = armMeans(m, fy, 'social_committed_cny');
      /* one stack per arm (the mean over its replications), or the one run */
      const stacks = amg && ams ? m.arms.map(function (arm, a) { return { tag: m.arms.length > 1 ? ' · ' + arm.name : '', gov: amg.v[a], soc: ams.v[a], a: a }; })
        : [{ tag: '', gov: panelSeries(m, fy, null, null, 'gov_committed_cny'), soc: panelSeries(m, fy, null, null, 'social_committed_cny'), a: 0 }];
      if (amg && ams) LM._oneRun = armNote(m, amg).replace(' solid, ', ' the first bar, ').replace(' dashed.', ' the second.');
      const series = [];
      for (const st of stacks) {
        series.push({ name: 'government' + st.tag, type: 'bar', stack: 'c' + st.a, data: sumYears(st.gov), itemStyle: { color: PALETTE[0], opacity: st.a ? 0.55 : 1 } });
        series.push({ name: 'social capital' + st.tag, type: 'bar', stack: 'c' + st.a, data: sumYears(st.soc), itemStyle: { color: PALETTE[1], opacity: st.a ? 0.55 : 1 } });
      }
      draw(chartBox(half(row2, 'capital committed to guidance funds, all regions (CNY a year)'), 'funds-committed', 280), {
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return fmtNumber(v, 'CNY'); } }, legend: { top: 0 },
        grid: { left: 70, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: m.years.map(String) },
        yAxis: { type: 'value', axisLabel: { formatter: axisFormatter('CNY') } },
        series: series
      }, { kind: 'funds_committed', table: 'finance_year', arms: stacks.length });
      if (has2(fy, 'leverage')) panelRegionLines(m, chartBox(half(row2, 'leverage: social per government yuan'), 'funds-leverage', 280), fy, 'leverage', '', { kind: 'leverage', table: 'finance_year' });
      drawn = true;
    }
    if (m.arms.length > 1 && fundArms(m, s, 'funds-arms', 'loss_ratio', 'mean realised loss ratio, guidance funds', isGuidance)) drawn = true;
    if (!drawn && lossCols.length) { regionLines(m, chartBox(s, 'funds'), lossCols[0]); drawn = true; }
    if (!drawn) notYet(s, 'a finance_year table (guidance_loss_ratio) or a fund table with loss_ratio and loss_tolerance');
  }

  function median(v) { const a = v.filter(function (x) { return x !== null && x !== undefined && !Number.isNaN(x); }).sort(function (x, y) { return x - y; }); if (!a.length) return null; const h = (a.length - 1) / 2; return (a[Math.floor(h)] + a[Math.ceil(h)]) / 2; }

  /* Funds pooled per arm and kind over the arm's replications (data.fund_by_arm): one bar per
     arm, so a compare's arms are not mixed. Returns whether it drew. */
  function fundArms(m, s, id, key, label, filter) {
    const rows = (m.data.fund_by_arm || []).filter(function (r) { return r[key] !== null && r[key] !== undefined && (!filter || filter(r.kind)); });
    if (!rows.length) return false;
    const arms = [], kinds = [];
    for (const r of rows) { if (arms.indexOf(r.arm) < 0) arms.push(r.arm); if (kinds.indexOf(r.kind) < 0) kinds.push(r.kind); }
    const runsOf = function (a) { const r = rows.find(function (x) { return x.arm === a; }); return r ? r.runs : 0; };
    draw(chartBox(s, id, 300), {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null ? '–' : Number(v).toFixed(3); } },
      legend: { top: 0 },
      grid: { left: 60, right: 24, top: 44, bottom: 40 },
      xAxis: { type: 'category', data: kinds },
      yAxis: { type: 'value', name: label },
      series: arms.map(function (a, i) {
        return { name: a + ' (' + runsOf(a) + ' replications)', type: 'bar', itemStyle: { color: PALETTE[i % PALETTE.length] },
                 data: kinds.map(function (k) { const r = rows.find(function (x) { return x.arm === a && x.kind === k; }); return r ? r[key] : null; }) };
      })
    }, { kind: 'fund_by_arm', value: key, arms: arms });
    s.appendChild(el('p', { class: 'lm-note', text: label + ' by kind of fund, pooled over each arm\'s replications (' +
      arms.map(function (a) { return a + ': ' + runsOf(a); }).join(', ') + '): the sum over the funds of a kind of ' +
      (key === 'tvpi' ? 'distributed + NAV over the sum of paid-in' : key === 'dpi' ? 'distributed over paid-in' : 'the mean per fund') + '.' }));
    return true;
  }

  function multiples(m, root, toc) {
    const s = section(root, toc, 'multiples', 'Fund multiples', 'TVPI (total value to paid-in) and DPI (distributions to paid-in) of the funds, by kind and by vintage.');
    const fund = m.tables.fund;
    /* several arms: never pool their funds into one bar */
    if (m.arms.length > 1 && fundArms(m, s, 'multiples-arms', 'tvpi', 'TVPI')) return;
    if (fund && fund.mode === 'rows' && has2(fund, 'tvpi') && has2(fund, 'kind')) {
      m.used.fund = true;
      const ki = fund.columns.indexOf('kind'), ti = fund.columns.indexOf('tvpi'), di = fund.columns.indexOf('dpi');
      const vi = fund.columns.indexOf('vintage'), ii = fund.columns.indexOf('irr');
      const kinds = Array.from(new Set(fund.rows.map(function (r) { return r[ki]; }))).sort();
      const row = el('div', { class: 'lm-row' });
      s.appendChild(row);
      if (m.mode !== 'single') LM._oneRun = 'This figure: the medians over every fund of the ' + (m.data.runs || []).length + ' replications.';
      const ser = [{ name: 'median TVPI', type: 'bar', data: kinds.map(function (k) { return median(fund.rows.filter(function (r) { return r[ki] === k; }).map(function (r) { return r[ti]; })); }), itemStyle: { color: PALETTE[1] } }];
      if (di >= 0) ser.push({ name: 'median DPI', type: 'bar', data: kinds.map(function (k) { return median(fund.rows.filter(function (r) { return r[ki] === k; }).map(function (r) { return r[di]; })); }), itemStyle: { color: PALETTE[2] } });
      draw(chartBox(half(row, 'by kind of fund (' + fund.rows.length + ' funds)'), 'multiples', 300), {
        tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null ? '–' : v.toFixed(2) + '×'; } }, legend: { top: 0 },
        grid: { left: 50, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: kinds }, yAxis: { type: 'value' }, series: ser
      }, { kind: 'multiples', table: 'fund' });
      if (vi >= 0) {
        if (m.mode !== 'single') LM._oneRun = 'This figure: every fund of the ' + (m.data.runs || []).length + ' replications.';
        draw(chartBox(half(row, 'TVPI of each fund by vintage'), 'multiples-vintage', 300), {
          tooltip: { trigger: 'item', formatter: function (p) { return p.seriesName + ', ' + p.data[0] + ': TVPI ' + Number(p.data[1]).toFixed(2) + (ii >= 0 && p.data[2] !== null ? ', IRR ' + fmtNumber(p.data[2], 'share') : ''); } },
          legend: { top: 0 },
          grid: { left: 50, right: 24, top: 44, bottom: 36 },
          xAxis: { type: 'value', min: 'dataMin', max: 'dataMax', axisLabel: { formatter: function (v) { return String(Math.round(v)); } } },
          yAxis: { type: 'value', name: 'TVPI' },
          series: kinds.map(function (k, n) {
            return { name: k, type: 'scatter', symbolSize: 5, itemStyle: { color: PALETTE[(n + 2) % PALETTE.length], opacity: 0.6 },
                     data: fund.rows.filter(function (r) { return r[ki] === k && r[ti] !== null; }).map(function (r) { return [Number(String(r[vi]).slice(0, 4)) + (Number(String(r[vi]).slice(5, 7)) - 1) / 12, r[ti], ii >= 0 ? r[ii] : null]; }) };
          })
        }, { kind: 'multiples_vintage', table: 'fund' });
      }
      return;
    }
    if (fundArms(m, s, 'multiples-arms', 'tvpi', 'TVPI')) return;
    const cols = matching(m, /tvpi|dpi|multiple|irr/);
    if (cols.length) { multiColumnSection(m, s, el('div'), 'multiples-cols', '', '', cols, ''); return; }
    notYet(s, 'fund multiples (tvpi, dpi) in a fund table or region_year');
  }

  function exits(m, root, toc) {
    const s = section(root, toc, 'exits', 'Exits', 'IPOs and acquisitions per region and year, and the value they realise (MODEL.md 5.7).');
    const fy = m.tables.finance_year;
    if (has2(fy, 'ipos') || has2(fy, 'acquisitions')) {
      m.used.finance_year = true;
      if (m.tables.exit) m.used.exit = true;
      const grid = el('div', { class: 'lm-grid' });
      s.appendChild(grid);
      const cells = [['ipos', 'IPOs', ''], ['acquisitions', 'acquisitions', ''], ['exit_value_cny', 'exit value (CNY a year)', 'CNY']];
      for (const [col, title, unit] of cells) {
        if (!has2(fy, col)) continue;
        const cell = el('div', { class: 'lm-cell' }, [el('h3', { text: title })]);
        grid.appendChild(cell);
        panelRegionLines(m, chartBox(cell, 'exits-' + col, 250), fy, col, unit, { kind: 'exits', column: col });
      }
      return;
    }
    tableOrColumns(m, s, el('div'), 'exits-any', '', '', /exit/, /exit|ipo|acquisition/, 'exit counts in region_year or an exit table');
  }

  function tableOrColumns(m, root, toc, id, title, lead, tableRe, colRe, needs) {
    const cols = matching(m, colRe);
    if (cols.length) { multiColumnSection(m, root, toc, id, title, lead, cols, needs); return; }
    const s = section(root, toc, id, title, lead);
    const found = findTable(m, tableRe);
    if (!found) { notYet(s, needs); return; }
    const t = found.t;
    // A long table (region, year, category, value): lines per category summed over regions.
    const vi = (t.columns || []).findIndex(function (c, i) { return /share|completeness|value|wage|talent|level|_cny|count/.test(c) && typeof (t.rows[0] || [])[i] === 'number'; });
    const p = vi >= 0 ? pivot(t, /layer|skill|kind|sector|category/, new RegExp('^' + t.columns[vi] + '$')) : null;
    if (p) {
      draw(chartBox(s, id), {
        tooltip: { trigger: 'axis' }, legend: { type: 'scroll', top: 0 },
        grid: { left: 70, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: p.years.map(String), boundaryGap: false },
        yAxis: { type: 'value' },
        series: p.cats.map(function (c, k) { return { name: c, type: 'line', data: p.years.map(function (y) { return p.get(c, y); }), itemStyle: { color: PALETTE[k % PALETTE.length] } }; })
      }, { kind: 'table_lines', table: found.name });
      s.appendChild(el('p', { class: 'lm-note', text: 'summed over regions and runs, from table ' + found.name }));
    } else s.appendChild(previewTable(found.name, t));
  }

  function founders(m, root, toc) {
    const s = section(root, toc, 'founders', 'Where founders come from', 'Births over the run by the founder\'s background, and the share of founders not from the region.');
    const src = ['births_platform', 'births_spinout', 'births_serial', 'births_returnee', 'births_other'].filter(function (c) { return has(m, c); });
    if (!src.length) { notYet(s, 'region_year.births_* columns'); return; }
    const arm = m.arms[0] || {};
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    const a = el('div', { class: 'lm-half' }, [el('h3', { text: 'births by founder background, whole run' })]);
    const b = el('div', { class: 'lm-half' }, [el('h3', { text: 'share of non-local founders' })]);
    row.appendChild(a); row.appendChild(b);
    draw(chartBox(a, 'founders', 300), {
      tooltip: { trigger: 'axis' }, legend: { top: 0 },
      grid: { left: 70, right: 24, top: 44, bottom: 36 },
      xAxis: { type: 'category', data: m.regions.map(function (r) { return r.name; }) },
      yAxis: { type: 'value' },
      series: src.map(function (c, k) {
        return { name: c.replace('births_', ''), type: 'bar', stack: 'src', itemStyle: { color: PALETTE[k] },
                 data: m.regions.map(function (_, g) { return sum(series(arm, 'values', c, g)); }) };
      })
    }, { kind: 'founders' });
    if (has(m, 'founders_nonlocal_share')) regionLines(m, chartBox(b, 'nonlocal', 300), 'founders_nonlocal_share');
  }

  function economy(m, root, toc) {
    const s = section(root, toc, 'economy', 'Revenue, R&D, jobs and knowledge', 'Per region and year.');
    const cols = ['revenue_cny', 'rd_spend_cny', 'headcount', 'knowledge', 'subsidies_cny', 'policy_budget_cny'].filter(function (c) { return has(m, c); });
    if (!cols.length) { notYet(s, 'region_year money columns'); return; }
    const grid = el('div', { class: 'lm-grid' });
    s.appendChild(grid);
    for (const c of cols) {
      const cell = el('div', { class: 'lm-cell' }, [el('h3', { text: (m.cols[c] || {}).label || c })]);
      grid.appendChild(cell);
      regionLines(m, chartBox(cell, 'eco-' + c, 260), c);
    }
  }

  function firms(m, root, toc) {
    const first = (m.data.runs || [])[0] || {};
    const s = section(root, toc, 'firms', 'Firm sizes and fates', 'Employees of the firms alive at the end and of every firm at its peak; firms by status at the end of the run' +
      (m.mode === 'single' ? '.' : ': one replication only, run_id ' + first.run_id + ' (' + ((m.arms[0] || {}).name || 'first arm') + ', replication 1).'));
    const size = m.sections.firm_size, status = m.sections.firm_status;
    if ((!size || !size.present) && (!status || !status.present)) { notYet(s, 'the firm table'); return; }
    const row = el('div', { class: 'lm-row' });
    s.appendChild(row);
    if (size && size.present) {
      const a = el('div', { class: 'lm-half' }, [el('h3', { text: 'size classes (employees)' })]);
      row.appendChild(a);
      const byClass = {};
      for (const r of size.rows) byClass[r[0]] = r;
      draw(chartBox(a, 'firm-size', 300), {
        tooltip: { trigger: 'axis' }, legend: { top: 0 },
        grid: { left: 70, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: size.labels },
        yAxis: { type: 'log', min: 1 },
        series: [
          { name: 'alive at the end', type: 'bar', data: size.labels.map(function (_, i) { return byClass[i] ? byClass[i][1] || null : null; }), itemStyle: { color: PALETTE[1] } },
          { name: 'all firms, at their peak', type: 'bar', data: size.labels.map(function (_, i) { return byClass[i] ? byClass[i][2] || null : null; }), itemStyle: { color: PALETTE[2] } }
        ]
      }, { kind: 'firm_size' });
    }
    if (status && status.present) {
      const b = el('div', { class: 'lm-half' }, [el('h3', { text: 'status at the end' })]);
      row.appendChild(b);
      const statuses = Array.from(new Set(status.rows.map(function (r) { return r[1]; })));
      draw(chartBox(b, 'firm-status', 300), {
        tooltip: { trigger: 'axis' }, legend: { top: 0 },
        grid: { left: 70, right: 24, top: 44, bottom: 36 },
        xAxis: { type: 'category', data: m.regions.map(function (r) { return r.name; }) },
        yAxis: { type: 'value' },
        series: statuses.map(function (st, k) {
          return { name: st, type: 'bar', stack: 'status', itemStyle: { color: PALETTE[(k + 3) % PALETTE.length] },
                   data: m.regions.map(function (_, g) { const r = status.rows.find(function (x) { return x[0] === g && x[1] === st; }); return r ? r[2] : 0; }) };
        })
      }, { kind: 'firm_status' });
    }
  }

  function explorer(m, root, toc) {
    const s = section(root, toc, 'explorer', 'Every yearly series', 'Any column of region_year, per region.');
    if (!m.colNames.length) { notYet(s, 'region_year'); return; }
    const sel = el('select', { class: 'lm-select', id: 'lm-explorer-column' });
    for (const c of m.colNames) sel.appendChild(el('option', { value: c, text: c + ((m.cols[c] || {}).label && m.cols[c].label !== c.replace(/_/g, ' ') ? ' (' + m.cols[c].label + ')' : '') }));
    sel.value = has(m, 'alive') ? 'alive' : m.colNames[0];
    const box = chartBox(s, 'explorer');
    const redraw = function () {
      const old = LM.charts[box.id];
      if (old && old.chart) old.chart.dispose();
      regionLines(m, box, sel.value);
    };
    sel.addEventListener('change', redraw);
    s.insertBefore(el('div', { class: 'lm-controls' }, ['column: ', sel]), box);
    redraw();
  }

  function previewTable(name, t) {
    const wrap = el('div', { class: 'lm-preview' });
    const rows = (t.rows || []).slice(0, 12);
    wrap.appendChild(el('p', { class: 'lm-note', text: name + ': ' + t.rows_total + ' rows' + (t.mode === 'summary' ? ' (summarised by ' + ['run_id', 'year'].concat(t.group_by || []).join(', ') + ')' : '') + (t.rows && t.rows.length > rows.length ? ', first ' + rows.length + ' shown' : '') }));
    if (t.columns) wrap.appendChild(table(t.columns, rows));
    return wrap;
  }

  function otherTables(m, root, toc) {
    const names = Object.keys(m.tables).filter(function (n) { return !m.used[n]; });
    const s = section(root, toc, 'tables', 'Other tables in the database', 'Tables this report has no chart for yet, as they are.');
    if (LM._pending && !m.data.tables) { loading(s); return; }
    if (!names.length) { s.appendChild(el('p', { class: 'lm-note', text: 'none: every table of the database has its section above' })); return; }
    for (const n of names) s.appendChild(previewTable(n, m.tables[n]));
  }

  function footer(m, root) {
    root.appendChild(el('footer', { class: 'lm-foot', text: 'Made by ' + (m.data.generator || 'longmen') +
      ' from results.sqlite (schema ' + (m.data.schema_version || '?') + '); report data format ' + m.data.format +
      '. Charts: Apache ECharts (Apache License 2.0), inside this file; nothing is fetched from the network.' }));
  }

  LM.dispose = function (container) {
    for (const id of Object.keys(LM.charts)) {
      const c = LM.charts[id];
      if (!container || container.contains(c.box)) { if (c.chart) c.chart.dispose(); delete LM.charts[id]; }
    }
  };

  LM.renderReport = function (container, data, opts) {
    opts = opts || {};
    LM.dispose(container);
    container.textContent = '';
    const m = model(data);
    const pend = opts.pending || {};
    LM._pending = !!(pend.sections || pend.tables);
    LM._which = m.mode === 'single' ? '' : 'Runs: ' + m.arms.map(function (a, i) {
      const ids = ((data.arms || [])[i] || {}).run_ids || [];
      return a.name + ' ' + ids.length + ' replication' + (ids.length === 1 ? '' : 's') +
        (ids.length ? ' (run_id ' + ids[0] + (ids.length > 1 ? '–' + ids[ids.length - 1] : '') + ')' : '');
    }).join(', ') + '. Lines are each arm\'s yearly medians over its replications and bands their 5–95% range, unless a figure says it shows one replication.';
    header(m, container, opts);
    const toc = el('nav', { class: 'lm-toc' });
    container.appendChild(toc);
    const body = el('div', { class: 'lm-body' });
    container.appendChild(body);
    const parts = [
      function () { answer(m, body, toc); },
      function () { summary(m, body, toc); },
      function () { columnSection(m, body, toc, 'alive', 'Firms alive', 'Firms alive at the end of each year, per region' + (m.mode === 'replications' ? ' (median and 90% band).' : '.'), 'alive'); },
      function () { birthsDeaths(m, body, toc); },
      function () { tiers(m, body, toc); },
      function () { dragonsSection(m, body, toc); },
      function () { investment(m, body, toc); },
      function () { funds(m, body, toc); },
      function () { multiples(m, body, toc); },
      function () { exits(m, body, toc); },
      function () { talent(m, body, toc); },
      function () { chain(m, body, toc); },
      function () { founders(m, body, toc); },
      function () { economy(m, body, toc); },
      function () { firms(m, body, toc); },
      function () { explorer(m, body, toc); },
      function () { otherTables(m, body, toc); }
    ];
    for (const p of parts) {
      try { p(); } catch (e) {
        // One broken section must not take the report down; say what broke.
        body.appendChild(el('p', { class: 'lm-error', text: 'this section could not be drawn: ' + e.message }));
        if (global.console) global.console.warn(e);
      }
    }
    LM._pending = false;
    footer(m, container);
    if (!LM._resizeHooked) {
      LM._resizeHooked = true;
      global.addEventListener('resize', function () { for (const id in LM.charts) if (LM.charts[id].chart) LM.charts[id].chart.resize(); });
    }
    container.setAttribute('data-lm-ready', '1');
    return m;
  };
})(typeof window !== 'undefined' ? window : this);
