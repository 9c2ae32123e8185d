/* app/cmd_optimise.c -- `longmen optimise`: the policy mix of one region that maximises an
 * expected outcome under its annual public budget (src/experiments/optimise.c). Parses the
 * options (those shared with compare through cli_experiment_value), shows a progress line on
 * a terminal, prints the table. Ctrl-C stops after the current month of each replication;
 * every finished evaluation stays in <DIR>.partial for --resume. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "longmen/optimise.h"
#include "longmen/progress.h"

#define OPTIMISE_HELP "longmen optimise --help"

void cli_optimise_help(FILE *f)
{
    char objectives[256];
    lm_optimise_objective(NULL, objectives, sizeof objectives);
    fprintf(f,
            "Usage: longmen optimise [SCENARIO] --region R --budget CNY[/year|/total] --levers FILE\n"
            "       [options]\n"
            "\n"
            "Searches the policy mix of region R (the levers of FILE: guidance fund budgets\n"
            "and loss tolerance, direct injections, adopting a talent rule, matchmaking, ...)\n"
            "that maximises the region's expected little dragons (or --objective) while its\n"
            "simulated mean public money a year stays within --budget. Every mix is simulated\n"
            "R times with the same seeds and run indices (common random numbers); the search\n"
            "is NLopt's COBYLA with the budget as a constraint, after trying every combination\n"
            "of the discrete levers. Prints the best mix, its expected outcome with a 90%%\n"
            "interval, the runner-ups, and how often the best stays best on fresh run indices.\n"
            "Everything goes into DIR/results.sqlite (optimise_* tables), DIR/optimise.csv and\n"
            "DIR/summary.txt.\n"
            "\n"
            "  SCENARIO         a YAML scenario; default as for 'longmen run'.\n"
            "  --region R       the region (name or name_en); default: the levers file's.\n"
            "  --budget CNY     the region's public budget: AMOUNT/year (per year, also a\n"
            "                   bare AMOUNT) or AMOUNT/total (over the policy era of the\n"
            "                   period, from the first policy start to the end; spread\n"
            "                   evenly over its years). AMOUNT: 2e9, 2bn, 500m, 1.5e9 CNY,\n"
            "                   20亿, 5000万. compare's public money is a total over the run.\n"
            "  --levers FILE    the levers (YAML; format in docs/experiments.md), e.g.\n"
            "                   scenarios/examples/levers-hefei.yaml\n"
            "  --objective M    the metric to maximise, default dragons:\n"
            "                   %s.\n"
            "  --evals N        search evaluations, 1 to %d (default 40); each combination\n"
            "                   of discrete levers costs at least one.\n"
            "  --robustness K   fresh draws of R runs for the robustness check (default 5;\n"
            "                   0 skips it).\n"
            "  --runner-ups N   mixes reported after the best, 0 to 31 (default 3).\n"
            "  --runs R         replications per evaluation, 1 to 10000 (default 10).\n"
            "  --precision H    add R replications to a mix at a time, in run-index order,\n"
            "                   until the 90%% interval of its mean objective has half-width\n"
            "                   at most H, or --max-runs (default 200); every mix, fresh\n"
            "                   draws too. Also METRIC=H or REGION.METRIC=H naming the\n"
            "                   objective of the region (dragons=0.5, Hefei.dragons=0.5), as\n"
            "                   'longmen compare --precision'. A mix's outcome is that of\n"
            "                   --runs its final count.\n"
            "  --max-runs N     with --precision: at most N replications per mix.\n"
            "  --resume         continue an interrupted search from <DIR>.partial: finished\n"
            "                   evaluations are replayed, the search goes on identically.\n"
            "  --seed N, --threads T, -o/--out DIR, --from YYYY-MM, --to YYYY-MM,\n"
            "  --max-memory SIZE, -q/--quiet, -f/--force: as for 'longmen run'.\n"
            "                   Default DIR: runs/<scenario name>-seed<N>-optimise.\n"
            "  -h, --help       show this help.\n"
            "\n"
            "Example:\n"
            "  longmen optimise scenarios/three-capitals.yaml --region Hefei --budget 6bn/year \\\n"
            "      --levers scenarios/examples/levers-hefei.yaml --runs 4 --evals 30 \\\n"
            "      --to 2024-12 --out runs/hefei-mix\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted (143 SIGTERM).\n"
            "Details: docs/experiments.md.\n",
            objectives, LM_OPTIMISE_MAX_EVALS);
}

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
        return false;
    const long v = strtol(s, NULL, 10);
    if (v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* The shared options but --detail (optimise evaluates in memory: no replication's firms are
 * stored), and optimise's own. */
