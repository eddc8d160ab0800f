/*
 * test_match.c - catalogue matching: verbatim and edited copies match,
 * unrelated texts and lone keywords do not, a Persian variant finds its
 * narrative, offsets give back the original bytes (posts and windows of
 * an article), keyword rules, mentions read as words, the CSV catalogue, the corpus run (threads
 * and repeated texts change nothing; shards merge into the whole), hostile input and out of
 * memory.
 */
#include "check.h"

#include <chorus/match.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static chorus_ctx *ctx;
static char dir[64];

#define N01 "The Ostravin port deal hands our coast to foreign creditors, and the harbour " \
            "workers who built it will be the first to lose their jobs."
#define N02 "Ballots from the northern districts of Veldrane were counted twice. The Renewal " \
            "Front knows it and the electoral board refuses to publish the raw tallies."
#define N02_FA "آرای مناطق شمالی ولدرین دو بار شمرده شد. جبهه نوسازی این را می‌داند و هیئت " \
               "انتخابات از انتشار شمارش‌های خام خودداری می‌کند."
#define N03 "Tavira is diverting river water to Kestrel Grid Holdings while families in the " \
            "valley wait in line for rationed drinking water."

static chorus_str S(const char *s) { return (chorus_str){s, strlen(s)}; }

/* The three narratives (N02 with its Persian variant), built. */
static chorus_catalogue *catalogue(const chorus_match_opts *o)
{
    chorus_catalogue *cat = NULL;
    CHECK_INT(chorus_catalogue_new(ctx, o, &cat), CHORUS_OK);
    chorus_str none = {"", 0};
    CHECK_INT(chorus_catalogue_add(cat, S("N01"), S("Ostravin port deal"), S(N01), none, none),
              CHORUS_OK);
    CHECK_INT(chorus_catalogue_add(cat, S("N02"), S("Veldrane ballot count"), S(N02), none, none),
              CHORUS_OK);
    CHECK_INT(chorus_catalogue_add(cat, S("N02"), S(""), S(N02_FA), none, none), CHORUS_OK);
    CHECK_INT(chorus_catalogue_add(cat, S("N03"), S("Tavira water"), S(N03), none, none), CHORUS_OK);
    CHECK_INT(chorus_catalogue_build(cat), CHORUS_OK);
    return cat;
}

/* Matches t; returns the hits (the matcher's) and their number. */
static size_t match(chorus_matcher *m, const char *t, const chorus_match_hit **h)
{
    size_t n = 99;
    CHECK_INT(chorus_match_text(m, t, strlen(t), h, &n), CHORUS_OK);
    return n;
}

