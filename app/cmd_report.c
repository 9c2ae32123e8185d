/* app/cmd_report.c -- `longmen report OUT_DIR`: writes report.html and headline.svg again
 * into a results folder from its results.sqlite (src/report/). Every `longmen run` writes
 * them already; this is for a folder made by an older longmen, a database edited or merged
 * by hand, or a newer report layout. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "longmen/report.h"

#define REPORT_HELP "longmen report --help"

void cli_report_help(FILE *f)
{
    fputs("Usage: longmen report OUT_DIR\n"
          "\n"
          "Writes OUT_DIR/report.html and OUT_DIR/headline.svg from OUT_DIR/results.sqlite,\n"
          "replacing them if they exist (each file is written whole, then renamed).\n"
          "\n"
          "report.html is one self-contained file: the charts library (ECharts), the data and\n"
          "the script are inside, so it opens in any browser without a network. It shows per\n"
          "region over time the firms alive, births and deaths, and every further section\n"
          "whose data the database holds (tiers, dragons, investment, guidance funds, fund\n"
          "multiples, talent and wages, chain completeness); a section whose data is absent\n"
          "says \"not in this run's database yet\". A database with several runs shows bands\n"
          "(90% intervals over replications) or baseline against counterfactual.\n"
          "headline.svg is the headline figure for slides: firms alive (and dragons, when\n"
          "counted) per region over time.\n"
          "\n"
          "  OUT_DIR          a results folder written by `longmen run`\n"
          "  -h, --help       show this help.\n"
          "\n"
          "Examples:\n"
          "  longmen report runs/three-capitals-seed20150101\n"
          "  xdg-open runs/three-capitals-seed20150101/report.html\n"
          "\n"
          "Exit status: 0 success, 1 error (one line on stderr), 2 usage error.\n",
          f);
}

int cli_report(int argc, char **argv)
{
    const char *dir = NULL;
    bool options_done = false;
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (!options_done && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            cli_report_help(stdout);
            return CLI_OK;
        }
        if (!options_done && arg[0] == '-' && arg[1])
            return cli_usage_error(REPORT_HELP, "report: unknown option '%s'", arg);
        if (dir)
            return cli_usage_error(REPORT_HELP, "report: one folder at a time, got '%s' and '%s'",
                                   dir, arg);
        dir = arg;
    }
    if (!dir)
        return cli_usage_error(REPORT_HELP, "report: expected a results folder, e.g. 'longmen "
                                            "report runs/three-capitals-seed20150101'");
    lm_error err;
    if (lm_report_write_dir(dir, &err) != LM_OK)
        return cli_fail(&err);
    printf("report: %s/report.html\nfigure: %s/headline.svg\n", dir, dir);
    if (!lm_report_has_charts())
        fputs("longmen: note: this longmen was built without ECharts (run `npm ci` in its source "
              "tree and rebuild): the report has tables but no charts\n",
              stderr);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}
