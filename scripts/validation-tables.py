#!/usr/bin/env python3
"""scripts/validation-tables.py -- writes the generated part of docs/validation.md: the fitted
parameters (value, standard error, the targets that move them) from a calibration folder, and
the fit and check tables of an evaluation of the calibrated scenario over many replications
(`longmen calibrate --budget 1`: its one evaluation is at the targets' start values, which are
the scenario's). Called by scripts/validate.sh; the block between the two markers of DOC is
replaced, the rest of DOC is kept.

  validation-tables.py --fit DIR --check DIR --targets FILE --doc FILE [--commit SHA]
                       [--command TEXT]... [--svg FILE]

--targets-at-fit OUT instead writes OUT, a copy of the targets file whose parameters start at
the fit's values (parameters.csv), and exits: the evaluation `longmen calibrate --budget 1`
then runs at the fitted point.

--dragons DB --doc FILE [--dragon-region NAME] [--dragon-years FIRST:LAST:BY] instead writes
the block between the dragons markers of FILE: the region's dragons founded FIRST..LAST (and
certified by BY) by sector and business model, per history over the runs of DB (`longmen run
--runs R`), next to the essay's six.

--svg also draws every target's model / value (mean and 5th-95th percentile, log scale; green
within tolerance, red outside), fitted targets first.
"""
import math
import argparse
import csv
import os
import re
import sys

BEGIN = "<!-- scripts/validate.sh: begin (generated, do not edit by hand) -->"
END = "<!-- scripts/validate.sh: end -->"
DRAGONS_BEGIN = "<!-- scripts/validate.sh: dragons begin (generated, do not edit by hand) -->"
DRAGONS_END = "<!-- scripts/validate.sh: dragons end -->"
# The essay's six little dragons of Hangzhou by the scenario's sector ids (MODEL.md 8): Game
# Science, DeepSeek, Unitree and Deep Robotics, BrainCo, Manycore.
ESSAY_SIX = {"games": (1, "Game Science"), "ai_models": (1, "DeepSeek"),
             "robotics": (2, "Unitree, Deep Robotics"), "bci": (1, "BrainCo"),
             "design_software": (1, "Manycore")}
MODEL_WORDS = {"to_c": "To C", "to_b": "To B", "to_g": "To G"}


def fail(msg):
    print(f"validation-tables: {msg}", file=sys.stderr)
    sys.exit(1)


def read_csv(path):
    if not os.path.isfile(path):
        fail(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


BOUNDS = {}  # name -> ">=" or "<=": a target that is a bound (`bound: lower | upper`)


def uses_of(targets_path):
    """name -> 'fit' | 'check', from the targets file's `- name:` / `use:` lines (the format of
    docs/calibration.md; every target must say which it is before fitting); BOUNDS too."""
    uses, name = {}, None
    with open(targets_path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"^\s*-\s+name:\s*(\S+)", line)
            if m:
                name = m.group(1).strip("\"'")
                continue
            m = re.match(r"^\s+bound:\s*(lower|upper)", line)
            if m and name is not None:
                BOUNDS[name] = ">=" if m.group(1) == "lower" else "<="
            m = re.match(r"^\s+use:\s*(\w+)", line)
            if m and name is not None:
                if m.group(1) not in ("fit", "check"):
                    fail(f"{targets_path}:{n}: use: '{m.group(1)}', expected fit or check")
                uses[name] = m.group(1)
    return uses


def num(x, digits=3):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return x or "n/a"
    if v != v:
        return "n/a"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6 or a < 1e-3:
        return f"{v:.{digits}g}"
    if a >= 100:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def moment_table(rows, uses, which):
    out = ["| target | value | model: mean | 5th–95th percentile | distance | within | source |",
           "|---|---|---|---|---|---|---|"]
    n = inside = 0
    for r in rows:
        if uses.get(r["name"]) != which:
            continue
        n += 1
        ok = r["within_tolerance"] == "yes"
        inside += ok
        src = (r.get("source") or "").replace("|", "/")
        bound = BOUNDS.get(r["name"], "")
        out.append(f"| {r['name']} | {bound + ' ' if bound else ''}{num(r['value'])} | {num(r['mean'])} | "
                   f"{num(r['p05'])} – {num(r['p95'])} | {num(r['distance'], 2)} | "
                   f"{'yes' if ok else '**no**'} | {src} |")
    return out, n, inside


def draw_svg(path, moments, uses):
    rows = [r for w in ("fit", "check") for r in moments if uses.get(r["name"]) == w]
    width, left, right, top, step = 760, 250, 30, 40, 18
    height = top + step * len(rows) + 40
    lo, hi = math.log10(0.1), math.log10(10.0)
    x_of = lambda ratio: left + (width - left - right) * (
        min(max(math.log10(ratio), lo), hi) - lo) / (hi - lo)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="16" font-size="13">model / target (log scale; dot: mean, '
           'bar: 5th-95th percentile)</text>']
    for t in (0.1, 0.2, 0.5, 1, 2, 5, 10):
        x = x_of(t)
        out.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 30}" '
                   f'stroke="{"#444" if t == 1 else "#ddd"}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle">{t:g}</text>')
    for k, r in enumerate(rows):
        y = top + step * k
        name = r["name"] + ("" if uses.get(r["name"]) == "fit" else " (check)")
        out.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{name}</text>')
        try:
            v, m, a, b = (float(r[c]) for c in ("value", "mean", "p05", "p95"))
        except ValueError:
            continue
        if not (v > 0 and m == m and a == a and b == b):
            continue
        col = "#2a7" if r["within_tolerance"] == "yes" else "#c33"
        if a > 0 and b > 0:
            out.append(f'<line x1="{x_of(a / v):.1f}" y1="{y}" x2="{x_of(b / v):.1f}" y2="{y}" '
                       f'stroke="{col}" stroke-width="3" opacity="0.5"/>')
        if m > 0:
            out.append(f'<circle cx="{x_of(m / v):.1f}" cy="{y}" r="4" fill="{col}"/>')
            ratio = m / v
            if ratio < 0.1 or ratio > 10.0:  # off the axis: say by how much
                low = ratio < 0.1  # the figure goes inside the axis, beside the clipped dot
                x = x_of(ratio) + (8 if low else -8)
                out.append(f'<text x="{x:.1f}" y="{y + 4}" text-anchor="{"start" if low else "end"}" '
                           f'fill="{col}">{"&#9664; " if low else ""}{ratio:.2g}{"" if low else " &#9654;"}</text>')
    out.append("</svg>")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, path)


