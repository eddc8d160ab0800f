/*
 * cmd_ingest.c - `chorus ingest`: reads inputs into a corpus, reports
 * every bad row, prints a summary, and with --db writes the corpus to an
 * SQLite database that replaces the file only when everything succeeded.
 */
#include "cli.h"

#include <chorus/db.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: chorus ingest [options] INPUT...\n"
    "\n"
    "Reads posts and accounts from each INPUT and prints what was read: rows\n"
    "read, kept and skipped (by reason), posts by kind, accounts, time span.\n"
    "INPUT is a file, or - for standard input. Plain, .gz, .zst and .zip\n"
    "files are read alike (a zip's CSV members one after the other).\n"
    "Formats are recognised from the content: the Twitter/X Information\n"
    "Operations archive tweets and users CSV files, Twitter API v1.1 and v2\n"
    "JSON lines, and any CSV given a --map.\n"
    "\n"
    "Options:\n"
    "  --db FILE           also write the corpus to the SQLite database FILE\n"
    "                      (docs/schema.md); FILE is replaced only on success\n"
    "  --threads N         1: read and add rows on one thread; 2 or more (the\n"
    "                      default with two CPUs or more): parse on a second\n"
    "                      thread; the corpus is the same either way\n"
    "  -h, --help          this help\n"
    "\n"
    "%s"
    "\n"
    "Exit status: 0 success (skipped rows are reported, not fatal), 1 bad\n"
    "input or usage (with --strict: the first bad row), 2 internal error.\n";

/* --threads: 1 to 64 (0, the default, is one per CPU). */
static int parse_threads(const char *arg, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-' || v < 1 || v > 64)
        return cli_error("--threads: a number from 1 to 64: \"%s\"", arg), -1;
    *out = (uint32_t)v;
    return 0;
}

int cmd_ingest(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_INGEST_LONGOPTS, {"db", required_argument, 0, 'd'}, {"threads", required_argument, 0, 'T'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_ingest in;
    cli_ingest_init(&in);
    const char *db_path = NULL;
    uint32_t threads = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        int r = cli_ingest_option(&in, opt, optarg);
        if (r < 0)
            return EXIT_INPUT;
        if (r > 0)
            continue;
        if (opt == 'd')
            db_path = optarg;
        else if (opt == 'T') {
            if (parse_threads(optarg, &threads))
                return EXIT_INPUT;
        } else if (opt == 'h') {
            printf(usage, cli_ingest_help);
            return EXIT_OK;
        } else {
            fprintf(stderr, "Try 'chorus ingest --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (optind >= argc) {
        cli_error("ingest: no input (try 'chorus ingest --help')");
        return EXIT_INPUT;
    }
    chorus_ctx *ctx;
    chorus_corpus *c = cli_new_corpus(&ctx);
    if (!c)
        return EXIT_INTERNAL;
    chorus_set_ingest_threads(ctx, threads);
    chorus_rc rc = db_path ? cli_ingest_to_db(ctx, &in, c, argv + optind, argc - optind, db_path, NULL)
                           : cli_ingest_run(ctx, &in, c, argv + optind, argc - optind);
    if (!rc)
        cli_print_summary(stdout, c, &in);
    if (!rc && db_path)
        printf("database        %s\n", db_path);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return cli_exit_code(rc);
}
