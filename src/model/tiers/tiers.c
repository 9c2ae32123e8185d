/* src/model/tiers/tiers.c -- phase 8 (MODEL.md 5.8): the December certification of the
 * tiered cultivation system (梯次培育): tech SME (科技型中小企业), high-tech enterprise
 * (高新技术企业), specialised-and-sophisticated little giant (专精特新"小巨人"), unicorn and
 * little dragon. Criteria and benefits are scenario parameters (params.tiers); the defaults
 * are the published criteria (../shared/REFERENCE.md, docs/scenarios.md 1.6).
 *
 * On the calendar year's revenue rev and R&D rd (year to date in December), with intensity
 * i(rd, rev) = rd / rev (infinite when rev = 0 < rd, 0 when both are 0), age a = months since
 * founding, the firm's staff share in R&D t (costs.tech_share):
 *   tech SME:     a >= min_age, staff <= max_headcount, rev <= max_revenue, t >= min_tech_share,
 *                 i >= min_rd_intensity
 *   high-tech:    a >= min_age (12), t >= min_tech_share, rev > min_revenue, i >= 5% / 4% / 3%
 *                 for rev <= band_small / <= band_large / above
 *   little giant: (not To C unless to_c_eligible) a >= min_age (36), rev / national market of its sector and model >=
 *                 niche_share, and either rev >= revenue_a with i >= rd_intensity_a this year
 *                 and last, or revenue_b <= rev < revenue_a with i >= rd_intensity_b both years,
 *                 or (path C, no niche share) rev < revenue_b with equity raised over the two
 *                 years >= equity_c, R&D over the two years >= rd_c and t >= tech_share_c
 *   unicorn:      private (alive, not listed) and valuation >= min_valuation
 *   dragon:       a <= max_age, visibility (public recognition, market and R&D phases) >=
 *                 min_visibility, and among the top cohort_share of its founding cohort (every
 *                 firm the scenario saw born in its calendar year, dead ones included) by
 *                 valuation or by this year's revenue: an outcome judged the same way for To C,
 *                 To B and To G firms (lm_tiers_rank_cohorts).
 * A certificate of the first three tiers lasts valid_years (the year of certification
 * included) and is renewed whenever the firm meets the criteria again; unicorn and dragon are
 * re-judged every December. A firm that no longer holds a valid certificate loses the tier.
 * A new certification pays award_cny (state to firm); the high-tech tax rate is applied by
 * the costs phase from the tier bit; investor_visibility is for the finance phase
 * (lm_tiers_visibility). dragon_month keeps the first December a firm became a dragon.
 * Then revenue and R&D of the year roll into last year's and the year-to-date sums restart. */
#include <math.h>
#include <stdlib.h>

#include "model/market/market.h"
#include "model/tiers/tiers.h"

static double intensity(double rd, double rev)
{
    if (rev > 0.0)
        return rd / rev;
    return rd > 0.0 ? INFINITY : 0.0;
}

void lm_tiers_market_year(const lm_world *w, lm_month m, double *market_year)
{
    const lm_month jan = lm_month_of(lm_month_year(m), 1);
    const lm_month from = jan > w->p->start ? jan : w->p->start;
    for (int s = 0; s < w->S; ++s)
        for (int b = 0; b < LM_MODEL_COUNT; ++b) {
            double sum = 0.0;
            for (lm_month mm = from; mm <= m; ++mm)
                sum += lm_market_size_month(w, s, b, mm);
            market_year[s * LM_MODEL_COUNT + b] = sum;
        }
}

static bool tech_sme(const lm_tier_rule *t, double age, double staff, double rev, double rd,
                     double tech)
{
    return age >= t->min_age_months && staff <= t->max_headcount && rev <= t->max_revenue_cny &&
           tech >= t->min_tech_share && intensity(rd, rev) >= t->min_rd_intensity;
}

