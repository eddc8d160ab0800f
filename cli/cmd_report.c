/*
 * cmd_report.c - `chorus report OUTDIR`: writes OUTDIR/report.html from
 * the run's database OUTDIR/chorus.db. The report depends only on the
 * database, so it can be rewritten after a stage added its tables, or by
 * a newer chorus, without running anything again.
 */
#include "cli.h"

#include <chorus/report.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus report [options] OUTDIR\n"
    "\n"
    "Reads OUTDIR/chorus.db (written by 'chorus analyze') and writes\n"
    "OUTDIR/report.html: one self-contained file that opens offline in any\n"
    "browser. It shows the data, the coordinated groups (table, network and\n"
    "evidence), the timelines, narratives and laundering chains; sections of\n"
    "stages whose tables are absent say \"not run\" (docs/report.md).\n"
    "\n"
    "Options:\n"
    "  --db FILE           read this database instead of OUTDIR/chorus.db\n"
    "  --evidence N        co-actions listed per group (default 500)\n"
    "  --max-links N       network links drawn at most, the strongest by\n"
    "                      co-actions (default 10000)\n"
    "  --max-rows N        rows shown of other stages' tables (default 5000)\n"
    "  --max-nodes N       accounts drawn in the network, whole groups in order\n"
    "                      (largest first; default 20000; all are in the tables)\n"
    "  --max-evidence N    co-actions listed over all groups (default 50000,\n"
    "                      at least 10 per group)\n"
    "  -q, --quiet         no summary on stderr\n"
    "  -h, --help          this help\n"
    "\n"
    "The summary on stderr gives what the report holds (used by the tests):\n"
    "  report: PATH (BYTES bytes): P posts, A accounts, G groups, N accounts in\n"
    "  groups (D drawn), L links, E evidence rows, narratives X, laundering Y\n"
    "(X and Y are -1 when the stage did not run.)\n"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

static int number(const char *arg, const char *name, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || v == 0 || v > 100000000ul) {
        cli_error("report: %s must be a number from 1 to 100000000, not \"%s\"", name, arg);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, 0, 'd'},        {"evidence", required_argument, 0, 'e'},
        {"max-links", required_argument, 0, 'l'}, {"max-rows", required_argument, 0, 'r'},
        {"max-nodes", required_argument, 0, 'n'}, {"max-evidence", required_argument, 0, 'E'},
        {"quiet", no_argument, 0, 'q'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    chorus_report_info info;
    memset(&info, 0, sizeof info);
    const char *db = NULL;
    int opt, quiet = 0, bad = 0;
    optind = 1;
    while (!bad && (opt = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return EXIT_OK;
        }
        if (opt == 'd')
            db = optarg;
        else if (opt == 'q')
            quiet = 1;
        else if (opt == 'e')
            bad = number(optarg, "--evidence", &info.evidence_per_group);
        else if (opt == 'l')
            bad = number(optarg, "--max-links", &info.max_links);
        else if (opt == 'r')
            bad = number(optarg, "--max-rows", &info.max_rows);
        else if (opt == 'n')
            bad = number(optarg, "--max-nodes", &info.max_nodes);
        else if (opt == 'E')
            bad = number(optarg, "--max-evidence", &info.max_evidence);
        else {
            fprintf(stderr, "Try 'chorus report --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (bad)
        return EXIT_INPUT;
    if (optind != argc - 1) {
        cli_error("report: give one output folder (try 'chorus report --help')");
        return EXIT_INPUT;
    }
    const char *outdir = argv[optind];
    char db_path[4200], html[4200];
    snprintf(db_path, sizeof db_path, "%s/chorus.db", outdir);
    snprintf(html, sizeof html, "%s/report.html", outdir);
    const char *params[] = {"database", db ? db : db_path, "output folder", outdir};
    info.params = params;
    info.n_params = 2;
    return cli_write_report(db ? db : db_path, html, &info, quiet);
}

int cli_write_report(const char *db_path, const char *html, const chorus_report_info *info, int quiet)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx) {
        cli_error("out of memory");
        return EXIT_INTERNAL;
    }
    chorus_report_summary s;
    chorus_rc rc = chorus_report_write(ctx, db_path, html, info, &s);
    if (rc)
        cli_error("%s", chorus_errmsg(ctx));
    else if (!quiet)
        fprintf(stderr,
                "report: %s (%" PRIu64 " bytes): %" PRId64 " posts, %" PRId64 " accounts, %" PRId64
                " groups, %" PRId64 " accounts in groups (%" PRId64 " drawn), %" PRId64 " links, %" PRId64
                " evidence rows, narratives %" PRId64 ", laundering %" PRId64 "\n",
                html, s.bytes, s.posts, s.accounts, s.groups, s.grouped_accounts, s.drawn, s.links, s.evidence,
                s.narratives, s.laundering);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
