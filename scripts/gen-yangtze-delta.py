#!/usr/bin/env python3
"""scripts/gen-yangtze-delta.py -- writes the derived scenarios from scenarios/three-capitals.yaml.

three-capitals.yaml is hand-written and is the one source of the sector list, the chain layers,
the four big regions (上海, 杭州, 南京, 合肥 with their policies) and the global parameters
(`params:`: talent, tier criteria). This script copies those blocks as text (no YAML library:
Python 3 stdlib only) into

  scenarios/yangtze-delta.yaml   the 41 cities of ../shared/data/yrd-cities.csv (or the
                                 file given with --csv), the four big regions as in
                                 three-capitals, the other 37 scaled from population and GDP,
                                 and a 41 x 41 integration matrix from provinces and distance;
  scenarios/hangzhou.yaml, nanjing.yaml, hefei.yaml
                                 single-city runs against the national market.

Every rule below is documented, with its figures and their status (sourced / approximate /
assumption), in docs/scenarios.md. Edit three-capitals.yaml or this script, then rerun:

  python3 scripts/gen-yangtze-delta.py [--csv PATH] [--out DIR]
"""
import argparse
import csv
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CSV_CANDIDATES = [
    os.path.join(ROOT, "data", "yrd-cities.csv"),
    os.path.join(ROOT, "..", "shared", "data", "yrd-cities.csv"),
]

# The four regions of three-capitals.yaml, keyed by the CSV's name_zh.
BIG = {"上海市": "上海", "杭州市": "杭州", "南京市": "南京", "合肥市": "合肥"}
SUBCENTRES = {"杭州市", "南京市", "合肥市"}  # YRD sub-centres (State Council 2014)
PROVINCIAL_CAPITAL = {"江苏省": "南京市", "浙江省": "杭州市", "安徽省": "合肥市"}
SHANGHAI = "上海市"

SECTORS = ["ai_models", "games", "robotics", "bci", "design_software", "nev", "pv_storage",
           "speech_ai", "quantum", "semiconductors", "ecommerce", "smart_devices", "fusion"]
LAYERS = ["chip_design", "chip_fab", "compute", "application", "components", "battery",
          "vehicle", "display", "pv_module"]
SKILLS = ["software", "hardware", "science", "manufacturing", "design"]

# ---- rules for the 37 other cities (assumptions, docs/scenarios.md "yangtze-delta") ----
G_REF = 160000.0  # CNY GDP per head of the reference city (Hangzhou 2023: 160,200)

# talent pool per skill: population * share * (g / G_REF)^elasticity
TALENT_RULE = {"software": (0.010, 1.5), "hardware": (0.008, 1.2), "science": (0.002, 1.0),
               "manufacturing": (0.060, 0.8), "design": (0.004, 1.3)}
PROVINCE = {  # private capital / GDP, failure tolerance, R&D / GDP (approximate 2023)
    "江苏省": {"capital_gdp": 1.0, "failure": 0.30, "rd_gdp": 0.032},
    "浙江省": {"capital_gdp": 1.5, "failure": 0.35, "rd_gdp": 0.031},
    "安徽省": {"capital_gdp": 0.6, "failure": 0.25, "rd_gdp": 0.027},
}
RD_2015_SCALE = 0.55   # R&D spending 2015 relative to 2023 (approximate)
RD_COVERAGE = 0.25     # share of a non-capital city's R&D in the scenario's 13 sectors
KNOWLEDGE_UNIT_CNY = 1.0e7  # defaults.c rnd.knowledge_unit_cny
KNOWLEDGE_DECAY = 0.02      # defaults.c rnd.knowledge_decay: knowledge = institutions / decay

# ---- single-city scenarios: the fit of calibration/single-city/<id>.yaml (docs/validation.md)
# Alone, a city's firms meet none of the other three capitals' firms in the national markets,
# so too many grow large (Hefei alone: 5.7 dragons founded 2015-2024 against 0.55 inside
# three-capitals). More outside incumbents (a lower revenue per incumbent) stand for those
# competitors, and more founders from the rest of the country keep the tier counts.
SINGLE_CITY_FIT = {  # id: (market.incumbent_revenue_cny_year, entry.outside_rate)
    "hefei": (4.9e6, 6000),
    "hangzhou": (3.4e6, 7100),
    "nanjing": (2.2e6, 9700),
}

