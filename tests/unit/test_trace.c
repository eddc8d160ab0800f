/*
 * test_trace.c - passage reuse and provenance: code points and offsets,
 * winnowing's guarantee, exact scores and spans of the banded alignment,
 * spans mapped back into original texts with multibyte and invisible
 * characters, earliest witnesses with ties, parents by similarity in
 * clusters and narratives, articles quoted by later posts, outlet boilerplate, laundering
 * with exposure dates and groups, and the exposed-list parser.
 */
#include "check.h"

#include <chorus/match.h>
#include <chorus/trace.h>
#include <stdlib.h>
#include <unistd.h>

static chorus_ctx *ctx;
static char dir[64];
static int files;

/* A corpus from a mapped CSV id,account,time,text (rows "id|acc|time|text"). */
static chorus_corpus *corpus_of(const char *const *rows, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/c%d.csv", dir, files++);
    FILE *f = fopen(path, "w");
    fputs("id,account,time,text\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *r = rows[i];
        for (int field = 0; field < 3; field++) {
            const char *bar = strchr(r, '|');
            fprintf(f, "%.*s,", (int)(bar - r), r);
            r = bar + 1;
        }
        fputc('"', f);
        for (; *r; r++)
            fputs(*r == '"' ? "\"\"" : (char[2]){*r, 0}, f);
        fputs("\"\n", f);
    }
    fclose(f);
    char spec[] = "id=id,account=account,time=time,text=text";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts o = {CHORUS_FMT_CSV_MAP, &map, 0, 0};
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, &o, NULL), CHORUS_OK);
    CHECK_INT(chorus_corpus_post_count(c), n);
    unlink(path);
    return c;
}

static chorus_trace *trace(const chorus_corpus *p, const chorus_corpus *d,
                           const chorus_exposed *ex, const uint8_t *groups,
                           const chorus_trace_opts *o)
{
    chorus_trace *t = NULL;
    CHECK_INT(chorus_trace_run(ctx, p, d, ex, groups, o, &t), CHORUS_OK);
    return t;
}

static void test_decode(void)
{
    const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xFF" "b";
    uint32_t cp[16], off[16];
    size_t n = chorus_trace_decode(s, sizeof s - 1, cp, off);
    CHECK_INT(n, 6);
    CHECK_INT(cp[0], 'a');
    CHECK_INT(cp[1], 0xE9);
    CHECK_INT(cp[2], 0x20AC);
    CHECK_INT(cp[3], 0x1F600);
    CHECK_INT(cp[4], 0xFFFD); /* the stray byte */
    CHECK_INT(cp[5], 'b');
    CHECK_INT(off[1], 1);
    CHECK_INT(off[2], 3);
    CHECK_INT(off[3], 6);
    CHECK_INT(off[4], 10);
    CHECK_INT(off[6], 12);
}

/* Code points of an ASCII string. */
static size_t cps(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i];
    return n;
}

static void test_winnow(void)
{
    uint32_t a[256], b[256];
    uint64_t h[256];
    chorus_trace_anchor aa[256], bb[256];
    const char *common = "the harbour workers will lose their jobs";
    char sa[256], sb[256];
    snprintf(sa, sizeof sa, "first some words about ferries, %s, and more", common);
    snprintf(sb, sizeof sb, "utterly different opening text here: %s!", common);
    size_t na = cps(sa, a), nb = cps(sb, b);
    uint32_t k = 14, w = 10;
    size_t ma = chorus_trace_winnow(a, na, k, w, h, aa);
    size_t mb = chorus_trace_winnow(b, nb, k, w, h, bb);
    CHECK(ma > 0 && ma < na);
    for (size_t i = 1; i < ma; i++)
        CHECK(aa[i].pos > aa[i - 1].pos);
    CHECK(aa[ma - 1].pos + k <= na);
    /* the common run (40 >= w + k - 1 code points) yields a shared anchor */
    int shared = 0;
    for (size_t i = 0; i < ma; i++)
        for (size_t j = 0; j < mb; j++)
            shared += aa[i].hash == bb[j].hash;
    CHECK(shared >= 1);
    /* every window of w grams holds a selected position */
    for (size_t s = 0; s + w <= na - k + 1; s++) {
        int in = 0;
        for (size_t i = 0; i < ma; i++)
            in |= aa[i].pos >= s && aa[i].pos < s + w;
        CHECK(in);
    }
    CHECK_INT(chorus_trace_winnow(a, 5, k, w, h, aa), 0);
    /* shorter than a window: one anchor */
    CHECK_INT(chorus_trace_winnow(a, k + 2, k, w, h, aa), 1);
}

