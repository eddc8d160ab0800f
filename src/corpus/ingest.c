/*
 * ingest.c - chorus_ingest: opens one input (plain, gz, zst, zip, stdin),
 * hands each member to the reader for its format, and lands the rows in
 * the corpus through the sink callbacks: on this thread, or with the
 * reading and parsing on a second one (io/relay.c), with the same
 * results. Problems are counted in the caller's stats; a fatal one stops
 * the call with file and line named.
 */
#include "corpus_impl.h"
#include "io/relay.h"

#include <string.h>

chorus_rc ch_corpus_add_file(chorus_corpus *c, const char *path, uint32_t *index)
{
    if (c->nfiles >= UINT16_MAX)
        return ch_error(c->ctx, CHORUS_ELIMIT, "more than %d input files", UINT16_MAX);
    if (ch_grow(c->ctx, (void **)&c->files, &c->fcap, c->nfiles + 1, sizeof *c->files))
        return CHORUS_ENOMEM;
    size_t n = strlen(path);
    char *copy = ch_alloc(c->ctx, n + 1);
    if (!copy)
        return ch_nomem(c->ctx);
    memcpy(copy, path, n + 1);
    *index = (uint32_t)c->nfiles;
    c->files[c->nfiles++] = copy;
    return CHORUS_OK;
}

/* A member's object columns are its own: they are named again by its header. */
static chorus_rc start_member(void *ud)
{
    chorus_corpus *c = ud;
    for (uint32_t k = 0; k < CH_MAX_OBJECT_COLUMNS; k++)
        c->cur_obj_map[k] = CH_NONE;
    return CHORUS_OK;
}

chorus_rc chorus_ingest(chorus_corpus *c, const char *path, const chorus_ingest_opts *opts,
                        chorus_ingest_stats *stats)
{
    chorus_ingest_stats local;
    static const chorus_ingest_opts defaults = {CHORUS_FMT_AUTO, NULL, 0, 0};
    if (!stats) {
        memset(&local, 0, sizeof local);
        stats = &local;
    }
    if (!opts)
        opts = &defaults;
    if (opts->format == CHORUS_FMT_CSV_MAP && !opts->map)
        return ch_error(c->ctx, CHORUS_EUSAGE, "the mapped CSV format needs a column map");
    uint32_t file;
    chorus_rc rc = ch_corpus_add_file(c, path, &file);
    if (rc)
        return rc;
    ch_source *src;
    if ((rc = ch_source_open(c->ctx, path, &src)))
        return rc;
    ch_sink sink = {c, ch_corpus_add_post, ch_corpus_add_account, ch_corpus_object_columns};
    ch_reader r = {c->ctx, src, path, NULL, opts, &sink, stats};
    c->stats = stats;
    stats->files++;
    static const ch_source_hooks hooks = {start_member, ch_corpus_prefetch};
    rc = chorus_ingest_threads(c->ctx) > 1 ? ch_read_source_relayed(&r, &hooks)
                                           : ch_read_source(&r, &hooks);
    stats->bytes += ch_source_bytes_in(src);
    ch_progress(c->ctx, "ingest", ch_source_bytes_in(src), ch_source_size(src), stats->rows_read);
    ch_source_close(src);
    c->stats = NULL;
    return rc;
}
