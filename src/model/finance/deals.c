/* src/model/finance/deals.c -- the monthly deal market (MODEL.md 5.4, 5.5).
 * Firms short of runway, or at a milestone, meet investors who see only a noisy signal of
 * their potential; this is where loss-tolerant guidance funds change outcomes. Funds' money:
 * funds.c; cap tables: captable.c; exits: src/model/exits/. Equations: docs/model.md 7.9.
 *
 * Four steps, each deterministic whatever the thread count:
 *   1. pool (parallel over fixed firm blocks): who seeks money, which stage, how much;
 *      concatenated in slot order;
 *   2. weights: for each investor home region h and stage s, cumulative visibility weights
 *      of the pool's deals (local 1, elsewhere nonlocal_visibility x I[h,r]; matchmaking,
 *      corridors and certified tiers multiply);
 *   3. screening (parallel over investors): each draws the deals it sees from its own
 *      stream, observes log(theta) + N(0, sigma), estimates loss and multiple, and writes
 *      offers into its own segment; investors already on a firm's cap table see its round
 *      with less noise (insiders);
 *   4. allocation (serial, in pool order): the best offer that passes its checks leads and
 *      sets the price; others join at that price while the round is open (syndicates); a
 *      round that reaches min_close of its size closes and is booked. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/minmax.h"
#include "model/costs/unit_costs.h"
#include "model/finance/finance_int.h"
#include "core/detmath.h"

#define Z_MAX 3.0          /* posterior signals beyond +-3 sd are clamped */
#define TICKET_MIN_CNY 1.0e5

static double clampz(double z) { return z < -Z_MAX ? -Z_MAX : (z > Z_MAX ? Z_MAX : z); }

/* ---- an investor's estimates (docs/model.md 7.9) ---- */

/* The logit of stage s's base loss, the constant of lm__deal_loss's curve. */
static double loss_logit(const lm_finance_params *f, int s)
{
    const double base = f->base_loss[s], lmin = f->min_loss[s];
    return lm_log((1.0 - base) / (base - lmin));
}

/* lm__deal_loss with the stage's loss_logit given (screening looks it up once a month). */
static inline double deal_loss_at(const lm_finance_params *f, int s, double a, double z)
{
    const double lmin = f->min_loss[s];
    return lmin + (1.0 - lmin) / (1.0 + lm_exp(a + f->loss_slope * clampz(z)));
}

double lm__deal_loss(const lm_finance_params *f, int s, double z)
{
    return deal_loss_at(f, s, loss_logit(f, s), z);
}

static double revenue_factor(const lm_finance_params *f, int s, double run_rate)
{
    return lm_fmax(1.0, f->revenue_multiple * run_rate / f->pre_money_cny[s]);
}

double lm__deal_pre_money(const lm_finance_params *f, int s, double z, double run_rate)
{
    return f->pre_money_cny[s] *
           lm_fmax(lm_exp(f->price_slope * clampz(z)), revenue_factor(f, s, run_rate));
}

double lm__deal_multiple(const lm_finance_params *f, int s, double z, double run_rate,
                         double loss, double pre)
{
    const double win = f->success_multiple[s] * f->pre_money_cny[s] *
                       lm_exp(f->multiple_slope * clampz(z)) * revenue_factor(f, s, run_rate);
    return (1.0 - loss) * win / pre;
}

/* ---- 1. the pool ---- */

static bool meets(const lm_finance_params *f, const lm_firms *fm, size_t i, int s,
                  double run_rate)
{
    /* an A round needs a prototype (a share of the way to launch), B and later a product:
       a sector whose product takes years is not held to the traction of one that takes
       months */
    if (fm->launched[i] < 0 &&
        (s >= LM_STAGE_B || (s == LM_STAGE_A && fm->progress[i] < f->prototype_progress)))
        return false;
    return run_rate >= f->stage_min_revenue_cny_year[s];
}

/* Stage of the firm's next round: the one after its last (growth rounds repeat), if it meets
 * that stage's milestones; -1 when it does not: a firm that cannot show the traction of the
 * next stage gets no new round and lives on its revenue and cash (stage gates). */
static int next_stage(const lm_finance_params *f, const lm_firms *fm, size_t i, double run_rate)
{
    const int s = fm->round_stage[i] > LM_STAGE_GROWTH ? LM_STAGE_GROWTH : fm->round_stage[i];
    return meets(f, fm, i, s, run_rate) ? s : -1;
}

/* Round size sought, 0 when the firm does not seek money this month. Also updates the
 * smoothed revenue. */
