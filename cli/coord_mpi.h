/*
 * coord_mpi.h - `chorus coord` (and analyze's coordination stage) across
 * processes (processes.h). Every process reads the whole input and builds the
 * same actions; each computes and tests only the account pairs of its
 * shard; one false discovery threshold is taken over every process's
 * p-values; process 0 merges the shards and writes everything, identical
 * to a run on one process.
 */
#ifndef CHORUS_COORD_MPI_H
#define CHORUS_COORD_MPI_H

#include "processes.h"

#include <chorus/coord.h>

/* The Benjamini-Hochberg threshold at q over the p-values of every
 * process's pairs cp (each its shard's), and how many pairs were tested
 * in all; the same on every process. Collective. */
chorus_rc cli_mpi_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q, double *threshold,
                            size_t *tested);

/* Moves every process's pairs to process 0, which replaces its cp by the
 * merge of all (chorus_copairs_merge); the others' cp are freed and left
 * empty. cp was allocated with ctx. Collective. */
chorus_rc cli_mpi_gather(chorus_ctx *ctx, chorus_copairs *cp);

#endif