static bool high_tech(const lm_tier_rule *t, double age, double rev, double rd, double tech)
{
    const double need = rev <= t->band_small_cny   ? t->rd_intensity_small
                        : rev <= t->band_large_cny ? t->rd_intensity_mid
                                                   : t->min_rd_intensity;
    return age >= t->min_age_months && tech >= t->min_tech_share && rev > t->min_revenue_cny &&
           intensity(rd, rev) >= need;
}

/* A firm's two calendar years for the little giant: this year and last. */
typedef struct two_years {
    double rev, rd, equity;
    double rev_prev, rd_prev, equity_prev;
} two_years;

static bool little_giant(const lm_tier_rule *t, int model, double age, double tech,
                         const two_years *y, double market)
{
    if (!t->to_c_eligible && model == LM_MODEL_TO_C)
        return false;
    if (age < t->min_age_months)
        return false;
    const double rev = y->rev, rd = y->rd;
    /* path C: young, R&D-heavy firms backed by equity rather than revenue */
    if (t->equity_c_cny > 0.0 && rev < t->revenue_b_cny &&
        y->equity + y->equity_prev >= t->equity_c_cny && rd + y->rd_prev >= t->rd_c_cny &&
        tech >= t->tech_share_c)
        return true;
    if (!(market > 0.0) || rev / market < t->niche_share)
        return false;
    const double now = intensity(rd, rev), before = intensity(y->rd_prev, y->rev_prev);
    if (rev >= t->revenue_a_cny)
        return now >= t->rd_intensity_a && before >= t->rd_intensity_a;
    return rev >= t->revenue_b_cny && now >= t->rd_intensity_b && before >= t->rd_intensity_b;
}

static bool dragon(const lm_world *w, const lm_tier_rule *t, size_t i, double age, double rev)
{
    const lm_firms *f = &w->firms;
    if (age > t->max_age_months || f->visibility[i] < t->min_visibility)
        return false;
    const int c = lm_month_year(f->founded[i]) - w->cohort_year0;
    if (c < 0 || c >= w->n_cohorts)
        return false;
    const double v = f->valuation_cny[i];
    return (v > 0.0 && v >= w->cohort_value_min[c]) ||
           (rev > 0.0 && rev >= w->cohort_revenue_min[c]);
}

