/*
 * processes.h - chorus across processes (MPI): who this process is, agreement
 * on failure, and moving bytes to process 0. Every process reads the
 * whole input; a command shares out its work by shards and process 0
 * writes what one process would have written. Only the main thread calls
 * these. Built with CHORUS_MPI (`make mpi`: build/chorus-mpi); without
 * it there is one process and nothing is ever sent.
 */
#ifndef CHORUS_CLI_PROCESSES_H
#define CHORUS_CLI_PROCESSES_H

#include <chorus/chorus.h>
#include <stddef.h>
#include <stdint.h>

/* Starts MPI (main thread only calls it afterwards). -1 when it cannot. */
int cli_mpi_start(int *argc, char ***argv);

/* Ends MPI with the program's exit code; an internal failure (code 2),
 * after which other processes may wait on this one, aborts the run. */
void cli_mpi_end(int code);

/* This process's number, and how many processes run (1 without MPI). */
unsigned cli_mpi_rank(void);
unsigned cli_mpi_ranks(void);

/* The worst rc over all processes (every process must call it). */
chorus_rc cli_mpi_agree(chorus_rc rc);

/* Every process's n values to process 0: there *all is a new array of
 * cli_mpi_ranks() x n values, process k's at k x n, for free(); NULL
 * elsewhere. Collective; a failure anywhere (no memory: CHORUS_ENOMEM;
 * MPI: CHORUS_EIO) is every process's. */
chorus_rc cli_mpi_gather_all(const uint64_t *mine, size_t n, uint64_t **all);

/* Process 0's n bytes at p to every process. Collective. */
chorus_rc cli_mpi_bcast(void *p, size_t n);

/* n bytes to process `to`, or from process `from` (in pieces, as MPI
 * counts are ints). CHORUS_EIO when MPI fails. */
chorus_rc cli_mpi_send(const void *p, size_t n, unsigned to);
chorus_rc cli_mpi_recv(void *p, size_t n, unsigned from);

#endif
