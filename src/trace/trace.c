/*
 * trace.c - one trace run: the posts grouped into units (near-duplicate
 * clusters, or single posts), their anchors indexed with the document
 * frequency counted over units, the articles' own anchors indexed for
 * article-to-article reuse and outlet boilerplate, then each article as a
 * target of every earlier unit or article sharing anchors with it.
 */
#include "trace/trace_impl.h"

#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

void chorus_trace_defaults(chorus_trace_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_lag_ms = 30LL * 86400000;
    o->post_k = 14, o->post_w = 10;
    o->doc_k = 25, o->doc_w = 26;
    o->min_span = 50;
    o->min_anchors = 5;
    o->min_identity = 0.8;
    o->max_df_posts = 1000;
    o->max_df_docs = 10;
    o->doc_min_anchors = 4;
    o->max_sources = 16;
    o->boiler_min = 5;
    o->boiler_share = 0.5;
    chorus_dedup_defaults(&o->dedup, CHORUS_DEDUP_POSTS);
    chorus_dedup_defaults(&o->doc_dedup, CHORUS_DEDUP_ARTICLES);
}

static chorus_rc add_unit_member(tr *s, uint32_t post)
{
    uint32_t *end = &s->unit_first[s->n_units + 1];
    if (ch_grow(s->ctx, (void **)&s->member, &s->cap_members, (size_t)*end + 1, sizeof *s->member))
        return CHORUS_ENOMEM;
    s->member[(*end)++] = post;
    s->post_unit[post] = s->n_units;
    return CHORUS_OK;
}

/* Opens unit n_units (its members follow), representative rep. */
static chorus_rc open_unit(tr *s, uint32_t rep)
{
    size_t cap = s->cap_units;
    if (ch_grow(s->ctx, (void **)&s->unit_first, &s->cap_units, s->n_units + 2,
                sizeof *s->unit_first))
        return CHORUS_ENOMEM;
    if (ch_grow(s->ctx, (void **)&s->unit_rep, &cap, s->cap_units, sizeof *s->unit_rep))
        return CHORUS_ENOMEM;
    if (cap != s->cap_units) /* keep both arrays the same capacity */
        return ch_error(s->ctx, CHORUS_EINTERNAL, "unit arrays out of step");
    s->unit_first[s->n_units + 1] = s->unit_first[s->n_units];
    s->unit_rep[s->n_units] = rep;
    return CHORUS_OK;
}

/* Units: each near-duplicate cluster, then each other post that is not a
 * retweet and is long enough to hold a span. */
static chorus_rc make_units(tr *s)
{
    chorus_dedup *d = NULL;
    chorus_rc rc = chorus_dedup_run(s->ctx, s->posts, &s->o->dedup, &d);
    if (rc)
        return rc;
    for (size_t c = 0; c < d->n_clusters && !rc; c++) {
        const chorus_dedup_cluster *cl = &d->clusters[c];
        rc = open_unit(s, cl->representative);
        for (size_t i = 0; i < cl->size && !rc; i++) {
            rc = add_unit_member(s, d->members[cl->first_member + i].post);
        }
        if (!rc)
            s->n_units++;
    }
    chorus_dedup_free(d);
    for (uint32_t p = 0; p < s->n_posts && !rc; p++) {
        chorus_post_view v;
        chorus_corpus_post(s->posts, p, &v);
        if (s->post_unit[p] != UINT32_MAX || v.kind == CHORUS_KIND_RETWEET ||
            v.text.len < s->o->min_span)
            continue;
        if (!(rc = open_unit(s, p)) && !(rc = add_unit_member(s, p)))
            s->n_units++;
    }
    s->res->stats.post_units = s->n_units;
    return rc;
}

/* A set of text hashes for one unit: open addressing over slots
 * entries (a power of two), 0 standing for empty. */
typedef struct text_set {
    uint64_t *h;
    size_t slots;
} text_set;