static bool takes_value(const char *name)
{
    static const char *const own[] = {"--region",     "--budget",      "--levers", "--objective",
                                      "--evals",      "--robustness",  "--runner-ups",
                                      "--precision",  "--max-runs"};
    if (strcmp(name, "--detail") != 0 && cli_experiment_takes_value(name))
        return true;
    for (size_t i = 0; i < sizeof own / sizeof own[0]; ++i)
        if (strcmp(name, own[i]) == 0)
            return true;
    return false;
}

/* --precision: one target, the objective's (named or not). */
static lm_precision_target precision[1];

static int set_value(void *user, const char *name, const char *value)
{
    lm_optimise_config *o = user;
    const int rc = cli_experiment_value(&o->x, OPTIMISE_HELP, name, value);
    if (rc != CLI_UNKNOWN)
        return rc;
    if (strcmp(name, "--precision") == 0) {
        if (strchr(value, '='))
            return cli_target_value(OPTIMISE_HELP, name, value, precision, &o->x.n_precision,
                                    1);
        char *end = NULL;
        const double h = strtod(value, &end);
        if (end == value || *end || !(h > 0) || !isfinite(h))
            return cli_usage_error(OPTIMISE_HELP,
                                   "%s %s: expected a positive half-width H of the objective, "
                                   "or METRIC=H, e.g. 0.5 or dragons=0.5",
                                   name, value);
        if (o->x.n_precision >= 1)
            return cli_usage_error(OPTIMISE_HELP, "at most 1 %s options", name);
        precision[o->x.n_precision++] = (lm_precision_target){NULL, h};
    } else if (strcmp(name, "--max-runs") == 0) {
        return cli_runs_value(OPTIMISE_HELP, name, value, &o->x.max_runs);
    } else if (strcmp(name, "--region") == 0) {
        if (!*value)
            return cli_usage_error(OPTIMISE_HELP, "--region: expected a region name");
        o->region = value;
    } else if (strcmp(name, "--budget") == 0) {
        /* AMOUNT/year (or a bare AMOUNT) is a yearly budget, AMOUNT/total one over the run */
        char amount[128], why[400] = "";
        const char *slash = strrchr(value, '/');
        const char *basis = slash ? slash + 1 : "year";
        snprintf(amount, sizeof amount, "%.*s", slash ? (int)(slash - value) : (int)strlen(value),
                 value);
        const bool total = strcmp(basis, "total") == 0;
        double v = 0;
        if (!total && strcmp(basis, "year") != 0 && strcmp(basis, "yr") != 0)
            return cli_usage_error(OPTIMISE_HELP,
                                   "--budget %s: '/%s' is no basis: say AMOUNT/year (per year, "
                                   "the default) or AMOUNT/total (over the run's policy era)",
                                   value, basis);
        if (!lm_parse_money_why(amount, &v, why, sizeof why) || !(v > 0))
            return cli_usage_error(OPTIMISE_HELP,
                                   "--budget %s: expected a positive amount of CNY, per year or "
                                   "in total, e.g. 2bn, 2bn/year, 30bn/total, 2e9, 500m, 100亿 "
                                   "or 5000万%s%s",
                                   value, why[0] ? ": " : "", why);
        o->budget_cny_year = total ? 0 : v;
        o->budget_cny_total = total ? v : 0;
    } else if (strcmp(name, "--levers") == 0) {
        if (!*value)
            return cli_usage_error(OPTIMISE_HELP, "--levers: expected a file");
        o->levers_path = value;
    } else if (strcmp(name, "--objective") == 0) {
        char objectives[256];
        if (lm_optimise_objective(value, objectives, sizeof objectives) < 0)
            return cli_usage_error(OPTIMISE_HELP, "--objective %s: expected %s", value,
                                   objectives);
        o->objective = value;
    } else if (strcmp(name, "--evals") == 0) {
        if (!parse_int(value, 1, LM_OPTIMISE_MAX_EVALS, &o->evals))
            return cli_usage_error(OPTIMISE_HELP, "--evals %s: expected an integer from 1 to %d",
                                   value, LM_OPTIMISE_MAX_EVALS);
    } else if (strcmp(name, "--robustness") == 0) {
        if (!parse_int(value, 0, LM_OPTIMISE_MAX_REDRAWS, &o->robustness))
            return cli_usage_error(OPTIMISE_HELP,
                                   "--robustness %s: expected an integer from 0 to %d", value,
                                   LM_OPTIMISE_MAX_REDRAWS);
    } else if (strcmp(name, "--runner-ups") == 0) {
        if (!parse_int(value, 0, 31, &o->runner_ups))
            return cli_usage_error(OPTIMISE_HELP,
                                   "--runner-ups %s: expected an integer from 0 to 31", value);
    } else {
        return cli_usage_error(OPTIMISE_HELP, "optimise: unknown option '%s'", name);
    }
    return CLI_OK;
}

