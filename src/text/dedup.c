/*
 * dedup.c - near-duplicate texts, linking: LSH banding (a radix sort of
 * the distinct texts' band hashes, band by band) yields buckets; single
 * linkage verifies each member against a few anchors (never all pairs)
 * and joins by union-find (center linkage is in dedup_center.c); and
 * chorus_dedup_run, which drives the stages.
 */
#include "text/dedup_impl.h"

#include "core/radix_sort.h"

#include <string.h>

/* Anchors per LSH bucket: a bucket can mix a few groups of texts (sharing
 * a band by chance or by a common part), each of which should link; a
 * member is compared with at most this many, so a bucket stays linear. */
#define ANCHORS 4

void ch_dd_account(ch_dd_run *r, int64_t bytes)
{
    r->memory = (uint64_t)((int64_t)r->memory + bytes);
    if (r->memory > r->d->stats.memory)
        r->d->stats.memory = r->memory;
}

uint32_t ch_dd_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Appends a verified pair to the result (keep_pairs). */
static chorus_rc keep_pair(ch_dd_run *r, uint32_t a, uint32_t b, double j, double c)
{
    chorus_dedup *d = r->d;
    if (ch_grow(r->ctx, (void **)&d->pairs, &r->priv->pairs_cap, d->n_pairs + 1, sizeof *d->pairs))
        return CHORUS_ENOMEM;
    d->pairs[d->n_pairs++] = (chorus_dedup_pair){r->t.first[a], r->t.first[b], (float)j, (float)c};
    return CHORUS_OK;
}

/* Joins the clusters of texts a and x. */
static void join(ch_dd_run *r, uint32_t a, uint32_t x)
{
    uint32_t ra = ch_dd_find(r->parent, a), rx = ch_dd_find(r->parent, x);
    if (ra < rx) /* the root is the text seen first: deterministic */
        r->parent[rx] = ra;
    else
        r->parent[ra] = rx;
}

/* Shingles of text x again, by words, from the corpus, into s. */
static chorus_rc word_set(ch_dd_run *r, uint32_t x, ch_shingles *s)
{
    r->d->stats.sets_made++;
    chorus_rc rc = ch_dd_match_form(r, r->t.first[x]);
    if (!rc && !(rc = ch_shingles_of(s, r->buf.text, r->buf.len, 1)))
        rc = ch_shingles_pack(s);
    return rc;
}

/* The least shared shingles with which sets of na and nb values could
 * pass the run's thresholds, rounded down (a bound: the verdict itself is
 * taken on the exact ratios). */
static size_t need_common(const ch_dd_run *r, size_t na, size_t nb)
{
    double small = (double)(na < nb ? na : nb);
    double by_jaccard = r->o.threshold * (double)(na + nb) / (1 + r->o.threshold);
    double by_containment = r->o.containment * small;
    double need = by_jaccard < by_containment ? by_jaccard : by_containment;
    return need > 1 ? (size_t)need - 1 : 0;
}

/* Jaccard and containment of two packed sets; with quick, the merge may
 * stop once the pair cannot pass (both then under the thresholds). */
static void similarity(const ch_dd_run *r, const uint32_t *a, size_t na, const uint32_t *b,
                       size_t nb, int quick, double *jaccard, double *containment)
{
    *jaccard = *containment = 0;
    if (na == 0 || nb == 0)
        return;
    size_t k = ch_set_common(a, na, b, nb, quick ? need_common(r, na, nb) : 0);
    *jaccard = (double)k / (double)(na + nb - k);
    *containment = (double)k / (double)(na < nb ? na : nb);
}

void ch_dd_compare_kept(const ch_dd_run *r, uint32_t a, uint32_t x, double *jaccard,
                        double *containment)
{
    const ch_dd_texts *t = &r->t;
    similarity(r, t->set[a], t->set_n[a] & ~CH_DD_WORDS, t->set[x], t->set_n[x] & ~CH_DD_WORDS,
               1, jaccard, containment);
}

chorus_rc ch_dd_compare(ch_dd_run *r, uint32_t a, uint32_t x, int quick, double *jaccard,
                        double *containment)
{
    const ch_dd_texts *t = &r->t;
    if (ch_dd_is_words(t, a) == ch_dd_is_words(t, x)) {
        similarity(r, t->set[a], t->set_n[a] & ~CH_DD_WORDS, t->set[x],
                   t->set_n[x] & ~CH_DD_WORDS, quick, jaccard, containment);
        return CHORUS_OK;
    }
    chorus_rc rc = word_set(r, a, &r->sa);
    if (!rc && !(rc = word_set(r, x, &r->sb)))
        similarity(r, r->sa.v, r->sa.vn, r->sb.v, r->sb.vn, quick, jaccard, containment);
    return rc;
}