static chorus_trace_span align(const char *x, const char *y, int64_t lo, int64_t hi)
{
    uint32_t a[256], b[256];
    size_t na = cps(x, a), nb = cps(y, b);
    chorus_trace_span sp;
    CHECK_INT(chorus_trace_align(ctx, a, na, b, nb, lo, hi, &sp), CHORUS_OK);
    return sp;
}

static void test_align(void)
{
    chorus_trace_span sp = align("abcdef", "xxabcdefyy", -20, 20);
    CHECK_INT(sp.score, 24); /* six matches, +2 each, doubled */
    CHECK_INT(sp.a_start, 0);
    CHECK_INT(sp.a_end, 6);
    CHECK_INT(sp.b_start, 2);
    CHECK_INT(sp.b_end, 8);
    CHECK_INT(sp.columns, 6);
    CHECK_INT(sp.matches, 6);
    sp = align("abcXef", "abcYef", -5, 5);
    CHECK_INT(sp.score, 18); /* 5 matches (20), a mismatch (-2) */
    CHECK_INT(sp.a_end - sp.a_start, 6);
    CHECK_INT(sp.matches, 5);
    CHECK_INT(sp.columns, 6);
    /* a gap of 2 costs 5 + 0.5 (doubled: 11): 10 matches (40) - 11 = 29,
     * better than either half alone (20) */
    sp = align("abcdefghij", "abcdeZZfghij", -5, 5);
    CHECK_INT(sp.score, 29);
    CHECK_INT(sp.a_start, 0);
    CHECK_INT(sp.a_end, 10);
    CHECK_INT(sp.b_end, 12);
    CHECK_INT(sp.columns, 12);
    CHECK_INT(sp.matches, 10);
    /* a gap of 9 (doubled cost 18) is not worth it: 20 + 20 - 18 = 22 > 20 */
    sp = align("abcdefghij", "abcdeZZZZZZZZZfghij", -12, 12);
    CHECK_INT(sp.score, 22);
    /* outside the band: nothing */
    sp = align("abcdef", "zzzzzzzzzzabcdef", -2, 2);
    CHECK(sp.score < 24);
    sp = align("abcdef", "zzzzzzzzzzabcdef", 8, 12);
    CHECK_INT(sp.score, 24);
    CHECK_INT(sp.b_start, 10);
    /* a masked code point never matches, even itself */
    uint32_t a[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
    uint32_t b[6] = {'a', 'b', 'c', CHORUS_TRACE_MASKED, 'e', 'f'};
    CHECK_INT(chorus_trace_align(ctx, a, 6, b, 6, -2, 2, &sp), CHORUS_OK);
    CHECK_INT(sp.score, 18);
    CHECK_INT(sp.matches, 5);
    sp = align("", "abc", -2, 2);
    CHECK_INT(sp.score, 0);
}

#define SENT "Cafe owners in Saltmere say the new harbour levy will close half the shops by winter."

/* Offsets of a reused passage are into the original bytes, past invisible
 * characters and multibyte letters. */
static void test_offsets(void)
{
    const char *posts[] = {
        "p1|acc_a|2021-03-01T08:00:00Z|\xE2\x80\x8B\xE2\x80\x8B" "Caf\xC3\xA9 owners in Saltmere "
        "say the new harbour levy will close half the shops by winter.",
        "p2|acc_b|2021-03-01T09:00:00Z|Nothing to see here at all, just a long unrelated post."};
    const char *docs[] = {"d1|Coastline Review|2021-03-03T08:00:00Z|Other news first. "
                          "\xD8\xA8\xD9\x86\xD8\xAF\xD8\xB1 " SENT " More later."};
    chorus_corpus *p = corpus_of(posts, 2), *d = corpus_of(docs, 1);
    chorus_trace *t = trace(p, d, NULL, NULL, NULL);
    CHECK_INT(t->n_reuse, 1);
    if (t->n_reuse == 1) {
        const chorus_trace_reuse *r = &t->reuse[0];
        CHECK_INT(r->source, 0);
        CHECK_INT(r->target, t->n_posts);
        CHECK_INT(r->source_start, 6); /* after two zero-width spaces */
        CHECK_INT(r->source_end, 6 + strlen(SENT) + 1); /* the e-acute is 2 bytes */
        size_t at = strlen("Other news first. ") + 9; /* 4 Persian letters and a space */
        CHECK_INT(r->target_start, at);
        CHECK_INT(r->target_end, at + strlen(SENT));
        CHECK(r->identity > 0.98f); /* the accent may stay: one mismatch at most */
        CHECK(r->coverage > 0.99f);
    }
    chorus_trace_free(t);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

#define NARR "The Brenmouth harbour deal hands our coast to foreign creditors, and the dock " \
             "workers who built it will lose their jobs first."

/* Two accounts post the same text in the same second: the earliest
 * witness is the first in the corpus, with a tie noted; the article's
 * parent is the most recent of the equally good sources. */
static void test_earliest_ties(void)
{
    const char *posts[] = {"p1|acc_b|2021-03-01T08:00:00Z|" NARR,
                           "p2|acc_a|2021-03-01T08:00:00Z|" NARR,
                           "p3|acc_c|2021-03-01T10:00:00Z|" NARR};
    const char *docs[] = {"d1|Harbour Observer|2021-03-05T07:00:00Z|Ferries were late. " NARR
                          " The council meets on Monday."};
    chorus_corpus *p = corpus_of(posts, 3), *d = corpus_of(docs, 1);
    chorus_trace *t = trace(p, d, NULL, NULL, NULL);
    CHECK_INT(t->n_clusters, 1);
    if (t->n_clusters == 1) {
        const chorus_trace_cluster *c = &t->clusters[0];
        CHECK_INT(c->earliest, 0);
        CHECK_INT(c->ties, 1);
        CHECK_INT(c->items, 4);
        CHECK_INT(c->posts, 3);
        CHECK_INT(c->accounts, 3);
        CHECK_INT(c->articles, 1);
        CHECK_INT(c->outlets, 1);
        CHECK_INT(c->first_outlet, 3);
        CHECK_INT(c->passage, 1);
        CHECK_INT(c->to_10_accounts_ms, -1);
    }
    /* the article's source: the earliest post of the unit that aligns */
    CHECK_INT(t->n_reuse, 1);
    CHECK_INT(t->n_edges, 4);
    for (size_t i = 0; i < t->n_edges; i++) {
        const chorus_trace_edge *e = &t->edges[i];
        if (e->item == 0)
            CHECK_INT(e->parent, -1);
        if (e->item == 1 || e->item == 2)
            CHECK(e->parent >= 0 && e->parent < e->item);
        if (e->item == 3)
            CHECK_INT(e->parent, t->reuse[0].source);
    }
    chorus_trace_free(t);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

/* Parent of item in t's edges (-2 when item has no edge). */
static int64_t parent_of(const chorus_trace *t, uint32_t item)
{
    for (size_t i = 0; i < t->n_edges; i++)
        if (t->edges[i].item == item)
            return t->edges[i].parent;
    return -2;
}

#define BASE "The Brenmouth harbour deal hands our coast to foreign creditors, and the dock " \
             "workers who built it will lose their jobs first. "

/* Inside one near-duplicate cluster each post's parent is the earlier
 * post most like it: C is an edit of B, itself an edit of A, so the tree
 * is the chain A -> B -> C, although C is like A too. */
static void test_parent_chain(void)
{
    const char *posts[] = {
        "pa|acc_a|2021-03-01T08:00:00Z|" BASE "Share this before it is deleted.",
        "pb|acc_b|2021-03-01T09:00:00Z|" BASE "Share this before they delete it again tonight!",
        "pc|acc_c|2021-03-01T10:00:00Z|" BASE "Share this before they delete it again tonight!!"};
    chorus_corpus *p = corpus_of(posts, 3);
    chorus_trace *t = trace(p, NULL, NULL, NULL, NULL);
    CHECK_INT(t->n_clusters, 1);
    CHECK_INT(t->n_edges, 3);
    CHECK_INT(parent_of(t, 0), -1);
    CHECK_INT(parent_of(t, 1), 0);
    CHECK_INT(parent_of(t, 2), 1);
    if (t->n_clusters == 1)
        CHECK_INT(t->clusters[0].hops, 2);
    chorus_trace_free(t);
    chorus_corpus_free(p);
}

/* Equally good parents: the most recent wins. Among 33 copies of one
 * edit, a post with the first post's own text goes back to it (the first
 * post is always compared, beyond the 32 most recent). */
static void test_parent_ties(void)
{
    enum { N = 36 };
    static char rows[N][400];
    const char *posts[N];
    for (int i = 0; i < N; i++) {
        const char *text = i == 0 || i == N - 1 ? BASE "Share this before it is deleted."
                                                : BASE "Share this before it is deleted!!";
        snprintf(rows[i], sizeof rows[i], "p%d|acc_%d|2021-03-01T%02d:%02d:00Z|%s", i, i,
                 8 + i / 60, i % 60, text);
        posts[i] = rows[i];
    }
    chorus_corpus *p = corpus_of(posts, N);
    chorus_trace *t = trace(p, NULL, NULL, NULL, NULL);
    CHECK_INT(t->n_clusters, 1);
    CHECK_INT(t->n_edges, N);
    CHECK_INT(parent_of(t, 0), -1);
    CHECK_INT(parent_of(t, 1), 0);
    for (uint32_t i = 2; i < N - 1; i++)
        CHECK_INT(parent_of(t, i), i - 1); /* the same text: the most recent copy */
    CHECK_INT(parent_of(t, N - 1), 0);
    chorus_trace_free(t);
    chorus_corpus_free(p);
}

/* An article quoted by later posts: the first post of the quoting unit
 * is a reuse target with the article as source and parent, its copy
 * hangs under it; a unit that carried the text before the article is
 * the article's source instead, never its target. */
static void test_quoted_article(void)
{
    const char *posts[] = {
        "p1|acc_a|2021-03-06T08:00:00Z|As the Observer reports: " NARR,
        "p2|acc_b|2021-03-06T09:00:00Z|As the Observer reports: " NARR,
        "p3|acc_c|2021-03-01T08:00:00Z|Ballots in the northern districts of Veldrane were "
        "counted twice, and the board still refuses to publish the raw tallies.",
        "p4|acc_d|2021-03-09T08:00:00Z|Ballots in the northern districts of Veldrane were "
        "counted twice, and the board still refuses to publish the raw tallies!"};
    const char *docs[] = {"d1|Harbour Observer|2021-03-05T07:00:00Z|Ferries were late. " NARR
                          " The council meets on Monday.",
                          "d2|Valley Chronicle|2021-03-08T07:00:00Z|After the count: Ballots "
                          "in the northern districts of Veldrane were counted twice, and the "
                          "board still refuses to publish the raw tallies."};
    chorus_corpus *p = corpus_of(posts, 4), *d = corpus_of(docs, 2);
    chorus_trace *t = trace(p, d, NULL, NULL, NULL);
    uint32_t d1 = t->n_posts, d2 = t->n_posts + 1;
    int quoted = 0, copied = 0;
    for (size_t i = 0; i < t->n_reuse; i++) {
        const chorus_trace_reuse *r = &t->reuse[i];
        CHECK(r->target != 1 && r->target != 3); /* only the first post of a unit */
        quoted += r->source == d1 && r->target == 0;
        copied += r->source == 2 && r->target == d2;
        CHECK(!(r->source == d2 && r->target < t->n_posts));
    }
    CHECK_INT(quoted, 1);
    CHECK_INT(copied, 1);
    CHECK_INT(parent_of(t, 0), d1);
    CHECK_INT(parent_of(t, 1), 0);
    CHECK_INT(parent_of(t, d2), 2);
    CHECK_INT(parent_of(t, 3), 2);
    CHECK_INT(t->n_launder, 0);
    chorus_trace_free(t);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

static chorus_str S(const char *s) { return (chorus_str){s, strlen(s)}; }

/* A narrative's items (posts and an article, in time order) form a tree
 * by similarity: the reworded post goes under the post it rewords, the
 * article under the post it quotes; cluster hops count the longest path. */
static void test_narrative_tree(void)
{
    const char *posts[] = {
        "q1|acc_a|2021-03-01T08:00:00Z|" NARR,
        "q2|acc_b|2021-03-01T09:00:00Z|Brenmouth harbour deal: our coast goes to foreign "
        "creditors, and the dock workers who built it lose their jobs first.",
        "q3|acc_c|2021-03-01T10:00:00Z|Brenmouth harbour deal: our coast goes to foreign "
        "creditors, and the dock workers who built it lose their jobs first!!"};
    const char *docs[] = {"d1|Harbour Observer|2021-03-02T07:00:00Z|" NARR " Critics agree."};
    chorus_corpus *p = corpus_of(posts, 3), *d = corpus_of(docs, 1);
    chorus_trace *t = trace(p, d, NULL, NULL, NULL);
    size_t before = t->n_clusters, edges = t->n_edges;
    chorus_catalogue *cat = NULL;
    CHECK_INT(chorus_catalogue_new(ctx, NULL, &cat), CHORUS_OK);
    chorus_str none = {"", 0};
    CHECK_INT(chorus_catalogue_add(cat, S("N1"), S("harbour deal"), S(NARR), none, none),
              CHORUS_OK);
    CHECK_INT(chorus_catalogue_build(cat), CHORUS_OK);
    CHECK_INT(chorus_trace_narratives(t, p, d, cat), CHORUS_OK);
    CHECK_INT(t->n_clusters, before + 1);
    CHECK_INT(t->n_edges, edges + 4);
    for (size_t i = edges; i < t->n_edges; i++) {
        const chorus_trace_edge *e = &t->edges[i];
        CHECK_INT(e->cluster, before);
        int64_t want[] = {-1, 0, 1, 0};
        if (e->item < 4)
            CHECK_INT(e->parent, want[e->item]);
    }
    if (t->n_clusters == before + 1) {
        CHECK_INT(t->clusters[before].items, 4);
        CHECK_INT(t->clusters[before].hops, 2);
    }
    chorus_catalogue_free(cat);
    chorus_trace_free(t);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

#define MAST "Harbour Observer: independent news from the coast since 1921. Subscribe today " \
             "for stories from every harbour town, every single morning."

/* Text an outlet repeats in its own items is not reuse, even when another
 * outlet copies it; lowering the bar shows it would be. */
static void test_boilerplate(void)
{
    const char *docs[] = {
        "a1|Harbour Observer|2021-03-01T07:00:00Z|Ferries to Saltmere were late on Tuesday. " MAST,
        "a2|Harbour Observer|2021-03-02T07:00:00Z|Rain is expected through Saturday. " MAST,
        "a3|Harbour Observer|2021-03-03T07:00:00Z|The market reopens in Kestwick. " MAST,
        "a4|Harbour Observer|2021-03-04T07:00:00Z|Fishing crews stayed in port. " MAST,
        "a5|Harbour Observer|2021-03-05T07:00:00Z|A new crane arrived in Corvath. " MAST,
        "b1|Valley Chronicle|2021-03-06T07:00:00Z|Our neighbours print this: " MAST " Quite."};
    chorus_corpus *p = corpus_of(NULL, 0), *d = corpus_of(docs, 6);
    chorus_trace *t = trace(p, d, NULL, NULL, NULL);
    CHECK_INT(t->n_reuse, 0);
    CHECK(t->stats.boiler_anchors > 0);
    chorus_trace_free(t);
    chorus_trace_opts o;
    chorus_trace_defaults(&o);
    o.boiler_min = 100;
    t = trace(p, d, NULL, NULL, &o);
    CHECK_INT(t->n_reuse, 5); /* from each earlier item of the other outlet */
    for (size_t i = 0; i < t->n_reuse; i++)
        CHECK_INT(t->reuse[i].target, 5);
    chorus_trace_free(t);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

/* An exposed account's text reaches outlets before and after the date it
 * was exposed; an unexposed account's text is reuse, not laundering,
 * unless its account is in a coordinated group. */
static void test_laundering(void)
{
    const char *posts[] = {
        "p1|acc_x|2021-03-01T08:00:00Z|" NARR " #SaveBrenmouth",
        "p2|acc_z|2021-03-01T10:00:00Z|Ballots in the northern districts of Veldrane were "
        "counted twice, and the board still refuses to publish the raw tallies."};
    const char *docs[] = {
        "d1|Harbour Observer|2021-03-05T07:00:00Z|Ferries were late. The Brenmouth harbour deal "
        "hands our coast to foreign creditors, and the dock workers who built it will lose "
        "their jobs frist, critics say.",
        "d2|Valley Chronicle|2021-03-12T07:00:00Z|Gates were closed. " NARR " No agreement.",
        "d3|Valley Chronicle|2021-03-08T07:00:00Z|After the count: Ballots in the northern "
        "districts of Veldrane were counted twice, and the board still refuses to publish the "
        "raw tallies. The board denies it.",
        "d4|Harbour Observer|2021-04-20T07:00:00Z|Far too late: " NARR};
    const char list[] = "\xEF\xBB\xBF# takedown list\r\nacc_x,2021-03-10\r\nacc_q\r\n";
    chorus_exposed *ex = NULL;
    CHECK_INT(chorus_exposed_parse(ctx, list, sizeof list - 1, &ex), CHORUS_OK);
    chorus_corpus *p = corpus_of(posts, 2), *d = corpus_of(docs, 4);
    chorus_trace *t = trace(p, d, ex, NULL, NULL);
    CHECK_INT(t->n_launder, 2); /* d4 is past the 30-day lag */
    int64_t exposed = ex->when_ms[0];
    CHECK_INT(exposed, 1615334400000LL); /* 2021-03-10T00:00:00Z */
    for (size_t i = 0; i < t->n_launder; i++) {
        const chorus_trace_launder *l = &t->launder[i];
        CHECK_INT(l->origin, 0);
        CHECK_INT(l->exposed_ms, exposed);
        CHECK_INT(l->by_group, 0);
        CHECK(l->doc == t->n_posts + 0 || l->doc == t->n_posts + 1);
        CHECK_INT(t->reuse[l->reuse].target, l->doc);
    }
    chorus_trace_free(t);
    uint8_t groups[4] = {0};
    groups[chorus_corpus_find_account(p, "acc_z", 5)] = 1;
    t = trace(p, d, NULL, groups, NULL);
    CHECK_INT(t->n_launder, 1);
    if (t->n_launder == 1) {
        CHECK_INT(t->launder[0].doc, t->n_posts + 2);
        CHECK_INT(t->launder[0].origin, 1);
        CHECK_INT(t->launder[0].by_group, 1);
    }
    chorus_trace_free(t);
    chorus_exposed_free(ex);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

static void test_exposed_parse(void)
{
    chorus_exposed *e = NULL;
    const char ok[] = "a1\n\n  b2\t2021-01-02T03:04:05Z \r\n#c3\nc4,\n";
    CHECK_INT(chorus_exposed_parse(ctx, ok, sizeof ok - 1, &e), CHORUS_OK);
    CHECK_INT(e->n, 3);
    CHECK_STRN(e->ids[0].ptr, e->ids[0].len, "a1");
    CHECK_STRN(e->ids[1].ptr, e->ids[1].len, "b2");
    CHECK_STRN(e->ids[2].ptr, e->ids[2].len, "c4");
    CHECK(e->when_ms[0] == INT64_MIN);
    CHECK_INT(e->when_ms[1], 1609556645000LL);
    CHECK(e->when_ms[2] == INT64_MIN);
    chorus_exposed_free(e);
    CHECK_INT(chorus_exposed_parse(ctx, "a,not a date\n", 13, &e), CHORUS_EINPUT);
    CHECK(e == NULL);
    CHECK(strstr(chorus_errmsg(ctx), "line 1") != NULL);
    CHECK_INT(chorus_exposed_parse(ctx, "ok\n,2021-01-01\n", 15, &e), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), "line 2") != NULL);
    CHECK_INT(chorus_exposed_parse(ctx, "", 0, &e), CHORUS_OK);
    CHECK_INT(e->n, 0);
    chorus_exposed_free(e);
    CHECK_INT(chorus_exposed_read(ctx, "/nonexistent/list.txt", &e), CHORUS_EIO);
}

/* Every allocation failure is reported as such, and nothing leaks (ASan). */
static void test_out_of_memory(void)
{
    const char *posts[] = {"p1|acc_x|2021-03-01T08:00:00Z|" NARR};
    const char *docs[] = {"d1|Harbour Observer|2021-03-05T07:00:00Z|Late. " NARR};
    chorus_corpus *p = corpus_of(posts, 1), *d = corpus_of(docs, 1);
    int failed = 0, ok = 0;
    for (long budget = 0; budget < 400 && !ok; budget++) {
        check_alloc_budget = 1L << 40;
        chorus_ctx *c2 = chorus_ctx_new(check_failing_alloc, NULL);
        check_alloc_budget = budget;
        chorus_trace *t = NULL;
        chorus_rc rc = chorus_trace_run(c2, p, d, NULL, NULL, NULL, &t);
        check_alloc_budget = 1L << 40;
        if (rc == CHORUS_OK) {
            ok = 1;
            CHECK_INT(t->n_reuse, 1);
        } else {
            failed++;
            CHECK_INT(rc, CHORUS_ENOMEM);
            CHECK(t == NULL);
        }
        chorus_trace_free(t);
        chorus_ctx_free(c2);
    }
    CHECK(ok);
    CHECK(failed > 10);
    chorus_corpus_free(p);
    chorus_corpus_free(d);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    snprintf(dir, sizeof dir, "/tmp/chorus-trace-XXXXXX");
    if (!ctx || !mkdtemp(dir))
        return 1;
    RUN(test_decode);
    RUN(test_winnow);
    RUN(test_align);
    RUN(test_offsets);
    RUN(test_earliest_ties);
    RUN(test_parent_chain);
    RUN(test_parent_ties);
    RUN(test_narrative_tree);
    RUN(test_quoted_article);
    RUN(test_boilerplate);
    RUN(test_laundering);
    RUN(test_exposed_parse);
    RUN(test_out_of_memory);
    rmdir(dir);
    chorus_ctx_free(ctx);
    TEST_END("test_trace");
}