/* The progress line: "optimise: evaluation 12/45  best 5.3  elapsed 0:42". */
typedef struct line {
    FILE *f;
    int drawn;
} line;

static void on_progress(const lm_optimise_progress *p, void *user)
{
    line *L = user;
    char t[16], best[32], buf[160];
    lm_progress_duration(p->elapsed_s, t, sizeof t);
    if (isnan(p->best))
        snprintf(best, sizeof best, "-");
    else
        snprintf(best, sizeof best, "%.4g", p->best);
    const int n = snprintf(buf, sizeof buf, "optimise: %s %d/~%d  best %s  elapsed %s",
                           p->robustness ? "robustness, evaluation" : "evaluation", p->evals_done,
                           p->evals_planned, best, t);
    fprintf(L->f, "\r%s%*s", buf, L->drawn > n ? L->drawn - n : 0, "");
    fflush(L->f);
    L->drawn = n;
}

int cli_optimise(int argc, char **argv)
{
    static lm_optimise_config o;
    lm_optimise_config_init(&o);
    static const cli_experiment_cmd cmd = {"optimise", OPTIMISE_HELP, cli_optimise_help,
                                           set_value, takes_value};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &o.x, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!o.levers_path)
        return cli_usage_error(OPTIMISE_HELP, "optimise: --levers FILE is required");
    if (!(o.budget_cny_year > 0) && !(o.budget_cny_total > 0))
        return cli_usage_error(OPTIMISE_HELP, "optimise: --budget CNY is required");
    if (cli_precision_runs(OPTIMISE_HELP, &o.x, o.x.n_precision) != CLI_OK)
        return CLI_USAGE;
    o.x.precision = precision;

    line L = {.f = stderr};
    if (!o.x.job.quiet && isatty(STDERR_FILENO)) {
        o.progress = on_progress;
        o.progress_user = &L;
    }
    o.x.job.stop_flag = cli_experiment_catch_signals();
    lm_experiment_result res = {.summary = NULL}; /* failures may return before filling it */
    lm_error err;
    const lm_status st = lm_experiment_optimise(&o, &res, &err);
    if (L.drawn)
        fprintf(stderr, "\r%*s\r", L.drawn, "");
    const int exit_code = cli_experiment_end(st, &err, res.summary, (int)*o.x.job.stop_flag);
    lm_experiment_result_fini(&res);
    return exit_code;
}