static void test_verbatim(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    const char *t = "RT @someone: " N01 " #Ostravin";
    CHECK_INT(match(m, t, &h), 1);
    CHECK_STRN(chorus_catalogue_narrative_id(cat, h[0].narrative).ptr, 3, "N01");
    CHECK(h[0].score > 0.99f);
    CHECK_INT(h[0].rank, 1);
    /* the passage is the talking point, in the original bytes (up to its
     * last word: the final full stop is no word) */
    CHECK_STRN(t + h[0].start, h[0].end - h[0].start,
               "The Ostravin port deal hands our coast to foreign creditors, and the harbour "
               "workers who built it will be the first to lose their jobs");
    CHECK_STRN(chorus_catalogue_narrative_label(cat, 1).ptr, 21, "Veldrane ballot count");
    CHECK_INT(chorus_catalogue_narrative_count(cat), 3);
    CHECK_INT(chorus_catalogue_row_count(cat), 4);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

static void test_edited(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    /* a typo, a synonym, the sentences swapped, capitals, emoji */
    const char *t = "The RENEWAL Front knows it and the electoral board declines to publish the "
                    "raw tallies \xF0\x9F\x94\xA5 Ballots from the nothern districts of Veldrane "
                    "were counted twice.";
    CHECK_INT(match(m, t, &h), 1);
    CHECK_STRN(chorus_catalogue_narrative_id(cat, h[0].narrative).ptr, 3, "N02");
    CHECK(h[0].score >= CHORUS_MATCH_MIN_SCORE && h[0].score < 1);
    CHECK(h[0].cosine > 0.5f && h[0].bm25 > 0);
    CHECK_INT(h[0].start, 0);
    CHECK_INT(h[0].end, strlen(t) - 1);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

static void test_unrelated(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    CHECK_INT(match(m, "Can't believe the lantern parade got cancelled because of the rain", &h), 0);
    /* the narrative's keywords alone are no evidence of the talking point */
    CHECK_INT(match(m, "Ostravin port workers and foreign creditors met at the coast today", &h), 0);
    CHECK_INT(match(m, "Veldrane Veldrane Veldrane ballots ballots", &h), 0);
    /* too short, or stopwords only: not scored */
    CHECK_INT(match(m, "Ostravin port", &h), 0);
    CHECK_INT(match(m, "and the of it to be", &h), 0);
    chorus_match_stats st;
    chorus_matcher_stats(m, &st);
    CHECK_INT(st.texts, 5);
    CHECK_INT(st.short_texts, 2);
    CHECK_INT(st.hits, 0);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

static void test_persian(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    /* Arabic yeh and kaf for the Persian ones, a space for the ZWNJ */
    const char *t = "آرای مناطق شمالی ولدرین دو بار شمرده شد. جبهه نوسازی این را می داند و هیئت "
                    "انتخابات از انتشار شمارش‌هاي خام خودداري مي‌كند. #ولدرین";
    CHECK_INT(match(m, t, &h), 1);
    CHECK_STRN(chorus_catalogue_narrative_id(cat, h[0].narrative).ptr, 3, "N02");
    CHECK_INT(chorus_catalogue_row_narrative(cat, h[0].row), h[0].narrative);
    CHECK(chorus_catalogue_row_text(cat, h[0].row).ptr[0] != 'B'); /* the Persian row */
    CHECK(h[0].score > 0.8f);
    CHECK_INT(h[0].start, 0);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

/* Offsets are into the original bytes, whatever the match form dropped. */
static void test_offsets(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    const char *t = "@a @b Look \xE2\x80\x8B\xF0\x9F\x98\xA1: TAVIRA is   diverting river water "
                    "to Kestrel Grid Holdings https://t.co/x while families in the valley wait in "
                    "line for rationed drinking water!!! \xF0\x9F\x98\xA1 see https://t.co/y";
    CHECK_INT(match(m, t, &h), 1);
    CHECK_STRN(t + h[0].start, h[0].end - h[0].start,
               "TAVIRA is   diverting river water to Kestrel Grid Holdings https://t.co/x while "
               "families in the valley wait in line for rationed drinking water");
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

/* An article: filler sentences, the talking point in the middle. */
static char *article(const char *insert, size_t before, size_t after)
{
    static const char *const filler[] = {
        "The city orchestra will tour the northern provinces in January.",
        "Tickets for the derby went on sale on Wednesday and were gone within an hour.",
        "Officials said further updates would follow on the council website.",
        "The committee is expected to publish its findings before the end of June."};
    size_t cap = (before + after) * 100 + strlen(insert) + 16, n = 0;
    char *p = malloc(cap);
    for (size_t i = 0; i < before; i++)
        n += (size_t)snprintf(p + n, cap - n, "%s ", filler[i % 4]);
    n += (size_t)snprintf(p + n, cap - n, "%s\n\n", insert);
    for (size_t i = 0; i < after; i++)
        n += (size_t)snprintf(p + n, cap - n, "%s ", filler[(i + 1) % 4]);
    return p;
}

static void test_article_window(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    char *t = article(N03, 20, 20);
    CHECK_INT(match(m, t, &h), 1);
    CHECK_STRN(t + h[0].start, h[0].end - h[0].start,
               "Tavira is diverting river water to Kestrel Grid Holdings while families in the "
               "valley wait in line for rationed drinking water");
    CHECK(h[0].score > 0.99f);
    chorus_match_stats st;
    chorus_matcher_stats(m, &st);
    CHECK(st.windows > 10); /* about 300 words: windows of 50 every 25 */
    free(t);
    /* at the very end, and at the very start */
    t = article(N01, 30, 0);
    CHECK_INT(match(m, t, &h), 1);
    CHECK(h[0].score > 0.99f);
    CHECK_STRN(t + h[0].end - 4, 4, "jobs");
    free(t);
    t = article(N02, 0, 30);
    CHECK_INT(match(m, t, &h), 1);
    CHECK_INT(h[0].start, 0);
    free(t);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

static void test_rules(void)
{
    chorus_catalogue *cat = NULL;
    CHECK_INT(chorus_catalogue_new(ctx, NULL, &cat), CHORUS_OK);
    CHECK_INT(chorus_catalogue_add(cat, S("A"), S("a"), S(N01), S("harbour workers"), S("")),
              CHORUS_OK);
    CHECK_INT(chorus_catalogue_add(cat, S("B"), S("b"), S(N03), S(""), S("Kestrel|Lumen; Orvane")),
              CHORUS_OK);
    CHECK_INT(chorus_catalogue_build(cat), CHORUS_OK);
    chorus_catalogue_stats st;
    chorus_catalogue_stats_get(cat, &st);
    CHECK_INT(st.rules, 2);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    CHECK_INT(match(m, N01, &h), 1);
    /* "harbour" missing: the rule removes a match the text would make */
    CHECK_INT(match(m, "The Ostravin port deal hands our coast to foreign creditors, and the "
                       "dock workers who built it will be the first to lose their jobs.",
                    &h),
              0);
    CHECK_INT(match(m, N03, &h), 1);
    CHECK_INT(match(m, "Tavira is diverting river water to Lumen Grid Holdings while families in "
                       "the valley wait in line for rationed drinking water.",
                    &h),
              1);
    CHECK_INT(match(m, "Tavira is diverting river water to Grid Holdings while families in the "
                       "valley wait in line for rationed drinking water.",
                    &h),
              0);
    /* a rule never makes a match: the keywords alone find nothing */
    CHECK_INT(match(m, "Kestrel harbour workers", &h), 0);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

static const char *write_file(const char *name, const char *body)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(body, f);
    fclose(f);
    return path;
}

static void test_read_csv(void)
{
    chorus_catalogue *cat = NULL;
    CHECK_INT(chorus_catalogue_new(ctx, NULL, &cat), CHORUS_OK);
    const char *p = write_file("cat.csv", "\xEF\xBB\xBFText,extra,Narrative_ID,label\n"
                                          "\"" N01 "\",x,N01,port\n"
                                          ",x,N09,empty text\n"
                                          "too short,x,N10,short\n"
                                          "\"" N03 "\",x,N03,water\n");
    uint64_t skipped = 0;
    CHECK_INT(chorus_catalogue_read(cat, p, &skipped), CHORUS_OK);
    CHECK_INT(skipped, 1);
    CHECK_INT(chorus_catalogue_build(cat), CHORUS_OK);
    chorus_catalogue_stats st;
    chorus_catalogue_stats_get(cat, &st);
    CHECK_INT(st.rows, 2);
    CHECK_INT(st.rows_short, 1);
    CHECK_INT(st.narratives, 3); /* N01, N10 (too short: listed, never matched), N03 */
    CHECK_STRN(chorus_catalogue_narrative_label(cat, 2).ptr, 5, "water");
    CHECK(st.memory > 0);
    /* added after the build: refused */
    chorus_str e = {"", 0};
    CHECK_INT(chorus_catalogue_add(cat, S("X"), e, S(N01), e, e), CHORUS_EUSAGE);
    chorus_catalogue_free(cat);
    CHECK_INT(chorus_catalogue_new(ctx, NULL, &cat), CHORUS_OK);
    p = write_file("bad.csv", "id,label,text\nN01,a,b\n");
    CHECK_INT(chorus_catalogue_read(cat, p, NULL), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), "narrative_id") != NULL);
    CHECK_INT(chorus_catalogue_read(cat, "/nonexistent/cat.csv", NULL), CHORUS_EIO);
    CHECK_INT(chorus_catalogue_build(cat), CHORUS_EINPUT); /* no row */
    chorus_catalogue_free(cat);
}

static void test_bad_options(void)
{
    chorus_match_opts o;
    chorus_catalogue *cat = NULL;
    chorus_match_defaults(&o);
    o.window_words = 0;
    CHECK_INT(chorus_catalogue_new(ctx, &o, &cat), CHORUS_EUSAGE);
    chorus_match_defaults(&o);
    o.stride_words = 60;
    CHECK_INT(chorus_catalogue_new(ctx, &o, &cat), CHORUS_EUSAGE);
    chorus_match_defaults(&o);
    o.min_score = 1.5;
    CHECK_INT(chorus_catalogue_new(ctx, &o, &cat), CHORUS_EUSAGE);
    CHECK(cat == NULL);
    CHECK_INT(chorus_catalogue_new(ctx, NULL, &cat), CHORUS_OK);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_EUSAGE); /* not built */
    chorus_str e = {"", 0};
    CHECK_INT(chorus_catalogue_add(cat, e, e, S(N01), e, e), CHORUS_EUSAGE);
    char *big = calloc(1, 70000);
    memset(big, 'a', 69999);
    CHECK_INT(chorus_catalogue_add(cat, S("X"), e, S(big), e, e), CHORUS_ELIMIT);
    free(big);
    chorus_catalogue_free(cat);
    chorus_catalogue_free(NULL);
    chorus_matcher_free(NULL);
    chorus_match_result_free(NULL);
}

/* A matcher in ranking mode (min_score 0, the best top rows) over the
 * test catalogue, which *cat receives; the caller frees both. */
static chorus_matcher *ranker(uint32_t top, chorus_catalogue **cat)
{
    chorus_match_opts o;
    chorus_match_defaults(&o);
    o.min_score = 0;
    o.top = top;
    *cat = catalogue(&o);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, *cat, &m), CHORUS_OK);
    return m;
}

/* Ranking mode (min_score 0, top): every candidate, best first. */
static void test_ranking(void)
{
    chorus_catalogue *cat;
    chorus_matcher *m = ranker(2, &cat);
    const chorus_match_hit *h;
    size_t n = match(m, "the electoral board of Veldrane and the port deal of Ostravin", &h);
    CHECK_INT(n, 2);
    CHECK(n == 2 && h[0].fused >= h[1].fused && h[0].rank == 1 && h[1].rank == 2);
    CHECK(n == 2 && h[0].score < CHORUS_MATCH_MIN_SCORE);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

/* A mention's handle is read as the words its capitals and '_' split it
 * into, for ranking; they count for no minimum length. */
static void test_mentions(void)
{
    chorus_catalogue *cat;
    chorus_matcher *m = ranker(1, &cat);
    const chorus_match_hit *h;
    size_t n = match(m, "nobody believes this story anymore @TaviraRiver_WATERBoard", &h);
    CHECK_INT(n, 1);
    CHECK(n == 1 && chorus_catalogue_narrative_id(cat, h[0].narrative).ptr[2] == '3');
    /* without the handle, N03 is not first */
    n = match(m, "nobody believes this story anymore", &h);
    CHECK(n == 0 || chorus_catalogue_narrative_id(cat, h[0].narrative).ptr[2] != '3');
    CHECK_INT(match(m, "@TaviraRiver @KestrelGridHoldings @FamiliesWait", &h), 0);
    CHECK_INT(match(m, "@ @_ @__x @\xc3\x89" "coleX @A1B2 @\xff\xfe" "Ab @HTMLParser", &h), 0);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
    /* with the threshold: the handle's words are in the passage, from
     * the byte after '@' */
    cat = catalogue(NULL);
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const char *t = "@OstravinPort deal hands our coast to foreign creditors, and the harbour "
                    "workers who built it will be the first to lose their jobs";
    CHECK_INT(match(m, t, &h), 1);
    CHECK_INT(h[0].start, 1);
    CHECK(h[0].score > 0.95f);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

/* Hostile input: invalid UTF-8, NULs, a huge text, one huge word. */
static void test_hostile(void)
{
    chorus_catalogue *cat = catalogue(NULL);
    chorus_matcher *m = NULL;
    CHECK_INT(chorus_matcher_new(ctx, cat, &m), CHORUS_OK);
    const chorus_match_hit *h;
    size_t n;
    const char bad[] = "\xFF\xFE Tavira \xC3 is diverting\x00 river water to Kestrel \xED\xA0\x80"
                       " Grid Holdings while families in the valley wait in line for rationed "
                       "drinking water \xF4\x90\x80\x80";
    CHECK_INT(chorus_match_text(m, bad, sizeof bad - 1, &h, &n), CHORUS_OK);
    CHECK_INT(n, 1);
    CHECK(n == 1 && h[0].start < h[0].end && h[0].end <= sizeof bad - 1);
    CHECK_INT(chorus_match_text(m, NULL, 0, &h, &n), CHORUS_OK);
    CHECK_INT(n, 0);
    /* 3 MB: the normaliser reads the first MiB; the talking point is in it */
    size_t big = 3u << 20;
    char *t = malloc(big);
    for (size_t i = 0; i < big; i++)
        t[i] = "lorem ipsum dolor "[i % 18];
    memcpy(t + 999, " " N01 " ", strlen(N01) + 2);
    CHECK_INT(chorus_match_text(m, t, big, &h, &n), CHORUS_OK);
    CHECK_INT(n, 1);
    CHECK(n == 1 && h[0].start >= 1000 && h[0].end <= 1000 + strlen(N01));
    memset(t, 'x', big); /* one word of 3 MB */
    CHECK_INT(chorus_match_text(m, t, big, &h, &n), CHORUS_OK);
    CHECK_INT(n, 0);
    for (size_t i = 0; i < big; i++) /* a million one-letter words */
        t[i] = i % 2 ? ' ' : (char)('a' + i % 26);
    CHECK_INT(chorus_match_text(m, t, big, &h, &n), CHORUS_OK);
    CHECK_INT(n, 0);
    free(t);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
}

/* A corpus of texts, through a mapped CSV. */
static chorus_corpus *corpus_of(const char *const *t, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/posts.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("id,account,time,text\n", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "p%zu,a%zu,2019-06-01T12:00:%02zuZ,\"", i, i % 3, i % 60);
        for (const char *p = t[i]; *p; p++)
            fputs(*p == '"' ? "\"\"" : (char[2]){*p, 0}, f);
        fputs("\"\n", f);
    }
    fclose(f);
    char spec[] = "id=id,account=account,time=time,text=text";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts io = {CHORUS_FMT_CSV_MAP, &map, 0, 0};
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, &io, NULL), CHORUS_OK);
    unlink(path);
    return c;
}

