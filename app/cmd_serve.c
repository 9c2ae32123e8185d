/* app/cmd_serve.c -- `longmen serve`: parse the options, start the server of the library
 * (src/server/, include/longmen/server.h), print where it listens, and run until Ctrl-C or
 * SIGTERM, which stop it cleanly (running jobs stop after their month and keep nothing). */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "longmen/job.h"
#include "longmen/server.h"

#define SERVE_HELP "longmen serve --help"

void cli_serve_help(FILE *f)
{
    fputs("Usage: longmen serve [options]\n"
          "\n"
          "Serves a dashboard at http://127.0.0.1:8080/: a list of the runs of the runs\n"
          "folder with each run's report, and a form that starts a run of a scenario with\n"
          "policies of a region switched off (progress shown live, result shown when done).\n"
          "Behind it a JSON API (docs/api.md): /api/runs, /api/runs/{id},\n"
          "/api/runs/{id}/region_year?region=..., /api/scenarios, /api/jobs.\n"
          "\n"
          "  --port N         TCP port, 0 = any free port (printed). Default 8080.\n"
          "                   e.g. --port 9000\n"
          "  --bind ADDR      address to listen on. Default 127.0.0.1 (this machine\n"
          "                   only); anything else makes the dashboard, which starts runs\n"
          "                   and has no login, reachable from other machines.\n"
          "                   e.g. --bind ::1\n"
          "  --runs-dir DIR   results folders to list, and where new runs go.\n"
          "                   Default runs/ (created when missing). e.g. --runs-dir runs\n"
          "  --scenarios-dir DIR  scenarios the page offers (every *.yaml). Default\n"
          "                   scenarios/ here, else the source tree's.\n"
          "  --workers N      runs executing at once, 1 to 64. Default 1.\n"
          "  --queue N        runs waiting at most, 1 to 10000; when full, new runs are\n"
          "                   refused with 503. Default 8.\n"
          "  --threads T      OpenMP threads of each run; 0 (default) = all cores.\n"
          "  --body-limit BYTES  largest request body, 1024 to 16777216. Default 65536.\n"
          "  --timeout S      seconds before an idle or slow connection is closed, 1 to\n"
          "                   3600. Default 15.\n"
          "  --connections N  simultaneous connections at most, 4 to 10000. Default 128.\n"
          "  --max-memory SIZE  refuse a run whose estimated memory exceeds SIZE (K, M,\n"
          "                   G, T); the job fails with the estimate. Default: 80% of\n"
          "                   physical memory. e.g. --max-memory 4G\n"
          "  --allow-origin ORIGINS  comma-separated origins (https://dash.example.org)\n"
          "                   whose pages may start and stop runs, and whose host name may\n"
          "                   reach the server (a reverse proxy's, say). Default: none; the\n"
          "                   server answers only to its address and localhost, and refuses\n"
          "                   POST and DELETE from pages of other sites.\n"
          "  -h, --help       show this help.\n"
          "Options may be written --opt=VALUE too.\n"
          "\n"
          "Examples:\n"
          "  longmen serve\n"
          "  longmen serve --port 9000 --runs-dir runs --workers 2\n"
          "\n"
          "Stop it with Ctrl-C. Exit status: 0 after Ctrl-C or SIGTERM, 1 when it cannot\n"
          "listen (the port is taken, say), 2 usage error.\n",
          f);
}

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

