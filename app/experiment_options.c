/* app/experiment_options.c -- what every experiment command (run --runs, compare, sweep,
 * sensitivity, optimise, calibrate) parses the same way: the option loop, the shared options
 * (--seed --threads -o/--out --from --to --runs --detail --max-memory), --precision targets,
 * and Ctrl-C. Apart from any one command, so that `run` does not depend on `compare`. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
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
#include "longmen/progress.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

bool cli_parse_u64(const char *s, uint64_t *out)
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

bool cli_parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

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

int cli_detail_value(const char *help, const char *name, const char *value, int *detail)
{
    uint64_t v = LM_DETAIL_ALL;
    if (strcmp(value, "all") != 0 && (!cli_parse_u64(value, &v) || v > LM_DETAIL_ALL))
        return cli_usage_error(help, "%s %s: expected 'all' or an integer from 0 to %d", name,
                               value, LM_DETAIL_ALL);
    *detail = (int)v;
    return CLI_OK;
}

int cli_runs_value(const char *help, const char *name, const char *value, int *runs)
{
    uint64_t v;
    if (!cli_parse_u64(value, &v) || v < 1 || v > LM_MAX_RUNS)
        return cli_usage_error(help, "%s %s: expected an integer from 1 to %d", name, value,
                               LM_MAX_RUNS);
    *runs = (int)v;
    return CLI_OK;
}

int cli_experiment_value(lm_experiment_config *x, const char *help, const char *name,
                         const char *value)
{
    lm_job_config *j = &x->job;
    uint64_t v;
    if (strcmp(name, "--seed") == 0) {
        if (!cli_parse_u64(value, &v) || v > (uint64_t)INT64_MAX)
            return cli_usage_error(help, "%s %s: expected an integer from 0 to %" PRId64,
                                   name, value, INT64_MAX);
        j->seed = v;
        j->has_seed = true;
    } else if (strcmp(name, "--threads") == 0) {
        if (!cli_parse_u64(value, &v) || v > 4096)
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
        return cli_runs_value(help, name, value, &x->runs);
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

int cli_precision_runs(const char *help, lm_experiment_config *x, int n_precision)
{
    if (x->max_runs > 0 && n_precision == 0)
        return cli_usage_error(help, "--max-runs: only with --precision");
    if (n_precision > 0 && x->max_runs == 0)
        x->max_runs = x->runs > 200 ? x->runs : 200;
    if (n_precision > 0 && x->max_runs < x->runs)
        return cli_usage_error(help, "--max-runs %d: less than --runs %d", x->max_runs, x->runs);
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

volatile sig_atomic_t *cli_experiment_start(lm_job_config *job, lm_progress_bar *bar)
{
    lm_progress_bar_init(bar, stderr);
    if (!job->quiet && isatty(STDERR_FILENO)) {
        job->progress = lm_progress_bar_update;
        job->progress_user = bar;
    }
    return job->stop_flag = cli_experiment_catch_signals();
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