/* 1 when h was not in the set yet (it is now). */
static int set_add(text_set *t, uint64_t h)
{
    h |= 1; /* never 0 */
    size_t i = (size_t)(h >> 7) & (t->slots - 1);
    while (t->h[i] && t->h[i] != h)
        i = (i + 1) & (t->slots - 1);
    if (t->h[i])
        return 0;
    t->h[i] = h;
    return 1;
}

/* Anchors of each distinct text of unit u (its earliest post), and the
 * parent of each of its posts (parents.c). */
static chorus_rc index_unit(tr *s, uint32_t u, text_set *set)
{
    uint32_t n = s->unit_first[u + 1] - s->unit_first[u];
    tr_sketch k;
    tr_parents_reset(s->picker, s->unit_rep[u]);
    set->slots = 16;
    while (set->slots < 2 * (size_t)n)
        set->slots *= 2;
    memset(set->h, 0, set->slots * sizeof *set->h);
    chorus_rc rc = CHORUS_OK;
    for (uint32_t i = s->unit_first[u]; i < s->unit_first[u + 1] && !rc; i++) {
        uint32_t p = s->member[i];
        if ((rc = tr_text_load(s, &s->src, p, 0)))
            break;
        if (n > 1) {
            uint64_t h = chorus_text_hash(s->src.tb.text, s->src.tb.len);
            tr_sketch_make(s->src.cp, s->src.n, &k);
            s->post_parent[p] = tr_parents_next(s->picker, p, &k, h);
            if (!set_add(set, h))
                continue;
        }
        tr_text_anchors(s, &s->src, s->o->post_k, s->o->post_w);
        for (size_t a = 0; a < s->src.n_anchors && !rc; a++)
            rc = tr_index_add(s->ctx, &s->post_ix, s->src.anchors[a].hash, p);
    }
    return rc;
}

/* The post index: anchor -> posts, document frequency over units. */
static chorus_rc index_units(tr *s)
{
    uint32_t biggest = 1;
    for (uint32_t u = 0; u < s->n_units; u++) {
        uint32_t n = s->unit_first[u + 1] - s->unit_first[u];
        biggest = n > biggest ? n : biggest;
    }
    size_t slots = 16;
    while (slots < 2 * (size_t)biggest)
        slots *= 2;
    text_set set = {ch_alloc(s->ctx, slots * sizeof *set.h), slots};
    uint32_t *stamp = ch_calloc(s->ctx, ((size_t)s->n_units + 1) * sizeof *stamp);
    chorus_rc rc = set.h && stamp ? CHORUS_OK : ch_nomem(s->ctx);
    for (uint32_t u = 0; u < s->n_units && !rc; u++)
        rc = index_unit(s, u, &set);
    s->res->stats.post_anchors = s->post_ix.n;
    if (!rc && !(s->unit_stamp = ch_calloc(s->ctx, ((size_t)s->n_units + 1) * sizeof *stamp)))
        rc = ch_nomem(s->ctx);
    if (!rc && !(s->post_votes = ch_calloc(s->ctx, (size_t)s->n_posts * sizeof *stamp)))
        rc = ch_nomem(s->ctx);
    if (!rc)
        rc = tr_index_build(s->ctx, &s->post_ix, s->o->max_df_posts, s->post_unit, stamp);
    ch_free(s->ctx, set.h, slots * sizeof *set.h);
    ch_free(s->ctx, stamp, ((size_t)s->n_units + 1) * sizeof *stamp);
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Key of (anchor, outlet) in the boilerplate set. */
static uint64_t boiler_key(uint64_t hash, uint32_t outlet)
{
    return hash ^ ch_mix64((uint64_t)outlet + 0x9E3779B97F4A7C15ULL);
}

/* Outlet boilerplate: anchors an outlet repeats in boiler_min of its own
 * items and in boiler_share of them. */
static chorus_rc find_boilerplate(tr *s)
{
    const tr_index *ix = &s->doc_ix;
    uint32_t *outs = ch_alloc(s->ctx, (s->n_docs + 1) * sizeof *outs);
    if (!outs)
        return ch_nomem(s->ctx);
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0; i < ix->n && !rc;) {
        size_t j = i;
        while (j < ix->n && ix->keys[j] == ix->keys[i])
            outs[j - i] = s->doc_outlet[ix->vals[j]], j++;
        if (j - i >= s->o->boiler_min) {
            qsort(outs, j - i, sizeof *outs, cmp_u32);
            for (size_t a = 0, b; a < j - i && !rc; a = b) {
                for (b = a; b < j - i && outs[b] == outs[a]; b++)
                    ;
                if (b - a >= s->o->boiler_min &&
                    (double)(b - a) >= s->o->boiler_share * s->outlet_items[outs[a]])
                    rc = tr_index_add(s->ctx, &s->boiler, boiler_key(ix->keys[i], outs[a]), 1);
            }
        }
        i = j;
    }
    ch_free(s->ctx, outs, (s->n_docs + 1) * sizeof *outs);
    s->res->stats.boiler_anchors = s->boiler.n;
    return rc ? rc : tr_index_build(s->ctx, &s->boiler, UINT32_MAX, NULL, NULL);
}