def replace_block(doc_path, begin, end, lines):
    """Replaces the text between the markers begin and end of doc_path (temp file + rename);
    a page without them is refused and left as it was."""
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        fail(f"{doc_path}: no '{begin}' ... '{end}' block to replace")
    head, rest = doc.split(begin, 1)
    tail = rest.split(end, 1)[1]
    tmp = doc_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(head + "\n".join([begin] + lines + [end]) + tail)
    os.replace(tmp, doc_path)


def dragon_table(db_path, region, first, last, by, command):
    """Dragons of `region` founded first..last and certified by `by`, by sector and business
    model, per history (mean over the database's runs), next to the essay's six."""
    import sqlite3
    if not os.path.isfile(db_path):
        fail(f"{db_path}: no such file")
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    runs = con.execute("SELECT count(*) FROM run").fetchone()[0]
    if runs == 0:
        fail(f"{db_path}: no runs")
    names = dict(con.execute("SELECT id, coalesce(name, id) FROM sector WHERE run_id = "
                             "(SELECT min(run_id) FROM run) ORDER BY sector_id"))
    # the region by its name or its English name, as the targets file names it
    found = con.execute("SELECT name FROM region WHERE ? IN (name, name_en) LIMIT 1",
                        (region,)).fetchone()
    if not found:
        fail(f"{db_path}: no region {region}")
    counts = {}
    for sector, model, n in con.execute(
            "SELECT sector, business_model, count(*) FROM dragon WHERE region = ? AND "
            "founded_year BETWEEN ? AND ? AND dragon_year <= ? GROUP BY sector, business_model",
            (found[0], first, last, by)):
        counts.setdefault(sector, {})[model] = n
    con.close()
    rows = []
    for sector, name in names.items():
        by_model = counts.get(sector, {})
        total = sum(by_model.values()) / runs
        essay, who = ESSAY_SIX.get(sector, (0, ""))
        if total == 0 and essay == 0:
            continue
        split = ", ".join(f"{MODEL_WORDS.get(m, m)} {num(by_model[m] / runs, 2)}"
                          for m in sorted(by_model, key=lambda m: -by_model[m]))
        rows.append((-total, -essay, f"| {name} (`{sector}`) | {num(total, 3)} | "
                     f"{split or '–'} | {essay}{f' ({who})' if who else ''} |"))
    rows.sort(key=lambda r: (r[0], r[1]))
    all_model = sum(sum(m.values()) for m in counts.values()) / runs
    lines = ["", f"Generated by `{command}`: {region}'s dragons founded {first}–{last} and "
             f"certified by {by}, per history (mean over {runs} replications).", "",
             "| sector | model, per history | by business model | essay's six |",
             "|---|---|---|---|"] + [r[2] for r in rows]
    lines += [f"| all | {num(all_model, 3)} | | {sum(e for e, _ in ESSAY_SIX.values())} |", ""]
    return lines