static inline double seek_size(const lm_world *w, const lm_finance_params *f, const lm_firms *fm,
                               size_t i, lm_month m, bool burn_known)
{
    fm->revenue_ema_cny[i] += f->revenue_smoothing * (fm->revenue_cny[i] - fm->revenue_ema_cny[i]);
    const double run_rate = 12.0 * fm->revenue_ema_cny[i];
    /* the stage gate first: a firm that meets no stage needs no bills worked out */
    const int s = next_stage(f, fm, i, run_rate);
    if (s < 0)
        return 0.0;
    double burn;
    if (burn_known) {
        burn = w->burn[i]; /* the R&D phase's, from the same state */
    } else {
        const lm_unit_costs c = lm_firm_unit_costs(w, i);
        burn = c.payroll + c.compute + c.rent;
    }
    const double net = burn - fm->revenue_cny[i];
    const bool short_of_cash = net > 0.0 && fm->cash_cny[i] < net * f->seek_runway_months;
    const int last = (int)fm->round_stage[i] - 1; /* -1: never raised */
    const bool milestone = s > last && (fm->launched[i] == m || s >= LM_STAGE_B);
    const bool gap_ok =
        last < 0 || (double)(m - fm->last_round[i]) >= f->min_round_gap_months;
    if (!short_of_cash && !(milestone && gap_ok))
        return 0.0;
    /* What the plan needs: the burn of the staff the round is raised for, the staffing
       rule's target (7.5: the sector's team before launch, the staff the revenue keeps
       busy after), each hire at the going cost of one paid employee. A founding pair of a
       sector that needs twenty people raises for twenty, not for two. */
    const double team = w->p->sectors[fm->sector[i]].team_size;
    const double plan_h = lm_fmin(lm_staff_needed(&w->p->costs, team, fm->revenue_cny[i]),
                                  w->p->costs.max_headcount);
    const double h = (double)fm->headcount[i];
    double plan = burn;
    if (plan_h > h) {
        const lm_unit_costs one = lm_unit_costs_at(w, fm->region[i], fm->sector[i], 1.0, 0.0);
        plan += (plan_h - h) * (one.payroll + one.compute + one.rent);
    }
    /* what the plan needs, or the stake investors want at the reference price */
    const double want = lm_fmax(plan * f->round_months,
                             f->round_equity / (1.0 - f->round_equity) * f->pre_money_cny[s]);
    const double ref = f->round_cny[s];
    return lm_fmin(lm_fmax(want, ref / f->round_factor), ref * f->round_factor);
}

/* Deals-seen factor of a certified firm: the largest investor_visibility of its tiers. */
static double tier_factor(const lm_params *p, uint8_t tier)
{
    double v = 1.0;
    if (tier & LM_TIER_TECH_SME)
        v = lm_fmax(v, p->tiers.tech_sme.investor_visibility);
    if (tier & LM_TIER_HIGH_TECH)
        v = lm_fmax(v, p->tiers.high_tech.investor_visibility);
    if (tier & LM_TIER_LITTLE_GIANT)
        v = lm_fmax(v, p->tiers.little_giant.investor_visibility);
    if (tier & LM_TIER_UNICORN)
        v = lm_fmax(v, p->tiers.unicorn.investor_visibility);
    if (tier & LM_TIER_DRAGON)
        v = lm_fmax(v, p->tiers.dragon.investor_visibility);
    return v;
}

static lm_status grow(void **buf, size_t *cap, size_t need, size_t elem, lm_error *err)
{
    if (need <= *cap)
        return LM_OK;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *a = realloc(*buf, c * elem);
    if (!a)
        LM_FAIL(err, LM_ENOMEM, "finance buffers (%zu entries)", c);
    *buf = a;
    *cap = c;
    return LM_OK;
}
/* Grows a finance buffer (between the month's loops, never inside one); stv gets the status. */
#define GROW(ptr, capv, need, stv)                                                             \
    do {                                                                                       \
        void *grow_tmp_ = (ptr);                                                               \
        (stv) = grow(&grow_tmp_, &(capv), (need), sizeof *(ptr), err);                         \
        (ptr) = grow_tmp_;                                                                     \
    } while (0)

