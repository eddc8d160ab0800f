/*
 * coord_mpi.c - the processes of a distributed `chorus coord` (see
 * coord_mpi.h): who this process is, agreement on failure, the common
 * false discovery threshold and the move of every shard's pairs to
 * process 0. Only the main thread calls MPI. Without CHORUS_MPI the same
 * calls serve one process, so coord has one code path.
 */
#include "coord_mpi.h"

#include <stdlib.h>
#include <string.h>

#ifdef CHORUS_MPI
#include <mpi.h>
#endif

/* Set once at start, before any thread: which process this is, of how many. */
static unsigned mpi_rank = 0, mpi_ranks = 1;

unsigned cli_mpi_rank(void) { return mpi_rank; }
unsigned cli_mpi_ranks(void) { return mpi_ranks; }

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

#ifndef CHORUS_MPI

int cli_mpi_start(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

void cli_mpi_end(int code) { (void)code; }

chorus_rc cli_mpi_agree(chorus_rc rc) { return rc; }

chorus_rc cli_mpi_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q, double *threshold,
                            size_t *tested)
{
    return local_threshold(ctx, cp, q, threshold, tested);
}

chorus_rc cli_mpi_gather(chorus_ctx *ctx, chorus_copairs *cp)
{
    (void)ctx, (void)cp;
    return CHORUS_OK;
}

#else

#define TAG 7

/* Bytes per message (MPI counts are ints): 1 GiB, or CHORUS_MPI_CHUNK_BYTES
 * (tests make it small, so that the pieces are exercised). Set at start. */
static size_t chunk = (size_t)1 << 30;

int cli_mpi_start(int *argc, char ***argv)
{
    int provided, r, n;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    MPI_Comm_size(MPI_COMM_WORLD, &n);
    mpi_rank = (unsigned)r;
    mpi_ranks = (unsigned)n;
    const char *c = getenv("CHORUS_MPI_CHUNK_BYTES");
    unsigned long long want = c ? strtoull(c, NULL, 10) : 0;
    if (want > 0 && want <= chunk)
        chunk = (size_t)want;
    return 0;
}