SECTOR_RD_WEIGHT = {"ai_models": 1.0, "games": 0.3, "robotics": 1.5, "bci": 0.2,
                    "design_software": 0.5, "nev": 3.0, "pv_storage": 2.0, "speech_ai": 0.5,
                    "quantum": 0.2, "semiconductors": 3.0, "ecommerce": 1.0,
                    "smart_devices": 2.0, "fusion": 0.05}
BASE_STRENGTH = {"ai_models": 0.6, "games": 0.5, "robotics": 1.0, "bci": 0.5,
                 "design_software": 0.6, "nev": 1.2, "pv_storage": 1.2, "speech_ai": 0.6,
                 "quantum": 0.3, "semiconductors": 0.8, "ecommerce": 1.0, "smart_devices": 1.3,
                 "fusion": 0.1}
# Well-known local industries (assumption): sector strength and chain completeness.
SPECIAL = {
    "无锡市": ({"semiconductors": 2.0, "pv_storage": 1.5, "smart_devices": 1.5},
               {"chip_design": 0.4, "chip_fab": 0.5, "pv_module": 0.55}),
    "苏州市": ({"semiconductors": 1.5, "robotics": 1.5, "smart_devices": 1.8, "nev": 1.3},
               {"chip_design": 0.35, "chip_fab": 0.35, "components": 0.8, "display": 0.5}),
    "常州市": ({"pv_storage": 2.5, "nev": 2.0, "robotics": 1.2},
               {"battery": 0.7, "pv_module": 0.7, "vehicle": 0.5}),
    "徐州市": ({"robotics": 1.3, "pv_storage": 1.5}, {"components": 0.55, "pv_module": 0.5}),
    "南通市": ({"smart_devices": 1.5}, {"components": 0.55}),
    "盐城市": ({"nev": 1.5, "pv_storage": 1.8},
               {"vehicle": 0.5, "pv_module": 0.5, "battery": 0.45}),
    "宁波市": ({"smart_devices": 1.8, "robotics": 1.5, "nev": 1.5, "semiconductors": 1.1},
               {"components": 0.75, "vehicle": 0.6}),
    "嘉兴市": ({"pv_storage": 1.5, "semiconductors": 1.0}, {"pv_module": 0.5}),
    "湖州市": ({"nev": 1.3}, {"battery": 0.5}),
    "绍兴市": ({"semiconductors": 1.3}, {"chip_fab": 0.35}),
    "金华市": ({"nev": 1.3, "ecommerce": 1.5, "smart_devices": 1.5}, {"vehicle": 0.45}),
    "台州市": ({"nev": 1.5}, {"vehicle": 0.5}),
    "芜湖市": ({"nev": 2.5, "robotics": 2.0, "smart_devices": 1.5},
               {"vehicle": 0.7, "components": 0.6}),
    "马鞍山市": ({"nev": 1.2}, {"vehicle": 0.35}),
    "滁州市": ({"pv_storage": 1.8, "smart_devices": 1.5}, {"pv_module": 0.55}),
    "蚌埠市": ({}, {"display": 0.4}),
}
# Universities and research institutes (assumption): institution strength, 0..100.
INSTITUTION = {"苏州市": 40, "宁波市": 35, "徐州市": 30, "镇江市": 28, "无锡市": 25,
               "芜湖市": 25, "常州市": 22, "扬州市": 22, "温州市": 22, "南通市": 18,
               "金华市": 18}
AMENITY_BONUS = {"黄山市": 0.2, "舟山市": 0.1, "苏州市": 0.1, "无锡市": 0.05, "湖州市": 0.05}
FUND_GDP_SHARE = 0.001
SPILLOVER = 0.0006      # params.rnd.spillover for 41 regions (default 0.002), see main()  # generic innovation fund: government money a year / GDP


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def num(x):
    """A YAML number: integers plain, large values as 1.23e9, others to 3 significant digits."""
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        mant, exp = f"{x:.2e}".split("e")  # "1.20", "+09"
        mant = mant.rstrip("0")
        if mant.endswith("."):
            mant += "0"
        return f"{mant}e{int(exp)}"
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.3g}"


def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def integration(a, b):
    """Integration between two cities (dicts with name, province, lat, lon), in [0, 0.9]."""
    if a["name"] == b["name"]:
        return 1.0
    d = km((a["lat"], a["lon"]), (b["lat"], b["lon"]))
    if SHANGHAI in (a["name"], b["name"]):
        v = max(0.5, 0.4 + 0.5 * math.exp(-d / 300.0))  # Shanghai leads, linked to all
    elif a["province"] == b["province"]:
        v = 0.25 + 0.5 * math.exp(-d / 200.0)
        if PROVINCIAL_CAPITAL.get(a["province"]) in (a["name"], b["name"]):
            v += 0.1  # the capital leads its province
    else:
        v = 0.1 + 0.4 * math.exp(-d / 200.0)
    if a["name"] in SUBCENTRES and b["name"] in SUBCENTRES:
        v += 0.1
    return round(min(v, 0.9), 2)