/* Article units: near-duplicate clusters of articles (syndicated copies
 * count once), other articles alone. Returns the number of units. */
static chorus_rc doc_units(tr *s, uint32_t *group, uint32_t *n_groups)
{
    chorus_dedup *d = NULL;
    chorus_rc rc = chorus_dedup_run(s->ctx, s->docs, &s->o->doc_dedup, &d);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < s->n_docs; i++)
        group[i] = (uint32_t)d->n_clusters + i;
    for (size_t c = 0; c < d->n_clusters; c++)
        for (size_t m = 0; m < d->clusters[c].size; m++)
            group[d->members[d->clusters[c].first_member + m].post] = (uint32_t)c;
    *n_groups = (uint32_t)d->n_clusters + s->n_docs;
    chorus_dedup_free(d);
    return CHORUS_OK;
}

static chorus_rc index_docs(tr *s)
{
    uint32_t n_groups = 0, *group = ch_alloc(s->ctx, s->n_docs * sizeof *group), *stamp = NULL;
    chorus_rc rc = group ? doc_units(s, group, &n_groups) : ch_nomem(s->ctx);
    for (uint32_t d = 0; d < s->n_docs && !rc; d++) {
        if ((rc = tr_text_load(s, &s->src, d, 1)))
            break;
        tr_text_anchors(s, &s->src, s->o->doc_k, s->o->doc_w);
        for (size_t a = 0; a < s->src.n_anchors && !rc; a++)
            rc = tr_index_add(s->ctx, &s->doc_ix, s->src.anchors[a].hash, d);
    }
    s->res->stats.doc_anchors = s->doc_ix.n;
    if (!rc && !(stamp = ch_calloc(s->ctx, ((size_t)n_groups + 1) * sizeof *stamp)))
        rc = ch_nomem(s->ctx);
    if (!rc)
        rc = tr_index_build(s->ctx, &s->doc_ix, s->o->max_df_docs, group, stamp);
    ch_free(s->ctx, stamp, ((size_t)n_groups + 1) * sizeof *stamp);
    ch_free(s->ctx, group, s->n_docs * sizeof *group);
    return rc ? rc : find_boilerplate(s);
}

/* Masks the boilerplate of article d in t: from each boilerplate anchor
 * to the end of its gram, and across the gap to a following one. */
