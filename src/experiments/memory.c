/* src/experiments/memory.c -- resource limits of a run (include/longmen/job.h): the peak
 * memory a scenario will need, estimated before anything is simulated, so that a scenario
 * that cannot fit is refused at once with the estimate (`longmen run --max-memory`) instead
 * of being killed by the kernel hours into a batch. Also the size words of the CLI
 * ("500M", "8G"). The formula is documented in docs/reliability.md.
 *
 * The estimate follows what the engine allocates (src/core/world.c, firms.c, entry.c,
 * src/model/finance):
 *   founders/month F = outside_rate + sum over regions of
 *       base_rate*talent + alumni_rate*A
 *     + spinout_rate*(institution_strength + the spinout_strength of its lab policies)
 *     + returnee_rate*(the talent_level of its talent programs)
 *   A = the platform alumni the region can reach: the staff of its platforms, platform_staff
 *       + talent*min(1, team_size/giant_headcount)*min(1, max_headcount/giant_headcount), makes
 *       turnover of them alumni a month, who decay at alumni_decay, so A is at most
 *       max(platform_alumni, turnover/alumni_decay*staff) and platform_alumni +
 *       turnover*staff*months
 *   firms N = F * months * GROWTH, with GROWTH 2: every founder is assumed to found inside
 *       the scenario, and the rates may double as a run goes on (serial founders, talent
 *       that moves in, policies); the shipped scenarios give 6-78% of F * months
 *   firm state = N * bytes per firm * 2, since every array grows by doubling; a firm is its
 *       slot, its archived record, the id index, its finance state and cap table, its deal
 *       records (a quarter per firm times the largest deals-seen multiplier, at most one a
 *       stage) and its place in the month's deal pool (with a weight per region)
 *   region state = the region-year rows + region x sector tables + the team table + the
 *       month's scratch arena (lm_world_scratch_bytes)
 *   database = SQLite's page cache while writing: min(64 MiB, N * 256 bytes)
 *   baseline = 16 MiB (program, libraries, OpenMP thread stacks)
 * It errs on the high side: the measured peaks of the shipped scenarios are 1.5 to 65 times
 * below it (docs/reliability.md). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/firms.h"
#include "core/params.h"
#include "core/world.h"
#include "experiments/experiments_int.h"
#include "longmen/job.h"
#include "model/finance/finance_int.h"
#include "scenario/scenario_int.h"

#define GROWTH 2.0
#define BASELINE_BYTES ((uint64_t)16 << 20)
#define DB_CACHE_MAX ((uint64_t)64 << 20) /* PRAGMA cache_size of src/io/store.c */
#define DB_BYTES_PER_FIRM 256.0
#define FIRMS_MAX 4294967295.0 /* ids are 32-bit: the engine stops a run beyond this */

/* The platform alumni a region can have during the run. Alumni grow by turnover x the
 * platforms' staff and decay by alumni_decay, so they approach turnover/alumni_decay x staff
 * (never beyond the start plus turnover x staff x months). The staff is the scenario's
 * platform_staff plus what firms grow into: a firm is a platform from giant_headcount staff
 * on, hires come from the region's talent pool, so the pool is the ceiling, taken in the
 * share team_size/giant_headcount (the larger a founding team against the giant threshold,
 * the fewer hires a firm needs to become one) and only as far as max_headcount lets a firm
 * reach the threshold. */
static double alumni_ceiling(const lm_params *p, const lm_region_params *rp, double talent,
                             double months)
{
    const lm_platform_params *pl = &p->platforms;
    double team = 0.0;
    for (int s = 0; s < p->n_sectors; ++s)
        team = fmax(team, p->sectors[s].team_size);
    const double giant = pl->giant_headcount > 1.0 ? pl->giant_headcount : 1.0;
    const double share = fmin(1.0, team / giant) * fmin(1.0, p->costs.max_headcount / giant);
    const double staff = rp->platform_staff + share * talent;
    double reach = rp->platform_alumni + pl->turnover * staff * months;
    if (pl->alumni_decay > 0.0)
        reach = fmin(reach, fmax(rp->platform_alumni, pl->turnover / pl->alumni_decay * staff));
    return fmax(rp->platform_alumni, reach);
}

