/*
 * naive_coretweet.c - the naive co-retweet detector that `chorus simulate`'s
 * data must defeat (issue 3, "Checks"): two accounts co-retweet a post when
 * their retweets of it fall within a window; pair weight = distinct posts
 * co-retweeted; every account with a pair of weight >= min-weight is flagged.
 * Exact, in time proportional to the pairs that exist. --self-test checks it.
 */
#include "core/radix_sort.h"

#include <chorus/corpus.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

/* One retweet: who, which retweeted post (dense index), when. */
typedef struct action {
    uint32_t account, object;
    int64_t t_ms;
} action;

typedef struct edge {
    uint32_t a, b, weight; /* a < b */
} edge;

typedef struct naive_result {
    uint64_t objects;   /* distinct objects among the actions */
    uint64_t generated; /* (a, b, object) pairs emitted, before per-object dedup */
    uint64_t pairs;     /* distinct (a, b, object) co-retweets */
    uint64_t acc_pairs; /* distinct account pairs with weight >= 1 */
    uint32_t max_group; /* most actions on one object */
    edge *edges;        /* weight >= min_weight, sorted by (a, b); malloc'd */
    size_t n_edges;
} naive_result;

/* Distinct account pairs with a count each. Compacted (sorted, runs summed)
 * whenever it doubles, so memory follows distinct pairs, not emitted ones. */
typedef struct pair_counts {
    uint64_t *key; /* a << 32 | b */
    uint32_t *cnt;
    size_t n, cap, compact_at;
} pair_counts;

#define COMPACT_MIN ((size_t)1 << 23) /* pairs (96 MiB) before the first compaction */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c += c / 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* ---- the counting, over an action array (file path and self-test alike) ---- */

/* Indexes of acts ordered by (object, time). Two stable LSD radix sorts:
 * by time, then by object; stability keeps time order inside each object,
 * and neither key needs to share 64 bits with the other. */
static uint32_t *order_actions(chorus_ctx *ctx, const action *acts, size_t n)
{
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!keys || !idx)
        goto fail;
    int64_t tmin = n ? acts[0].t_ms : 0;
    for (size_t i = 0; i < n; i++)
        tmin = acts[i].t_ms < tmin ? acts[i].t_ms : tmin;
    for (size_t i = 0; i < n; i++) {
        keys[i] = (uint64_t)(acts[i].t_ms - tmin);
        idx[i] = (uint32_t)i;
    }
    if (ch_radix_sort_u64(ctx, keys, idx, n) != CHORUS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++)
        keys[i] = acts[idx[i]].object;
    if (ch_radix_sort_u64(ctx, keys, idx, n) != CHORUS_OK)
        goto fail;
    free(keys);
    return idx;
fail:
    free(keys);
    free(idx);
    return NULL;
}

/* Everything one run of the counting needs, so helpers take one pointer. */
typedef struct naive_state {
    chorus_ctx *ctx;
    const action *acts;
    const uint32_t *ord; /* action indexes by (object, time) */
    int64_t window_ms;
    unsigned shift;   /* key = a << shift | b: narrow keys take fewer radix passes */
    uint32_t *seen;   /* per account: last object it acted on + 1 */
    uint32_t *rep;    /* per account: last object it acted on twice or more + 1 */
    uint64_t *loc;    /* one object's pairs, when they need deduplicating */
    size_t loc_cap;
    pair_counts pc;
    naive_result *res;
} naive_state;

/* Sorts pc by key and sums the counts of equal keys. The next compaction
 * comes at twice the size, or eight times when this one freed under half:
 * then pairs are mostly distinct and sorting early buys little memory. */
