/*
 * main.c - the chorus program: dispatches `chorus <command> [options]` to
 * one file per subcommand, and answers --help and --version.
 */
#include "cli.h"
#include "processes.h"

#include <string.h>

static const char usage[] =
    "usage: chorus <command> [options]\n"
    "\n"
    "chorus finds coordinated behaviour in social-media and news data and\n"
    "reports the evidence: who acted in concert, on what, and when.\n"
    "\n"
    "Commands:\n"
    "  analyze   the main job: ingest, then every analysis, the database and\n"
    "            the HTML report in one output folder\n"
    "  coord     the coordination network: account pairs that acted on the\n"
    "            same objects within a time window (edges.csv)\n"
    "  dedup     near-duplicate text clusters (copy-pasta, edited copies)\n"
    "  demo      the main job on the bundled sample (analyze, all stages)\n"
    "  eval      score a coordination run against ground truth\n"
    "  ingest    read inputs, report problems and a summary, optionally --db\n"
    "  match     match posts and articles against a catalogue of narratives\n"
    "  report    rewrite report.html from an output folder's chorus.db\n"
    "  simulate  write synthetic data with ground truth (planted campaigns,\n"
    "            benign coordinated groups, laundered articles)\n"
    "  trace     provenance of reused text: earliest witness, spread, and\n"
    "            laundering from exposed accounts into outlets\n"
    "\n"
    "Run 'chorus <command> --help' for a command's options. Across processes\n"
    "or machines, 'mpirun -np N chorus-mpi coord|match|analyze ...' (make mpi)\n"
    "shares the work and writes what one process writes (docs/coordination.md).\n"
    "  -h, --help      this help\n"
    "  -V, --version   print the version\n"
    "\n"
    "Exit status: 0 success, 1 bad input or usage, 2 internal error.\n";

static const struct {
    const char *name;
    int (*run)(int, char **);
} commands[] = {
    {"analyze", cmd_analyze},
    {"coord", cmd_coord},
    {"dedup", cmd_dedup},
    {"demo", cmd_demo},
    {"eval", cmd_eval},
    {"ingest", cmd_ingest},
    {"match", cmd_match},
    {"report", cmd_report},
    {"simulate", cmd_simulate},
    {"trace", cmd_trace},
};

/* Runs the command argv[1]. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INPUT;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("chorus %s\n", CHORUS_VERSION);
        return EXIT_OK;
    }
    if (cli_mpi_ranks() > 1 && strcmp(argv[1], "coord") != 0 && strcmp(argv[1], "match") != 0 &&
        strcmp(argv[1], "analyze") != 0) {
        if (cli_mpi_rank() == 0)
            cli_error("%s runs in one process; across processes (mpirun) only coord, match and "
                      "analyze's coordination and matching stages run", argv[1]);
        return EXIT_INPUT;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command \"%s\" (try 'chorus --help')", argv[1]);
    return EXIT_INPUT;
}

int main(int argc, char **argv)
{
    if (cli_mpi_start(&argc, &argv) != 0) {
        cli_error("MPI did not start");
        return EXIT_INTERNAL;
    }
    if (cli_mpi_rank() != 0 && !freopen("/dev/null", "w", stdout))
        return EXIT_INTERNAL; /* help and version once, from process 0 */
    int code = dispatch(argc, argv);
    cli_mpi_end(code);
    return code;
}
