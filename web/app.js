/* web/app.js -- the dashboard of `longmen serve` (web/index.html): lists runs and jobs,
 * builds a run request from the form (scenario, seed, period, replications, policies
 * switched off), or a compare (the same plus adoptions and field edits of the
 * counterfactual), follows the job's progress by polling /api/jobs/{id}, and shows the run's
 * report (web/report.js) when it finishes, with the paired difference table of a compare
 * (compare.csv), or its error when it fails. API: docs/api.md. */
(function () {
  'use strict';

  const $ = function (id) { return document.getElementById(id); };
  const state = { scenario: null, selectedRun: null, watching: null, jobs: [], lastRuns: '', adopt: [] };

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

  async function api(path, options) {
    const r = await fetch(path, options);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      const err = new Error(body && body.error ? body.error.message : ('HTTP ' + r.status));
      err.status = r.status;
      err.body = body;
      throw err;
    }
    return body;
  }

  /* ---- status line ---- */
  async function refreshStatus() {
    try {
      const h = await api('/api/health');
      $('status').textContent = 'longmen ' + h.version + ' · runs in ' + h.runs_dir + ' · ' +
        h.jobs.running + ' running, ' + h.jobs.waiting + ' waiting (queue ' + h.jobs.queue_capacity + ')' +
        (h.charts ? '' : ' · built without ECharts: no charts');
    } catch (e) {
      $('status').textContent = 'server unreachable: ' + e.message;
    }
  }

  /* ---- scenarios and their policies ---- */
  async function loadScenarios() {
    const sel = $('scenario');
    const list = await api('/api/scenarios');
    sel.textContent = '';
    for (const s of list.scenarios) {
      const label = s.name + (s.valid ? ' (' + s.regions + ' regions, ' + s.period.start + '–' + s.period.end + ')' : ' (invalid: ' + s.error + ')');
      const o = el('option', { value: s.name, text: label });
      if (!s.valid) o.disabled = true;
      sel.appendChild(o);
    }
    const preferred = list.scenarios.find(function (s) { return s.valid && s.name === 'three-capitals'; }) ||
                      list.scenarios.find(function (s) { return s.valid; });
    if (preferred) { sel.value = preferred.name; await loadPolicies(preferred.name); }
  }

  async function loadPolicies(name) {
    const box = $('policies');
    box.textContent = '';
    try {
      const sc = await api('/api/scenarios/' + encodeURIComponent(name));
      state.scenario = sc;
      $('seed').placeholder = String(sc.seed);
      $('from').placeholder = sc.period.start;
      $('to').placeholder = sc.period.end;
      /* the example edit names a region of the chosen scenario, not a fixed one */
      const first = sc.regions.find(function (r) { return r.policies.some(function (p) { return p.kind === 'st_fund'; }); }) || sc.regions[0];
      if (first) {
        const pol = first.policies.find(function (p) { return p.kind === 'st_fund'; }) || first.policies[0];
        $('cf-policy').placeholder = (first.name_en || first.name) + '.' + (pol ? pol.kind : 'st_fund') +
          (pol && pol.kind !== 'st_fund' ? '.enabled=false' : '.loss_tolerance=0.4');
      }
      for (const r of sc.regions) {
        const fs = el('fieldset', {}, [el('legend', { text: r.name + (r.name_en ? ' ' + r.name_en : '') })]);
        if (!r.policies.length) fs.appendChild(el('p', { class: 'hint', text: 'no policies' }));
        for (const p of r.policies) {
          const cb = el('input', { type: 'checkbox', 'data-region': String(r.index), 'data-policy': String(p.index) });
          cb.checked = true;
          const when = (p.start || '?') + (p.end ? '–' + p.end : '–');
          fs.appendChild(el('label', {}, [cb, el('span', {}, [(p.name || p.kind) + ' ', el('span', { class: 'kind', text: p.kind + ', ' + when })])]));
        }
        box.appendChild(fs);
      }
      fillAdoption(sc);
    } catch (e) {
      box.appendChild(el('p', { class: 'msg error', text: e.message }));
    }
  }

  /* ---- counterfactual edits of a compare ---- */
  function fillAdoption(sc) {
    state.adopt = [];
    renderAdoptions();
    for (const id of ['adopt-to', 'adopt-from']) {
      const sel = $(id);
      sel.textContent = '';
      for (const r of sc.regions) sel.appendChild(el('option', { value: r.name, text: r.name + (r.name_en ? ' ' + r.name_en : '') }));
    }
    if (sc.regions.length > 1) $('adopt-from').selectedIndex = 1;
    fillKinds();
  }

  function fillKinds() {
    const sel = $('adopt-kind');
    sel.textContent = '';
    const r = state.scenario && state.scenario.regions.find(function (g) { return g.name === $('adopt-from').value; });
    const kinds = [];
    for (const p of (r ? r.policies : [])) if (kinds.indexOf(p.kind) < 0) kinds.push(p.kind);
    for (const k of kinds) sel.appendChild(el('option', { value: k, text: k }));
    if (!kinds.length) sel.appendChild(el('option', { value: '', text: '(no policy)' }));
  }

  function renderAdoptions() {
    const list = $('adopt-list');
    list.textContent = '';
    state.adopt.forEach(function (a, i) {
      const rm = el('button', { class: 'secondary', type: 'button', text: '×', title: 'remove' });
      rm.addEventListener('click', function () { state.adopt.splice(i, 1); renderAdoptions(); });
      list.appendChild(el('li', { 'data-adopt': a.region + ':' + a.from + '.' + a.kind + (a.month ? '@' + a.month : ''), 'data-add': a.add ? '1' : '0' },
        [a.region + (a.add ? ' adds ' : ' adopts ') + a.from + '\'s ' + a.kind + (a.month ? ' from ' + a.month : ' (with its dates)') +
         (a.add ? ', keeping its own' : ', replacing its own'), rm]));
    });
  }

  function addAdoption() {
    const a = { region: $('adopt-to').value, from: $('adopt-from').value, kind: $('adopt-kind').value };
    const month = $('adopt-month').value.trim();
    if (month) {
      if (!/^\d{4}-\d{2}$/.test(month)) { $('adopt-month').setCustomValidity('YYYY-MM'); $('adopt-month').reportValidity(); return; }
      a.month = month;
    }
    $('adopt-month').setCustomValidity('');
    if ($('adopt-keep').checked) a.add = true;
    if (!a.region || !a.from || !a.kind) return;
    if (!state.adopt.some(function (b) { return b.region === a.region && b.kind === a.kind; })) state.adopt.push(a);
    renderAdoptions();
  }

  function compareRequest() {
    const body = request();
    body.compare = true;
    if (state.adopt.length) body.adopt = state.adopt.map(function (a) { return Object.assign({}, a); });
    const lines = $('cf-policy').value.split('\n').map(function (l) { return l.trim(); }).filter(function (l) { return l; });
    if (lines.length) body.policy = lines;
    return body;
  }

  /* ---- starting a run ---- */
  function request() {
    const body = { scenario: $('scenario').value };
    const seed = $('seed').value.trim();
    if (seed !== '') body.seed = Number(seed);
    const reps = $('replications').value.trim();
    if (reps !== '') body.replications = Number(reps);
    if ($('from').value.trim()) body.from = $('from').value.trim();
    if ($('to').value.trim()) body.to = $('to').value.trim();
    const off = [];
    for (const cb of $('policies').querySelectorAll('input[type=checkbox]'))
      if (!cb.checked) off.push({ region: Number(cb.dataset.region), policy: Number(cb.dataset.policy), enabled: false });
    if (off.length) body.policies = off;
    return body;
  }

  async function start(compare) {
    const msg = $('start-msg');
    msg.className = 'msg';
    msg.textContent = 'submitting…';
    $('start').disabled = true;
    $('compare').disabled = true;
    try {
      const body = compare === true ? compareRequest() : request();
      const r = await api('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      msg.textContent = 'job ' + r.job.id + ' ' + r.job.state + (r.job.compare ? ' (compare, ' + r.job.replications + ' replications per arm)' :
        r.job.replications > 1 ? ' (' + r.job.replications + ' replications)' : '');
      state.watching = r.job.id;
      await refreshJobs();
    } catch (e) {
      msg.className = 'msg error';
      const b = e.body && e.body.error;
      msg.textContent = (e.status === 503 ? 'the queue is full: ' : '') + (b && b.text ? b.text : e.message);
    } finally {
      $('start').disabled = false;
      $('compare').disabled = false;
    }
  }

  /* ---- jobs ---- */
  function jobLine(j) {
    const p = j.progress || {};
    const pct = Math.round(100 * (p.fraction || 0));
    const title = 'job ' + j.id + ': ' + (j.compare ? 'compare ' : '') + j.scenario + (j.edited ? ' (edited)' : '') + (j.seed !== undefined ? ', seed ' + j.seed : '') +
      (j.replications > 1 ? ', ' + j.replications + ' replications' + (j.compare ? ' per arm' : '') : '');
    const div = el('div', { class: 'job', id: 'job-' + j.id, 'data-state': j.state }, [
      el('div', {}, [el('span', { class: 'state', text: j.state }), ' ', title])
    ]);
    if (j.state === 'running' || j.state === 'queued') {
      const bar = el('div', { class: 'bar' }, [el('div')]);
      bar.firstChild.style.width = pct + '%';
      div.appendChild(bar);
      div.appendChild(el('div', { class: 'hint', text: j.state === 'queued' ? 'waiting, position ' + (j.queue_position || '?') :
        'month ' + p.months_done + '/' + p.months_total + ' ' + (p.month || '') + ' · ' + (p.firms_alive || 0).toLocaleString('en-US') + ' firms · ' + (p.elapsed_s || 0).toFixed(1) + ' s' }));
      const cancel = el('button', { class: 'secondary', text: 'cancel' });
      cancel.addEventListener('click', function () { api('/api/jobs/' + j.id, { method: 'DELETE' }).then(refreshJobs, refreshJobs); });
      div.appendChild(cancel);
    }
    if (j.state === 'done' && j.run_id) {
      const a = el('a', { href: '#', text: 'show ' + j.run_id, class: 'show-run' });
      a.addEventListener('click', function (ev) { ev.preventDefault(); showRun(j.run_id); });
      div.appendChild(el('div', {}, [a]));
    }
    if (j.error) div.appendChild(el('div', { class: 'err', text: j.error.message }));
    return div;
  }

  async function refreshJobs() {
    let list;
    try { list = (await api('/api/jobs')).jobs; } catch (e) { return; }
    const box = $('jobs');
    box.textContent = '';
    if (!list.length) box.appendChild(el('p', { class: 'hint', text: 'none yet' }));
    for (const j of list.slice(0, 20)) box.appendChild(jobLine(j));
    const before = state.jobs;
    state.jobs = list;
    // The job the user started: its progress in the view while it runs, then its run.
    const w = state.watching !== null ? list.find(function (j) { return j.id === state.watching; }) : null;
    if (w && (w.state === 'running' || w.state === 'queued')) showProgress(w);
    if (w && w.state === 'done') {
      state.watching = null;
      $('start-msg').className = 'msg';
      $('start-msg').textContent = 'job ' + w.id + ' done: ' + w.run_id;
      await refreshRuns();
      await showRun(w.run_id);
    } else if (w && (w.state === 'failed' || w.state === 'cancelled')) {
      state.watching = null;
      const msg = $('start-msg');
      msg.className = 'msg error';
      msg.textContent = 'job ' + w.id + ' ' + w.state + ': ' + (w.error ? w.error.message : '');
    }
    if (before.some(function (j) { return j.state !== 'done'; }) && !list.some(function (j) { return j.state === 'running' || j.state === 'queued'; }))
      refreshRuns();
  }

  function showProgress(j) {
    const view = $('run-view');
    view.removeAttribute('data-lm-ready');
    view.removeAttribute('data-run');
    $('view-links').textContent = '';
    view.textContent = '';
    const p = j.progress || {};
    const card = el('div', { class: 'progress-card', id: 'progress-card', 'data-job': String(j.id) }, [
      el('h2', { text: (j.state === 'queued' ? 'Waiting: ' : 'Running: ') + (j.compare ? 'compare of ' : '') + j.scenario + (j.edited ? ' (edited)' : '') + ', seed ' + j.seed +
        (j.replications > 1 ? ', ' + j.replications + ' replications' + (j.compare ? ' per arm' : '') : '') }),
      el('div', { class: 'job' }, [el('div', { class: 'bar big' }, [el('div')])]),
      el('p', { text: j.state === 'queued' ? 'position ' + (j.queue_position || '?') + ' in the queue' :
        'month ' + p.months_done + ' of ' + p.months_total + ' (' + (p.month || '') + ') · ' +
        (p.firms_alive || 0).toLocaleString('en-US') + ' firms alive · ' + (p.elapsed_s || 0).toFixed(1) + ' s' }),
      el('p', { class: 'hint', text: 'The report appears here when the run finishes' + (j.compare ? ' (months over both arms and all replications).' : '.') })
    ]);
    card.querySelector('.bar div').style.width = Math.round(100 * (p.fraction || 0)) + '%';
    view.appendChild(card);
  }

  /* ---- runs ---- */
  async function refreshRuns() {
    let list;
    try { list = (await api('/api/runs')).runs; } catch (e) { return; }
    const key = JSON.stringify(list.map(function (r) { return r.id; }));
    const body = $('runs');
    if (key === state.lastRuns && body.children.length) return;
    state.lastRuns = key;
    body.textContent = '';
    state.runKinds = {};
    if (!list.length) body.appendChild(el('tr', {}, [el('td', { colspan: '5', class: 'hint', text: 'no run in this folder yet' })]));
    for (const r of list) {
      state.runKinds[r.id] = r.kind || 'run';
      const tr = el('tr', { class: 'run' + (r.id === state.selectedRun ? ' selected' : ''), 'data-id': r.id, 'data-kind': r.kind || 'run' }, [
        el('td', { text: r.id }), el('td', { class: 'kind', text: r.kind || 'run' }), el('td', { text: String(r.seed) }),
        el('td', { text: (r.start_month || '') + '–' + (r.end_month || '') }),
        el('td', { text: r.firms_alive !== undefined ? Number(r.firms_alive).toLocaleString('en-US') : '' })
      ]);
      tr.addEventListener('click', function () { showRun(r.id); });
      body.appendChild(tr);
    }
  }

  /* A big run's report data takes the server a while to read: say so at once, and keep
     whatever the user clicked last (a slow answer for an earlier click is dropped). */
  function showLoading(view, id) {
    view.textContent = '';
    view.appendChild(el('div', { class: 'loading', id: 'run-loading', role: 'status', 'aria-live': 'polite' }, [
      el('span', { class: 'spinner' }), 'Loading ' + id + '… a run with many replications takes a few seconds or more.'
    ]));
  }

  async function showRun(id) {
    state.selectedRun = id;
    for (const tr of $('runs').querySelectorAll('tr.run')) tr.classList.toggle('selected', tr.dataset.id === id);
    const view = $('run-view');
    const links = $('view-links');
    view.setAttribute('data-run', id);
    view.removeAttribute('data-lm-ready');
    links.textContent = '';
    const base = '/api/runs/' + encodeURIComponent(id) + '/';
    if ((state.runKinds || {})[id] === 'optimise') {
      /* an optimise folder has its own page (no run table to draw from) */
      links.appendChild(el('a', { href: base + 'report.html', target: '_blank', text: 'report.html' }));
      links.appendChild(el('span', { class: 'hint', text: id + ' (optimise)' }));
      view.textContent = '';
      const frame = el('iframe', { class: 'lm-optimise', src: base + 'report.html', title: 'optimise report ' + id });
      frame.addEventListener('load', function () { if (state.selectedRun === id) view.setAttribute('data-lm-ready', '1'); });
      view.appendChild(frame);
      return;
    }
    showLoading(view, id);
    /* The summary table (a few kB, written by the command) comes first, while the server reads
       the report data, which for a big run takes a while: the answer is on screen at once. */
    fetch(base + 'summary.txt').then(function (resp) { return resp.ok ? resp.text() : null; }).then(function (text) {
      if (!text || state.selectedRun !== id || !$('run-loading')) return;
      view.insertBefore(el('pre', { class: 'run-summary', id: 'run-summary', text: text }), view.firstChild);
    }).catch(function () { /* the report will say what is wrong */ });
    /* The report data comes in parts (docs/api.md): the core (every yearly series, the
       paired differences) first, drawn at once; then the firm-level sections and the other
       tables, the slow reads of a big database, each filling its sections as it arrives. */
    const partUrl = function (p) { return '/api/runs/' + encodeURIComponent(id) + '/data/' + p; };
    const later = { sections: api(partUrl('sections')), tables: api(partUrl('tables')) };
    for (const k in later) later[k].catch(function () { /* said where it is awaited */ });
    try {
      const r = await api(partUrl('core'));
      if (state.selectedRun !== id) return;
      links.appendChild(el('a', { href: base + 'report.html', target: '_blank', text: 'report.html' }));
      links.appendChild(el('a', { href: base + 'headline.svg', target: '_blank', text: 'headline.svg' }));
      links.appendChild(el('span', { class: 'hint', text: id }));
      const container = el('div', { class: 'lm-report' });
      const early = $('run-summary');
      view.textContent = '';
      if (early) view.appendChild(el('details', { class: 'run-summary' }, [el('summary', { text: 'summary table (summary.txt)' }), early]));
      if (r.report && r.report.mode === 'compare') {
        links.insertBefore(el('a', { href: base + 'compare.csv', target: '_blank', text: 'compare.csv' }), links.lastChild);
        view.appendChild(await pairedTable(base));
        if (state.selectedRun !== id) return;
      }
      const more = el('div', { class: 'loading', id: 'run-loading-more', role: 'status', 'aria-live': 'polite' },
        [el('span', { class: 'spinner' }), 'Loading the firm-level sections and the other tables of ' + id + '…']);
      view.appendChild(more);
      view.appendChild(container);
      const data = r.report;
      const pending = { sections: true, tables: true };
      const render = function () { window.LM.renderReport(container, data, { standalone: false, pending: pending }); };
      render();
      const errors = [];
      await Promise.all(Object.keys(later).map(function (k) {
        return later[k].then(function (part) {
          if (state.selectedRun !== id) return;
          data[k] = part.report[k];
          pending[k] = false;
          render();
        }, function (e) {
          pending[k] = false;
          errors.push(k + ': ' + e.message);
        });
      }));
      if (state.selectedRun !== id) return;
      more.remove();
      if (errors.length) {
        render();
        view.insertBefore(el('p', { class: 'msg error', text: 'parts of run ' + id + ' could not be read: ' + errors.join('; ') }), container);
      }
      view.setAttribute('data-lm-ready', '1');
    } catch (e) {
      if (state.selectedRun !== id) return;
      view.textContent = '';
      view.appendChild(el('p', { class: 'msg error', text: 'cannot show run ' + id + ': ' + e.message }));
    }
  }

  /* ---- the paired difference table of a compare (compare.csv) ---- */
  function csvRows(text) {
    const rows = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      const cells = [];
      let cur = '', q = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (q) { if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; }
        else if (c === '"') q = true;
        else if (c === ',') { cells.push(cur); cur = ''; }
        else cur += c;
      }
      cells.push(cur);
      rows.push(cells);
    }
    return rows;
  }

  function num(v, metric) {
    const x = Number(v);
    if (v === '' || !isFinite(x)) return '–';
    if (metric === 'public_cny') return (x / 1e9).toFixed(3);
    if (metric === 'pool_tvpi') return x.toFixed(3);
    return Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);
  }

  async function pairedTable(base) {
    const box = el('div', { class: 'compare-panel', id: 'compare-table' });
    try {
      const r = await fetch(base + 'compare.csv');
      if (!r.ok) throw new Error('HTTP ' + r.status);
      const rows = csvRows(await r.text());
      const head = rows.shift() || [];
      const ix = function (n) { return head.indexOf(n); };
      const labels = { dragons: 'dragons', high_tech: 'high-tech', jobs: 'jobs', pool_tvpi: 'fund TVPI', public_cny: 'public money, CNY bn' };
      const runs = rows.length ? rows[0][ix('runs')] : '?';
      box.appendChild(el('h3', { text: 'Counterfactual − baseline (paired, common random numbers)' }));
      box.appendChild(el('p', { class: 'hint', text: 'mean over replications (' + runs + ' per arm) with the 90% t-interval of the mean paired difference; charts below: baseline solid, counterfactual dashed.' }));
      const table = el('table', { class: 'paired' });
      table.appendChild(el('thead', {}, [el('tr', {}, ['region', 'metric', 'baseline', 'counterfactual', 'difference', '90% interval'].map(function (t) { return el('th', { text: t }); }))]));
      const tb = el('tbody');
      for (const row of rows) {
        const m = row[ix('metric')];
        const d = Number(row[ix('diff_mean')]);
        const dc = el('td', { text: num(row[ix('diff_mean')], m), class: d > 0 ? 'pos' : d < 0 ? 'neg' : '' });
        tb.appendChild(el('tr', { 'data-region': row[ix('region')], 'data-metric': m }, [
          el('td', { text: row[ix('region')] }), el('td', { text: labels[m] || m }),
          el('td', { text: num(row[ix('baseline_mean')], m) }), el('td', { text: num(row[ix('counterfactual_mean')], m) }),
          dc, el('td', { text: '[' + num(row[ix('diff_lo90')], m) + ', ' + num(row[ix('diff_hi90')], m) + ']' })
        ]));
      }
      table.appendChild(tb);
      box.appendChild(table);
    } catch (e) {
      box.appendChild(el('p', { class: 'msg error', text: 'cannot read compare.csv: ' + e.message }));
    }
    return box;
  }

  /* ---- wiring ---- */
  $('scenario').addEventListener('change', function () { loadPolicies($('scenario').value); });
  $('start').addEventListener('click', function () { start(false); });
  $('compare').addEventListener('click', function () { start(true); });
  $('adopt-from').addEventListener('change', fillKinds);
  $('adopt-add').addEventListener('click', addAdoption);

  let ticks = 0;
  async function poll() {
    ticks++;
    const busy = state.jobs.some(function (j) { return j.state === 'running' || j.state === 'queued'; }) || state.watching !== null;
    if (busy || ticks % 5 === 0) await refreshJobs();
    if (ticks % 5 === 0) { await refreshRuns(); await refreshStatus(); }
    setTimeout(poll, 700);
  }

  (async function init() {
    await refreshStatus();
    try { await loadScenarios(); } catch (e) { $('policies').textContent = 'cannot list scenarios: ' + e.message; }
    await refreshRuns();
    await refreshJobs();
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash) showRun(hash);
    document.body.setAttribute('data-app-ready', '1');
    setTimeout(poll, 700);
  })();
})();