static int compact(chorus_ctx *ctx, pair_counts *pc)
{
    size_t before = pc->n;
    if (ch_radix_sort_u64(ctx, pc->key, pc->cnt, pc->n) != CHORUS_OK)
        return -1;
    size_t w = 0;
    for (size_t r = 0; r < pc->n; r++) {
        if (w && pc->key[w - 1] == pc->key[r])
            pc->cnt[w - 1] += pc->cnt[r];
        else {
            pc->key[w] = pc->key[r];
            pc->cnt[w++] = pc->cnt[r];
        }
    }
    pc->n = w;
    size_t next = (w > before / 2 ? 8 : 2) * w;
    pc->compact_at = next > COMPACT_MIN ? next : COMPACT_MIN;
    return 0;
}

/* Counts one distinct (pair, object) co-retweet: appends key with count 1,
 * compacting first when the buffer has doubled since the last time. */
static int pc_add(naive_state *st, uint64_t key)
{
    pair_counts *pc = &st->pc;
    if (pc->n >= pc->compact_at && compact(st->ctx, pc) != 0)
        return -1;
    if (pc->n == pc->cap) {
        size_t cap = pc->cap ? pc->cap + pc->cap / 2 : 1024;
        uint64_t *k = realloc(pc->key, cap * sizeof *k);
        if (!k)
            return -1;
        pc->key = k;
        uint32_t *c = realloc(pc->cnt, cap * sizeof *c);
        if (!c)
            return -1;
        pc->cnt = c;
        pc->cap = cap;
    }
    pc->key[pc->n] = key;
    pc->cnt[pc->n++] = 1;
    st->res->pairs++;
    return 0;
}

/* Sorts one object's pair keys and counts each distinct one once: an
 * account that retweets a post twice must not count it twice for a pair. */
static int add_deduplicated(naive_state *st, size_t n)
{
    if (ch_radix_sort_u64(st->ctx, st->loc, NULL, n) != CHORUS_OK)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((!i || st->loc[i] != st->loc[i - 1]) && pc_add(st, st->loc[i]) != 0)
            return -1;
    return 0;
}

/* Marks (in st->rep) the accounts that act more than once in ord[s..e),
 * object obj. Only pairs with such an account can be emitted twice for
 * one object; all others are distinct already and skip the sort. */
static void mark_repeats(naive_state *st, size_t s, size_t e, uint32_t obj)
{
    for (size_t i = s; i < e; i++) {
        uint32_t a = st->acts[st->ord[i]].account;
        if (st->seen[a] == obj + 1)
            st->rep[a] = obj + 1;
        st->seen[a] = obj + 1;
    }
}

/* Emits every pair of different accounts within the window inside one
 * object's time-ordered actions ord[s..e): a sliding window, so the work
 * is the number of pairs that exist, not the square of the group. */
static int object_pairs(naive_state *st, size_t s, size_t e)
{
    const action *acts = st->acts;
    const uint32_t *ord = st->ord;
    uint32_t mark = acts[ord[s]].object + 1;
    mark_repeats(st, s, e, mark - 1);
    size_t n = 0;
    for (size_t i = s; i < e; i++) {
        const action *x = &acts[ord[i]];
        for (size_t j = i + 1; j < e && acts[ord[j]].t_ms - x->t_ms <= st->window_ms; j++) {
            uint32_t a = x->account, b = acts[ord[j]].account;
            if (a == b)
                continue;
            uint64_t key = a < b ? (uint64_t)a << st->shift | b : (uint64_t)b << st->shift | a;
            st->res->generated++;
            if (st->rep[a] != mark && st->rep[b] != mark) {
                if (pc_add(st, key) != 0)
                    return -1;
            } else if (grow((void **)&st->loc, &st->loc_cap, n + 1, sizeof *st->loc) != 0)
                return -1;
            else
                st->loc[n++] = key;
        }
    }
    return n ? add_deduplicated(st, n) : 0;
}