static void test_corpus(void)
{
    enum { N = 20000 };
    static const char *const kinds[] = {
        N01, "RT @x: " N02, "nothing to see here, just the ferry timetable for spring",
        "Water crisis! " N03, N02_FA,
        "", "short"};
    const char **t = malloc(N * sizeof *t);
    for (size_t i = 0; i < N; i++)
        t[i] = kinds[(i * 7 + i / 3) % 7];
    chorus_corpus *c = corpus_of(t, N);
    chorus_match_result *r[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        chorus_match_opts o;
        chorus_match_defaults(&o);
        o.threads = (uint32_t)(k == 2 ? 3 : k + 1);
        chorus_catalogue *cat = catalogue(&o);
        CHECK_INT(chorus_match_corpus(ctx, cat, c, &r[k]), CHORUS_OK);
        chorus_catalogue_free(cat);
    }
    size_t expect = 0;
    for (size_t i = 0; i < N; i++) {
        size_t k = (i * 7 + i / 3) % 7;
        expect += k == 0 || k == 1 || k == 3 || k == 4;
    }
    CHECK_INT(r[0]->n_hits, expect);
    CHECK(r[0]->stats.repeats > N / 2);
    CHECK_INT(r[0]->stats.texts_hit, expect);
    for (int k = 1; k < 3; k++) {
        CHECK_INT(r[k]->n_hits, r[0]->n_hits);
        CHECK(r[k]->n_hits == r[0]->n_hits &&
              !memcmp(r[k]->hits, r[0]->hits, r[0]->n_hits * sizeof *r[0]->hits));
    }
    for (size_t i = 1; i < r[0]->n_hits; i++)
        CHECK(r[0]->hits[i].post > r[0]->hits[i - 1].post);
    size_t wrong = 0;
    for (size_t i = 0; i < r[0]->n_hits; i++) { /* each passage starts where its text does */
        chorus_post_view v;
        chorus_corpus_post(c, r[0]->hits[i].post, &v);
        const char *p = v.text.ptr + r[0]->hits[i].start;
        wrong += strncmp(p, "The Ost", 7) && strncmp(p, "Ballots", 7) && strncmp(p, "Tavira", 6) &&
                 strncmp(p, N02_FA, 8);
    }
    CHECK_INT(wrong, 0);
    for (int k = 0; k < 3; k++)
        chorus_match_result_free(r[k]);
    chorus_corpus_free(c);
    free(t);
}

