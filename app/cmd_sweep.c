/* app/cmd_sweep.c -- `longmen sweep`: a grid or Sobol design over scenario parameters, R
 * replications per point with common random numbers (src/experiments/sweep.c). Parses the
 * options (those shared with compare through cli_experiment_value), shows progress on a
 * terminal, prints the headline table. Ctrl-C keeps the finished replications in
 * <DIR>.partial for --resume. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

#define SWEEP_HELP "longmen sweep --help"
#define MAX_TARGETS 16

void cli_sweep_help(FILE *f)
{
    fprintf(f,
            "Usage: longmen sweep [SCENARIO] --param NAME=LO:HI:STEPS... [options]\n"
            "\n"
            "Runs SCENARIO at every point of a design over its parameters, R replications\n"
            "per point with the same seeds and run indices at every point (common random\n"
            "numbers), and prints per point the mean and 90%% t-interval over the regions'\n"
            "total of little dragons, high-tech enterprises, firms alive, jobs and public\n"
            "money. All runs go into DIR/results.sqlite (point K: run.arm 'point K'; tables\n"
            "sweep_point and sweep_value), per region into DIR/sweep.csv, the table into\n"
            "DIR/summary.txt.\n"
            "\n"
            "  SCENARIO         a YAML scenario; default as for 'longmen run'.\n"
            "  --param NAME=LO:HI:STEPS  one swept parameter, repeatable (at most %d).\n"
            "                   NAME as in 'longmen compare --policy':\n"
            "                   REGION.KIND.FIELD, REGION.FIELD or params.GROUP.FIELD.\n"
            "                   Grid: STEPS evenly spaced values from LO to HI, both\n"
            "                   included; every combination of the parameters is a point.\n"
            "                   Sobol: STEPS is ignored (NAME=LO:HI is enough).\n"
            "  --design grid|sobol  the design (default grid).\n"
            "  --points N       Sobol: the first N points of GSL's Sobol sequence, scaled\n"
            "                   into [LO, HI] (required with --design sobol).\n"
            "  --runs R         replications per point, 1 to 10000 (default 10).\n"
            "  --detail K       replications 1..K of each point keep a row for every firm\n"
            "                   and deal, the others only those of notable firms\n"
            "                   (run.detail = 0); 'all' or 0 to 10000 (default 0).\n"
            "  --resume         continue an interrupted sweep from <DIR>.partial.\n"
            "  --precision REGION.METRIC=H  add --runs replications per point at a time\n"
            "                   until every point's 90%% interval of the mean of METRIC\n"
            "                   (dragons, high_tech, firms_alive, jobs, public_cny) has\n"
            "                   half-width at most H, or --max-runs (default 200).\n"
            "                   Repeatable. As 'longmen compare --precision'.\n"
            "  --max-runs N     with --precision: at most N per point.\n"
            "  --seed N, --threads T, -o/--out DIR, --from YYYY-MM, --to YYYY-MM,\n"
            "  --max-memory SIZE, -q/--quiet, -f/--force: as for 'longmen run'.\n"
            "                   Default DIR: runs/<scenario name>-seed<N>-sweep.\n"
            "  -h, --help       show this help.\n"
            "\n"
            "Examples:\n"
            "  longmen sweep scenarios/three-capitals.yaml --runs 10 \\\n"
            "      --param Hefei.st_fund.loss_tolerance=0.1:0.5:5\n"
            "  longmen sweep --design sobol --points 32 --runs 5 \\\n"
            "      --param Hefei.st_fund.loss_tolerance=0.1:0.5 \\\n"
            "      --param params.rnd.spillover=0.001:0.005 --out runs/sobol\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted.\n"
            "Details: docs/experiments.md.\n",
            LM_SWEEP_MAX_PARAMS);
}

typedef struct opts {
    lm_experiment_config x;
    lm_sweep_param param[LM_SWEEP_MAX_PARAMS];
    char name[LM_SWEEP_MAX_PARAMS][256];
    int n_param;
    lm_sweep_design design;
    int points;
    lm_precision_target precision[MAX_TARGETS];
    int n_precision;
} opts;

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && errno != ERANGE && isfinite(*out);
}

/* NAME=LO:HI[:STEPS]. */
static int add_param(opts *o, const char *value)
{
    if (o->n_param >= LM_SWEEP_MAX_PARAMS)
        return cli_usage_error(SWEEP_HELP, "at most %d --param options", LM_SWEEP_MAX_PARAMS);
    const char *eq = strchr(value, '=');
    if (!eq || eq == value || (size_t)(eq - value) >= sizeof o->name[0])
        return cli_usage_error(SWEEP_HELP, "--param %s: expected NAME=LO:HI:STEPS", value);
    char range[128];
    if (strlen(eq + 1) >= sizeof range)
        return cli_usage_error(SWEEP_HELP, "--param %s: range too long", value);
    snprintf(range, sizeof range, "%s", eq + 1);
    char *parts[3] = {range, NULL, NULL};
    int n = 1;
    for (char *p = range; *p && n <= 3; ++p)
        if (*p == ':') {
            *p = '\0';
            if (n == 3) {
                n = 4;
                break;
            }
            parts[n++] = p + 1;
        }
    lm_sweep_param *P = &o->param[o->n_param];
    double steps = 0;
    if (n < 2 || n > 3 || !parse_double(parts[0], &P->lo) || !parse_double(parts[1], &P->hi) ||
        (n == 3 && (!parse_double(parts[2], &steps) || steps < 1 || steps > LM_SWEEP_MAX_POINTS ||
                    steps != floor(steps))))
        return cli_usage_error(SWEEP_HELP,
                               "--param %s: expected NAME=LO:HI:STEPS (numbers, STEPS a whole "
                               "number from 1 to %d)",
                               value, LM_SWEEP_MAX_POINTS);
    snprintf(o->name[o->n_param], sizeof o->name[0], "%.*s", (int)(eq - value), value);
    P->name = o->name[o->n_param];
    P->steps = (int)steps; /* 0: not given (an error for the grid) */
    ++o->n_param;
    return CLI_OK;
}

