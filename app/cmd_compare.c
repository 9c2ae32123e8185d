/* app/cmd_compare.c -- `longmen compare`: a baseline and a counterfactual of one scenario with
 * common random numbers (src/experiments/compare.c). Parses the options into an
 * lm_experiment_config and the edits, shows progress on a terminal, prints the paired table.
 * Ctrl-C stops after the current month of each replication, keeping the finished ones in
 * <DIR>.partial for --resume. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"

#define COMPARE_HELP "longmen compare --help"
#define MAX_EDITS 64

void cli_compare_help(FILE *f)
{
    fprintf(f,
            "Usage: longmen compare [SCENARIO] (--policy EDIT | --adopt X:Y.KIND | --add X:Y.KIND)...\n"
            "                       [options]\n"
            "\n"
            "Runs SCENARIO as it is (the baseline) and with the edits (the counterfactual), R\n"
            "replications each with the same seeds and run indices (common random numbers),\n"
            "and prints per region the mean paired difference counterfactual - baseline with\n"
            "its 90%% t-interval: little dragons, high-tech enterprises, jobs, the TVPI of\n"
            "policy funds, public money spent, and public money per extra dragon. Both arms\n"
            "go into DIR/results.sqlite (run.arm), the table into DIR/summary.txt and\n"
            "DIR/compare.csv.\n"
            "\n"
            "  SCENARIO         a YAML scenario; default as for 'longmen run'.\n"
            "  --policy EDIT    one change, repeatable:\n"
            "                   REGION.KIND.FIELD=VALUE  first policy of that kind in REGION\n"
            "                                            (KIND#N: the N-th of that kind)\n"
            "                   REGION.FIELD=VALUE       a region key\n"
            "                   params.GROUP.FIELD=VALUE a global parameter\n"
            "                   REGION is a region's name or name_en; KIND a policy kind\n"
            "                   (st_fund, talent_rule, ...; guidance_fund: the first\n"
            "                   st_fund, else innovation_fund, else provincial_fof).\n"
            "                   Checked like the file: a bad value is reported as\n"
            "                   file:line:col: field: message.\n"
            "                   e.g. --policy \"hefei.guidance_fund.loss_tolerance=0.3\"\n"
            "  --adopt X:Y.KIND[@YYYY-MM]\n"
            "                   region X adopts region Y's policy of that kind, REPLACING\n"
            "                   X's own of that kind if any. Without @ the copy keeps Y's\n"
            "                   keys and dates; with @YYYY-MM it starts that month and\n"
            "                   has no end. Repeatable.\n"
            "                   e.g. --adopt hefei:hangzhou.talent_rule@2026-01\n"
            "  --add X:Y.KIND[@YYYY-MM]\n"
            "                   as --adopt, but ADDS Y's policy beside X's own: X keeps\n"
            "                   its policy of that kind and gains Y's.\n"
            "                   e.g. --add hefei:hangzhou.st_fund@2026-01\n"
            "                   --adopt applies first, then --add, then --policy (which\n"
            "                   can tune an adopted policy).\n");
    /* two strings: ISO C bounds a string literal at 4095 characters */
    fprintf(f,
            "  --runs R         replications per arm, 1 to 10000 (default 10).\n"
            "  --detail K       replications 1..K of each arm keep a row for every firm\n"
            "                   and deal, the others only those of notable firms\n"
            "                   (run.detail = 0); 'all' or 0 to 10000. Default 0: every\n"
            "                   table of the summary is there, and a 10-replication compare\n"
            "                   of the default scenario to 2030 writes about 110 MB instead\n"
            "                   of 370 MB with --detail 1 (2.8 GB with --detail 10).\n"
            "  --resume         continue an interrupted comparison from <DIR>.partial.\n"
            "  --precision REGION.METRIC=H  add replications in batches of --runs (in run\n"
            "                   index order) until the 90%% interval of that paired\n"
            "                   difference has half-width at most H, or --max-runs; the\n"
            "                   result is that of --runs N for the final N. METRIC:\n"
            "                   dragons, high_tech, jobs, pool_tvpi, public_cny (CNY).\n"
            "                   Repeatable (all must be met).\n"
            "                   e.g. --precision hangzhou.dragons=0.5\n"
            "  --max-runs N     with --precision: at most N per arm (default 200).\n"
            "  --halfwidth [REGION.]METRIC=H  half-width for the summary's 'pairs for\n"
            "                   +- h' column (default: --precision's, else\n"
            "                   docs/experiments.md). Repeatable.\n"
            "  --seed N, --threads T, -o/--out DIR, --from YYYY-MM, --to YYYY-MM,\n"
            "  --max-memory SIZE, -q/--quiet, -f/--force: as for 'longmen run'.\n"
            "                   Default DIR: runs/<scenario name>-seed<N>-compare.\n"
            "  -h, --help       show this help.\n"
            "\n"
            "Examples:\n"
            "  longmen compare scenarios/three-capitals.yaml --runs 20 \\\n"
            "      --policy \"hefei.guidance_fund.loss_tolerance=0.3\"\n"
            "  longmen compare --adopt hefei:hangzhou.talent_rule --runs 10 --out runs/talent\n"
            "  longmen compare --add hefei:hangzhou.st_fund@2026-01 --to 2030-12 --runs 10\n"
            "  longmen compare --adopt hefei:hangzhou.st_fund --runs 10 --detail 0 \\\n"
            "      --precision hangzhou.dragons=0.5 --max-runs 100\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted.\n"
            "Details: docs/experiments.md.\n");
}

