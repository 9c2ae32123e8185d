/* app/cmd_calibrate.c -- `longmen calibrate`: the method of simulated moments
 * (include/longmen/calibrate.h, src/experiments/calibrate.c, docs/calibration.md). Parses
 * the options (those shared with compare through cli_experiment_value), draws a progress
 * line on a terminal (evaluations, best distance, ETA), prints the moments table. Ctrl-C
 * keeps the finished evaluations in <DIR>.partial for --resume. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "longmen/calibrate.h"
#include "longmen/experiments.h"
#include "longmen/longmen.h"
#include "longmen/progress.h"

#define CALIBRATE_HELP "longmen calibrate --help"

void cli_calibrate_help(FILE *f)
{
    fprintf(f,
            "Usage: longmen calibrate [SCENARIO] --targets FILE [options]\n"
            "\n"
            "Fits the free parameters named in the targets file FILE to its target moments\n"
            "(method of simulated moments): minimises the weighted sum of squared\n"
            "standardised distances between the mean simulated moment and each target with\n"
            "NLopt, a global derivative-free search on the bounds (CRS2) for most of the\n"
            "budget, then a local polish (BOBYQA). Every evaluation simulates R replications\n"
            "with the same seed and run indices (common random numbers). Writes into DIR:\n"
            "results.sqlite (every evaluation), trace.csv (the objective trace), moments.csv\n"
            "and summary.txt (target, simulated mean, 90%% interval over replications,\n"
            "within tolerance or not; fitted and check targets apart: a target marked\n"
            "`use: check` is reported, never fitted), parameters.csv and jacobian.csv\n"
            "(standard errors, identification) and calibrated.yaml (an overlay that extends\n"
            "SCENARIO and sets the fitted values); prints the tables.\n"
            "\n"
            "  SCENARIO         a YAML scenario; default as for 'longmen run'.\n"
            "  --targets FILE   the targets file (YAML): parameters (NAME as in\n"
            "                   'longmen compare --policy', lo, hi, start, scale) and\n"
            "                   targets (a named statistic or an sql query, value, sd or\n"
            "                   weight, tolerance, source, year). Required.\n"
            "  --budget N       evaluations in all, 1 to %d (default 100).\n"
            "  --runs R         replications per evaluation, 1 to 10000 (default 4).\n"
            "  --standard-errors yes|no\n"
            "                   yes (default): after the search, 2 evaluations per\n"
            "                   parameter (beyond --budget) measure the Jacobian at the\n"
            "                   fitted point: standard errors (method of simulated\n"
            "                   moments), which targets move each parameter, and the\n"
            "                   parameters no target identifies (parameters.csv,\n"
            "                   jacobian.csv).\n"
            "  --resume         continue an interrupted calibration from <DIR>.partial:\n"
            "                   evaluations done are replayed, not simulated again.\n"
            "  --seed N, --threads T, -o/--out DIR, --from YYYY-MM, --to YYYY-MM,\n"
            "  --max-memory SIZE, -q/--quiet, -f/--force: as for 'longmen run'.\n"
            "                   --threads: replications of an evaluation run in parallel.\n"
            "                   Default DIR: runs/<scenario name>-seed<N>-calibrate.\n"
            "  -h, --help       show this help.\n"
            "\n"
            "Examples:\n"
            "  longmen calibrate scenarios/three-capitals.yaml \\\n"
            "      --targets calibration/essay.yaml --budget 200 --runs 4 --to 2024-12\n"
            "  longmen calibrate tests/data/tiny.yaml --targets calibration/smoke.yaml \\\n"
            "      --budget 8 --runs 2 --out runs/smoke\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted.\n"
            "Details: docs/calibration.md.\n",
            LM_CAL_MAX_BUDGET);
}

typedef struct opts {
    lm_calibrate_config c;
    const char *targets;
} opts;

static int set_value(void *user, const char *name, const char *value)
{
    opts *o = user;
    /* calibrate evaluates in memory and stores no replication's firms: --detail has no use */
    if (strcmp(name, "--detail") == 0)
        return cli_usage_error(CALIBRATE_HELP, "calibrate: unknown option '%s'", name);
    const int rc = cli_experiment_value(&o->c.x, CALIBRATE_HELP, name, value);
    if (rc != CLI_UNKNOWN)
        return rc;
    if (strcmp(name, "--targets") == 0) {
        if (!value[0])
            return cli_usage_error(CALIBRATE_HELP, "--targets: expected a file");
        o->targets = value;
        return CLI_OK;
    }
    if (strcmp(name, "--standard-errors") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return cli_usage_error(CALIBRATE_HELP, "--standard-errors %s: expected yes or no",
                                   value);
        o->c.no_standard_errors = strcmp(value, "no") == 0;
        return CLI_OK;
    }
    if (strcmp(name, "--budget") == 0) {
        char *end;
        errno = 0;
        const double v = strtod(value, &end);
        if (end == value || *end || errno == ERANGE || v < 1 || v > LM_CAL_MAX_BUDGET ||
            v != floor(v))
            return cli_usage_error(CALIBRATE_HELP, "--budget %s: expected an integer from 1 to %d",
                                   value, LM_CAL_MAX_BUDGET);
        o->c.budget = (int)v;
        return CLI_OK;
    }
    return cli_usage_error(CALIBRATE_HELP, "calibrate: unknown option '%s'", name);
}

/* The progress line: [#####.....]  evaluation 12/100 local  best 1.23  last 4.56  elapsed
 * 0:12  ETA 1:40. */
static void draw(const lm_calibrate_progress *p, void *bar)
{
    char el[32], eta[32], best[32], now[32], text[256];
    lm_progress_duration(p->elapsed_s, el, sizeof el);
    lm_progress_duration(isnan(p->eta_s) ? -1 : p->eta_s, eta, sizeof eta);
    snprintf(best, sizeof best, isnan(p->best) ? "-" : "%.4g", p->best);
    snprintf(now, sizeof now, isnan(p->last) ? "-" : "%.4g", p->last);
    snprintf(text, sizeof text, "evaluation %d/%d %-6s best %-9s last %-9s elapsed %s  ETA %s",
             p->evaluations, p->budget, p->stage, best, now, el, eta);
    lm_progress_bar_draw(bar, p->elapsed_s, p->evaluations >= p->budget, p->evaluations,
                         p->budget, text);
}

int cli_calibrate(int argc, char **argv)
{
    static opts o;
    memset(&o, 0, sizeof o);
    lm_calibrate_config_init(&o.c);
    static const cli_experiment_cmd cmd = {"calibrate", CALIBRATE_HELP, cli_calibrate_help,
                                           set_value, NULL};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &o.c.x, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!o.targets)
        return cli_usage_error(CALIBRATE_HELP, "calibrate: give the targets file: --targets FILE");
    o.c.targets_path = o.targets;

    lm_progress_bar bar;
    lm_progress_bar_init(&bar, stderr);
    if (!o.c.x.job.quiet && isatty(STDERR_FILENO)) {
        o.c.progress = draw;
        o.c.progress_user = &bar;
    }
    volatile sig_atomic_t *stop = cli_experiment_catch_signals();
    o.c.x.job.stop_flag = stop;

    lm_calibrate_result res = {.summary = NULL};
    lm_error err;
    const lm_status st = lm_calibrate(&o.c, &res, &err);
    lm_progress_bar_clear(&bar);
    const int exit_code = cli_experiment_end(st, &err, res.summary, *stop);
    lm_calibrate_result_fini(&res);
    return exit_code;
}