def targets_at_fit(targets_path, params, out_path):
    """The targets file with every parameter's `start:` set to its fitted value: the lines of
    the `parameters:` section, `- name: P` then `start: V` (docs/calibration.md's format)."""
    fitted = {p["parameter"]: p["value"] for p in params}
    done, name, section, at = set(), None, None, {}
    out = []
    with open(targets_path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(\w+):", line)
            if m:
                section = m.group(1)
            m = re.match(r"^\s*-\s+name:\s*(\S+)", line)
            if m and section == "parameters":
                name = m.group(1).strip("\"'")
                at[name] = (len(out), len(line) - len(line.lstrip(" ")))
            m = re.match(r"^(\s+start:\s*)([^#\s]+)(.*)$", line.rstrip("\n"))
            if m and section == "parameters" and name in fitted:
                line = f"{m.group(1)}{fitted[name]}{m.group(3)}\n"
                done.add(name)
            out.append(line)
    # a parameter without a start (the middle of its range) gets one after its name
    for name in sorted(set(fitted) - done, key=lambda n: -at.get(n, (-1, 0))[0]):
        if name not in at:
            fail(f"{targets_path}: no parameter {name}, which the fit has")
        k, indent = at[name]
        out.insert(k + 1, " " * (indent + 2) + f"start: {fitted[name]}\n")
    # The one evaluation must be the start itself: a global stage's first point is, but NLopt's
    # BOBYQA moves a start nearer a bound than its first step inward, so a targets file with a
    # local search only would be evaluated elsewhere. The evaluation's optimizer is CRS2.
    kept, skip = [], False
    for line in out:
        if re.match(r"^optimizer:", line):
            skip = True
            continue
        if skip and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skip = False
        kept.append(line)
    kept.append("optimizer:\n  global: crs2\n  local: bobyqa\n")
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(kept)
    os.replace(tmp, out_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit")
    ap.add_argument("--check")
    ap.add_argument("--targets")
    ap.add_argument("--doc")
    ap.add_argument("--targets-at-fit")
    ap.add_argument("--commit", default="")
    ap.add_argument("--command", action="append", default=[])
    ap.add_argument("--svg", default="")
    ap.add_argument("--dragons", help="results.sqlite of `longmen run --runs R`: writes the "
                    "dragons' sector table between the dragons markers of --doc, and exits")
    ap.add_argument("--dragon-region", default="Hangzhou")
    ap.add_argument("--dragon-years", default="2015:2024:2025",
                    help="FIRST:LAST:BY, founded FIRST..LAST and certified by BY")
    a = ap.parse_args()

    if a.dragons:
        if not a.doc:
            fail("--dragons needs --doc")
        first, last, by = (int(x) for x in a.dragon_years.split(":"))
        replace_block(a.doc, DRAGONS_BEGIN, DRAGONS_END,
                      dragon_table(a.dragons, a.dragon_region, first, last, by,
                                   " ".join(a.command) or "longmen run --runs R"))
        print(f"validation-tables: {a.doc}: dragons of {a.dragon_region} by sector")
        return

    if not a.fit or not a.targets:
        fail("--fit and --targets are needed (or --dragons)")
    params = read_csv(os.path.join(a.fit, "parameters.csv"))
    if a.targets_at_fit:
        targets_at_fit(a.targets, params, a.targets_at_fit)
        return
    if not a.check or not a.doc:
        fail("--check and --doc are needed (or --targets-at-fit)")
    uses = uses_of(a.targets)
    moments = read_csv(os.path.join(a.check, "moments.csv"))
    for r in moments:  # a target without `use:` is fitted, as `longmen calibrate` reads it
        uses.setdefault(r["name"], "fit")
    reps = moments[0]["replications"] if moments else "0"

    lines = [""]
    if a.commit:
        lines.append(f"Generated at commit {a.commit} by:")
    else:
        lines.append("Generated by:")
    lines += ["", "```sh"] + a.command + ["```", ""]
    lines += ["### The fitted parameters", "",
              "Method of simulated moments: value at the best evaluation of the fit, its standard "
              "error (sandwich formula over the fitted targets, Jacobian by central differences), and "
              "the fitted targets a step of the parameter moves most. A parameter no target identifies "
              "is fixed at its value and said so.", "",
              "| parameter | value | standard error | range | identified | moved by |",
              "|---|---|---|---|---|---|"]
    for p in params:
        ident = "yes" if p["identified"] == "yes" else "**no: fixed**"
        moved = (p.get("moved_by") or "").replace(" ", ", ") or "none"
        lines.append(f"| `{p['parameter']}` | {num(p['value'], 4)} | {num(p['standard_error'], 2)} | "
                     f"{num(p['lo'])} – {num(p['hi'])} ({p['scale']}) | {ident} | {moved} |")
    lines.append("")
    fit, n_fit, in_fit = moment_table(moments, uses, "fit")
    check, n_check, in_check = moment_table(moments, uses, "check")
    lines += [f"### Fit: the essay's figures ({in_fit} of {n_fit} within tolerance)", "",
              f"Over {reps} replications of the calibrated scenario; distance = (mean − value) / sd.",
              ""] + fit + [""]
    lines += [f"### Check: published stylized facts, never fitted ({in_check} of {n_check} within "
              "tolerance)", "", f"Over the same {reps} replications.", ""] + check + [""]
    replace_block(a.doc, BEGIN, END, lines)
    if a.svg:
        draw_svg(a.svg, moments, uses)
    print(f"validation-tables: {a.doc}: {n_fit} fit targets ({in_fit} within), "
          f"{n_check} checks ({in_check} within), {len(params)} parameters")


if __name__ == "__main__":
    main()
