/*
 * cmd_demo.c - `chorus demo`: the main job on the bundled sample. Finds
 * data/sample (beside the program's build folder, or --sample DIR, or
 * $CHORUS_SAMPLE) and runs `chorus analyze` on all of it: posts, users,
 * the narratives catalogue, the articles and the exposed accounts.
 */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: chorus demo [--sample DIR] [-o OUTDIR] [-q]\n"
    "\n"
    "Runs 'chorus analyze' on the bundled sample (synthetic data: fictional\n"
    "countries, outlets and campaigns) and writes everything into OUTDIR\n"
    "(default out/demo): chorus.db, the CSVs, the network, manifest.json and\n"
    "report.html. Equivalent to\n"
    "  chorus analyze --narratives S/narratives.csv --docs S/documents.csv \\\n"
    "      --exposed S/exposed_accounts.txt S/tweets.csv.gz S/users.csv -o OUTDIR\n"
    "where S is the sample folder: --sample DIR, else $CHORUS_SAMPLE, else\n"
    "data/sample beside the program's folder (build/../data/sample), else\n"
    "./data/sample.\n"
    "\n"
    "Options:\n"
    "  --sample DIR   the sample folder\n"
    "  -o, --out DIR  output folder (default out/demo)\n"
    "  -q, --quiet    no progress on stderr\n"
    "  -h, --help     this help\n"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

/* A sample folder holds tweets.csv.gz; 1 when dir does. */
static int is_sample(const char *dir)
{
    char p[PATH_MAX];
    return snprintf(p, sizeof p, "%s/tweets.csv.gz", dir) < (int)sizeof p && access(p, R_OK) == 0;
}

/* The sample beside the program: <exe dir>/../data/sample. */
static int beside_program(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return 0;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return 0;
    *slash = 0;
    return snprintf(out, cap, "%s/../data/sample", exe) < (int)cap && is_sample(out);
}

static const char *find_sample(const char *given, char *buf, size_t cap)
{
    const char *env = getenv("CHORUS_SAMPLE");
    if (given)
        return given;
    if (env && *env)
        return env;
    if (beside_program(buf, cap))
        return buf;
    return "data/sample";
}

static int run_analyze(const char *s, const char *out, int quiet)
{
    char f[5][PATH_MAX];
    static const char *const names[5] = {"narratives.csv", "documents.csv", "exposed_accounts.txt",
                                         "tweets.csv.gz", "users.csv"};
    for (int i = 0; i < 5; i++)
        if (snprintf(f[i], sizeof f[i], "%s/%s", s, names[i]) >= (int)sizeof f[i]) {
            cli_error("demo: sample path too long");
            return EXIT_INPUT;
        }
    char *argv[] = {"analyze",   "--narratives", f[0], "--docs", f[1], "--exposed", f[2], f[3],
                    f[4],        "-o",           (char *)out, quiet ? "-q" : NULL, NULL};
    int argc = quiet ? 12 : 11;
    return cmd_analyze(argc, argv);
}

int cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {{"sample", required_argument, 0, 's'},
                                             {"out", required_argument, 0, 'o'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    const char *sample = NULL, *out = "out/demo";
    int quiet = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
        if (opt == 's')
            sample = optarg;
        else if (opt == 'o')
            out = optarg;
        else if (opt == 'q')
            quiet = 1;
        else if (opt == 'h') {
            fputs(usage, stdout);
            return EXIT_OK;
        } else {
            fprintf(stderr, "Try 'chorus demo --help'.\n");
            return EXIT_INPUT;
        }
    }
    if (optind < argc) {
        cli_error("demo: unexpected argument \"%s\" (try 'chorus demo --help')", argv[optind]);
        return EXIT_INPUT;
    }
    char buf[PATH_MAX];
    const char *s = find_sample(sample, buf, sizeof buf);
    if (!is_sample(s)) {
        cli_error("demo: no sample in %s (give --sample DIR)", s);
        return EXIT_INPUT;
    }
    return run_analyze(s, out, quiet);
}
