/* app/cmd_sensitivity.c -- `longmen sensitivity`: Sobol first-order and total indices of
 * chosen outputs to chosen parameters by Saltelli's design (src/experiments/sensitivity.c).
 * Reads the params file, parses the options (those shared with compare and sweep through
 * cli_experiment_parse), shows progress on a terminal, prints the ranked table. Ctrl-C keeps
 * the finished replications in <DIR>.partial for --resume. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"
#include "longmen/sensitivity.h"

#define SENS_HELP "longmen sensitivity --help"

void cli_sensitivity_help(FILE *f)
{
    /* the words of longmen/metrics.h, wrapped under the option's text */
    char words[1024];
    size_t len = 0, column = 36; /* after "                   parameters; metrics:" */
    for (int k = 0; k < LM_METRIC_COUNT; ++k) {
        const char *w = lm_metric_word((lm_metric)k);
        const bool wrap = column + strlen(w) + 2 > 78;
        len += (size_t)snprintf(words + len, sizeof words - len, "%s%s%s", k ? "," : "",
                                wrap ? "\n                   " : " ", w);
        column = (wrap ? 19 : column + 1) + strlen(w) + 1;
    }
    fprintf(f,
            "Usage: longmen sensitivity [SCENARIO] --params FILE --points N [options]\n"
            "\n"
            "Global sensitivity analysis: Sobol first-order (S1) and total (ST) indices of\n"
            "the outputs named in FILE to its parameters, by Saltelli's design (N (d + 2)\n"
            "points for d parameters, each run R times with common random numbers) and\n"
            "estimators, with 90%% bootstrap intervals. Prints per output the parameters\n"
            "ranked by ST. Writes DIR/results.sqlite (every run; tables sensitivity_index,\n"
            "sensitivity_point, sensitivity_value, sensitivity_y), DIR/sensitivity.csv,\n"
            "DIR/sensitivity.svg (bars with whiskers) and DIR/summary.txt.\n"
            "\n"
            "  SCENARIO         a YAML scenario; default as for 'longmen run'.\n"
            "  --params FILE    the parameters and outputs (YAML):\n"
            "                     parameters:\n"
            "                       - {name: Jiashi.st_fund.loss_tolerance, lo: 0.1, hi: 0.5}\n"
            "                     outputs:\n"
            "                       - {metric: dragons, region: Jiashi}\n"
            "                       - high_tech            # the total over regions\n"
            "                   names as in 'longmen compare --policy'; at most %d\n"
            "                   parameters; metrics:%s.\n"
            "  --points N       rows of Saltelli's matrices A and B (N >= 2; a power of\n"
            "                   two suits the Sobol sequence); N (d + 2) points run.\n"
            "  --runs R         replications per point, 1 to 10000 (default 1); a point's\n"
            "                   output is the mean over its replications.\n"
            "  --bootstrap B    resamples for the intervals, 0 to %d (default 1000).\n"
            "  --detail K       replications 1..K of each point keep a row for every firm\n"
            "                   and deal, the others only those of notable firms\n"
            "                   (run.detail = 0); 'all' or 0 to 10000 (default 0).\n"
            "  --resume         continue an interrupted analysis from <DIR>.partial.\n"
            "  --seed N, --threads T, -o/--out DIR, --from YYYY-MM, --to YYYY-MM,\n"
            "  --max-memory SIZE, -q/--quiet, -f/--force: as for 'longmen run'.\n"
            "                   Default DIR: runs/<scenario name>-seed<N>-sensitivity.\n"
            "  -h, --help       show this help.\n"
            "\n"
            "Example:\n"
            "  longmen sensitivity scenarios/hangzhou.yaml \\\n"
            "      --params scenarios/examples/sensitivity-hangzhou.yaml --points 16 \\\n"
            "      --to 2019-12 --out runs/sens\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted.\n"
            "Details: docs/experiments.md.\n",
            LM_SENS_MAX_PARAMS, words, LM_SENS_MAX_BOOTSTRAP);
}

typedef struct opts {
    lm_experiment_config x;
    const char *params;
    int points;
    int bootstrap;
} opts;

static int set_value(void *user, const char *name, const char *value)
{
    opts *o = user;
    const int rc = cli_experiment_value(&o->x, SENS_HELP, name, value);
    if (rc != CLI_UNKNOWN)
        return rc;
    if (strcmp(name, "--params") == 0) {
        if (!*value)
            return cli_usage_error(SENS_HELP, "--params: expected a file");
        o->params = value;
        return CLI_OK;
    }
    if (strcmp(name, "--points") == 0) {
        if (!cli_parse_int(value, 2, LM_SENS_MAX_POINTS, &o->points))
            return cli_usage_error(SENS_HELP, "--points %s: expected an integer from 2 to %d",
                                   value, LM_SENS_MAX_POINTS);
        return CLI_OK;
    }
    if (strcmp(name, "--bootstrap") == 0) {
        if (!cli_parse_int(value, 0, LM_SENS_MAX_BOOTSTRAP, &o->bootstrap))
            return cli_usage_error(SENS_HELP, "--bootstrap %s: expected an integer from 0 to %d",
                                   value, LM_SENS_MAX_BOOTSTRAP);
        return CLI_OK;
    }
    return cli_usage_error(SENS_HELP, "sensitivity: unknown option '%s'", name);
}

int cli_sensitivity(int argc, char **argv)
{
    static opts o;
    memset(&o, 0, sizeof o);
    lm_experiment_config_init(&o.x);
    o.x.runs = 1;
    /* A design has many points and no summary of it needs a firm row: none keeps them unless
     * asked (a default replication's firm and deal rows are 172 MB, docs/experiments.md). */
    o.x.detail = 0;
    o.bootstrap = 1000;
    static const cli_experiment_cmd cmd = {"sensitivity", SENS_HELP, cli_sensitivity_help,
                                           set_value, NULL};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &o.x, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!o.params)
        return cli_usage_error(SENS_HELP, "sensitivity: give --params FILE");
    if (o.points == 0)
        return cli_usage_error(SENS_HELP, "sensitivity: give --points N");

    static lm_sens_spec spec;
    lm_error err;
    if (lm_sens_spec_load(o.params, &spec, &err) != LM_OK)
        return cli_fail(&err);

    lm_progress_bar bar;
    volatile sig_atomic_t *stop = cli_experiment_start(&o.x.job, &bar);

    const lm_sens_config sc = {.spec = &spec, .points = o.points, .bootstrap = o.bootstrap};
    lm_experiment_result res = {.summary = NULL}; /* failures may return before filling it */
    const lm_status st = lm_experiment_sensitivity(&o.x, &sc, &res, &err);
    lm_progress_bar_clear(&bar);
    const int exit_code = cli_experiment_end(st, &err, res.summary, *stop);
    lm_experiment_result_fini(&res);
    return exit_code;
}