static void mask_boilerplate(tr *s, tr_text *t, uint32_t d)
{
    if (s->boiler.n == 0)
        return;
    tr_text_anchors(s, t, s->o->doc_k, s->o->doc_w);
    int64_t prev_end = -1;
    size_t n = t->n_anchors;
    for (size_t i = 0; i < n; i++) {
        uint32_t cnt;
        tr_index_find(&s->boiler, boiler_key(t->anchors[i].hash, s->doc_outlet[d]), &cnt, NULL);
        if (!cnt) {
            prev_end = -1;
            continue;
        }
        size_t from = t->anchors[i].pos, to = from + s->o->doc_k;
        if (prev_end >= 0 && (size_t)prev_end >= from - (from > s->o->doc_w ? s->o->doc_w : from))
            from = (size_t)prev_end;
        for (size_t j = from; j < to && j < t->n; j++)
            t->cp[j] = CHORUS_TRACE_MASKED;
        prev_end = (int64_t)to;
    }
}

/* Of the distinct posts v[0..n) (each voted for once or more, counts in
 * post_votes), keeps those with min votes, in first-vote order, and
 * clears their counts. */
static size_t count_votes(tr *s, uint32_t *v, size_t n, uint32_t min)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s->post_votes[v[i]] >= min)
            v[m++] = v[i];
        s->post_votes[v[i]] = 0;
    }
    return m;
}

/* A vote for post p: p joins v on its first. */
static chorus_rc vote_post(tr *s, uint32_t **v, size_t *n, size_t *cap, uint32_t p)
{
    if (s->post_votes[p]++)
        return CHORUS_OK;
    if (ch_grow(s->ctx, (void **)v, cap, *n + 1, sizeof **v))
        return CHORUS_ENOMEM;
    (*v)[(*n)++] = p;
    return CHORUS_OK;
}

static chorus_rc vote(tr *s, uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    if (ch_grow(s->ctx, (void **)v, cap, *n + 1, sizeof **v))
        return CHORUS_ENOMEM;
    (*v)[(*n)++] = x;
    return CHORUS_OK;
}

typedef struct cand {
    uint32_t unit;
    int64_t ms;
    uint32_t post;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit < y->unit ? -1 : 1;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    return x->post < y->post ? -1 : x->post > y->post;
}

/* Most shared anchors first, then the most recent source. */
static int cmp_votes(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->unit != y->unit)
        return x->unit > y->unit ? -1 : 1;
    if (x->ms != y->ms)
        return x->ms > y->ms ? -1 : 1;
    return x->post > y->post ? -1 : x->post < y->post;
}

/* Of the values v[0..n), those that occur doc_min_anchors times, at most
 * max_sources of them, most votes first: into c, returning how many. */
static size_t top_docs(const tr *s, uint32_t *v, size_t n, cand *c)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_u32);
    size_t m = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && v[j] == v[i]; j++)
            ;
        if (j - i >= s->o->doc_min_anchors)
            c[m].unit = (uint32_t)(j - i), c[m].ms = s->doc_ms[v[i]], c[m++].post = v[i];
    }
    qsort(c, m, sizeof *c, cmp_votes);
    return m < s->o->max_sources ? m : s->o->max_sources;
}

/* Earlier articles sharing doc_k anchors with article d. */
static chorus_rc doc_sources(tr *s, uint32_t d, uint32_t **v, size_t *n, size_t *cap)
{
    chorus_rc rc = CHORUS_OK;
    int64_t t = s->doc_ms[d];
    for (size_t a = 0; a < s->tgt.n_anchors && !rc; a++) {
        uint32_t cnt;
        const uint32_t *src = tr_index_find(&s->doc_ix, s->tgt.anchors[a].hash, &cnt, NULL);
        for (uint32_t i = 0; i < cnt && !rc; i++) {
            uint32_t e = src[i];
            if (e == d || s->doc_ms[e] >= t || t - s->doc_ms[e] > s->o->max_lag_ms ||
                (!s->o->same_source && s->doc_outlet[e] == s->doc_outlet[d]))
                continue;
            rc = vote(s, v, n, cap, e);
        }
    }
    cand *c = rc || !*n ? NULL : ch_alloc(s->ctx, *n * sizeof *c);
    if (!rc && *n && !c)
        rc = ch_nomem(s->ctx);
    size_t m = rc || !c ? 0 : top_docs(s, *v, *n, c);
    for (size_t i = 0; i < m && !rc; i++) {
        size_t added;
        s->res->stats.candidates++;
        if (!(rc = tr_text_load(s, &s->src, c[i].post, 1))) {
            mask_boilerplate(s, &s->src, c[i].post);
            rc = tr_align_pair(s, s->n_posts + c[i].post, s->n_posts + d, UINT32_MAX,
                               s->o->doc_k, s->o->doc_w, &added);
        }
    }
    ch_free(s->ctx, c, *n * sizeof *c);
    return rc;
}

