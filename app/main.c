/* app/main.c -- the `longmen` command: dispatches to a command (app/cmd_*.c) through one
 * table of commands and answers --help and --version. Parsing only; everything a command
 * does is a library call, so the server and the tests see the same behaviour as the
 * terminal. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "longmen/longmen.h"
#include "longmen/parallel.h"

static void main_help(FILE *f);
static int help_command(int argc, char **argv);
static int version_command(int argc, char **argv);

/* Every command, once: dispatch, `longmen --help`, `longmen help COMMAND` and which commands
 * MPI ranks run together all read this table. */
typedef struct cli_command {
    const char *name;
    const char *usage;   /* as listed by --help */
    const char *summary; /* what it does, for --help: lines of at most 60 characters */
    int (*run)(int argc, char **argv);  /* argv[0] is the command's name */
    void (*help)(FILE *f);              /* its --help */
    bool distributed;    /* under mpirun, every rank runs it (docs/scaling.md) */
} cli_command;

static const cli_command commands[] = {
    {"run", "run [SCENARIO]",
     "simulate a scenario month by month with one seed; print a\n"
     "summary per region and write a results folder",
     cli_run, cli_run_help, true},
    {"compare", "compare [SCENARIO] --policy EDIT | --adopt X:Y.KIND[@YYYY-MM] | --add ...",
     "a baseline and a counterfactual with common random numbers:\n"
     "paired differences per region ('longmen help compare')",
     cli_compare, cli_compare_help, true},
    {"sweep", "sweep [SCENARIO] --param NAME=LO:HI:STEPS  --runs R [--design sobol --points N]",
     "a grid or Sobol design over parameters, R replications per\n"
     "point, common random numbers ('longmen help sweep')",
     cli_sweep, cli_sweep_help, true},
    {"sensitivity", "sensitivity [SCENARIO] --params FILE --points N  [--runs R]",
     "Sobol indices (Saltelli) of outputs to parameters, with\n"
     "bootstrap intervals ('longmen help sensitivity')",
     cli_sensitivity, cli_sensitivity_help, true},
    {"optimise", "optimise [SCENARIO] --region R --budget CNY --levers FILE  [--runs R]",
     "the policy mix of a region that maximises its expected dragons\n"
     "under its annual public budget ('longmen help optimise')",
     cli_optimise, cli_optimise_help, true},
    {"calibrate", "calibrate [SCENARIO] --targets FILE  [--budget N] [--runs R]",
     "fit free parameters to target moments (method of simulated\n"
     "moments, NLopt) ('longmen help calibrate')",
     cli_calibrate, cli_calibrate_help, true},
    {"report", "report OUT_DIR", "write report.html and headline.svg of a results folder again",
     cli_report, cli_report_help, false},
    {"serve", "serve", "a local web dashboard: browse runs, start runs, watch them", cli_serve,
     cli_serve_help, false},
    {"help", "help [COMMAND]", "show this help, or a command's help ('longmen help run')",
     help_command, main_help, false},
    {"version", "version", "print the version (same as --version)", version_command, main_help,
     false},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static const cli_command *find_command(const char *name)
{
    for (int k = 0; k < N_COMMANDS; ++k)
        if (strcmp(name, commands[k].name) == 0)
            return &commands[k];
    return NULL;
}

/* A usage of up to 17 characters shares its line with the summary's first line; the other
 * summary lines, and all of them after a longer usage, are indented under it. */
static void list_commands(FILE *f)
{
    enum { COLUMN = 17 };
    for (int k = 0; k < N_COMMANDS; ++k) {
        const cli_command *c = &commands[k];
        const bool beside = strlen(c->usage) < COLUMN;
        if (beside)
            fprintf(f, "  %-*s", COLUMN, c->usage);
        else
            fprintf(f, "  %s\n", c->usage);
        for (const char *line = c->summary; *line;) {
            const char *end = strchr(line, '\n');
            const int len = end ? (int)(end - line) : (int)strlen(line);
            fprintf(f, "%*s%.*s\n", line == c->summary && beside ? 0 : COLUMN + 2, "", len, line);
            line += len + (end ? 1 : 0);
        }
    }
}

static void main_help(FILE *f)
{
    fprintf(f,
            "longmen %s -- an agent-based simulator of regional innovation ecosystems\n"
            "(龙门, the Dragon Gate: the carp that leap it become dragons).\n"
            "\n"
            "Usage:\n"
            "  longmen <command> [options]\n"
            "  longmen --help | --version\n"
            "\n"
            "Commands:\n",
            lm_version());
    list_commands(f);
    fprintf(f,
            "\n"
            "Options:\n"
            "  -h, --help       show this help and exit\n"
            "  -V, --version    print 'longmen %s' and exit\n"
            "\n"
            "Options of run (details: 'longmen run --help'):\n"
            "  --seed N         random seed (default: scenario's)  e.g. --seed 42\n"
            "  --threads T      OpenMP threads, 0 = all cores      e.g. --threads 4\n"
            "  -o, --out DIR    folder (default runs/NAME-seedN)   e.g. --out runs/trial\n"
            "  --from YYYY-MM   first month to simulate            e.g. --from 2018-01\n"
            "  --to YYYY-MM     last month to simulate             e.g. --to 2024-12\n"
            "  -q, --quiet      no progress line; the summary table is still printed\n"
            "  -f, --force      replace an existing results folder\n"
            "  --max-memory SIZE  refuse a run estimated above SIZE  e.g. --max-memory 4G\n"
            "  --runs R         R replications, mean and 90%% intervals  e.g. --runs 20\n"
            "  --resume         finish an interrupted --runs job\n"
            "\n"
            "Examples:\n"
            "  longmen run                                  # scenarios/three-capitals.yaml\n"
            "  longmen run scenarios/three-capitals.yaml --seed 7 --threads 4\n"
            "  longmen run my.yaml --from 2020-01 --to 2024-12 --out runs/short --force\n"
            "  longmen run --runs 20 --threads 2           # 20 replications, 90%% intervals\n"
            "  longmen compare --adopt hefei:hangzhou.talent_rule --runs 10\n"
            "  longmen compare --add hefei:hangzhou.st_fund@2026-01 --to 2030-12\n"
            "  longmen sweep --param Hefei.st_fund.loss_tolerance=0.1:0.5:5 --runs 10\n"
            "  longmen calibrate --targets calibration/essay.yaml --to 2024-12 --budget 200\n"
            "\n"
            "Across processes or machines (Open MPI; docs/scaling.md): the same commands\n"
            "under 'mpirun -np P longmen ...' share the replications, same results.\n"
            "\n"
            "Exit status: 0 success, 1 error, 2 usage error, 130 interrupted (Ctrl-C).\n"
            "Documentation: README.md and docs/ in the source tree.\n",
            lm_version());
}

int cli_usage_error(const char *help, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("longmen: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nsee '%s'\n", help);
    return CLI_USAGE;
}

int cli_fail(const lm_error *err)
{
    char line[1024];
    fprintf(stderr, "longmen: %s\n", lm_error_format(err, line, sizeof line));
    return CLI_FAIL;
}

int cli_experiment_end(lm_status st, const lm_error *err, const char *summary, int signal_no)
{
    if (st == LM_EINTR) {
        fprintf(stderr, "longmen: %s\n", err->message);
        return 128 + (signal_no ? signal_no : SIGINT);
    }
    if (st != LM_OK)
        return cli_fail(err);
    if (summary)
        fputs(summary, stdout);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

static int help_command(int argc, char **argv)
{
    if (argc < 2) {
        main_help(stdout);
        return CLI_OK;
    }
    if (argc > 2)
        return cli_usage_error("longmen --help", "help: expected at most one command");
    const cli_command *c = find_command(argv[1]);
    if (!c)
        return cli_usage_error("longmen --help", "help: unknown command '%s'", argv[1]);
    c->help(stdout);
    return CLI_OK;
}

static int version_command(int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error("longmen --help", "%s takes no arguments", argv[0]);
    printf("longmen %s\n", lm_version());
    return CLI_OK;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("longmen --help", "no command given (try 'longmen run')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
        return help_command(1, argv + 1);
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
        return version_command(argc - 1, argv + 1);
    const cli_command *c = find_command(cmd);
    if (c)
        return c->run(argc - 1, argv + 1);
    if (cmd[0] == '-')
        return cli_usage_error("longmen --help", "unknown option '%s'", cmd);
    return cli_usage_error("longmen --help", "unknown command '%s'", cmd);
}

/* Under mpirun/srun the processes run one command together (docs/scaling.md).
 * MPI starts only then; only rank 0 prints (the others' stdout and stderr go to /dev/null:
 * every rank returns the same status and message, lm__par_agree). */
int main(int argc, char **argv)
{
    lm_error err;
    lm_error_clear(&err);
    if (lm_parallel_init(&argc, &argv, &err) != LM_OK)
        return cli_fail(&err);
    if (lm_parallel_rank() != 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            return CLI_FAIL;
    }
    /* Commands that do not distribute their work (report, serve, help) are rank 0's, run
     * as one process: MPI ends first, so that a job `serve` starts does not wait for ranks
     * that are not there. */
    const cli_command *c = argc > 1 ? find_command(argv[1]) : NULL;
    const bool distributed = c && c->distributed;
    const int rank = lm_parallel_rank();
    if (!distributed)
        lm_parallel_finalize();
    const int rc = rank == 0 || distributed ? dispatch(argc, argv) : CLI_OK;
    fflush(stdout);
    lm_parallel_finalize();
    return rc;
}