/* Keeps the pairs of weight >= min_weight as res->edges. */
static int collect_edges(const naive_state *st, uint32_t min_weight, naive_result *res)
{
    const pair_counts *pc = &st->pc;
    size_t m = 0;
    for (size_t i = 0; i < pc->n; i++)
        m += pc->cnt[i] >= min_weight;
    res->acc_pairs = pc->n;
    res->edges = malloc((m ? m : 1) * sizeof *res->edges);
    if (!res->edges)
        return -1;
    uint64_t low = ((uint64_t)1 << st->shift) - 1;
    for (size_t i = 0; i < pc->n; i++)
        if (pc->cnt[i] >= min_weight)
            res->edges[res->n_edges++] = (edge){(uint32_t)(pc->key[i] >> st->shift),
                                                (uint32_t)(pc->key[i] & low), pc->cnt[i]};
    return 0;
}

/* Bits that hold every account index of acts (at least 1). */
static unsigned account_bits(const action *acts, size_t n, uint32_t *n_acc)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = acts[i].account > max ? acts[i].account : max;
    unsigned bits = 1;
    while (bits < 32 && (max >> bits))
        bits++;
    *n_acc = max + 1;
    return bits;
}

/* The naive co-retweet network of acts: |t1 - t2| <= window_ms, weight =
 * distinct objects, edges of weight >= min_weight. Returns 0, or -1 when
 * memory ran out. res->edges is the caller's to free. */
static int naive_network(chorus_ctx *ctx, const action *acts, size_t n, int64_t window_ms,
                         uint32_t min_weight, naive_result *res)
{
    memset(res, 0, sizeof *res);
    uint32_t n_acc;
    naive_state st = {.ctx = ctx, .acts = acts, .window_ms = window_ms, .res = res,
                      .pc = {.compact_at = COMPACT_MIN}};
    st.shift = account_bits(acts, n, &n_acc);
    st.seen = calloc(n_acc, sizeof *st.seen);
    st.rep = calloc(n_acc, sizeof *st.rep);
    uint32_t *ord = order_actions(ctx, acts, n);
    st.ord = ord;
    int rc = ord && st.seen && st.rep ? 0 : -1;
    for (size_t s = 0, e; rc == 0 && s < n; s = e) {
        for (e = s + 1; e < n && acts[ord[e]].object == acts[ord[s]].object; e++)
            ;
        res->objects++;
        res->max_group = e - s > res->max_group ? (uint32_t)(e - s) : res->max_group;
        rc = object_pairs(&st, s, e);
    }
    if (rc == 0)
        rc = compact(ctx, &st.pc);
    if (rc == 0)
        rc = collect_edges(&st, min_weight, res);
    free(ord);
    free(st.seen);
    free(st.rep);
    free(st.loc);
    free(st.pc.key);
    free(st.pc.cnt);
    return rc;
}

/* ---- self-test: the issue's cases, and a brute-force cross-check ---- */

/* Runs one case and compares the edges with want[0..n_want). */
static int check_case(chorus_ctx *ctx, const char *name, const action *acts, size_t n,
                      int64_t window_ms, uint32_t min_weight, const edge *want, size_t n_want,
                      int verbose)
{
    naive_result r;
    if (naive_network(ctx, acts, n, window_ms, min_weight, &r) != 0) {
        fprintf(stderr, "self-test %s: out of memory\n", name);
        return 1;
    }
    int bad = r.n_edges != n_want;
    for (size_t i = 0; !bad && i < n_want; i++)
        bad = r.edges[i].a != want[i].a || r.edges[i].b != want[i].b ||
              r.edges[i].weight != want[i].weight;
    if (verbose || bad)
        printf("self-test %-28s %s (%zu edges)\n", name, bad ? "FAIL" : "ok", r.n_edges);
    for (size_t i = 0; bad && i < r.n_edges; i++)
        fprintf(stderr, "  got %" PRIu32 "-%" PRIu32 " weight %" PRIu32 "\n", r.edges[i].a,
                r.edges[i].b, r.edges[i].weight);
    free(r.edges);
    return bad;
}

enum { A, B, C };
#define S(x) ((int64_t)(x) * 1000)