void cli_mpi_end(int code)
{
    /* coord agrees on every failure of input, options or files, so all
     * processes end together; an internal failure (memory) may have left
     * the others waiting on this one */
    if (code > 1 && mpi_ranks > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
    MPI_Finalize();
}

chorus_rc cli_mpi_agree(chorus_rc rc)
{
    int mine = (int)rc, worst = mine;
    if (mpi_ranks > 1)
        MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return (chorus_rc)worst;
}

static int send_bytes(const void *p, size_t n, int to)
{
    for (size_t off = 0; off < n; off += chunk) {
        int len = (int)(n - off < chunk ? n - off : chunk);
        if (MPI_Send((const char *)p + off, len, MPI_BYTE, to, TAG, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

static int recv_bytes(void *p, size_t n, int from)
{
    for (size_t off = 0; off < n; off += chunk) {
        int len = (int)(n - off < chunk ? n - off : chunk);
        if (MPI_Recv((char *)p + off, len, MPI_BYTE, from, TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

/* Every process's count to process 0 (counts: mpi_ranks entries there). */
static void gather_u64(uint64_t mine, uint64_t *counts)
{
    MPI_Gather(&mine, 1, MPI_UINT64_T, counts, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
}

/* Process 0's p-values of every process, sorted out by chorus_fdr_threshold. */
static chorus_rc root_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q,
                                const uint64_t *counts, double *threshold, size_t *tested)
{
    size_t total = 0;
    for (unsigned k = 0; k < mpi_ranks; k++)
        total += counts[k];
    double *p = malloc((total ? total : 1) * sizeof *p);
    chorus_rc rc = cli_mpi_agree(p ? CHORUS_OK : CHORUS_ENOMEM);
    for (size_t i = 0; !rc && i < cp->n; i++)
        p[i] = cp->pairs[i].p_value;
    size_t off = cp->n;
    for (unsigned k = 1; !rc && k < mpi_ranks; off += counts[k++])
        if (recv_bytes(p + off, counts[k] * sizeof *p, (int)k))
            rc = CHORUS_EIO;
    *threshold = rc ? 0.0 : chorus_fdr_threshold(ctx, p, total, q);
    *tested = total;
    free(p);
    return rc;
}

chorus_rc cli_mpi_threshold(chorus_ctx *ctx, const chorus_copairs *cp, double q, double *threshold,
                            size_t *tested)
{
    if (mpi_ranks < 2)
        return local_threshold(ctx, cp, q, threshold, tested);
    *threshold = 0.0;
    *tested = 0;
    uint64_t *counts = mpi_rank == 0 ? calloc(mpi_ranks, sizeof *counts) : NULL;
    double *mine = mpi_rank == 0 ? NULL : p_values(cp);
    chorus_rc rc = cli_mpi_agree(mpi_rank == 0 ? (counts ? CHORUS_OK : CHORUS_ENOMEM)
                                               : (mine ? CHORUS_OK : CHORUS_ENOMEM));
    if (!rc)
        gather_u64(cp->n, counts);
    if (!rc && mpi_rank == 0)
        rc = root_threshold(ctx, cp, q, counts, threshold, tested);
    else if (!rc && !(rc = cli_mpi_agree(CHORUS_OK)) && send_bytes(mine, cp->n * sizeof *mine, 0))
        rc = CHORUS_EIO;
    uint64_t all = *tested;
    if (!rc && (MPI_Bcast(threshold, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD) != MPI_SUCCESS ||
                MPI_Bcast(&all, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS))
        rc = CHORUS_EIO;
    *tested = (size_t)all;
    free(counts);
    free(mine);
    return rc;
}

enum { H_N, H_EVIDENCE, H_HAS_EVIDENCE, H_COACTIONS, H_PAIRS_SEEN, H_DROPPED, H_FIELDS };

/* Room on process 0 for every other process's pairs (their headers in h). */
static chorus_copairs *parts_alloc(const chorus_copairs *cp, const uint64_t *h)
{
    chorus_copairs *parts = calloc(mpi_ranks, sizeof *parts);
    if (!parts)
        return NULL;
    parts[0] = *cp;
    for (unsigned k = 1; k < mpi_ranks; k++) {
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
    for (unsigned k = 1; parts && k < mpi_ranks; k++)
        free(parts[k].pairs), free(parts[k].evidence);
    free(parts);
}

/* Process 0: receives the other processes' pairs and merges them with its own. */
static chorus_rc root_gather(chorus_ctx *ctx, chorus_copairs *cp, const uint64_t *h)
{
    chorus_copairs *parts = parts_alloc(cp, h);
    int ok = parts != NULL;
    for (unsigned k = 1; ok && k < mpi_ranks; k++)
        ok = parts[k].pairs && (parts[k].evidence || !h[(size_t)k * H_FIELDS + H_HAS_EVIDENCE]);
    chorus_rc rc = cli_mpi_agree(ok ? CHORUS_OK : CHORUS_ENOMEM);
    for (unsigned k = 1; !rc && k < mpi_ranks; k++) {
        chorus_copairs *p = &parts[k];
        if (recv_bytes(p->pairs, p->n * sizeof *p->pairs, (int)k) ||
            (p->evidence && recv_bytes(p->evidence, p->n_evidence * sizeof *p->evidence, (int)k)))
            rc = CHORUS_EIO;
    }
    chorus_copairs merged;
    if (!rc && !(rc = chorus_copairs_merge(ctx, parts, mpi_ranks, &merged))) {
        chorus_copairs_free(ctx, cp);
        *cp = merged;
    }
    parts_free(parts);
    return rc;
}

chorus_rc cli_mpi_gather(chorus_ctx *ctx, chorus_copairs *cp)
{
    if (mpi_ranks < 2)
        return CHORUS_OK;
    uint64_t mine[H_FIELDS] = {cp->n, cp->n_evidence, cp->evidence != NULL, cp->coactions_seen,
                               cp->pairs_seen, cp->evidence_dropped};
    uint64_t *h = mpi_rank == 0 ? malloc((size_t)mpi_ranks * H_FIELDS * sizeof *h) : NULL;
    chorus_rc rc = cli_mpi_agree(mpi_rank == 0 && !h ? CHORUS_ENOMEM : CHORUS_OK);
    if (!rc && MPI_Gather(mine, H_FIELDS, MPI_UINT64_T, h, H_FIELDS, MPI_UINT64_T, 0,
                          MPI_COMM_WORLD) != MPI_SUCCESS)
        rc = CHORUS_EIO;
    if (!rc && mpi_rank == 0)
        rc = root_gather(ctx, cp, h);
    else if (!rc && !(rc = cli_mpi_agree(CHORUS_OK))) {
        if (send_bytes(cp->pairs, cp->n * sizeof *cp->pairs, 0) ||
            (cp->evidence && send_bytes(cp->evidence, cp->n_evidence * sizeof *cp->evidence, 0)))
            rc = CHORUS_EIO;
        chorus_copairs_free(ctx, cp);
    }
    free(h);
    return rc;
}

#endif
