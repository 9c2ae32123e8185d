/* app/cmd_compare.c -- `longmen compare`: a baseline and a counterfactual of one scenario with
 * common random numbers (src/experiments/compare.c). Parses the options into an
 * lm_experiment_config and the edits, shows progress on a terminal, prints the paired table.
 * Ctrl-C stops after the current month of each replication, keeping the finished ones in
 * <DIR>.partial for --resume. */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "longmen/experiments.h"
#include "longmen/job.h"
#include "longmen/longmen.h"
#include "longmen/optimise.h"

#define COMPARE_HELP "longmen compare --help"
#define MAX_EDITS 64

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

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
            "                   dragons, high_tech, jobs, fund_tvpi, public_cny (CNY).\n"
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

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; ++p)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    char *end;
    const unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
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
    bool has_max_runs;
} opts;

bool cli_experiment_takes_value(const char *name)
{
    static const char *const with_value[] = {"--seed", "--threads", "--out",        "-o",
                                             "--from", "--to",      "--runs",       "--detail",
                                             "--max-memory"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; ++i)
        if (strcmp(name, with_value[i]) == 0)
            return true;
    return false;
}

static bool has_value(const char *name)
{
    return cli_experiment_takes_value(name) || strcmp(name, "--policy") == 0 ||
           strcmp(name, "--adopt") == 0 || strcmp(name, "--add") == 0 ||
           strcmp(name, "--precision") == 0 || strcmp(name, "--halfwidth") == 0 ||
           strcmp(name, "--max-runs") == 0;
}

int cli_detail_value(const char *help, const char *name, const char *value, int *detail)
{
    uint64_t v = LM_DETAIL_ALL;
    if (strcmp(value, "all") != 0 && (!parse_u64(value, &v) || v > LM_DETAIL_ALL))
        return cli_usage_error(help, "%s %s: expected 'all' or an integer from 0 to %d", name,
                               value, LM_DETAIL_ALL);
    *detail = (int)v;
    return CLI_OK;
}

int cli_experiment_value(lm_experiment_config *x, const char *help, const char *name,
                         const char *value)
{
    lm_job_config *j = &x->job;
    uint64_t v;
    if (strcmp(name, "--seed") == 0) {
        if (!parse_u64(value, &v) || v > (uint64_t)INT64_MAX)
            return cli_usage_error(help, "%s %s: expected an integer from 0 to %" PRId64,
                                   name, value, INT64_MAX);
        j->seed = v;
        j->has_seed = true;
    } else if (strcmp(name, "--threads") == 0) {
        if (!parse_u64(value, &v) || v > 4096)
            return cli_usage_error(help, "%s %s: expected an integer from 0 to 4096",
                                   name, value);
        j->threads = (int)v;
    } else if (strcmp(name, "--out") == 0 || strcmp(name, "-o") == 0) {
        if (!*value)
            return cli_usage_error(help, "%s: expected a folder", name);
        j->out_dir = value;
    } else if (strcmp(name, "--from") == 0 || strcmp(name, "--to") == 0) {
        int32_t m;
        if (!lm_month_parse(value, &m))
            return cli_usage_error(help, "%s %s: expected YYYY-MM", name, value);
        if (name[2] == 'f') {
            j->from = m;
            j->has_from = true;
        } else {
            j->to = m;
            j->has_to = true;
        }
    } else if (strcmp(name, "--runs") == 0) {
        if (!parse_u64(value, &v) || v < 1 || v > LM_MAX_RUNS)
            return cli_usage_error(help, "%s %s: expected an integer from 1 to %d",
                                   name, value, LM_MAX_RUNS);
        x->runs = (int)v;
    } else if (strcmp(name, "--detail") == 0) {
        return cli_detail_value(help, name, value, &x->detail);
    } else if (strcmp(name, "--max-memory") == 0) {
        if (!lm_parse_size(value, &j->max_memory))
            return cli_usage_error(help, "%s %s: expected a size such as 500M or 8G",
                                   name, value);
    } else {
        return CLI_UNKNOWN;
    }
    return CLI_OK;
}