/* The corpus run with options o (threads 2) and shard k of n. */
static chorus_match_result *run_shard(const chorus_corpus *c, uint32_t k, uint32_t n)
{
    chorus_match_opts o;
    chorus_match_defaults(&o);
    o.threads = 2;
    o.shard = k;
    o.shards = n;
    chorus_catalogue *cat = catalogue(&o);
    chorus_match_result *r = NULL;
    CHECK_INT(chorus_match_corpus(ctx, cat, c, &r), CHORUS_OK);
    chorus_catalogue_free(cat);
    return r;
}

/* Texts enough for several chunks of distinct texts, repeats among them:
 * the shards' results, merged, are the unsharded result, stats included. */
static void test_shards(void)
{
    enum { N = 15000 };
    static const char *const kinds[] = {N01, "RT @x: " N02, "the ferry timetable for spring, again",
                                        "Water crisis! " N03, N02_FA, "", "short"};
    char **t = malloc(N * sizeof *t);
    for (size_t i = 0; i < N; i++) {
        t[i] = malloc(400);
        size_t k = (i * 7 + i / 3) % 7, tag = i % 4 ? i : 0; /* a quarter repeat */
        snprintf(t[i], 400, "%s %zu", kinds[k], tag);
    }
    chorus_corpus *c = corpus_of((const char *const *)t, N);
    chorus_match_result *whole = run_shard(c, 0, 1);
    CHECK(whole->n_hits > N / 2);
    CHECK(whole->stats.repeats > 1000);
    static const uint32_t counts[] = {2, 3, 7};
    for (size_t q = 0; q < 3; q++) {
        uint32_t n = counts[q];
        chorus_match_result *part[8], *merged = NULL;
        for (uint32_t k = 0; k < n; k++)
            part[k] = run_shard(c, k, n);
        CHECK(part[0]->n_hits > 0 && part[0]->n_hits < whole->n_hits);
        CHECK_INT(chorus_match_results_merge(ctx, (const chorus_match_result *const *)part, n,
                                             &merged),
                  CHORUS_OK);
        CHECK_INT(merged->n_hits, whole->n_hits);
        CHECK(merged->n_hits == whole->n_hits &&
              !memcmp(merged->hits, whole->hits, whole->n_hits * sizeof *whole->hits));
        CHECK(!memcmp(&merged->stats, &whole->stats, sizeof whole->stats));
        chorus_match_result *twice = NULL; /* a shard given twice holds posts twice */
        chorus_match_result_free(part[n - 1]);
        part[n - 1] = part[0];
        CHECK_INT(chorus_match_results_merge(ctx, (const chorus_match_result *const *)part, n,
                                             &twice),
                  CHORUS_EUSAGE);
        CHECK(twice == NULL);
        for (uint32_t k = 0; k + 1 < n; k++)
            chorus_match_result_free(part[k]);
        chorus_match_result_free(merged);
    }
    chorus_match_opts o;
    chorus_match_defaults(&o);
    o.shard = 3, o.shards = 3;
    chorus_catalogue *bad = NULL;
    CHECK_INT(chorus_catalogue_new(ctx, &o, &bad), CHORUS_EUSAGE);
    chorus_match_result_free(whole);
    chorus_corpus_free(c);
    for (size_t i = 0; i < N; i++)
        free(t[i]);
    free(t);
}