static int by_value_desc(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* The k-th largest (k >= 1) of a[0..n-1], k <= n, by selection instead of a sort: Hoare's
 * partition around the median of three, on the side that holds k, until a side is small
 * enough for insertion sort (or, past a depth that only adversarial orders reach, qsort).
 * Values equal under by_value_desc are equal doubles (0.0 and -0.0 at worst, which compare
 * alike wherever the threshold is read), so the value is the sort's seg[k - 1]. NaN has no
 * place in an order: a segment holding one is sorted as before. */
static double kth_largest(double *a, size_t n, size_t k)
{
    for (size_t j = 0; j < n; ++j)
        if (a[j] != a[j]) {
            qsort(a, n, sizeof *a, by_value_desc);
            return a[k - 1];
        }
    size_t lo = 0, hi = n - 1; /* a[lo..hi] holds the k-1-th (0-based) of the order */
    const size_t want = k - 1;
    int depth = 0;
    while (hi - lo > 16) {
        if (++depth > 64) {
            qsort(a + lo, hi - lo + 1, sizeof *a, by_value_desc);
            return a[want];
        }
        const size_t mid = lo + (hi - lo) / 2;
        /* median of three, largest first (descending order) */
        double x = a[lo], y = a[mid], z = a[hi];
        if (x < y) { const double t = x; x = y; y = t; }
        if (y < z) { const double t = y; y = z; z = t; }
        if (x < y) { const double t = x; x = y; y = t; }
        a[lo] = x;
        a[mid] = y;
        a[hi] = z;
        const double pivot = y;
        size_t i = lo, j = hi;
        for (;;) {
            do ++i; while (a[i] > pivot);
            do --j; while (a[j] < pivot);
            if (i >= j)
                break;
            const double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        /* a[lo..j] >= pivot >= a[j+1..hi] */
        if (want <= j)
            hi = j;
        else
            lo = j + 1;
    }
    for (size_t i = lo + 1; i <= hi; ++i) {
        const double v = a[i];
        size_t j = i;
        for (; j > lo && a[j - 1] < v; --j)
            a[j] = a[j - 1];
        a[j] = v;
    }
    return a[want];
}

/* The k-th largest of each cohort's segment of rank_buf, k = ceil(share x births); a cohort
 * with fewer live firms than k lets all of them in (threshold 0). */
static void thresholds(lm_world *w, double share, double *out)
{
    for (int c = 0; c < w->n_cohorts; ++c) {
        double *seg = w->rank_buf + w->rank_pos[c];
        const size_t n = w->rank_pos[c + 1] - w->rank_pos[c];
        const double kk = ceil(share * w->cohort_births[c]);
        const size_t k = kk < 1.0 ? 1u : (size_t)kk;
        out[c] = 0.0;
        if (n < k || n == 0)
            continue;
        out[c] = kth_largest(seg, n, k);
    }
}

lm_status lm_tiers_rank_cohorts(lm_world *w, lm_error *err)
{
    lm_firms *f = &w->firms;
    if (f->n > w->cap_rank_buf) {
        double *b = realloc(w->rank_buf, f->n * sizeof *b);
        if (!b)
            LM_FAIL(err, LM_ENOMEM, "ranking of founding cohorts");
        w->rank_buf = b;
        w->cap_rank_buf = f->n;
    }
    const int C = w->n_cohorts;
    for (int c = 0; c <= C; ++c)
        w->rank_pos[c] = 0;
    for (size_t i = 0; i < f->n; ++i) {
        const int c = lm_month_year(f->founded[i]) - w->cohort_year0;
        if (f->status[i] == LM_FIRM_ALIVE && c >= 0 && c < C)
            w->rank_pos[c + 1]++;
    }
    for (int c = 0; c < C; ++c)
        w->rank_pos[c + 1] += w->rank_pos[c];
    const double share = w->p->tiers.dragon.cohort_share;
    for (int pass = 0; pass < 2; ++pass) {
        uint32_t *fill = w->rank_fill;
        for (int c = 0; c < C; ++c)
            fill[c] = w->rank_pos[c];
        for (size_t i = 0; i < f->n; ++i) {
            const int c = lm_month_year(f->founded[i]) - w->cohort_year0;
            if (f->status[i] == LM_FIRM_ALIVE && c >= 0 && c < C)
                w->rank_buf[fill[c]++] = pass ? f->revenue_ytd_cny[i] : f->valuation_cny[i];
        }
        thresholds(w, share, pass ? w->cohort_revenue_min : w->cohort_value_min);
    }
    return LM_OK;
}

unsigned lm_tiers_qualify(const lm_world *w, size_t i, lm_month m, const double *market_year)
{
    const lm_tier_params *tp = &w->p->tiers;
    const lm_firms *f = &w->firms;
    if (f->status[i] != LM_FIRM_ALIVE)
        return 0u;
    const double age = (double)(m - f->founded[i]);
    const double rev = f->revenue_ytd_cny[i], rd = f->rd_ytd_cny[i];
    const double tech = w->p->costs.tech_share;
    unsigned bits = 0u;
    if (tech_sme(&tp->tech_sme, age, (double)f->headcount[i], rev, rd, tech))
        bits |= LM_TIER_TECH_SME;
    if (high_tech(&tp->high_tech, age, rev, rd, tech))
        bits |= LM_TIER_HIGH_TECH;
    const two_years y = {rev, rd, f->equity_ytd_cny[i], f->revenue_last_year_cny[i],
                         f->rd_last_year_cny[i], f->equity_last_year_cny[i]};
    if (little_giant(&tp->little_giant, f->model[i], age, tech, &y,
                     market_year[f->sector[i] * LM_MODEL_COUNT + f->model[i]]))
        bits |= LM_TIER_LITTLE_GIANT;
    if (f->valuation_cny[i] >= tp->unicorn.min_valuation_cny)
        bits |= LM_TIER_UNICORN;
    if (dragon(w, &tp->dragon, i, age, rev))
        bits |= LM_TIER_DRAGON;
    return bits;
}

static const lm_tier_rule *rule_of(const lm_tier_params *tp, unsigned bit)
{
    switch (bit) {
    case LM_TIER_TECH_SME:
        return &tp->tech_sme;
    case LM_TIER_HIGH_TECH:
        return &tp->high_tech;
    case LM_TIER_LITTLE_GIANT:
        return &tp->little_giant;
    case LM_TIER_UNICORN:
        return &tp->unicorn;
    default:
        return &tp->dragon;
    }
}

double lm_tiers_visibility(const lm_world *w, size_t i)
{
    double v = 1.0;
    for (unsigned bit = 1u; bit <= LM_TIER_DRAGON; bit <<= 1)
        if ((w->firms.tier[i] & bit) && rule_of(&w->p->tiers, bit)->investor_visibility > v)
            v = rule_of(&w->p->tiers, bit)->investor_visibility;
    return v;
}

/* The certificate field of the three tiers that last several years; NULL for the others. */
static int16_t *until_of(lm_firms *f, unsigned bit)
{
    switch (bit) {
    case LM_TIER_TECH_SME:
        return f->sme_until;
    case LM_TIER_HIGH_TECH:
        return f->high_tech_until;
    case LM_TIER_LITTLE_GIANT:
        return f->giant_until;
    default:
        return NULL;
    }
}

double lm_tiers_take_up(const lm_tier_rule *t, int year)
{
    if (t->start_year > 0.0 && year < t->start_year)
        return 0.0;
    if (year <= t->take_up_first_year || t->take_up_last_year <= t->take_up_first_year)
        return year >= t->take_up_last_year ? t->take_up_last : t->take_up_first;
    if (year >= t->take_up_last_year)
        return t->take_up_last;
    const double x = (year - t->take_up_first_year) / (t->take_up_last_year - t->take_up_first_year);
    return t->take_up_first + x * (t->take_up_last - t->take_up_first);
}

/* Certifies firm i; returns the awards it received. A firm without a valid certificate that
 * meets the criteria applies with the tier's take-up probability of the year (take_up, the
 * same for every firm; one uniform per certificate tier from the firm's stream of the month,
 * drawn only when some take-up is below 1, so a scenario without take-up draws nothing);
 * holders renew whenever they meet the criteria. */
static double certify(lm_world *w, size_t i, lm_month m, const double *market_year,
                      const lm_rng_block *blk, const double take_up[3])
{
    lm_firms *f = &w->firms;
    const lm_tier_params *tp = &w->p->tiers;
    const int year = lm_month_year(m);
    const unsigned meets = lm_tiers_qualify(w, i, m, market_year);
    const unsigned held = f->tier[i];
    unsigned now = 0u;
    double award = 0.0;
    double u[3] = {0.0, 0.0, 0.0};
    if (take_up[0] < 1.0 || take_up[1] < 1.0 || take_up[2] < 1.0) {
        lm_rng g;
        lm_rng_init_block(&g, w->key, f->stream[i], LM_PURPOSE_TIERS, m, blk);
        for (int k = 0; k < 3; ++k)
            u[k] = lm_rng_u01(&g);
    }
    for (unsigned bit = 1u, k = 0; bit <= LM_TIER_DRAGON; bit <<= 1, ++k) {
        const lm_tier_rule *rule = rule_of(tp, bit);
        int16_t *until = until_of(f, bit);
        bool holds = (meets & bit) != 0;
        if (until) {
            const bool valid = until[i] >= year && until[i] > 0;
            if (holds && !valid && !(u[k] < take_up[k]))
                holds = false; /* eligible, but does not apply this year */
            if (holds)
                until[i] = (int16_t)(year + (int)rule->valid_years - 1);
            holds = until[i] >= year;
        }
        if (!holds)
            continue;
        now |= bit;
        if (!(held & bit))
            award += rule->award_cny;
    }
    f->tier[i] = (uint8_t)now;
    if ((now & LM_TIER_DRAGON) && f->dragon_month[i] < 0)
        f->dragon_month[i] = m;
    return award;
}

enum { T_AWARD, T_CASH0, T_CASH1, T_N };
/* Firms of a run whose first random block is computed together (rng.h). */
#define TIERS_RUN 64

lm_status lm_phase_tiers(lm_world *w, lm_month m, lm_error *err)
{
    if (lm_month_moy(m) != 12)
        return LM_OK;
    const int R = w->R;
    double *market_year = lm_world_scratch(w, sizeof(double) * (size_t)w->S * LM_MODEL_COUNT);
    const size_t width = (size_t)R * T_N;
    const lm_blocks b = lm_blocks_of(w->firms.n);
    double *partial = lm_world_scratch(w, sizeof(double) * width * b.count);
    double *sums = lm_world_scratch(w, sizeof(double) * width);
    if (!market_year || !partial || !sums)
        LM_FAIL(err, LM_ENOMEM, "tiers scratch");
    lm_tiers_market_year(w, m, market_year);
    /* the year's take-up of each tier that lasts several years, the same for every firm */
    const lm_tier_params *tp = &w->p->tiers;
    const int year = lm_month_year(m);
    const double take_up[3] = {lm_tiers_take_up(&tp->tech_sme, year),
                               lm_tiers_take_up(&tp->high_tech, year),
                               lm_tiers_take_up(&tp->little_giant, year)};
    lm_status st = lm_tiers_rank_cohorts(w, err);
    if (st != LM_OK)
        return st;
    lm_firms *f = &w->firms;
#pragma omp parallel for schedule(static) num_threads(w->threads)
    for (size_t k = 0; k < b.count; ++k) {
        double *acc = partial + k * width;
        const size_t end = lm_block_end(&b, k);
        /* the take-up draws' first random blocks, a run of firms at a time (rng.h) */
        lm_rng_block blk[TIERS_RUN];
        for (size_t i0 = lm_block_begin(&b, k); i0 < end; i0 += TIERS_RUN) {
            const size_t n_run = end - i0 < TIERS_RUN ? end - i0 : TIERS_RUN;
            lm_rng_first_blocks(w->key, f->stream + i0, LM_PURPOSE_TIERS, m, n_run, blk);
            for (size_t i = i0; i < i0 + n_run; ++i) {
                if (f->status[i] != LM_FIRM_ALIVE)
                    continue;
                const double award = certify(w, i, m, market_year, &blk[i - i0], take_up);
                if (award > 0.0) {
                    double *a = acc + (size_t)f->region[i] * T_N;
                    a[T_AWARD] += award;
                    a[T_CASH0] += f->cash_cny[i];
                    f->cash_cny[i] += award;
                    a[T_CASH1] += f->cash_cny[i];
                }
                f->revenue_last_year_cny[i] = f->revenue_ytd_cny[i];
                f->rd_last_year_cny[i] = f->rd_ytd_cny[i];
                f->equity_last_year_cny[i] = f->equity_ytd_cny[i];
                f->revenue_ytd_cny[i] = 0.0;
                f->rd_ytd_cny[i] = 0.0;
                f->equity_ytd_cny[i] = 0.0;
            }
        }
    }
    lm_blocks_reduce(&b, partial, width, sums);
    for (int r = 0; r < R; ++r) {
        const double *a = sums + (size_t)r * T_N;
        w->money[r].state_paid_subsidy += a[T_AWARD];
        w->money[r].firms_received_subsidy += a[T_AWARD];
        w->firm_cash_before += a[T_CASH0];
        w->firm_cash_after += a[T_CASH1];
    }
    return LM_OK;
}