int cli_target_value(const char *help, const char *name, const char *value,
                     lm_precision_target *list, int *n, int max)
{
    const char *eq = strrchr(value, '=');
    char *end = NULL;
    const double h = eq ? strtod(eq + 1, &end) : NAN;
    if (!eq || eq == value || end == eq + 1 || *end || !(h > 0.0) || !isfinite(h))
        return cli_usage_error(help,
                               "%s %s: expected REGION.METRIC=HALFWIDTH with a positive "
                               "half-width, e.g. hangzhou.dragons=0.5",
                               name, value);
    if (*n >= max)
        return cli_usage_error(help, "at most %d %s options", max, name);
    /* the metric is the text before '=': cut it off in place (argv is ours to change) */
    *(char *)eq = '\0';
    list[(*n)++] = (lm_precision_target){value, h};
    return CLI_OK;
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
    if (strcmp(name, "--max-runs") == 0) {
        uint64_t v;
        if (!parse_u64(value, &v) || v < 1 || v > LM_MAX_RUNS)
            return cli_usage_error(COMPARE_HELP, "%s %s: expected an integer from 1 to %d",
                                   name, value, LM_MAX_RUNS);
        o->x.max_runs = (int)v;
        o->has_max_runs = true;
        return CLI_OK;
    }
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

int cli_experiment_parse(int argc, char **argv, const cli_experiment_cmd *cmd,
                         struct lm_experiment_config *x, void *user)
{
    bool options_done = false;
    const char *last_name = NULL, *last_value = NULL; /* the option whose value came last */
    char last_buf[32];
    for (int i = 1; i < argc; ++i) {
        char *arg = argv[i];
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            /* "--budget 10 billion": the unit became a separate word and would otherwise be
             * taken for the scenario file ("billion: cannot open") */
            if (last_value && access(arg, F_OK) != 0) {
                char joined[128];
                double v;
                snprintf(joined, sizeof joined, "%s %s", last_value, arg);
                if (lm_parse_money(joined, &v))
                    return cli_usage_error(cmd->help,
                                           "%s %s %s: write the amount as one word, e.g. %s %s%s",
                                           last_name, last_value, arg, last_name, last_value,
                                           strcmp(arg, "billion") == 0 ? "bn" : arg);
            }
            last_value = NULL;
            if (x->job.scenario_path)
                return cli_usage_error(cmd->help, "%s: one scenario, got '%s' and '%s'",
                                       cmd->name, x->job.scenario_path, arg);
            x->job.scenario_path = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        last_value = NULL;
        char name[32];
        const char *value = NULL;
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        if (eq && (size_t)(eq - arg) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else if (eq) {
            return cli_usage_error(cmd->help, "%s: unknown option '%s'", cmd->name, arg);
        } else {
            snprintf(name, sizeof name, "%s", arg);
        }
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            cmd->print_help(stdout);
            return -1;
        }
        bool *flag = strcmp(name, "--quiet") == 0 || strcmp(name, "-q") == 0   ? &x->job.quiet
                     : strcmp(name, "--force") == 0 || strcmp(name, "-f") == 0 ? &x->job.force
                     : strcmp(name, "--resume") == 0                           ? &x->resume
                                                                               : NULL;
        if (flag) {
            if (value)
                return cli_usage_error(cmd->help, "%s takes no value", name);
            *flag = true;
            continue;
        }
        if (cmd->takes_value && !cmd->takes_value(name))
            return cli_usage_error(cmd->help, "%s: unknown option '%s'", cmd->name, arg);
        if (!value) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd->help, "%s: missing value", name);
            value = argv[++i];
        }
        const int rc = cmd->set(user, name, value);
        if (rc != CLI_OK)
            return rc;
        snprintf(last_buf, sizeof last_buf, "%s", name);
        last_name = last_buf;
        last_value = value;
    }
    return CLI_OK;
}

volatile sig_atomic_t *cli_experiment_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C kills at once */
    const int signals[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; ++i) {
        struct sigaction old;
        if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(signals[i], &sa, NULL);
    }
    return &stop_signal;
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
    if (o.has_max_runs && o.n_precision == 0)
        return cli_usage_error(COMPARE_HELP, "--max-runs: only with --precision");
    if (o.n_precision > 0 && !o.has_max_runs)
        o.x.max_runs = o.x.runs > 200 ? o.x.runs : 200;
    if (o.n_precision > 0 && o.x.max_runs < o.x.runs)
        return cli_usage_error(COMPARE_HELP, "--max-runs %d: less than --runs %d", o.x.max_runs,
                               o.x.runs);
    o.x.precision = o.precision;
    o.x.n_precision = o.n_precision;
    o.x.halfwidth = o.halfwidth;
    o.x.n_halfwidth = o.n_halfwidth;

    lm_progress_bar bar;
    lm_progress_bar_init(&bar, stderr);
    if (!o.x.job.quiet && isatty(STDERR_FILENO)) {
        o.x.job.progress = lm_progress_bar_update;
        o.x.job.progress_user = &bar;
    }
    o.x.job.stop_flag = cli_experiment_catch_signals();

    const lm_scenario_edits edits = {.set = o.set, .n_set = o.n_set, .adopt = o.adopt,
                                     .n_adopt = o.n_adopt, .add = o.add, .n_add = o.n_add};
    lm_experiment_result res = {.summary = NULL}; /* failures may return before filling it */
    lm_error err;
    const lm_status st = lm_experiment_compare(&o.x, &edits, &res, &err);
    lm_progress_bar_clear(&bar);
    const int exit_code = cli_experiment_end(st, &err, res.summary, stop_signal);
    lm_experiment_result_fini(&res);
    return exit_code;
}