static lm_status build_pool(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    lm_firms *fm = &w->firms;
    const lm_finance_params *f = &w->p->finance;
    lm_status st;
    GROW(fin->seek, fin->cap_seek, fm->n + 1, st);
    if (st != LM_OK)
        return st;
    const lm_blocks b = lm_blocks_of(fm->n);
    size_t *count = lm_world_scratch(w, sizeof(size_t) * (b.count + 1));
    if (!count)
        LM_FAIL(err, LM_ENOMEM, "finance scratch");
    double *seek = fin->seek;
    const bool burn_known = w->burn_month == m && w->burn_n == fm->n;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        /* locals: the loop's stores would otherwise make the parameters be read again per
           firm */
        const lm_finance_params fp = *f;
        const lm_firms fl = *fm;
        size_t n = 0;
        const size_t end = lm_block_end(&b, k);
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            const double want =
                fl.status[i] == LM_FIRM_ALIVE ? seek_size(w, &fp, &fl, i, m, burn_known) : 0.0;
            seek[i] = want;
            n += want > 0.0;
        }
        count[k + 1] = n;
    }
    count[0] = 0;
    for (size_t k = 0; k < b.count; ++k)
        count[k + 1] += count[k];
    fin->n_pool = count[b.count];
    GROW(fin->pool, fin->cap_pool, fin->n_pool + 1, st);
    if (st != LM_OK)
        return st;
    lm_deal *pool = fin->pool;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        size_t at = count[k];
        const size_t end = lm_block_end(&b, k);
        /* log(theta) of the block's deals in runs of POOL_RUN with lm_log_n (the scalar's
           bits, several at a time), after their other fields */
        enum { POOL_RUN = 64 };
        double th[POOL_RUN], lg[POOL_RUN];
        size_t n_th = 0;
        for (size_t i = lm_block_begin(&b, k); i < end; ++i) {
            if (!(seek[i] > 0.0))
                continue;
            const int r = fm->region[i];
            lm_deal *d = &pool[at++];
            d->slot = i;
            d->firm_id = fm->id[i];
            d->region = (int16_t)r;
            d->sector = fm->sector[i];
            d->run_rate = 12.0 * fm->revenue_ema_cny[i];
            d->stage = (uint8_t)next_stage(f, fm, i, d->run_rate);
            d->size = seek[i];
            th[n_th++] = fm->theta[i] > 0.0 ? fm->theta[i] : 1e-9;
            d->noise_factor = fin->noise_factor[r];
            d->visibility = fin->deal_mult[r] * tier_factor(w->p, fm->tier[i]);
            if (n_th == POOL_RUN) {
                lm_log_n(th, lg, n_th);
                for (size_t t = 0; t < n_th; ++t)
                    pool[at - n_th + t].log_theta = lg[t];
                n_th = 0;
            }
        }
        lm_log_n(th, lg, n_th);
        for (size_t t = 0; t < n_th; ++t)
            pool[at - n_th + t].log_theta = lg[t];
    }
    return LM_OK;
}

/* ---- 2. who sees what ---- */

/* Pool indices grouped by stage (stable), and for each home region h the cumulative
 * weights of the grouped deals: cum[h * n + j] sums the weights of grouped deals up to j
 * within j's stage. */
static lm_status build_weights(lm_world *w, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const size_t n = fin->n_pool, R = (size_t)w->R;
    lm_status st;
    GROW(fin->pool_by_stage, fin->cap_pool_by_stage, n + 1, st);
    if (st == LM_OK)
        GROW(fin->cum, fin->cap_cum, R * n + 1, st);
    if (st != LM_OK)
        return st;
    size_t *sb = fin->stage_begin;
    memset(sb, 0, sizeof fin->stage_begin);
    for (size_t j = 0; j < n; ++j)
        sb[fin->pool[j].stage + 1]++;
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        sb[s + 1] += sb[s];
    size_t fill[LM_STAGE_COUNT];
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        fill[s] = sb[s];
    for (size_t j = 0; j < n; ++j)
        fin->pool_by_stage[fill[fin->pool[j].stage]++] = (uint32_t)j;
    const double *I = w->p->integration;
    const double far = w->p->finance.nonlocal_visibility;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t h = 0; h < R; ++h) {
        double *cum = fin->cum + h * n;
        for (int s = 0; s < LM_STAGE_COUNT; ++s) {
            double acc = 0.0;
            for (size_t j = sb[s]; j < sb[s + 1]; ++j) {
                const lm_deal *d = &fin->pool[fin->pool_by_stage[j]];
                const size_t r = (size_t)d->region;
                const double reach = r == h ? 1.0 : far * I[h * R + r];
                acc += reach * d->visibility;
                cum[j] = acc;
            }
        }
    }
    return LM_OK;
}

/* Investors already on the cap tables of pool firms (CSR by investor). */
static lm_status build_insiders(lm_world *w, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const size_t ni = fin->n_inv;
    lm_status st;
    GROW(fin->insider_begin, fin->cap_insider_begin, ni + 2, st);
    if (st != LM_OK)
        return st;
    size_t *beg = fin->insider_begin;
    memset(beg, 0, (ni + 2) * sizeof *beg);
    for (size_t j = 0; j < fin->n_pool; ++j) {
        const lm_fin_firm *ff = &fin->firm[fin->pool[j].firm_id];
        for (int k = 0; k < ff->n; ++k)
            if (ff->stakes[k].holder >= 0)
                beg[ff->stakes[k].holder + 2]++;
    }
    for (size_t i = 0; i < ni; ++i)
        beg[i + 2] += beg[i + 1];
    GROW(fin->insider, fin->cap_insider, beg[ni + 1] + 1, st);
    if (st != LM_OK)
        return st;
    for (size_t j = 0; j < fin->n_pool; ++j) {
        const lm_fin_firm *ff = &fin->firm[fin->pool[j].firm_id];
        for (int k = 0; k < ff->n; ++k)
            if (ff->stakes[k].holder >= 0)
                fin->insider[beg[ff->stakes[k].holder + 1]++] = (uint32_t)j;
    }
    /* beg[i+1] now ends investor i's list, beg[i] begins it */
    return LM_OK;
}