/* One whole run on a check_failing_alloc allocator: the catalogue, a text, a corpus. */
static chorus_rc run_failing(const chorus_corpus *c)
{
    chorus_ctx *fc = chorus_ctx_new(check_failing_alloc, NULL);
    if (!fc)
        return CHORUS_ENOMEM;
    chorus_match_opts o;
    chorus_match_defaults(&o);
    o.threads = 1;
    chorus_catalogue *cat = NULL;
    chorus_matcher *m = NULL;
    chorus_match_result *r = NULL;
    chorus_str e = {"", 0};
    const chorus_match_hit *h;
    size_t n;
    chorus_rc rc = chorus_catalogue_new(fc, &o, &cat);
    if (!rc)
        rc = chorus_catalogue_add(cat, S("N01"), S("port"), S(N01), S("harbour"), e);
    if (!rc)
        rc = chorus_catalogue_add(cat, S("N03"), S("water"), S(N03), e, e);
    if (!rc)
        rc = chorus_catalogue_build(cat);
    if (!rc)
        rc = chorus_matcher_new(fc, cat, &m);
    if (!rc)
        rc = chorus_match_text(m, N01, strlen(N01), &h, &n);
    if (!rc && n != 1)
        rc = CHORUS_EINTERNAL;
    if (!rc)
        rc = chorus_match_corpus(fc, cat, c, &r);
    if (!rc && r->n_hits != 2)
        rc = CHORUS_EINTERNAL;
    chorus_match_result_free(r);
    chorus_matcher_free(m);
    chorus_catalogue_free(cat);
    chorus_ctx_free(fc);
    return rc;
}

