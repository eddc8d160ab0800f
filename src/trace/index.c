/*
 * index.c - the anchor index: (hash, value) pairs gathered while texts are
 * read, then radix-sorted and given an open-addressing table over the
 * distinct hashes, so a lookup costs one or two cache misses. A hash
 * shared by too many values (its document frequency) stays known but
 * unused: frequent text is no evidence of reuse.
 */
#include "trace/trace_impl.h"

#include "core/radix_sort.h"

#include <string.h>

chorus_rc tr_index_add(chorus_ctx *ctx, tr_index *ix, uint64_t key, uint32_t val)
{
    if (ch_grow(ctx, (void **)&ix->keys, &ix->cap, ix->n + 1, sizeof *ix->keys) ||
        ch_grow(ctx, (void **)&ix->vals, &ix->cap_vals, ix->n + 1, sizeof *ix->vals))
        return CHORUS_ENOMEM;
    ix->keys[ix->n] = key;
    ix->vals[ix->n++] = val;
    return CHORUS_OK;
}

static size_t slot_of(const tr_index *ix, uint64_t key)
{
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 20) & ix->mask;
    while (ix->slot_count[i] != UINT32_MAX && ix->slot_key[i] != key)
        i = (i + 1) & ix->mask;
    return i;
}

/* Sorts by key then value, and drops repeated pairs. */
static chorus_rc sort_unique(chorus_ctx *ctx, tr_index *ix)
{
    chorus_rc rc = ch_radix_sort_u64(ctx, ix->keys, ix->vals, ix->n);
    if (rc)
        return rc;
    size_t m = 0;
    for (size_t i = 0; i < ix->n; i++) {
        if (m && ix->keys[m - 1] == ix->keys[i] && ix->vals[m - 1] == ix->vals[i])
            continue;
        ix->keys[m] = ix->keys[i], ix->vals[m++] = ix->vals[i];
    }
    ix->n = m;
    return CHORUS_OK;
}

/* Document frequency of the run vals[i..j): the values, or with group_of
 * the distinct groups among them (stamp: one zeroed entry per group). */
static uint32_t run_df(const tr_index *ix, size_t i, size_t j, const uint32_t *group_of,
                       uint32_t *stamp, uint32_t run)
{
    if (!group_of)
        return (uint32_t)(j - i);
    uint32_t df = 0;
    for (size_t k = i; k < j; k++) {
        uint32_t g = group_of[ix->vals[k]];
        if (stamp[g] != run)
            stamp[g] = run, df++;
    }
    return df;
}

chorus_rc tr_index_build(chorus_ctx *ctx, tr_index *ix, uint32_t max_df, const uint32_t *group_of,
                         uint32_t *stamp)
{
    chorus_rc rc = sort_unique(ctx, ix);
    if (rc)
        return rc;
    size_t distinct = 0;
    for (size_t i = 0; i < ix->n; i++)
        distinct += i == 0 || ix->keys[i] != ix->keys[i - 1];
    size_t size = 64;
    while (size < 2 * distinct)
        size *= 2;
    ix->mask = size - 1;
    ix->slot_key = ch_alloc(ctx, size * sizeof *ix->slot_key);
    ix->slot_start = ch_alloc(ctx, size * sizeof *ix->slot_start);
    ix->slot_count = ch_alloc(ctx, size * sizeof *ix->slot_count);
    if (!ix->slot_key || !ix->slot_start || !ix->slot_count)
        return ch_nomem(ctx);
    memset(ix->slot_count, 0xFF, size * sizeof *ix->slot_count);
    uint32_t run = 0;
    for (size_t i = 0; i < ix->n;) {
        size_t j = i;
        while (j < ix->n && ix->keys[j] == ix->keys[i])
            j++;
        size_t s = slot_of(ix, ix->keys[i]);
        uint32_t df = run_df(ix, i, j, group_of, stamp, ++run);
        ix->slot_key[s] = ix->keys[i];
        ix->slot_start[s] = (uint32_t)i;
        ix->slot_count[s] = (uint32_t)(j - i) | (df > max_df ? 0x80000000u : 0);
        i = j;
    }
    return CHORUS_OK;
}

const uint32_t *tr_index_find(const tr_index *ix, uint64_t key, uint32_t *count, uint32_t *raw)
{
    *count = 0;
    if (raw)
        *raw = 0;
    if (!ix->slot_count)
        return NULL;
    size_t s = slot_of(ix, key);
    uint32_t c = ix->slot_count[s];
    if (c == UINT32_MAX)
        return NULL;
    if (raw)
        *raw = c & 0x7FFFFFFFu;
    if (c & 0x80000000u)
        return NULL;
    *count = c;
    return ix->vals + ix->slot_start[s];
}

void tr_index_free(chorus_ctx *ctx, tr_index *ix)
{
    ch_free(ctx, ix->keys, ix->cap * sizeof *ix->keys);
    ch_free(ctx, ix->vals, ix->cap_vals * sizeof *ix->vals);
    size_t size = ix->mask ? ix->mask + 1 : 0;
    ch_free(ctx, ix->slot_key, size * sizeof *ix->slot_key);
    ch_free(ctx, ix->slot_start, size * sizeof *ix->slot_start);
    ch_free(ctx, ix->slot_count, size * sizeof *ix->slot_count);
    memset(ix, 0, sizeof *ix);
}

const uint32_t *tr_index_find_all(const tr_index *ix, uint64_t key, uint32_t *count)
{
    uint32_t raw;
    const uint32_t *v = tr_index_find(ix, key, count, &raw);
    if (v || raw == 0)
        return v;
    size_t slot = slot_of(ix, key);
    *count = raw;
    return ix->vals + ix->slot_start[slot];
}