static double founders_month(const lm_params *p, double months)
{
    const lm_entry_params *e = &p->entry;
    double f = e->outside_rate;
    for (int r = 0; r < p->n_regions; ++r) {
        const lm_region_params *rp = &p->regions[r];
        double talent = 0.0, spinout = rp->institution_strength, returnee = 0.0;
        for (int k = 0; k < LM_SKILL_COUNT; ++k)
            talent += rp->talent[k];
        for (int i = 0; i < rp->n_policies; ++i) {
            const lm_policy *pol = &rp->policies[i];
            if (pol->kind == LM_POLICY_LAB)
                spinout += pol->spinout_strength;
            else if (pol->kind == LM_POLICY_TALENT_PROGRAM)
                returnee += pol->talent_level;
        }
        f += e->base_rate * talent + e->alumni_rate * alumni_ceiling(p, rp, talent, months) +
             e->spinout_rate * spinout + e->returnee_rate * returnee;
    }
    return f;
}

/* Deals a firm makes over the run: a quarter, times the largest deals-seen multiplier of a
 * region (matchmaking and corridors multiply the deals investors screen, hence the rounds
 * made), at most one a stage. three-capitals (matchmaking 2 x corridor 1.5) makes 0.19 a
 * firm, the estimate provides 0.75. */
static double deals_per_firm(const lm_params *p)
{
    double most = 1.0;
    for (int r = 0; r < p->n_regions; ++r) {
        double mult = 1.0;
        const lm_region_params *rp = &p->regions[r];
        for (int i = 0; i < rp->n_policies; ++i)
            if (rp->policies[i].kind == LM_POLICY_MATCHMAKING ||
                rp->policies[i].kind == LM_POLICY_CORRIDOR)
                mult *= rp->policies[i].deals_seen_multiplier;
        most = fmax(most, mult);
    }
    return fmin(0.25 * most, (double)LM_STAGE_COUNT);
}

/* Bytes per firm of the run: its slot in the live arrays, its archived record, the id index,
 * its finance state (a cap table, once funded, has the founders' and the pool's lines, one
 * per deal, and the allocator's header), its deal records, and its entry in the month's deal
 * pool (the deal, its place by stage, one cumulative weight per investors' home region). */
static double bytes_per_firm(const lm_params *p)
{
    const double deals = deals_per_firm(p);
    return (double)lm_firms_bytes_per_firm() + (double)sizeof(lm_firm_record) +
           sizeof(int64_t) + (double)sizeof(lm_fin_firm) +
           fmin(1.0, deals) * (2.0 * sizeof(lm_stake) + 16.0) +
           deals * (double)(sizeof(lm_stake) + sizeof(lm_deal_record)) + (double)sizeof(lm_deal) +
           sizeof(uint32_t) + (double)p->n_regions * sizeof(double);
}

/* Doubles saturate instead of overflowing uint64_t. */
static uint64_t to_bytes(double x)
{
    if (!(x > 0.0))
        return 0;
    return x >= 1.8e19 ? UINT64_MAX : (uint64_t)x;
}

static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

uint64_t lm_job_estimate_memory(const lm_scenario *sc, lm_memory_estimate *detail)
{
    lm_memory_estimate e;
    memset(&e, 0, sizeof e);
    const lm_params *p = lm__scenario_params(sc);
    if (!p) {
        if (detail)
            *detail = e;
        return 0;
    }
    const double R = p->n_regions, S = p->n_sectors;
    e.months = p->end - p->start + 1;
    e.founders_month = founders_month(p, (double)e.months);
    e.firms = fmin(e.founders_month * (double)e.months * GROWTH, FIRMS_MAX);

    e.bytes_per_firm = bytes_per_firm(p);
    e.firm_state = to_bytes(2.0 * e.firms * e.bytes_per_firm);

    const double years = (double)(lm_month_year(p->end) - lm_month_year(p->start) + 1);
    const double tables = years * R * (double)sizeof(lm_region_year) /* observations */
                          + 24.0 * R * S * sizeof(double)             /* region x sector */
                          + 4.0 * R * LM_MAX_POLICIES * sizeof(double) /* policy state */
                          + S * 4096.0 * sizeof(double);               /* team table */
    e.region_state = add_sat(to_bytes(tables), (uint64_t)lm_world_scratch_bytes(p));

    e.database = to_bytes(fmin((double)DB_CACHE_MAX, e.firms * DB_BYTES_PER_FIRM));
    e.baseline = BASELINE_BYTES;
    e.total = add_sat(add_sat(e.firm_state, e.region_state), add_sat(e.database, e.baseline));
    if (detail)
        *detail = e;
    return e.total;
}