/* Posts p[0..n) that share anchors with article d, by unit then time: in
 * each unit the earliest one that aligns is the source. */
static chorus_rc align_units(tr *s, uint32_t d, const uint32_t *p, size_t n)
{
    cand *c = ch_alloc(s->ctx, (n ? n : 1) * sizeof *c);
    if (!c)
        return ch_nomem(s->ctx);
    for (size_t i = 0; i < n; i++)
        c[i].unit = s->post_unit[p[i]], c[i].ms = s->post_ms[p[i]], c[i].post = p[i];
    qsort(c, n, sizeof *c, cmp_cand);
    chorus_rc rc = CHORUS_OK;
    for (size_t i = 0, j; i < n && !rc; i = j) {
        size_t added = 0, tries = 0;
        for (j = i; j < n && c[j].unit == c[i].unit; j++) {
            if (added || rc || tries++ == 4)
                continue;
            s->res->stats.candidates++;
            if (!(rc = tr_text_load(s, &s->src, c[j].post, 0)))
                rc = tr_align_pair(s, c[j].post, s->n_posts + d, c[j].unit, s->o->post_k,
                                   s->o->post_w, &added);
        }
    }
    ch_free(s->ctx, c, (n ? n : 1) * sizeof *c);
    return rc;
}

/* Posts within the lag before article d sharing post_k anchors with it
 * are its sources; those within the lag after it may quote it. */
static chorus_rc post_sources(tr *s, uint32_t d, uint32_t **v, size_t *n, size_t *cap)
{
    int64_t t = s->doc_ms[d];
    size_t nl = 0, first_row = s->res->n_reuse;
    chorus_rc rc = tr_text_anchors(s, &s->tgt, s->o->post_k, s->o->post_w);
    for (size_t a = 0; a < s->tgt.n_anchors && !rc; a++) {
        uint32_t cnt;
        const uint32_t *posts = tr_index_find(&s->post_ix, s->tgt.anchors[a].hash, &cnt, NULL);
        for (uint32_t i = 0; i < cnt && !rc; i++) {
            int64_t ms = s->post_ms[posts[i]];
            if (ms < t && t - ms <= s->o->max_lag_ms)
                rc = vote_post(s, v, n, cap, posts[i]);
            else if (ms > t && ms - t <= s->o->max_lag_ms)
                rc = vote_post(s, &s->later, &nl, &s->cap_later, posts[i]);
        }
    }
    *n = count_votes(s, *v, *n, s->o->min_anchors); /* clears the counts, error or not */
    nl = count_votes(s, s->later, nl, s->o->min_anchors);
    if (rc)
        return rc;
    if ((rc = align_units(s, d, *v, *n)))
        return rc;
    return tr_quotes(s, d, s->later, nl, first_row);
}

static chorus_rc trace_docs(tr *s)
{
    uint32_t *v = NULL;
    size_t cap = 0;
    chorus_rc rc = CHORUS_OK;
    for (uint32_t d = 0; d < s->n_docs && !rc; d++) {
        size_t n = 0;
        if ((rc = tr_text_load(s, &s->tgt, d, 1)))
            break;
        mask_boilerplate(s, &s->tgt, d);
        tr_text_anchors(s, &s->tgt, s->o->doc_k, s->o->doc_w);
        if (!(rc = doc_sources(s, d, &v, &n, &cap)) && s->n_units) {
            n = 0;
            rc = post_sources(s, d, &v, &n, &cap);
        }
        if (!rc && ch_progress(s->ctx, "trace", d + 1, s->n_docs, d + 1))
            rc = ch_error(s->ctx, CHORUS_EUSAGE, "trace: stopped");
    }
    ch_free(s->ctx, v, cap * sizeof *v);
    s->res->stats.reuse = s->res->n_reuse;
    return rc;
}