/* The three cases of the brief, in seconds; objects 0, 1, 2 = o1, o2, o3. */
static int issue_cases(chorus_ctx *ctx)
{
    /* (1) window 10 s: A-B (10 s) and B-C (1 s) on both objects, A-C (11 s) never */
    const action c1[] = {{A, 0, S(0)}, {B, 0, S(10)}, {C, 0, S(11)},
                         {A, 1, S(0)}, {B, 1, S(10)}, {C, 1, S(11)}};
    const edge w1[] = {{A, B, 2}, {B, C, 2}};
    /* (2) A twice on o1, then B: one co-retweet, weight 1, no A-A */
    const action c2[] = {{A, 0, S(0)}, {A, 0, S(3)}, {B, 0, S(5)}};
    const edge w2[] = {{A, B, 1}};
    /* (3) min-weight 2: A-B on o1 and o2 is an edge, A-C on o3 alone is not */
    const action c3[] = {{A, 0, S(0)},   {B, 0, S(1)},   {A, 1, S(100)},
                         {B, 1, S(101)}, {A, 2, S(200)}, {C, 2, S(205)}};
    const edge w3[] = {{A, B, 2}};
    int bad = 0;
    bad |= check_case(ctx, "(1) window boundary", c1, 6, S(10), 2, w1, 2, 1);
    bad |= check_case(ctx, "(2) repeat retweet, min 1", c2, 3, S(10), 1, w2, 1, 1);
    bad |= check_case(ctx, "(2) repeat retweet, min 2", c2, 3, S(10), 2, NULL, 0, 1);
    bad |= check_case(ctx, "(3) min-weight 2", c3, 6, S(10), 2, w3, 1, 1);
    return bad;
}

/* Quadratic reference: for each pair of accounts, the objects on which
 * some two of their actions are within the window. */
static void brute_weights(const action *acts, size_t n, int64_t window_ms, uint32_t n_acc,
                          uint32_t n_obj, uint32_t *w)
{
    for (uint32_t a = 0; a < n_acc; a++)
        for (uint32_t b = a + 1; b < n_acc; b++)
            for (uint32_t o = 0; o < n_obj; o++) {
                int hit = 0;
                for (size_t i = 0; i < n && !hit; i++)
                    for (size_t j = 0; j < n && !hit; j++)
                        hit = acts[i].account == a && acts[j].account == b &&
                              acts[i].object == o && acts[j].object == o &&
                              llabs(acts[i].t_ms - acts[j].t_ms) <= window_ms;
                w[a * n_acc + b] += (uint32_t)hit;
            }
}

/* Random small inputs (ties, repeats, negative times) against brute force. */
static int random_cases(chorus_ctx *ctx)
{
    enum { N = 60, NACC = 9, NOBJ = 5, ROUNDS = 200 };
    uint64_t s = 0x5eed;
    int bad = 0;
    for (int round = 0; round < ROUNDS && !bad; round++) {
        action acts[N];
        uint32_t w[NACC * NACC] = {0};
        for (size_t i = 0; i < N; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            acts[i] = (action){(uint32_t)(s >> 60) % NACC, (uint32_t)(s >> 40) % NOBJ,
                               (int64_t)((s >> 20) % 400) * 250 - 20000};
        }
        brute_weights(acts, N, S(10), NACC, NOBJ, w);
        edge want[NACC * NACC];
        size_t nw = 0;
        uint32_t min_w = 1 + (uint32_t)round % 3;
        for (uint32_t a = 0; a < NACC; a++)
            for (uint32_t b = a + 1; b < NACC; b++)
                if (w[a * NACC + b] >= min_w)
                    want[nw++] = (edge){a, b, w[a * NACC + b]};
        bad |= check_case(ctx, "random vs brute force", acts, N, S(10), min_w, want, nw, 0);
    }
    printf("self-test %-28s %s (%d rounds)\n", "random vs brute force", bad ? "FAIL" : "ok",
           ROUNDS);
    return bad;
}

/* ---- the file path: ingest, retweets to actions, report ---- */

/* Interns retweeted-post ids into dense object indexes: open addressing
 * over (hash, offset) into one byte arena, so ids of any form work. */