int cli_serve(int argc, char **argv)
{
    lm_server_config cfg;
    lm_server_config_init(&cfg);
    cfg.port = 8080;
    static const struct {
        const char *name;
        long lo, hi;
    } ints[] = {{"--port", 0, 65535},         {"--workers", 1, 64},
                {"--queue", 1, 10000},        {"--threads", 0, 4096},
                {"--body-limit", 1024, 16777216}, {"--timeout", 1, 3600},
                {"--connections", 4, 10000}};
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_serve_help(stdout);
            return CLI_OK;
        }
        char name[32];
        const char *value = NULL;
        const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
        if (eq && (size_t)(eq - arg) < sizeof name) {
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", arg);
        }
        if (strcmp(name, "--max-memory") == 0) {
            if (!value) {
                if (i + 1 >= argc)
                    return cli_usage_error(SERVE_HELP, "%s: missing value", name);
                value = argv[++i];
            }
            if (!lm_parse_size(value, &cfg.max_memory))
                return cli_usage_error(SERVE_HELP, "%s %s: expected a size such as 500M or 8G",
                                       name, value);
            continue;
        }
        const bool is_dir = strcmp(name, "--runs-dir") == 0 ||
                            strcmp(name, "--scenarios-dir") == 0 || strcmp(name, "--bind") == 0 ||
                            strcmp(name, "--allow-origin") == 0;
        int which = -1;
        for (int k = 0; k < (int)(sizeof ints / sizeof ints[0]); ++k)
            if (strcmp(name, ints[k].name) == 0)
                which = k;
        if (!is_dir && which < 0)
            return cli_usage_error(SERVE_HELP, "serve: unknown %s '%s'",
                                   arg[0] == '-' ? "option" : "argument", arg);
        if (!value) {
            if (i + 1 >= argc)
                return cli_usage_error(SERVE_HELP, "%s: missing value", name);
            value = argv[++i];
        }
        if (is_dir) {
            if (!*value)
                return cli_usage_error(SERVE_HELP, "%s: expected a value", name);
            if (strcmp(name, "--runs-dir") == 0)
                cfg.runs_dir = value;
            else if (strcmp(name, "--scenarios-dir") == 0)
                cfg.scenarios_dir = value;
            else if (strcmp(name, "--allow-origin") == 0)
                cfg.allow_origins = value;
            else
                cfg.bind = value;
            continue;
        }
        int v;
        if (!cli_parse_int(value, ints[which].lo, ints[which].hi, &v))
            return cli_usage_error(SERVE_HELP, "%s %s: expected an integer from %ld to %ld", name,
                                   value, ints[which].lo, ints[which].hi);
        switch (which) {
        case 0: cfg.port = (int)v; break;
        case 1: cfg.workers = (int)v; break;
        case 2: cfg.queue = (int)v; break;
        case 3: cfg.threads = (int)v; break;
        case 4: cfg.body_limit = (size_t)v; break;
        case 5: cfg.timeout_s = (int)v; break;
        default: cfg.connections = (int)v; break;
        }
    }

    /* Signals are waited for with sigsuspend: blocked everywhere (the server's threads
     * inherit the mask), delivered only here. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    signal(SIGPIPE, SIG_IGN); /* a client that goes away is the server's business, not fatal */

    lm_server *srv = NULL;
    lm_error err;
    if (lm_server_start(&cfg, &srv, &err) != LM_OK) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return cli_fail(&err);
    }
    const char *bind = lm_server_bind(srv);
    const bool v6 = strchr(bind, ':') != NULL;
    printf("longmen serve: listening on http://%s%s%s:%d/ (runs: %s; stop with Ctrl-C)\n",
           v6 ? "[" : "", bind, v6 ? "]" : "", lm_server_port(srv),
           cfg.runs_dir ? cfg.runs_dir : "runs");
    fflush(stdout);
    if (strcmp(bind, "127.0.0.1") != 0 && strcmp(bind, "::1") != 0 &&
        strncmp(bind, "127.", 4) != 0)
        fprintf(stderr, "longmen serve: warning: listening on %s, not only on this machine: "
                        "anyone who reaches it can start runs (there is no login)\n",
                bind);
    sigset_t wait_mask = old;
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    while (!stop_signal)
        sigsuspend(&wait_mask);
    fprintf(stderr, "longmen serve: stopping\n");
    lm_server_stop(srv);
    return CLI_OK;
}