int ch_dd_passes(const ch_dd_run *r, double jaccard, double containment)
{
    return jaccard >= r->o.threshold || containment >= r->o.containment;
}

chorus_rc ch_dd_record(ch_dd_run *r, uint32_t a, uint32_t x, double j, double c, int *joined)
{
    chorus_dedup_stats *st = &r->d->stats;
    st->verified++;
    *joined = ch_dd_passes(r, j, c);
    if (!*joined)
        return CHORUS_OK;
    st->joined++;
    st->by_containment += j < r->o.threshold;
    return r->o.keep_pairs ? keep_pair(r, a, x, j, c) : CHORUS_OK;
}

chorus_rc ch_dd_judge(ch_dd_run *r, uint32_t a, uint32_t x, int *joined)
{
    double j = 0, c = 0;
    chorus_rc rc = ch_dd_compare(r, a, x, 1, &j, &c);
    return rc ? rc : ch_dd_record(r, a, x, j, c, joined);
}

/* The anchors of one bucket. */
typedef struct bucket {
    uint32_t id[ANCHORS];
    int n;
} bucket;

/* One member of a bucket: linked to the first anchor already in its
 * cluster or verified similar; else it becomes an anchor while there is
 * room. */
static chorus_rc place(ch_dd_run *r, bucket *bk, uint32_t x)
{
    chorus_dedup_stats *st = &r->d->stats;
    for (int k = 0; k < bk->n; k++) {
        st->candidates++;
        if (ch_dd_find(r->parent, bk->id[k]) == ch_dd_find(r->parent, x)) {
            st->linked++;
            return CHORUS_OK;
        }
        int joined = 0;
        chorus_rc rc = ch_dd_judge(r, bk->id[k], x, &joined);
        if (!rc && joined)
            join(r, bk->id[k], x);
        if (rc || joined)
            return rc;
    }
    if (bk->n < ANCHORS)
        bk->id[bk->n++] = x;
    return CHORUS_OK;
}

/* Every bucket of band hashes (sorted keys, texts in vals). */
static chorus_rc link_band(ch_dd_run *r, const uint64_t *keys, const uint32_t *vals, size_t n,
                           bucket *bk)
{
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0, j; i < n && !rc; i = j) {
        for (j = i + 1; j < n && keys[j] == keys[i]; j++)
            ;
        if (j - i < 2)
            continue;
        bk->n = 0;
        for (size_t m = i; m < j && !rc; m++)
            rc = place(r, bk, vals[m]);
    }
    return rc;
}

chorus_rc ch_dd_sort_band(ch_dd_run *r, unsigned b, uint64_t *keys, uint32_t *vals)
{
    size_t n = r->t.n;
    for (size_t x = 0; x < n; x++) {
        keys[x] = r->t.band[b][x];
        vals[x] = (uint32_t)x;
    }
    /* stable, and only the 4 low bytes differ: 4 passes; texts stay in id
     * order within a bucket */
    ch_dd_account(r, (int64_t)n * 12);
    chorus_rc rc = ch_radix_sort_u64(r->ctx, keys, vals, n);
    ch_dd_account(r, -(int64_t)n * 12);
    return rc;
}

static chorus_rc link_bands(ch_dd_run *r, uint64_t *keys, uint32_t *vals, bucket *bk)
{
    size_t n = r->t.n;
    chorus_rc rc = CHORUS_OK;
    for (unsigned b = 0; b < CH_MH_BANDS && !rc; b++) {
        rc = ch_dd_sort_band(r, b, keys, vals);
        if (!rc) /* anchors are the texts seen first */
            rc = link_band(r, keys, vals, n, bk);
        ch_dd_free_band(r, b); /* not needed again */
        if (!rc && ch_progress(r->ctx, "dedup: bands", b + 1, CH_MH_BANDS, b + 1))
            rc = ch_error(r->ctx, CHORUS_EUSAGE, "dedup: interrupted");
    }
    return rc;
}

/* Single linkage: every verified pair joins two clusters. */
static chorus_rc link_single(ch_dd_run *r, uint64_t *keys, uint32_t *vals)
{
    bucket bk;
    memset(&bk, 0, sizeof bk);
    return link_bands(r, keys, vals, &bk);
}