typedef struct obj_table {
    uint64_t *hash;
    uint32_t *slot; /* object index + 1, 0 = empty */
    uint64_t *off;  /* per object: offset of its id in bytes (len-prefixed) */
    char *bytes;
    size_t n, mask, off_cap, bytes_len, bytes_cap;
} obj_table;

static int obj_rehash(obj_table *t)
{
    size_t cap = t->mask ? 2 * (t->mask + 1) : 1 << 16;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t o = 0; o < t->n; o++) {
        size_t h = (size_t)t->hash[o] & (cap - 1);
        while (slot[h])
            h = (h + 1) & (cap - 1);
        slot[h] = (uint32_t)o + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = cap - 1;
    return 0;
}

/* Object index of id, added when new; -1 when memory ran out. */
static int64_t obj_intern(obj_table *t, const char *id, size_t len)
{
    uint64_t hv = XXH3_64bits(id, len);
    if ((t->n + 1) * 2 > t->mask + 1 && obj_rehash(t) != 0)
        return -1;
    size_t h = (size_t)hv & t->mask;
    for (; t->slot[h]; h = (h + 1) & t->mask) {
        uint32_t o = t->slot[h] - 1;
        const char *k = t->bytes + t->off[o];
        if (t->hash[o] == hv && (uint8_t)k[0] == len && memcmp(k + 1, id, len) == 0)
            return o;
    }
    if (grow((void **)&t->bytes, &t->bytes_cap, t->bytes_len + len + 1, 1) != 0)
        return -1;
    size_t cap = t->off_cap;
    if (grow((void **)&t->off, &t->off_cap, t->n + 1, sizeof *t->off) != 0 ||
        grow((void **)&t->hash, &cap, t->n + 1, sizeof *t->hash) != 0)
        return -1;
    t->off[t->n] = t->bytes_len;
    t->hash[t->n] = hv;
    t->bytes[t->bytes_len] = (char)len;
    memcpy(t->bytes + t->bytes_len + 1, id, len);
    t->bytes_len += len + 1;
    t->slot[h] = (uint32_t)t->n + 1;
    return (int64_t)t->n++;
}

static void obj_free(obj_table *t)
{
    free(t->hash);
    free(t->slot);
    free(t->off);
    free(t->bytes);
}

/* Every retweet of the corpus as an action; *n_out set. NULL on no memory. */
static action *corpus_actions(const chorus_corpus *c, size_t *n_out)
{
    uint32_t np = chorus_corpus_post_count(c);
    action *acts = malloc((np ? np : 1) * sizeof *acts);
    obj_table objs = {0};
    size_t n = 0;
    chorus_post_view v;
    for (uint32_t i = 0; acts && i < np; i++) {
        chorus_corpus_post(c, i, &v);
        /* ids longer than 255 bytes do not fit the length prefix: none are real */
        if (v.kind != CHORUS_KIND_RETWEET || !v.ref_post.len || v.ref_post.len > 255)
            continue;
        int64_t o = obj_intern(&objs, v.ref_post.ptr, v.ref_post.len);
        if (o < 0) {
            free(acts);
            acts = NULL;
            break;
        }
        acts[n++] = (action){v.account, (uint32_t)o, v.time_ms};
    }
    obj_free(&objs);
    *n_out = n;
    return acts;
}

/* Writes the id of every account on an edge, one per line. Returns the
 * number flagged, or -1 when the file cannot be written. */
static int64_t write_flagged(const chorus_corpus *c, const naive_result *r, const char *path)
{
    uint32_t na = chorus_corpus_account_count(c);
    uint8_t *flag = calloc(na ? na : 1, 1);
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!flag || (path && !f)) {
        free(flag);
        if (f)
            fclose(f);
        return -1;
    }
    for (size_t i = 0; i < r->n_edges; i++)
        flag[r->edges[i].a] = flag[r->edges[i].b] = 1;
    int64_t count = 0;
    chorus_account_view v;
    for (uint32_t a = 0; a < na; a++) {
        if (!flag[a])
            continue;
        count++;
        if (f) {
            chorus_corpus_account(c, a, &v);
            fprintf(f, "%.*s\n", (int)v.id.len, v.id.ptr);
        }
    }
    free(flag);
    if (f && fclose(f) != 0)
        return -1;
    return count;
}