/* Times, accounts and outlets of every item, looked up once. */
static chorus_rc load_items(tr *s)
{
    chorus_ctx *ctx = s->ctx;
    size_t np = s->n_posts ? s->n_posts : 1, nd = s->n_docs ? s->n_docs : 1;
    s->n_outlets = s->docs ? chorus_corpus_account_count(s->docs) : 0;
    s->post_unit = ch_alloc(ctx, np * sizeof *s->post_unit);
    s->post_parent = ch_alloc(ctx, np * sizeof *s->post_parent);
    s->picker = ch_alloc(ctx, sizeof *s->picker);
    s->post_ms = ch_alloc(ctx, np * sizeof *s->post_ms);
    s->post_account = ch_alloc(ctx, np * sizeof *s->post_account);
    s->doc_ms = ch_alloc(ctx, nd * sizeof *s->doc_ms);
    s->doc_outlet = ch_alloc(ctx, nd * sizeof *s->doc_outlet);
    s->outlet_items = ch_calloc(ctx, (s->n_outlets + 1) * sizeof *s->outlet_items);
    if (!s->post_unit || !s->post_parent || !s->picker || !s->post_ms || !s->post_account || !s->doc_ms ||
        !s->doc_outlet || !s->outlet_items ||
        ch_grow(ctx, (void **)&s->unit_first, &s->cap_units, 2, sizeof *s->unit_first))
        return ch_nomem(ctx);
    size_t cap = 0;
    if (ch_grow(ctx, (void **)&s->unit_rep, &cap, s->cap_units, sizeof *s->unit_rep))
        return CHORUS_ENOMEM;
    s->unit_first[0] = 0;
    memset(s->post_unit, 0xFF, np * sizeof *s->post_unit);
    memset(s->post_parent, 0xFF, np * sizeof *s->post_parent);
    chorus_post_view v;
    for (uint32_t p = 0; p < s->n_posts; p++) {
        chorus_corpus_post(s->posts, p, &v);
        s->post_ms[p] = v.time_ms, s->post_account[p] = v.account;
    }
    for (uint32_t d = 0; d < s->n_docs; d++) {
        chorus_corpus_post(s->docs, d, &v);
        s->doc_ms[d] = v.time_ms, s->doc_outlet[d] = v.account;
        s->outlet_items[v.account]++;
    }
    return CHORUS_OK;
}

static void free_state(tr *s)
{
    chorus_ctx *ctx = s->ctx;
    size_t np = s->n_posts ? s->n_posts : 1, nd = s->n_docs ? s->n_docs : 1;
    ch_free(ctx, s->post_unit, np * sizeof *s->post_unit);
    ch_free(ctx, s->post_parent, np * sizeof *s->post_parent);
    ch_free(ctx, s->picker, sizeof *s->picker);
    ch_free(ctx, s->post_ms, np * sizeof *s->post_ms);
    ch_free(ctx, s->post_account, np * sizeof *s->post_account);
    ch_free(ctx, s->doc_ms, nd * sizeof *s->doc_ms);
    ch_free(ctx, s->doc_outlet, nd * sizeof *s->doc_outlet);
    ch_free(ctx, s->outlet_items, (s->n_outlets + 1) * sizeof *s->outlet_items);
    ch_free(ctx, s->unit_first, s->cap_units * sizeof *s->unit_first);
    ch_free(ctx, s->unit_rep, s->cap_units * sizeof *s->unit_rep);
    ch_free(ctx, s->member, s->cap_members * sizeof *s->member);
    ch_free(ctx, s->reuse_unit, s->cap_reuse_unit * sizeof *s->reuse_unit);
    ch_free(ctx, s->unit_stamp, ((size_t)s->n_units + 1) * sizeof *s->unit_stamp);
    ch_free(ctx, s->post_votes, (size_t)s->n_posts * sizeof *s->post_votes);
    ch_free(ctx, s->later, s->cap_later * sizeof *s->later);
    tr_index_free(ctx, &s->post_ix);
    tr_index_free(ctx, &s->doc_ix);
    tr_index_free(ctx, &s->boiler);
    tr_pair_free(s);
    tr_text_free(ctx, &s->src);
    tr_text_free(ctx, &s->tgt);
    chorus_normalizer_free(s->norm);
}