# ---- text blocks of three-capitals.yaml ----
def sections(text):
    """Top-level blocks: key -> list of lines (the key line up to the next column-0 line)."""
    lines = text.splitlines()
    out, key = {}, None
    for line in lines:
        if line and not line[0].isspace():
            m = re.match(r"^([a-z_]+):", line)
            key = m.group(1) if m else None
            if key:
                out[key] = [line]
            continue
        if key:
            out[key].append(line)
    return out


def region_blocks(region_lines):
    """regions: block -> {name: lines} (each item starts at '  - name: ')."""
    blocks, cur = {}, None
    for line in region_lines[1:]:
        m = re.match(r"^  - name: (\S+)\s*$", line)
        if m:
            cur = m.group(1)
            blocks[cur] = [line]
        elif cur:
            blocks[cur].append(line)
    for lines in blocks.values():
        while lines and not lines[-1].strip():
            lines.pop()
    return blocks


def check_lists(sec):
    """The constants above must match three-capitals.yaml."""
    ids = [m.group(1) for m in
           (re.match(r"^  - id: (\S+)", l) for l in sec["sectors"]) if m]
    layers = re.findall(r"[a-z0-9_]+", sec["layers"][0].split(":", 1)[1])
    if ids != SECTORS or layers != LAYERS:
        sys.exit(f"gen-yangtze-delta: sector or layer list differs from three-capitals.yaml:\n"
                 f"  sectors {ids}\n  layers {layers}")


def params_block(sec, extra=()):
    """three-capitals' `params:` block (talent, tiers, ...) with extra sub-blocks appended;
    a sub-block of the same name in three-capitals would be a duplicate key."""
    lines = list(sec.get("params", ["params:"]))
    while lines and not lines[-1].strip():
        lines.pop()
    for e in extra:
        m = re.match(r"^  ([a-z_]+):", e)
        if m and any(re.match(rf"^  {m.group(1)}:", l) for l in lines):
            sys.exit(f"gen-yangtze-delta: three-capitals.yaml already sets params.{m.group(1)}")
    return lines + list(extra) if (len(lines) > 1 or extra) else []


# ---- the 37 other cities ----
def flow(d, keys):
    return "{" + ", ".join(f"{k}: {num(d[k])}" for k in keys if k in d) + "}"