/* ---- 3. screening ---- */

/* First position j in [lo, hi) of pool_by_stage whose cumulative weight exceeds u (hi - 1
 * when rounding leaves none). */
static size_t first_above(const double *cum, size_t lo, size_t hi, double u)
{
    size_t a = lo, b = hi - 1;
    while (a < b) {
        const size_t mid = a + (b - a) / 2;
        if (cum[mid] > u)
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}

typedef struct screen_ctx {
    const lm_world *w;
    const lm_finance_params *f;
    const lm_investor *inv;
    double avail;        /* for the deal being judged: follow-on money for its own firms */
    lm_month m;
    lm_offer *out;
    size_t n_out;
    const double *loss_a; /* [LM_STAGE_COUNT] loss_logit of each stage */
} screen_ctx;

/* One look at one deal: a signal, estimates, perhaps an offer. */
static void judge(screen_ctx *c, uint32_t j, double noise_scale)
{
    const lm_finance_params *f = c->f;
    const lm_deal *d = &c->w->finance->pool[j];
    const lm_investor *inv = c->inv;
    const double sigma = inv->sigma * d->noise_factor * noise_scale;
    /* The noise of this look is keyed by (investor, firm, month), not drawn in sequence from
       the investor's stream: a deal more or less in its month leaves its other signals. */
    lm_rng g;
    lm_rng_init(&g, c->w->key, lm_stream_pair(inv->stream, c->w->firms.stream[d->slot]),
                LM_PURPOSE_SIGNAL, c->m);
    const double x = d->log_theta + sigma * lm_rng_gaussian(&g);
    const double sd2 = f->signal_sd * f->signal_sd;
    const double z = sd2 / (sd2 + sigma * sigma) * (x - f->signal_mean);
    const double loss = deal_loss_at(f, d->stage, c->loss_a[d->stage], z);
    const double pre = lm__deal_pre_money(f, d->stage, z, d->run_rate);
    const double mult = lm__deal_multiple(f, d->stage, z, d->run_rate, loss, pre);
    if (mult < inv->hurdle || loss > inv->max_loss)
        return;
    double amount = lm_fmin(inv->ticket_share * d->size, c->avail);
    if (inv->max_ticket > 0.0)
        amount = lm_fmin(amount, inv->max_ticket);
    if (amount < TICKET_MIN_CNY)
        return;
    c->out[c->n_out++] = (lm_offer){j, inv->id, amount, loss, mult, pre, z};
}

static bool judged(const uint32_t *seen, size_t n, uint32_t j)
{
    for (size_t k = 0; k < n; ++k)
        if (seen[k] == j)
            return true;
    return false;
}

/* Total visibility weight of the pool's deals at the investor's stages. */
static double stage_weight(const struct lm_finance *fin, const lm_investor *inv, double *wst)
{
    const double *cum = fin->cum + (size_t)inv->region * fin->n_pool;
    double total = 0.0;
    for (int s = 0; s < LM_STAGE_COUNT; ++s) {
        const size_t lo = fin->stage_begin[s], hi = fin->stage_begin[s + 1];
        wst[s] = (inv->stages & (1u << s)) && hi > lo ? cum[hi - 1] : 0.0;
        total += wst[s];
    }
    return total;
}

/* How hard a fund's team searches, as a multiple of deals_seen_month: a fund in its
 * investment period must put its money for new firms to work before the period ends, and
 * its managers know, from their own record, what a month of looks has yielded so far
 * (money put into new firms per deal looked at). A team behind that pace looks at more deals
 * (hires, sources more), up to max_team_scale times a standard team; one on pace or ahead, or
 * without a month of record yet, looks at the standard number. Angels and strategic arms
 * invest money at hand with no deadline and keep the standard number. */
double lm__team_pace(const lm_finance_params *f, const lm_investor *inv, double avail_new,
                     lm_month m)
{
    const double base = f->deals_seen_month[inv->kind];
    if (!inv->fund || inv->direct || m > inv->invest_end || !(base > 0.0) ||
        inv->looks < base)
        return 1.0;
    const double months_left = (double)inv->invest_end - (double)m + 1.0;
    const double need = avail_new / months_left;       /* CNY a month for new firms */
    const double per_look = inv->new_invested / inv->looks;
    if (!(per_look > 0.0))
        return f->max_team_scale;
    return lm_fmax(1.0, lm_fmin(f->max_team_scale, need / (per_look * base)));
}

static size_t looks_cap(double lambda) { return (size_t)ceil(3.0 * lambda); }

/* One investor's month of screening; returns the offers written. */
static size_t screen_investor(const lm_world *w, const lm_investor *inv, const double *loss_a,
                              double avail, double lambda, lm_month m, lm_offer *out,
                              uint32_t *seen, uint64_t *n_seen, uint64_t *n_screened)
{
    const struct lm_finance *fin = w->finance;
    const lm_finance_params *f = &w->p->finance;
    lm_rng g;
    lm_rng_init(&g, w->key, inv->stream, LM_PURPOSE_SCREEN, m);
    const double avail_new = lm__investor_available(w, inv, m);
    screen_ctx c = {w, f, inv, avail, m, out, 0, loss_a};
    size_t n_judged = 0;
    for (size_t k = fin->insider_begin[inv->id]; k < fin->insider_begin[inv->id + 1]; ++k) {
        const uint32_t j = fin->insider[k];
        const lm_deal *d = &fin->pool[j];
        if (!(inv->stages & (1u << d->stage)) || judged(seen, n_judged, j))
            continue;
        seen[n_judged++] = j;
        judge(&c, j, f->insider_noise);
    }
    c.avail = avail_new; /* new firms: no follow-on reserve, only in the investment period */
    if (avail_new < TICKET_MIN_CNY) {
        *n_screened = n_judged;
        return c.n_out;
    }
    const double *cum = fin->cum + (size_t)inv->region * fin->n_pool;
    double wst[LM_STAGE_COUNT];
    const double total = stage_weight(fin, inv, wst);
    if (!(lambda > 0.0) || !(total > 0.0)) {
        *n_screened = n_judged;
        return c.n_out;
    }
    unsigned looks = lm_rng_poisson_inv(&g, lambda);
    const size_t cap = looks_cap(lambda);
    if (looks > cap)
        looks = (unsigned)cap;
    *n_seen = looks;
    for (unsigned t = 0; t < looks; ++t) {
        double u = lm_rng_u01(&g) * total;
        int s = -1;
        for (int q = 0; q < LM_STAGE_COUNT; ++q) {
            if (!(wst[q] > 0.0))
                continue;
            s = q; /* the last stage with weight, should rounding leave u past them all */
            if (u < wst[q])
                break;
            u -= wst[q];
        }
        const size_t lo = fin->stage_begin[s], hi = fin->stage_begin[s + 1];
        const uint32_t j = fin->pool_by_stage[first_above(cum, lo, hi, u)];
        const lm_deal *d = &fin->pool[j];
        if (!(inv->sectors & (1u << d->sector)) || judged(seen, n_judged, j))
            continue;
        seen[n_judged++] = j;
        judge(&c, j, 1.0);
    }
    *n_screened = n_judged;
    return c.n_out;
}

static lm_status screen(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const lm_finance_params *f = &w->p->finance;
    const size_t ni = fin->n_inv;
    lm_status st;
    GROW(fin->offer_begin, fin->cap_offer_index, ni + 1, st);
    if (st != LM_OK)
        return st;
    size_t total = 0, widest = 0;
    for (size_t i = 0; i < ni; ++i) {
        const lm_investor *inv = &fin->inv[i];
        const double avail = lm__investor_available_follow(w, inv, m);
        fin->inv_avail[i] = avail;
        fin->offer_begin[i] = total;
        fin->inv_looks[i] = 0.0;
        if (avail < TICKET_MIN_CNY)
            continue;
        const double avail_new = lm__investor_available(w, inv, m);
        double wst[LM_STAGE_COUNT];
        if (avail_new >= TICKET_MIN_CNY)
            fin->inv_looks[i] =
                lm_fmin(f->deals_seen_month[inv->kind] * lm__team_pace(f, inv, avail_new, m),
                        f->pool_share * stage_weight(fin, inv, wst));
        const size_t room =
            looks_cap(fin->inv_looks[i]) + fin->insider_begin[i + 1] - fin->insider_begin[i];
        total += room;
        if (room > widest)
            widest = room;
    }
    fin->offer_begin[ni] = total;
    GROW(fin->offers, fin->cap_offers, total + 1, st);
    if (st == LM_OK)
        GROW(fin->seen_buf, fin->cap_seen_buf, (widest + 1) * (size_t)w->threads, st);
    if (st != LM_OK)
        return st;
    double loss_a[LM_STAGE_COUNT];
    for (int s = 0; s < LM_STAGE_COUNT; ++s)
        loss_a[s] = loss_logit(f, s);
    const double t0 = omp_get_wtime();
#pragma omp parallel for schedule(dynamic, 4) num_threads(w->threads)
    for (size_t i = 0; i < ni; ++i) {
        fin->offer_count[i] = 0;
        fin->inv_seen[i] = 0;
        fin->inv_screened[i] = 0;
        if (fin->inv_avail[i] < TICKET_MIN_CNY)
            continue;
        uint32_t *seen = fin->seen_buf + (size_t)omp_get_thread_num() * (widest + 1);
        fin->offer_count[i] =
            screen_investor(w, &fin->inv[i], loss_a, fin->inv_avail[i], fin->inv_looks[i], m,
                            fin->offers + fin->offer_begin[i], seen, &fin->inv_seen[i],
                            &fin->inv_screened[i]);
    }
    fin->last_screen_seconds += omp_get_wtime() - t0;
    for (size_t i = 0; i < ni; ++i) {
        fin->inv[i].looks += (double)fin->inv_seen[i];
        fin->totals.seen += fin->inv_seen[i];
        fin->totals.screened += fin->inv_screened[i];
    }
    return LM_OK;
}

/* ---- 4. allocation ---- */

static int by_deal_then_merit(const void *a, const void *b)
{
    const lm_offer *x = a, *y = b;
    if (x->deal != y->deal)
        return x->deal < y->deal ? -1 : 1;
    if (x->multiple != y->multiple)
        return x->multiple > y->multiple ? -1 : 1;
    return x->investor < y->investor ? -1 : (x->investor > y->investor);
}

/* Is the investor on the firm's cap table already (a follow-on)? */
static bool holds(const lm_world *w, const lm_investor *inv, const lm_deal *d)
{
    return lm__captable_share(&w->finance->firm[d->firm_id], (int32_t)inv->id) > 0.0;
}

/* How much of the offer the investor may put in at pre-money pre with room left in the
 * round (0: none). Checks, in order: the hurdle at this price, its money (new firms: the
 * investment period without the follow-on reserve; firms it holds: the reserve too), loss
 * tolerance (guidance funds), local reinvestment (guidance funds). */
static double allowed(const lm_world *w, const lm_investor *inv, const lm_offer *o,
                      const lm_deal *d, double pre, double room, lm_month m, bool *loss_bound)
{
    *loss_bound = false;
    const lm_finance_params *f = &w->p->finance;
    if (o->multiple * o->pre_own / pre < inv->hurdle)
        return 0.0;
    const double avail = holds(w, inv, d) ? lm__investor_available_follow(w, inv, m)
                                          : lm__investor_available(w, inv, m);
    double amt = lm_fmin(lm_fmin(o->amount, room), avail);
    if (inv->guidance) {
        const double before = amt;
        if (inv->loss_tolerance <= f->zero_loss_floor &&
            f->min_loss[d->stage] > f->zero_loss_floor) {
            /* L (near) 0: the managers may lose next to nothing, so they stay in the stages
               where a firm can be that safe (with the defaults C and growth: late-stage deals);
               the loss room below, at the floor, keeps their portfolio safe */
            amt = 0.0;
        } else if (o->loss > 0.0) {
            /* the open portfolio's expected loss stays within L of the capital the fund is
               to put to work (cost so far + what it may still invest): a young fund has its
               whole loss budget, not L x the cost of deals it has not made yet; realised
               losses are the freeze's business */
            amt = lm_fmin(amt, lm_fmax(0.0, lm__guidance_loss_room(w, inv, m)) / o->loss);
        }
        *loss_bound = amt < before;
        if (inv->reinvest_required > 0.0 && !lm__investor_is_local(w, inv, d->region)) {
            const double short_local = inv->reinvest_required - inv->local_invested;
            amt = lm_fmin(amt, avail - lm_fmax(0.0, short_local));
        }
    }
    const double floor_amt = lm_fmax(TICKET_MIN_CNY, 0.02 * d->size);
    return amt >= floor_amt ? amt : 0.0;
}

/* The record of first rounds founders read (docs/model.md 7.2): this month's seed rounds
 * (a firm's first round is always its seed round) sought, closed and the money they raised,
 * per region and sector, folded into moving averages of about prospect_months months. Only
 * rounds that were sought count: a fund that has not dealt yet shows in no founder's view. */
static void fade_first_rounds(lm_world *w)
{
    const double keep = 1.0 - 1.0 / w->p->entry.prospect_months;
    const size_t n = (size_t)w->R * (size_t)w->S;
    for (size_t k = 0; k < n; ++k) {
        w->first_sought[k] *= keep;
        w->first_closed[k] *= keep;
        w->first_raised[k] *= keep;
    }
}

/* raised < 0: the round was sought (every deal of the pool); raised >= 0: it closed. */
static void note_first_round(lm_world *w, const lm_deal *d, double raised)
{
    if (d->stage != LM_STAGE_SEED)
        return;
    const double a = 1.0 / w->p->entry.prospect_months;
    const size_t rs = (size_t)d->region * (size_t)w->S + d->sector;
    if (raised < 0.0) {
        w->first_sought[rs] += a;
        return;
    }
    w->first_closed[rs] += a;
    w->first_raised[rs] += a * raised;
}

typedef struct part {
    const lm_offer *o;
    double amount;
} part;

static lm_status book(lm_world *w, lm_month m, const lm_deal *d, double pre, const part *pt,
                      int np, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    lm_firms *fm = &w->firms;
    lm_fin_firm *ff = &fin->firm[d->firm_id];
    int32_t holder[64];
    double amount[64], loss[64];
    bool follow[64];
    double raised = 0.0;
    for (int k = 0; k < np; ++k) {
        holder[k] = (int32_t)pt[k].o->investor;
        follow[k] = lm__captable_share(ff, holder[k]) > 0.0; /* before the round */
        amount[k] = pt[k].amount;
        loss[k] = pt[k].o->loss;
        raised += amount[k];
    }
    lm_status st = lm__captable_round(ff, pre, holder, amount, loss, np,
                                      w->p->finance.option_pool, err);
    if (st != LM_OK)
        return st;
    const double post = pre + raised;
    const size_t i = d->slot;
    const double cash0 = fm->cash_cny[i];
    fm->cash_cny[i] += raised;
    fm->valuation_cny[i] = post;
    fm->equity_ytd_cny[i] += raised; /* little giants' path C (tiers) */
    w->firm_cash_before += cash0;
    w->firm_cash_after += fm->cash_cny[i];
    fm->round_stage[i] = (uint8_t)(d->stage + 1);
    fm->last_round[i] = m;
    ff->raised_cny += raised;
    lm_money *mo = &w->money[d->region];
    mo->investors_paid += raised;
    mo->firms_received_investment += raised;
    lm_finance_year *fy = lm__finance_year(w, d->region, m);
    fy->rounds++;
    fy->raised_cny += raised;
    lm__finance_note_round(w, d->region, d->stage, d->sector, m, raised);
    note_first_round(w, d, raised);
    for (int k = 0; k < np; ++k) {
        lm_investor *inv = &fin->inv[holder[k]];
        const double a = amount[k];
        if ((st = lm__investor_pay(w, inv, m, a, err)) != LM_OK)
            return st;
        const bool local = lm__investor_is_local(w, inv, d->region);
        if (follow[k])
            inv->follow_on += a;
        else
            inv->new_invested += a;
        inv->cost_open += a;
        inv->el_open += a * loss[k];
        inv->deals++;
        if (local)
            inv->local_invested += a;
        fy->deals[inv->kind][d->stage]++;
        fy->invested_cny[inv->kind][d->stage] += a;
        lm_finance_year *home = lm__finance_year(w, inv->region, m);
        if (inv->direct) {
            home->direct_cny += a;
            home->gov_invested_cny += a;
        } else if (inv->guidance) {
            home->guidance_invested_cny += a;
            home->gov_invested_cny += a * inv->commit[LM_LP_GOV] / inv->size;
        }
        lm_deal_record rec;
        memset(&rec, 0, sizeof rec); /* padding too: records are compared byte for byte */
        rec.month = m;
        rec.firm_id = d->firm_id;
        rec.investor_id = inv->id;
        rec.investor_kind = inv->kind;
        rec.stage = d->stage;
        rec.region = d->region;
        rec.investor_region = inv->region;
        rec.lead = k == 0;
        rec.local = local;
        rec.amount_cny = a;
        rec.pre_money_cny = pre;
        rec.post_money_cny = post;
        rec.equity = a / post;
        rec.expected_loss = loss[k];
        rec.expected_multiple = pt[k].o->multiple * pt[k].o->pre_own / pre;
        if ((st = lm__finance_push_deal(fin, &rec, err)) != LM_OK)
            return st;
    }
    return LM_OK;
}

/* One deal's offers (sorted best first): lead, syndicate, close or not. */
static lm_status allocate_deal(lm_world *w, lm_month m, const lm_deal *d, const lm_offer *o,
                               size_t n, bool *closed, lm_error *err)
{
    const lm_finance_params *f = &w->p->finance;
    struct lm_finance *fin = w->finance;
    part pt[64];
    int np = 0;
    double pre = 0.0, raised = 0.0;
    *closed = false;
    for (size_t k = 0; k < n && np < 64; ++k) {
        const lm_investor *inv = &fin->inv[o[k].investor];
        const double price = np == 0 ? o[k].pre_own : pre;
        bool bound;
        const double a = allowed(w, inv, &o[k], d, price, d->size - raised, m, &bound);
        if (inv->guidance) {
            lm_finance_year *home = lm__finance_year(w, inv->region, m);
            home->guidance_offers++;
            home->guidance_loss_bound += bound;
            fin->totals.guidance_offers++;
            fin->totals.loss_bound += bound;
        }
        if (!(a > 0.0))
            continue;
        if (np == 0)
            pre = price;
        pt[np++] = (part){&o[k], a};
        raised += a;
        if (raised >= d->size * (1.0 - 1e-12))
            break;
    }
    if (np == 0 || raised < f->min_close * d->size)
        return LM_OK;
    *closed = true;
    return book(w, m, d, pre, pt, np, err);
}

/* The month's offers in the order of by_deal_then_merit: grouped by deal with a stable
 * radix sort on the deal's index (RADIX_BITS a pass, as many passes as the pool's size
 * needs), then each deal's few offers by insertion with the same comparison. No two offers
 * compare equal (an investor judges a deal once a month), so this is the one order qsort
 * gives too, with fewer comparisons. A NaN multiple orders nothing; then qsort decides, as
 * before. */
enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS };
static lm_status sort_offers(struct lm_finance *fin, size_t n, lm_error *err)
{
    bool nan = false;
    for (size_t k = 0; k < n; ++k)
        nan |= fin->offers[k].multiple != fin->offers[k].multiple;
    if (nan) {
        qsort(fin->offers, n, sizeof *fin->offers, by_deal_then_merit);
        return LM_OK;
    }
    lm_status st;
    GROW(fin->offers_sorted, fin->cap_offers_sorted, n + 1, st);
    if (st != LM_OK)
        return st;
    int bits = 0;
    while (bits < 32 && (fin->n_pool >> bits) > 0)
        ++bits;
    size_t count[RADIX];
    for (int shift = 0; shift < bits; shift += RADIX_BITS) {
        const lm_offer *in = fin->offers;
        lm_offer *out = fin->offers_sorted;
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < n; ++k)
            count[(in[k].deal >> shift) & (RADIX - 1)]++;
        size_t at = 0;
        for (size_t d = 0; d < RADIX; ++d) {
            const size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t k = 0; k < n; ++k)
            out[count[(in[k].deal >> shift) & (RADIX - 1)]++] = in[k];
        fin->offers_sorted = fin->offers;
        fin->offers = out;
        const size_t cap = fin->cap_offers_sorted;
        fin->cap_offers_sorted = fin->cap_offers;
        fin->cap_offers = cap;
    }
    lm_offer *o = fin->offers;
    for (size_t from = 0; from < n;) {
        size_t end = from + 1;
        while (end < n && o[end].deal == o[from].deal)
            ++end;
        for (size_t k = from + 1; k < end; ++k) {
            const lm_offer x = o[k];
            size_t t = k;
            for (; t > from && by_deal_then_merit(&o[t - 1], &x) > 0; --t)
                o[t] = o[t - 1];
            o[t] = x;
        }
        from = end;
    }
    return LM_OK;
}