static chorus_rc check_opts(chorus_ctx *ctx, const chorus_trace_opts *o)
{
    if (o->post_k < 4 || o->post_k > 64 || o->doc_k < 4 || o->doc_k > 64 || o->post_w < 1 ||
        o->post_w > 256 || o->doc_w < 1 || o->doc_w > 256)
        return ch_error(ctx, CHORUS_EUSAGE, "trace: anchor lengths 4-64, windows 1-256");
    if (o->max_lag_ms <= 0 || o->min_span < 1 || o->min_anchors < 1 || o->doc_min_anchors < 1)
        return ch_error(ctx, CHORUS_EUSAGE, "trace: max lag, min span and min anchors must be > 0");
    return CHORUS_OK;
}

static chorus_rc run_stages(tr *s, const chorus_exposed *ex, const uint8_t *groups)
{
    chorus_rc rc = load_items(s);
    if (!rc && s->n_posts)
        rc = make_units(s);
    if (!rc && s->n_units)
        rc = index_units(s);
    if (!rc && s->n_docs)
        rc = index_docs(s);
    if (!rc)
        rc = trace_docs(s);
    if (!rc)
        rc = tr_provenance(s);
    if (!rc)
        rc = tr_laundering(s, ex, groups);
    return rc;
}

chorus_rc chorus_trace_run(chorus_ctx *ctx, const chorus_corpus *posts, const chorus_corpus *docs,
                           const chorus_exposed *exposed, const uint8_t *group_accounts,
                           const chorus_trace_opts *o, chorus_trace **out)
{
    *out = NULL;
    chorus_trace_opts def;
    if (!o) {
        chorus_trace_defaults(&def);
        o = &def;
    }
    chorus_rc rc = check_opts(ctx, o);
    if (rc)
        return rc;
    tr s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx, s.posts = posts, s.docs = docs, s.o = o;
    s.n_posts = posts ? chorus_corpus_post_count(posts) : 0;
    s.n_docs = docs ? chorus_corpus_post_count(docs) : 0;
    chorus_text_buf_init(&s.src.tb, ctx);
    chorus_text_buf_init(&s.tgt.tb, ctx);
    s.res = ch_calloc(ctx, sizeof *s.res);
    if (!s.res)
        return ch_nomem(ctx);
    s.res->ctx = ctx;
    s.res->n_posts = s.n_posts;
    s.res->stats.posts = s.n_posts, s.res->stats.articles = s.n_docs;
    rc = chorus_normalizer_new(ctx, &o->dedup.text, &s.norm);
    if (!rc)
        rc = run_stages(&s, exposed, group_accounts);
    free_state(&s);
    if (rc) {
        chorus_trace_free(s.res);
        return rc;
    }
    *out = s.res;
    return CHORUS_OK;
}

void chorus_trace_free(chorus_trace *t)
{
    if (!t)
        return;
    chorus_ctx *ctx = t->ctx;
    ch_free(ctx, t->reuse, t->cap_reuse * sizeof *t->reuse);
    ch_free(ctx, t->clusters, t->cap_clusters * sizeof *t->clusters);
    ch_free(ctx, t->edges, t->cap_edges * sizeof *t->edges);
    ch_free(ctx, t->launder, t->cap_launder * sizeof *t->launder);
    ch_free(ctx, t, sizeof *t);
}