def city_region(c):
    pop, gdp, prov = c["pop"], c["gdp"], c["province"]
    g = gdp * 1e8 / (pop * 1e4)  # GDP per head, CNY
    rel = g / G_REF
    pv = PROVINCE[prov]
    talent = {}
    for s in SKILLS:
        share, el = TALENT_RULE[s]
        talent[s] = round(pop * 1e4 * share * rel ** el, -2)
    soft = clamp(round(20000 * rel ** 0.35, -2), 10000, 20000)
    wage = {"software": soft, "hardware": round(0.8 * soft, -2), "science": round(0.7 * soft, -2),
            "manufacturing": clamp(round(8000 * rel ** 0.3, -2), 4500, 9000),
            "design": round(0.6 * soft, -2)}
    strength_over, chain_over = SPECIAL.get(c["name"], ({}, {}))
    strength = dict(BASE_STRENGTH)
    strength.update(strength_over)
    capped = min(rel, 1.25)
    chain = {"chip_design": 0.05 + 0.2 * capped, "chip_fab": 0.05 + 0.1 * capped,
             "compute": 0.1 + 0.3 * capped, "application": 0.2 + 0.4 * capped,
             "components": 0.15 + 0.35 * capped, "battery": 0.1 + 0.2 * capped,
             "vehicle": 0.1 + 0.25 * capped, "display": 0.1, "pv_module": 0.15 + 0.2 * capped}
    chain = {k: round(clamp(v, 0, 0.9), 2) for k, v in chain.items()}
    chain.update(chain_over)
    units = gdp * 1e8 * pv["rd_gdp"] * RD_2015_SCALE * RD_COVERAGE / 12 / KNOWLEDGE_UNIT_CNY
    w = {s: SECTOR_RD_WEIGHT[s] * strength[s] for s in SECTORS}
    tw = sum(w.values())
    inst = {s: round(units * w[s] / tw, 1) for s in SECTORS}
    know = {s: round(inst[s] / KNOWLEDGE_DECAY) for s in SECTORS}
    fund = gdp * 1e8 * FUND_GDP_SHARE
    lines = [
        f"  - name: {c['name']}",
        f"    name_en: {c['name_en']}",
        f"    province: {prov}",
        f"    population_10k: {c['pop_text']}",
        f"    gdp_100m_cny: {c['gdp_text']}",
        f"    wage_cny_month: {flow(wage, SKILLS)}",
        f"    talent: {flow(talent, SKILLS)}",
        f"    amenity: {num(round(clamp(0.35 + 0.3 * min(1, g / 200000) + AMENITY_BONUS.get(c['name'], 0), 0, 0.85), 2))}",
        f"    cost_index: {num(round(clamp(0.65 + 0.45 * rel ** 0.8, 0.7, 1.3), 2))}",
        f"    rent_cny_head_month: {num(round(800 + 1200 * rel ** 0.8, -1))}",
        f"    compute_infrastructure: {num(round(0.15 + 0.25 * min(1, g / 200000), 2))}",
        f"    private_capital_cny: {num(gdp * 1e8 * pv['capital_gdp'])}",
        f"    institution_strength: {num(INSTITUTION.get(c['name'], round(8 + 12 * min(1, g / 200000))))}",
        f"    failure_tolerance: {num(pv['failure'])}",
        f"    fiscal_pressure: {num(round(0.15 + 0.35 * max(0.0, 1 - g / 150000), 2))}",
        f"    sector_strength: {flow(strength, SECTORS)}",
        f"    institutions: {flow(inst, SECTORS)}",
        f"    knowledge: {flow(know, SECTORS)}",
        f"    chain: {flow(chain, LAYERS)}",
        "    policies:",
        "      - kind: innovation_fund",
        f"        name: {c['name']}产业引导基金",
        "        start: 2015-01",
        f"        budget_cny_year: {num(fund)}",
        "        separate_budget_line: false",
        "        loss_tolerance: 0.05",
        "        gov_share: 0.3",
    ]
    return lines, sum(talent.values())


