/*
 * coord_mpi.c - `chorus coord` across processes (see coord_mpi.h): the
 * common false discovery threshold over every shard's p-values and the
 * move of every shard's pairs to process 0, through the primitives of
 * processes.h (with one process, nothing is sent).
 */
#include "coord_mpi.h"

#include <stdlib.h>
#include <string.h>

/* The p-values of cp's pairs, in a new array for free() (NULL: no memory). */
static double *p_values(const chorus_copairs *cp)
{
    double *p = malloc((cp->n ? cp->n : 1) * sizeof *p);
    for (size_t i = 0; p && i < cp->n; i++)
        p[i] = cp->pairs[i].p_value;
    return p;
}

/* The threshold over this process's pairs alone (one process: any thread). */
static chorus_rc local_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q,
                                 double *threshold, size_t *tested)
{
    double *p = p_values(cp);
    if (!p)
        return CHORUS_ENOMEM;
    *threshold = chorus_fdr_threshold(ctx, p, cp->n, q);
    *tested = cp->n;
    free(p);
    return CHORUS_OK;
}

/* Process 0's p-values of every process, sorted out by chorus_fdr_threshold. */
static chorus_rc root_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q,
                                const uint64_t *counts, double *threshold, size_t *tested)
{
    size_t total = 0;
    for (unsigned k = 0; k < cli_mpi_ranks(); k++)
        total += counts[k];
    double *p = malloc((total ? total : 1) * sizeof *p);
    chorus_rc rc = cli_mpi_agree(p ? CHORUS_OK : CHORUS_ENOMEM);
    for (size_t i = 0; !rc && i < cp->n; i++)
        p[i] = cp->pairs[i].p_value;
    size_t off = cp->n;
    for (unsigned k = 1; !rc && k < cli_mpi_ranks(); off += counts[k++])
        rc = cli_mpi_recv(p + off, counts[k] * sizeof *p, k);
    *threshold = rc ? 0.0 : chorus_fdr_threshold(ctx, p, total, q);
    *tested = total;
    free(p);
    return rc;
}

chorus_rc cli_mpi_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q, double *threshold,
                            size_t *tested)
{
    if (cli_mpi_ranks() < 2)
        return local_threshold(ctx, cp, q, threshold, tested);
    int root = cli_mpi_rank() == 0;
    *threshold = 0.0;
    *tested = 0;
    double *mine = root ? NULL : p_values(cp);
    chorus_rc rc = cli_mpi_agree(root || mine ? CHORUS_OK : CHORUS_ENOMEM);
    uint64_t n = cp->n, all = 0, *counts = NULL;
    if (!rc)
        rc = cli_mpi_gather_all(&n, 1, &counts);
    if (!rc && root)
        rc = root_threshold(ctx, cp, q, counts, threshold, tested);
    else if (!rc && !(rc = cli_mpi_agree(CHORUS_OK)))
        rc = cli_mpi_send(mine, cp->n * sizeof *mine, 0);
    all = *tested;
    if (!rc && !(rc = cli_mpi_bcast(threshold, sizeof *threshold)))
        rc = cli_mpi_bcast(&all, sizeof all);
    *tested = (size_t)all;
    free(counts);
    free(mine);
    return rc;
}

enum { H_N, H_EVIDENCE, H_HAS_EVIDENCE, H_COACTIONS, H_PAIRS_SEEN, H_DROPPED, H_FIELDS };

/* Room on process 0 for every other process's pairs (their headers in h). */
static chorus_copairs *parts_alloc(const chorus_copairs *cp, const uint64_t *h)
{
    chorus_copairs *parts = calloc(cli_mpi_ranks(), sizeof *parts);
    if (!parts)
        return NULL;
    parts[0] = *cp;
    for (unsigned k = 1; k < cli_mpi_ranks(); k++) {
        const uint64_t *x = h + (size_t)k * H_FIELDS;
        chorus_copairs *p = &parts[k];
        p->n = x[H_N], p->n_evidence = x[H_EVIDENCE];
        p->coactions_seen = x[H_COACTIONS], p->pairs_seen = x[H_PAIRS_SEEN];
        p->evidence_dropped = x[H_DROPPED];
        p->pairs = malloc((p->n ? p->n : 1) * sizeof *p->pairs);
        p->evidence = x[H_HAS_EVIDENCE] ? malloc((p->n_evidence ? p->n_evidence : 1) *
                                                 sizeof *p->evidence) : NULL;
    }
    return parts;
}

static void parts_free(chorus_copairs *parts)
{
    for (unsigned k = 1; parts && k < cli_mpi_ranks(); k++)
        free(parts[k].pairs), free(parts[k].evidence);
    free(parts);
}

/* Process 0: receives the other processes' pairs and merges them with its own. */
static chorus_rc root_gather(chorus_ctx *ctx, chorus_copairs *cp, const uint64_t *h)
{
    chorus_copairs *parts = parts_alloc(cp, h);
    int ok = parts != NULL;
    for (unsigned k = 1; ok && k < cli_mpi_ranks(); k++)
        ok = parts[k].pairs && (parts[k].evidence || !h[(size_t)k * H_FIELDS + H_HAS_EVIDENCE]);
    chorus_rc rc = cli_mpi_agree(ok ? CHORUS_OK : CHORUS_ENOMEM);
    for (unsigned k = 1; !rc && k < cli_mpi_ranks(); k++) {
        chorus_copairs *p = &parts[k];
        rc = cli_mpi_recv(p->pairs, p->n * sizeof *p->pairs, k);
        if (!rc && p->evidence)
            rc = cli_mpi_recv(p->evidence, p->n_evidence * sizeof *p->evidence, k);
    }
    chorus_copairs merged;
    if (!rc && !(rc = chorus_copairs_merge(ctx, parts, cli_mpi_ranks(), &merged))) {
        chorus_copairs_free(ctx, cp);
        *cp = merged;
    }
    parts_free(parts);
    return rc;
}

chorus_rc cli_mpi_gather(chorus_ctx *ctx, chorus_copairs *cp)
{
    if (cli_mpi_ranks() < 2)
        return CHORUS_OK;
    int root = cli_mpi_rank() == 0;
    uint64_t mine[H_FIELDS] = {cp->n, cp->n_evidence, cp->evidence != NULL, cp->coactions_seen,
                               cp->pairs_seen, cp->evidence_dropped};
    uint64_t *h = NULL;
    chorus_rc rc = cli_mpi_gather_all(mine, H_FIELDS, &h);
    if (!rc && root)
        rc = root_gather(ctx, cp, h);
    else if (!rc && !(rc = cli_mpi_agree(CHORUS_OK))) {
        rc = cli_mpi_send(cp->pairs, cp->n * sizeof *cp->pairs, 0);
        if (!rc && cp->evidence)
            rc = cli_mpi_send(cp->evidence, cp->n_evidence * sizeof *cp->evidence, 0);
        chorus_copairs_free(ctx, cp);
    }
    free(h);
    return rc;
}