static lm_status allocate(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const size_t ni = fin->n_inv;
    fade_first_rounds(w);
    size_t n = 0;
    for (size_t i = 0; i < ni; ++i) { /* compact the segments, in investor order */
        const size_t b = fin->offer_begin[i];
        if (b != n)
            memmove(fin->offers + n, fin->offers + b, fin->offer_count[i] * sizeof *fin->offers);
        n += fin->offer_count[i];
    }
    lm_status sorted = sort_offers(fin, n, err);
    if (sorted != LM_OK)
        return sorted;
    size_t k = 0;
    for (size_t j = 0; j < fin->n_pool; ++j) {
        const size_t from = k;
        while (k < n && fin->offers[k].deal == j)
            ++k;
        bool closed = false;
        note_first_round(w, &fin->pool[j], -1.0);
        lm_status st =
            allocate_deal(w, m, &fin->pool[j], fin->offers + from, k - from, &closed, err);
        if (st != LM_OK)
            return st;
        if (!closed)
            lm__finance_year(w, fin->pool[j].region, m)->rounds_failed++;
    }
    return LM_OK;
}

lm_status lm__deals_run(lm_world *w, lm_month m, lm_error *err)
{
    struct lm_finance *fin = w->finance;
    const size_t ni = fin->n_inv;
    lm_status st;
    GROW(fin->offer_count, fin->cap_offer_count, ni + 1, st);
    if (st == LM_OK)
        GROW(fin->inv_avail, fin->cap_inv_avail, ni + 1, st);
    if (st == LM_OK)
        GROW(fin->inv_looks, fin->cap_inv_looks, ni + 1, st);
    if (st == LM_OK)
        GROW(fin->inv_seen, fin->cap_inv_seen, ni + 1, st);
    if (st == LM_OK)
        GROW(fin->inv_screened, fin->cap_inv_screened, ni + 1, st);
    if (st == LM_OK)
        st = build_pool(w, m, err);
    if (st == LM_OK)
        st = build_weights(w, err);
    if (st == LM_OK)
        st = build_insiders(w, err);
    if (st == LM_OK)
        st = screen(w, m, err);
    if (st == LM_OK)
        st = allocate(w, m, err);
    return st;
}
