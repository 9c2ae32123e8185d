/* app/cli.h -- what the CLI's command files share. The CLI only parses arguments and calls
 * lm_*; each command lives in its own app/cmd_<name>.c with a main-like entry point and its
 * help text. Exit codes: 0 ok, 1 failure, 2 usage error, 128+signal when interrupted. */
#ifndef LM_APP_CLI_H
#define LM_APP_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "longmen/error.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* The commands, each in app/cmd_<name>.c: int cli_<name>(argc, argv) with argv[0] the
 * command's name, and void cli_<name>_help(FILE *), its --help; app/main.c's table of
 * commands says what each does. */
#define CLI_COMMANDS(X)                                                                        \
    X(run) X(report) X(serve) X(compare) X(sweep) X(sensitivity) X(optimise) X(calibrate)
#define CLI_DECLARE_(name)                                                                     \
    int cli_##name(int argc, char **argv);                                                     \
    void cli_##name##_help(FILE *f);
CLI_COMMANDS(CLI_DECLARE_)
#undef CLI_DECLARE_

/* ---- app/experiment_options.c: what every experiment command parses the same way ---- */
/* The options experiments share (--seed --threads -o/--out --from --to --runs --detail
 * --max-memory): CLI_OK, CLI_USAGE (printed, see help), or CLI_UNKNOWN for another option. */
enum { CLI_UNKNOWN = -2 };
struct lm_experiment_config;
/* Whether name is one of those shared options that take a value. */
bool cli_experiment_takes_value(const char *name);
/* --detail K|all: replications per arm that keep every firm and deal row. */
int cli_detail_value(const char *help, const char *name, const char *value, int *detail);
/* --runs and --max-runs: an integer from 1 to LM_MAX_RUNS into *runs. */
int cli_runs_value(const char *help, const char *name, const char *value, int *runs);
int cli_experiment_value(struct lm_experiment_config *x, const char *help, const char *name,
                         const char *value);
/* --precision / --halfwidth METRIC=H: appends {METRIC, H} to list (at most
 * max); the metric is checked against the scenario later. Cuts value at its '=' (argv). */
struct lm_precision_target;
int cli_target_value(const char *help, const char *name, const char *value,
                     struct lm_precision_target *list, int *n, int max);
/* Once the options are read: --max-runs only with --precision (n_precision of them), which
 * without it may add replications up to 200 (or --runs when more), never fewer than --runs.
 * CLI_OK or CLI_USAGE (printed). */
int cli_precision_runs(const char *help, struct lm_experiment_config *x, int n_precision);
/* The option loop every experiment command shares: one SCENARIO, `--`,
 * `--name=value` or `--name value`, -h/--help, the flags -q/--quiet, -f/--force, --resume;
 * any other option goes to set(user, name, value). takes_value(name), when given, tells the
 * options the command knows (others are refused before their value is read). Returns CLI_OK,
 * CLI_USAGE (printed) or -1 after --help. */
typedef struct cli_experiment_cmd {
    const char *name;            /* "compare" */
    const char *help;            /* "longmen compare --help" */
    void (*print_help)(FILE *f);
    int (*set)(void *user, const char *name, const char *value);
    bool (*takes_value)(const char *name);
} cli_experiment_cmd;
int cli_experiment_parse(int argc, char **argv, const cli_experiment_cmd *cmd,
                         struct lm_experiment_config *x, void *user);
/* Ctrl-C and SIGTERM set the flag returned (for lm_job_config.stop_flag); a second one
 * kills at once. */
volatile sig_atomic_t *cli_experiment_catch_signals(void);
/* What every job command does before it starts: the progress bar on a terminal (unless
 * --quiet) and the signals into job->stop_flag, which it returns. */
struct lm_job_config;
struct lm_progress_bar;
volatile sig_atomic_t *cli_experiment_start(struct lm_job_config *job,
                                            struct lm_progress_bar *bar);
/* A decimal integer of digits only that fits uint64_t. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* A decimal integer from lo to hi (strtol's syntax: leading blanks and a sign allowed). */
bool cli_parse_int(const char *s, long lo, long hi, int *out);

/* Prints `longmen: <message>` and the hint `see '<help>'` on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *help, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints `longmen: <lm_error_format(err)>` on stderr; returns CLI_FAIL. */
int cli_fail(const lm_error *err);
/* The end of every experiment command (app/main.c): after an interruption (LM_EINTR) the
 * message and 128 + the signal (SIGINT when signal_no is 0); after an error cli_fail; else
 * the summary (when not NULL: ranks but 0 of an MPI job have none) on stdout and CLI_OK, or
 * CLI_FAIL when stdout cannot be written. */
int cli_experiment_end(lm_status st, const lm_error *err, const char *summary, int signal_no);

#endif