typedef struct opts {
    lm_experiment_config x;
    const char *set[MAX_EDITS];
    int n_set;
    const char *adopt[MAX_EDITS];
    int n_adopt;
    const char *add[MAX_EDITS];
    int n_add;
    lm_precision_target precision[MAX_EDITS], halfwidth[MAX_EDITS];
    int n_precision, n_halfwidth;
} opts;

static bool has_value(const char *name)
{
    return cli_experiment_takes_value(name) || strcmp(name, "--policy") == 0 ||
           strcmp(name, "--adopt") == 0 || strcmp(name, "--add") == 0 ||
           strcmp(name, "--precision") == 0 || strcmp(name, "--halfwidth") == 0 ||
           strcmp(name, "--max-runs") == 0;
}

static int set_value(void *user, const char *name, const char *value)
{
    opts *o = user;
    const int rc = cli_experiment_value(&o->x, COMPARE_HELP, name, value);
    if (rc != CLI_UNKNOWN)
        return rc;
    if (strcmp(name, "--precision") == 0)
        return cli_target_value(COMPARE_HELP, name, value, o->precision, &o->n_precision,
                                MAX_EDITS);
    if (strcmp(name, "--halfwidth") == 0)
        return cli_target_value(COMPARE_HELP, name, value, o->halfwidth, &o->n_halfwidth,
                                MAX_EDITS);
    if (strcmp(name, "--max-runs") == 0)
        return cli_runs_value(COMPARE_HELP, name, value, &o->x.max_runs);
    {
        const bool policy = strcmp(name, "--policy") == 0, add = strcmp(name, "--add") == 0;
        int *n = policy ? &o->n_set : add ? &o->n_add : &o->n_adopt;
        if (*n >= MAX_EDITS)
            return cli_usage_error(COMPARE_HELP, "at most %d %s options", MAX_EDITS, name);
        if (strlen(value) >= 250)
            return cli_usage_error(COMPARE_HELP, "%s: longer than 250 characters", name);
        (policy ? o->set : add ? o->add : o->adopt)[(*n)++] = value;
    }
    return CLI_OK;
}

int cli_compare(int argc, char **argv)
{
    static opts o; /* the edit lists are large for a stack frame of main's */
    memset(&o, 0, sizeof o);
    lm_experiment_config_init(&o.x);
    o.x.runs = 10;
    o.x.detail = LM_DETAIL_COMPARE_DEFAULT;
    static const cli_experiment_cmd cmd = {"compare", COMPARE_HELP, cli_compare_help, set_value,
                                           has_value};
    const int rc = cli_experiment_parse(argc, argv, &cmd, &o.x, &o);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (o.n_set == 0 && o.n_adopt == 0 && o.n_add == 0)
        return cli_usage_error(COMPARE_HELP,
                               "compare: give at least one --policy, --adopt or --add (the "
                               "counterfactual)");
    if (cli_precision_runs(COMPARE_HELP, &o.x, o.n_precision) != CLI_OK)
        return CLI_USAGE;
    o.x.precision = o.precision;
    o.x.n_precision = o.n_precision;
    o.x.halfwidth = o.halfwidth;
    o.x.n_halfwidth = o.n_halfwidth;

    lm_progress_bar bar;
    volatile sig_atomic_t *stop = cli_experiment_start(&o.x.job, &bar);

    const lm_scenario_edits edits = {.set = o.set, .n_set = o.n_set, .adopt = o.adopt,
                                     .n_adopt = o.n_adopt, .add = o.add, .n_add = o.n_add};
    lm_experiment_result res = {.summary = NULL}; /* failures may return before filling it */
    lm_error err;
    const lm_status st = lm_experiment_compare(&o.x, &edits, &res, &err);
    lm_progress_bar_clear(&bar);
    const int exit_code = cli_experiment_end(st, &err, res.summary, *stop);
    lm_experiment_result_fini(&res);
    return exit_code;
}
