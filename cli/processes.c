/*
 * processes.c - the processes of chorus under mpirun (see processes.h): start and
 * end, agreement on failure, gathers and chunked sends. Without
 * CHORUS_MPI the same calls serve one process, so the commands keep one
 * code path.
 */
#include "processes.h"

#include <stdlib.h>
#include <string.h>

#ifdef CHORUS_MPI
#include <mpi.h>
#endif

/* Set once at start, before any thread: which process this is, of how many. */
static unsigned mpi_rank = 0, mpi_ranks = 1;

unsigned cli_mpi_rank(void) { return mpi_rank; }
unsigned cli_mpi_ranks(void) { return mpi_ranks; }

#ifndef CHORUS_MPI

int cli_mpi_start(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

void cli_mpi_end(int code) { (void)code; }

chorus_rc cli_mpi_agree(chorus_rc rc) { return rc; }

chorus_rc cli_mpi_gather_all(const uint64_t *mine, size_t n, uint64_t **all)
{
    if (!(*all = malloc((n ? n : 1) * sizeof **all)))
        return CHORUS_ENOMEM;
    memcpy(*all, mine, n * sizeof **all);
    return CHORUS_OK;
}

chorus_rc cli_mpi_bcast(void *p, size_t n)
{
    (void)p, (void)n;
    return CHORUS_OK;
}

chorus_rc cli_mpi_send(const void *p, size_t n, unsigned to)
{
    (void)p, (void)n, (void)to;
    return CHORUS_EIO;
}

chorus_rc cli_mpi_recv(void *p, size_t n, unsigned from)
{
    (void)p, (void)n, (void)from;
    return CHORUS_EIO;
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
    /* the commands agree on every failure of input, options or files, so
     * all processes end together; an internal failure (memory) may have
     * left the others waiting on this one */
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

chorus_rc cli_mpi_gather_all(const uint64_t *mine, size_t n, uint64_t **all)
{
    *all = mpi_rank == 0 ? malloc((size_t)mpi_ranks * (n ? n : 1) * sizeof **all) : NULL;
    chorus_rc rc = cli_mpi_agree(mpi_rank == 0 && !*all ? CHORUS_ENOMEM : CHORUS_OK);
    if (!rc && MPI_Gather(mine, (int)n, MPI_UINT64_T, *all, (int)n, MPI_UINT64_T, 0,
                          MPI_COMM_WORLD) != MPI_SUCCESS)
        rc = CHORUS_EIO;
    if (rc) {
        free(*all);
        *all = NULL;
    }
    return rc;
}

chorus_rc cli_mpi_bcast(void *p, size_t n)
{
    for (size_t off = 0; off < n; off += chunk) {
        int len = (int)(n - off < chunk ? n - off : chunk);
        if (MPI_Bcast((char *)p + off, len, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
            return CHORUS_EIO;
    }
    return CHORUS_OK;
}

chorus_rc cli_mpi_send(const void *p, size_t n, unsigned to)
{
    for (size_t off = 0; off < n; off += chunk) {
        int len = (int)(n - off < chunk ? n - off : chunk);
        if (MPI_Send((const char *)p + off, len, MPI_BYTE, (int)to, TAG, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return CHORUS_EIO;
    }
    return CHORUS_OK;
}

chorus_rc cli_mpi_recv(void *p, size_t n, unsigned from)
{
    for (size_t off = 0; off < n; off += chunk) {
        int len = (int)(n - off < chunk ? n - off : chunk);
        if (MPI_Recv((char *)p + off, len, MPI_BYTE, (int)from, TAG, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return CHORUS_EIO;
    }
    return CHORUS_OK;
}

#endif