/* The cgroup v2 (or v1) memory limit of this process, 0 when there is none. */
static uint64_t cgroup_limit(void)
{
    static const char *const files[] = {"/sys/fs/cgroup/memory.max",
                                        "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
        FILE *f = fopen(files[i], "r");
        if (!f)
            continue;
        char line[64] = "";
        const bool got = fgets(line, sizeof line, f) != NULL;
        fclose(f);
        if (!got || strncmp(line, "max", 3) == 0)
            continue;
        char *end;
        const unsigned long long v = strtoull(line, &end, 10);
        if (end != line && v > 0 && v < ((uint64_t)1 << 62)) /* v1 says "no limit" as ~2^63 */
            return v;
    }
    return 0;
}

uint64_t lm_job_default_max_memory(void)
{
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    const uint64_t cg = cgroup_limit();
    if (cg && (!phys || cg < phys))
        phys = cg;
    if (!phys)
        return UINT64_MAX; /* unknown: no limit rather than a wrong one */
    return phys / 5 * 4;
}

bool lm_parse_size(const char *text, uint64_t *out)
{
    if (!text || !((*text >= '0' && *text <= '9') || *text == '.'))
        return false;
    char *end;
    const double v = strtod(text, &end);
    if (end == text || !(v > 0.0))
        return false;
    double unit = 1.0;
    const char *u = end;
    static const char letters[] = "kmgt";
    const char *at = *u ? strchr(letters, *u | 0x20) : NULL;
    if (at) {
        for (const char *l = letters; l <= at; ++l)
            unit *= 1024.0;
        ++u;
        if (*u == 'i')
            ++u;
    }
    if (*u == 'B' || *u == 'b')
        ++u;
    if (*u != '\0')
        return false;
    const double bytes = v * unit;
    if (!(bytes >= 1.0) || bytes >= 18446744073709551616.0)
        return false;
    if (out)
        *out = (uint64_t)bytes;
    return true;
}

char *lm_format_size(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        ++u;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " bytes", bytes);
    else
        snprintf(buf, size, "%.*f %s", v < 10.0 ? 1 : 0, v, units[u]);
    return buf;
}

lm_status lm_job_check_memory(const lm_scenario *sc, uint64_t max_memory, lm_error *err)
{
    const uint64_t limit = max_memory ? max_memory : lm_job_default_max_memory();
    lm_memory_estimate e;
    if (lm_job_estimate_memory(sc, &e) <= limit)
        return LM_OK;
    char need[32], have[32];
    lm_format_size(e.total, need, sizeof need);
    lm_format_size(limit, have, sizeof have);
    return lm_error_set_at(err, LM_ENOMEM, lm_scenario_path(sc), 0, 0, NULL,
                           "the run would need about %s of memory (%.3g founders a month over "
                           "%d months: up to %.3g firms), more than the limit of %s "
                           "(--max-memory%s); shorten the period, lower the founder rates or "
                           "raise the limit",
                           need, e.founders_month, (int)e.months, e.firms, have,
                           max_memory ? "" : ", by default 80% of physical memory");
}

/* While the run goes: the same accounting as the estimate, with the firms actually born so
 * far in place of the projection. A scenario whose founders outgrow their rates (serial
 * founders, platform alumni, big founding teams) is stopped when it passes the limit, not
 * killed by the kernel; its caller then removes the temporary folder, so nothing is left. */
lm_status lm__job_check_memory_now(const lm_scenario *sc, const lm_sim *sim, uint64_t max_memory,
                                   lm_error *err)
{
    if (max_memory == UINT64_MAX)
        return LM_OK;
    const uint64_t limit = max_memory ? max_memory : lm_job_default_max_memory();
    lm_memory_estimate e;
    lm_job_estimate_memory(sc, &e);
    const double firms = (double)lm_sim_firms_ever(sim);
    const double per_firm = bytes_per_firm(lm__scenario_params(sc));
    const uint64_t now = add_sat(add_sat(to_bytes(2.0 * firms * per_firm), e.region_state),
                                 add_sat(to_bytes(fmin((double)DB_CACHE_MAX,
                                                       firms * DB_BYTES_PER_FIRM)),
                                         e.baseline));
    if (now <= limit)
        return LM_OK;
    char need[32], have[32];
    lm_format_size(now, need, sizeof need);
    lm_format_size(limit, have, sizeof have);
    return lm_error_set_at(err, LM_ENOMEM, lm_scenario_path(sc), 0, 0, NULL,
                           "the run outgrew its memory limit: after %d months %.3g firms need "
                           "about %s, more than the limit of %s (--max-memory%s); nothing was "
                           "written; shorten the period, lower the founder rates or raise the "
                           "limit",
                           lm_sim_months_done(sim), firms, need, have,
                           max_memory ? "" : ", by default 80% of physical memory");
}