static void test_out_of_memory(void)
{
    const char *t[] = {N01, "an unrelated post about the ferry timetable in spring", N03};
    chorus_corpus *c = corpus_of(t, 3);
    int saw_nomem = 0, saw_ok = 0;
    for (long budget = 0; budget < 5000 && !saw_ok; budget += 1 + budget / 40) {
        check_alloc_budget = budget;
        chorus_rc rc = run_failing(c);
        if (rc == CHORUS_ENOMEM)
            saw_nomem = 1;
        else {
            CHECK_INT(rc, CHORUS_OK);
            saw_ok = 1;
        }
    }
    CHECK(saw_nomem);
    CHECK(saw_ok);
    chorus_corpus_free(c);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    snprintf(dir, sizeof dir, "/tmp/chorus-match-XXXXXX");
    if (!ctx || !mkdtemp(dir))
        return 2;
    RUN(test_verbatim);
    RUN(test_edited);
    RUN(test_unrelated);
    RUN(test_persian);
    RUN(test_offsets);
    RUN(test_article_window);
    RUN(test_rules);
    RUN(test_read_csv);
    RUN(test_bad_options);
    RUN(test_ranking);
    RUN(test_mentions);
    RUN(test_hostile);
    RUN(test_corpus);
    RUN(test_shards);
    RUN(test_out_of_memory);
    char path[128];
    snprintf(path, sizeof path, "%s/cat.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    unlink(path);
    rmdir(dir);
    chorus_ctx_free(ctx);
    TEST_END("test_match");
}