def read_cities(path):
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cities = []
    for r in rows:
        cities.append({"name": r["name_zh"], "name_en": r["name_en"],
                       "province": r["province_zh"],
                       "pop": float(r["population_2023_10k"]),
                       "gdp": float(r["gdp_2023_100m_cny"]),
                       "pop_text": r["population_2023_10k"], "gdp_text": r["gdp_2023_100m_cny"],
                       "lat": float(r["lat"]), "lon": float(r["lon"])})
    if len(cities) != 41:
        sys.exit(f"gen-yangtze-delta: expected 41 cities in {path}, got {len(cities)}")
    return cities


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", help="yrd-cities.csv (default: data/ or ../shared/data/)")
    ap.add_argument("--out", default=os.path.join(ROOT, "scenarios"))
    args = ap.parse_args()
    csv_path = args.csv or next((p for p in DEFAULT_CSV_CANDIDATES if os.path.exists(p)), None)
    if not csv_path:
        sys.exit("gen-yangtze-delta: yrd-cities.csv not found; pass --csv")
    src = os.path.join(args.out, "three-capitals.yaml")
    with open(src, encoding="utf-8") as f:
        sec = sections(f.read())
    check_lists(sec)
    big = region_blocks(sec["regions"])
    if set(big) != set(BIG.values()):
        sys.exit(f"gen-yangtze-delta: three-capitals.yaml regions {sorted(big)} are not {sorted(BIG.values())}")
    period = sec["period"][0]
    seed = sec["seed"][0]
    gen = "# Generated by scripts/gen-yangtze-delta.py from scenarios/three-capitals.yaml: do not edit."

    # ---- single-city scenarios ----
    single = {
        "杭州": ("hangzhou", "Hangzhou alone against the national market: digital economy, the 2015 loss-tolerant funds, matchmaking, labs, the 2020 option-tax rule, the 2022 AI park"),
        "南京": ("nanjing", "Nanjing alone against the national market: broad research, many universities, To B / To G orientation"),
        "合肥": ("hefei", "Hefei alone against the national market: big science facilities, state capital, NEV, PV and display chains"),
    }
    for zh, (sid, desc) in single.items():
        lines = [f"# scenarios/{sid}.yaml -- {zh} as a single region; founders from the rest of the",
                 "# country arrive through params.entry.outside_rate / outside_utility, and the sector",
                 "# markets are national. Figures and sources: docs/scenarios.md.",
                 gen,
                 f"name: {sid}",
                 f'description: "{desc}"',
                 period, seed]
        revenue, outside = SINGLE_CITY_FIT[sid]
        block = params_block(sec, [
            "  # Single-city fit (calibration/single-city/%s.yaml): outside incumbents stand for" % sid,
            "  # the other capitals' firms in the national markets.",
            "  market:",
            "    incumbent_revenue_cny_year: " + ("%.1e" % revenue).replace("e+0", "e")])
        entry = [i for i, l in enumerate(block) if l.startswith("  entry: {")]
        if len(entry) != 1 or "outside_rate: " not in block[entry[0]]:
            sys.exit("gen-yangtze-delta: three-capitals.yaml's params.entry is not one flow map"
                     " with outside_rate")
        block[entry[0]] = re.sub(r"outside_rate: [^,}]+", f"outside_rate: {outside:g}",
                                 block[entry[0]])
        block.insert(entry[0], "  # outside_rate: the single-city fit (market: below)")
        lines += sec["layers"] + sec["sectors"] + ["regions:"] + big[zh] + block
        write(os.path.join(args.out, f"{sid}.yaml"), lines)

    # ---- yangtze-delta ----
    cities = read_cities(csv_path)
    lines = ["# scenarios/yangtze-delta.yaml -- the 41 cities of the Yangtze River Delta (上海, 江苏 13,",
             "# 浙江 11, 安徽 16). 上海市, 杭州市, 南京市 and 合肥市 are the regions of three-capitals.yaml",
             "# with their policies; the other 37 are scaled from 2023 population and GDP",
             "# (../shared/data/yrd-cities.csv). Rules, figures and sources: docs/scenarios.md.",
             gen,
             "name: yangtze-delta",
             'description: "The 41 cities of the Yangtze River Delta, 2015-2034: Shanghai leads, the three capitals with their policies, integration from provinces and distance"',
             "# No spin-up (three-capitals starts in 2005): 41 regions from 2005 would take several",
             "# times as long, and this scenario is not calibrated (docs/validation.md).",
             "period: {start: 2015-01, end: 2034-12}", seed]
    lines += sec["layers"] + sec["sectors"] + ["regions:"]
    talent_total = 0.0
    for c in cities:
        if c["name"] in BIG:
            block = list(big[BIG[c["name"]]])
            block[0] = f"  - name: {c['name']}"
            lines += block
        else:
            block, t = city_region(c)
            talent_total += t
            lines += block
    lines += ["integration:",
              "  # Shanghai: max(0.5, 0.4 + 0.5*exp(-km/300)); same province: 0.25 + 0.5*exp(-km/200),",
              "  # +0.1 with the provincial capital; across provinces: 0.1 + 0.4*exp(-km/200);",
              "  # +0.1 between the sub-centres 南京, 杭州, 合肥; at most 0.9 (docs/scenarios.md).",
              "  default: 0.1",
              "  regions: [" + ", ".join(c["name"] for c in cities) + "]",
              "  matrix:"]
    for a in cities:
        lines.append("    - [" + ", ".join(f"{integration(a, b):.2f}" for b in cities) + "]")
    # The knowledge recursion adds spillover * sum_r' integration[r,r'] * K[r'] without
    # normalising by the number of regions; it stays bounded only while spillover times the
    # largest row sum (Shanghai's, about 24 here) is below knowledge_decay (0.02). The default
    # 0.002 suits a few regions; 41 need a smaller value.
    row_max = max(sum(integration(a, b) for b in cities if b is not a) for a in cities)
    lines += params_block(sec, [
        "  rnd:",
        f"    # largest integration row sum {row_max:.1f} (上海市): {SPILLOVER} x {row_max:.1f} = "
        f"{SPILLOVER * row_max:.4f} < knowledge_decay 0.02",
        f"    spillover: {SPILLOVER}"])
    if SPILLOVER * row_max >= 0.8 * KNOWLEDGE_DECAY:
        sys.exit(f"gen-yangtze-delta: spillover {SPILLOVER} x row sum {row_max:.2f} is too close to the decay")
    write(os.path.join(args.out, "yangtze-delta.yaml"), lines)
    print(f"37 generated cities: {talent_total:,.0f} talent (about {talent_total * 1e-4:,.0f} founders a month at the default base rate)")
    big4 = [c for c in cities if c["name"] in BIG]
    for a in big4:
        print(a["name"], " ".join(f"{integration(a, b):.2f}" for b in big4))


if __name__ == "__main__":
    main()