typedef struct args {
    const char *input, *out;
    int64_t window_s;
    uint32_t min_weight;
    int self_test;
} args;

static const char usage[] =
    "usage: naive_coretweet TWEETS_FILE [--window 60] [--min-weight 2] [--out flagged.txt]\n"
    "       naive_coretweet --self-test\n"
    "Flags every account that co-retweeted (retweets of the same post within\n"
    "--window seconds, inclusive) at least --min-weight distinct posts with\n"
    "another account; writes their ids to --out, one per line.\n";

static int parse_args(int argc, char **argv, args *a)
{
    *a = (args){.window_s = 60, .min_weight = 2};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(s, "--self-test"))
            a->self_test = 1;
        else if (!strcmp(s, "--window") && more)
            a->window_s = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(s, "--min-weight") && more)
            a->min_weight = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(s, "--out") && more)
            a->out = argv[++i];
        else if (s[0] == '-' && s[1])
            return -1;
        else if (!a->input)
            a->input = s;
        else
            return -1;
    }
    if (a->window_s < 0 || a->min_weight < 1 || (!a->input && !a->self_test))
        return -1;
    return 0;
}

/* Ingest, count, report. Returns the exit status. */
static int run_file(chorus_ctx *ctx, const args *a)
{
    double t0 = now_s();
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_stats st = {0};
    chorus_ingest_opts io = {0};
    if (!c || chorus_ingest(c, a->input, &io, &st) != CHORUS_OK) {
        fprintf(stderr, "naive_coretweet: %s\n", chorus_errmsg(ctx));
        chorus_corpus_free(c);
        return 1;
    }
    double t1 = now_s();
    size_t n;
    action *acts = corpus_actions(c, &n);
    naive_result r;
    if (!acts || naive_network(ctx, acts, n, a->window_s * 1000, a->min_weight, &r) != 0) {
        fprintf(stderr, "naive_coretweet: out of memory\n");
        free(acts);
        chorus_corpus_free(c);
        return 2;
    }
    int64_t flagged = write_flagged(c, &r, a->out);
    double t2 = now_s();
    printf("posts %" PRIu64 " (rows skipped %" PRIu64 "), accounts %" PRIu32 "\n", st.posts,
           st.rows_skipped, chorus_corpus_account_count(c));
    printf("window %" PRId64 " s, min weight %" PRIu32 "\n", a->window_s, a->min_weight);
    printf("actions %zu, objects %" PRIu64 " (largest %" PRIu32 " retweets)\n", n, r.objects,
           r.max_group);
    printf("pairs generated %" PRIu64 ", distinct co-retweets %" PRIu64
           ", account pairs %" PRIu64 "\n", r.generated, r.pairs, r.acc_pairs);
    printf("edges %zu, flagged accounts %" PRId64 "\n", r.n_edges, flagged);
    printf("time ingest %.2f s, detect %.2f s, total %.2f s\n", t1 - t0, t2 - t1, t2 - t0);
    free(r.edges);
    free(acts);
    chorus_corpus_free(c);
    if (flagged < 0) {
        fprintf(stderr, "naive_coretweet: cannot write %s\n", a->out);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    args a;
    if (parse_args(argc, argv, &a) != 0) {
        fputs(usage, stderr);
        return 1;
    }
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx)
        return 2;
    int rc;
    if (a.self_test) {
        rc = issue_cases(ctx) | random_cases(ctx);
        printf("self-test: %s\n", rc ? "FAILED" : "all passed");
    } else
        rc = run_file(ctx, &a);
    chorus_ctx_free(ctx);
    return rc;
}