chorus_rc ch_dd_link(ch_dd_run *r)
{
    size_t n = r->t.n;
    r->parent = ch_alloc(r->ctx, (n + 1) * sizeof *r->parent);
    uint64_t *keys = ch_alloc(r->ctx, (n + 1) * sizeof *keys);
    uint32_t *vals = ch_alloc(r->ctx, (n + 1) * sizeof *vals);
    chorus_rc rc = r->parent && keys && vals ? CHORUS_OK : ch_nomem(r->ctx);
    ch_dd_account(r, (int64_t)(n + 1) * 16);
    for (size_t x = 0; !rc && x < n; x++)
        r->parent[x] = (uint32_t)x;
    if (!rc && n >= 2)
        rc = r->o.linkage == CHORUS_DEDUP_SINGLE ? link_single(r, keys, vals)
                                                 : ch_dd_link_center(r, keys, vals);
    ch_free(r->ctx, keys, (n + 1) * sizeof *keys);
    ch_free(r->ctx, vals, (n + 1) * sizeof *vals);
    ch_dd_account(r, -(int64_t)(n + 1) * 12);
    return rc;
}

/* Frees what a run holds (not the result). */
static void run_free(ch_dd_run *r)
{
    ch_free(r->ctx, r->post_text, ((size_t)r->n_posts + 1) * sizeof *r->post_text);
    ch_free(r->ctx, r->parent, (r->t.n + 1) * sizeof *r->parent);
    ch_dd_free_texts(r);
    ch_shingles_free(&r->sa);
    ch_shingles_free(&r->sb);
    chorus_text_buf_free(&r->buf);
    chorus_normalizer_free(r->norm);
    chorus_normalizer_free(r->norm_reply);
}

chorus_rc ch_dd_normalizers(chorus_ctx *ctx, const chorus_dedup_opts *o, chorus_normalizer **norm,
                            chorus_normalizer **norm_reply)
{
    chorus_text_opts to = o->text;
    chorus_rc rc = chorus_normalizer_new(ctx, &to, norm);
    to.strip_lead_mentions = 1;
    return rc ? rc : chorus_normalizer_new(ctx, &to, norm_reply);
}

void chorus_dedup_defaults(chorus_dedup_opts *o, chorus_dedup_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->threshold = kind == CHORUS_DEDUP_ARTICLES ? 0.7 : 0.5;
    o->containment = 0.8;
    o->min_words = CHORUS_TEXT_MIN_WORDS;
    o->long_words = kind == CHORUS_DEDUP_ARTICLES ? 0 : 60;
    o->episode_gap_ms = (int64_t)3 * 3600 * 1000;
    chorus_text_defaults(&o->text);
}

static chorus_rc check_opts(chorus_ctx *ctx, const chorus_dedup_opts *o)
{
    if (!(o->threshold > 0 && o->threshold <= 1))
        return ch_error(ctx, CHORUS_EUSAGE, "dedup: threshold %g is not in (0, 1]", o->threshold);
    if ((unsigned)o->linkage > CHORUS_DEDUP_SINGLE)
        return ch_error(ctx, CHORUS_EUSAGE, "dedup: unknown linkage %d", (int)o->linkage);
    if (!(o->containment > 0))
        return ch_error(ctx, CHORUS_EUSAGE, "dedup: containment %g is not above 0", o->containment);
    if (o->episode_gap_ms < 0)
        return ch_error(ctx, CHORUS_EUSAGE, "dedup: episode gap %lld ms is negative",
                        (long long)o->episode_gap_ms);
    return CHORUS_OK;
}

chorus_rc chorus_dedup_run(chorus_ctx *ctx, const chorus_corpus *c, const chorus_dedup_opts *o,
                           chorus_dedup **out)
{
    *out = NULL;
    ch_dd_run r;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.c = c;
    if (o)
        r.o = *o;
    else
        chorus_dedup_defaults(&r.o, CHORUS_DEDUP_POSTS);
    chorus_rc rc = check_opts(ctx, &r.o);
    if (rc)
        return rc;
    r.n_posts = chorus_corpus_post_count(c);
    ch_shingles_init(&r.sa, ctx);
    ch_shingles_init(&r.sb, ctx);
    chorus_text_buf_init(&r.buf, ctx);
    r.d = ch_calloc(ctx, sizeof *r.d);
    r.priv = r.d ? ch_calloc(ctx, sizeof *r.priv) : NULL;
    if (!r.priv) {
        ch_free(ctx, r.d, sizeof *r.d);
        return ch_nomem(ctx);
    }
    r.d->ctx = ctx;
    r.d->priv = r.priv;
    r.d->episode_gap_ms = r.o.episode_gap_ms;
    ch_arena_init(&r.priv->arena, ctx, (size_t)64 << 10);
    rc = ch_dd_normalizers(ctx, &r.o, &r.norm, &r.norm_reply);
    if (!rc)
        rc = ch_dd_read(&r);
    if (!rc)
        rc = ch_dd_link(&r);
    if (!rc)
        rc = ch_dd_clusters(&r);
    run_free(&r);
    if (rc) {
        chorus_dedup_free(r.d);
        return rc;
    }
    *out = r.d;
    return CHORUS_OK;
}