static int set_value(void *user, const char *name, const char *value)
{
    opts *o = user;
    const int rc = cli_experiment_value(&o->x, SWEEP_HELP, name, value);
    if (rc != CLI_UNKNOWN)
        return rc;
    if (strcmp(name, "--precision") == 0)
        return cli_target_value(SWEEP_HELP, name, value, o->precision, &o->n_precision,
                                MAX_TARGETS);
    if (strcmp(name, "--max-runs") == 0)
        return cli_runs_value(SWEEP_HELP, name, value, &o->x.max_runs);
    if (strcmp(name, "--param") == 0)
        return add_param(o, value);
    if (strcmp(name, "--design") == 0) {
        if (strcmp(value, "grid") == 0)
            o->design = LM_SWEEP_GRID;
        else if (strcmp(value, "sobol") == 0)
            o->design = LM_SWEEP_SOBOL;
        else
            return cli_usage_error(SWEEP_HELP, "--design %s: expected grid or sobol", value);
        return CLI_OK;
    }
    if (strcmp(name, "--points") == 0) {
        double v;
        if (!parse_double(value, &v) || v < 1 || v > LM_SWEEP_MAX_POINTS || v != floor(v))
            return cli_usage_error(SWEEP_HELP, "--points %s: expected an integer from 1 to %d",
                                   value, LM_SWEEP_MAX_POINTS);
        o->points = (int)v;
        return CLI_OK;
    }
    return cli_usage_error(SWEEP_HELP, "sweep: unknown option '%s'", name);
}

int cli_sweep(int argc, char **argv)
{
    static opts o; /* large for a stack frame of main's */
    memset(&o, 0, sizeof o);
    lm_experiment_config_init(&o.x);
    o.x.runs = 10;
    /* A design has many points and no summary of it needs a firm row: none keeps them unless
     * asked (a default replication's firm and deal rows are 172 MB, docs/experiments.md). */
    o.x.detail = 0;
    static const cli_experiment_cmd cmd = {"sweep", SWEEP_HELP, cli_sweep_help, set_value, NULL};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &o.x, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.n_param == 0)
        return cli_usage_error(SWEEP_HELP, "sweep: give at least one --param NAME=LO:HI:STEPS");
    if (o.design == LM_SWEEP_SOBOL && o.points == 0)
        return cli_usage_error(SWEEP_HELP, "sweep: --design sobol needs --points N");
    if (o.design == LM_SWEEP_GRID && o.points != 0)
        return cli_usage_error(SWEEP_HELP, "sweep: --points goes with --design sobol");
    if (cli_precision_runs(SWEEP_HELP, &o.x, o.n_precision) != CLI_OK)
        return CLI_USAGE;
    o.x.precision = o.precision;
    o.x.n_precision = o.n_precision;
    for (int j = 0; o.design == LM_SWEEP_GRID && j < o.n_param; ++j)
        if (o.param[j].steps == 0)
            return cli_usage_error(SWEEP_HELP, "--param %s: the grid needs LO:HI:STEPS",
                                   o.param[j].name);

    lm_progress_bar bar;
    volatile sig_atomic_t *stop = cli_experiment_start(&o.x.job, &bar);

    const lm_sweep_config sw = {.params = o.param,
                                .n_params = o.n_param,
                                .design = o.design,
                                .points = o.points};
    lm_experiment_result res = {.summary = NULL}; /* failures may return before filling it */
    lm_error err;
    const lm_status st = lm_experiment_sweep(&o.x, &sw, &res, &err);
    lm_progress_bar_clear(&bar);
    const int exit_code = cli_experiment_end(st, &err, res.summary, *stop);
    lm_experiment_result_fini(&res);
    return exit_code;
}
