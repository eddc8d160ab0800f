/*
 * test_dedup.c - near-duplicate clusters, both linkages: exact and
 * perturbed copies (case, typo, emoji, tags, Persian letters, ZWNJ),
 * unrelated texts, containment, brute-force all-pairs property test
 * (DEDUP_SEED=N, DEDUP_VERBOSE=1), one huge bucket's cost, the similar
 * signal, options, out of memory; the same result on several threads;
 * the set intersection (blocks of four
 * values) against a plain merge.
 */
#include "check.h"
#include "io_header.h"

#include "text/dedup_impl.h"

#include <chorus/dedup.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static chorus_ctx *ctx;
static char dir[64];
static int files;

enum { POST, RETWEET, REPLY };

/* One IO-archive row: post id+1 by account "u<acc>" at second sec of
 * the day, text t. */
static void row(FILE *f, int id, int acc, const char *t, int kind, int sec)
{
    fprintf(f, "%d,u%d,u%d,u%d,,,,1,1,2015-03-02,en,en,\"", id + 1, acc, acc, acc);
    for (; *t; t++)
        fputs(*t == '"' ? "\"\"" : (char[2]){*t, 0}, f);
    fprintf(f, "\",2019-06-01 %02d:%02d:%02d,,%s,%s,,%s,%s,%s,a,a,0,0,0,0,[],[],[],\n",
            sec / 3600 % 24, sec / 60 % 60, sec % 60, kind == REPLY ? "u0" : "",
            kind == REPLY ? "1" : "", kind == RETWEET ? "true" : "false",
            kind == RETWEET ? "u0" : "", kind == RETWEET ? "1" : "");
}

/* A corpus of texts t[0..n): post i by account acc ? acc[i] : i, kind
 * kinds ? kinds[i] : POST, at second secs ? secs[i] : i of one day. */
static chorus_corpus *corpus_at(const char *const *t, size_t n, const int *acc, const int *kinds,
                                const int *secs)
{
    char path[128];
    snprintf(path, sizeof path, "%s/t%d.csv", dir, files++);
    FILE *f = fopen(path, "w");
    fputs(IO_HEADER, f);
    for (size_t i = 0; i < n; i++)
        row(f, (int)i, acc ? acc[i] : (int)i, t[i], kinds ? kinds[i] : POST,
            secs ? secs[i] : (int)i);
    fclose(f);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_OK);
    CHECK_INT(chorus_corpus_post_count(c), n);
    unlink(path);
    return c;
}

static chorus_corpus *corpus_of(const char *const *t, size_t n, const int *acc, const int *kinds)
{
    return corpus_at(t, n, acc, kinds, NULL);
}

static chorus_dedup *run(const chorus_corpus *c, chorus_dedup_linkage l)
{
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.linkage = l;
    o.keep_pairs = 1;
    chorus_dedup *d = NULL;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    return d;
}

/* The cluster (0-based) of post p, or -1. */
static long cluster_of(const chorus_dedup *d, uint32_t p)
{
    for (size_t k = 0; k < d->n_clusters; k++)
        for (uint32_t i = 0; i < d->clusters[k].size; i++)
            if (d->members[d->clusters[k].first_member + i].post == p)
                return (long)k;
    return -1;
}

static void test_exact(void)
{
    const char *t[] = {"Free Veldrane now, they said it clearly tonight",
                       "free veldrane now, they said it clearly tonight",
                       "an unrelated post about the ferry timetable in spring",
                       "FREE  VELDRANE NOW, they said it clearly tonight"};
    chorus_corpus *c = corpus_of(t, 4, NULL, NULL);
    for (int l = 0; l < 2; l++) {
        chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
        CHECK_INT(d->n_clusters, 1);
        CHECK_INT(d->stats.texts, 4);
        CHECK_INT(d->stats.unique, 2);
        CHECK_INT(d->stats.exact_groups, 1);
        CHECK_INT(d->stats.verified, 0);
        if (d->n_clusters == 1) {
            const chorus_dedup_cluster *cl = &d->clusters[0];
            CHECK_INT(cl->size, 3);
            CHECK_INT(cl->accounts, 3);
            CHECK_INT(cl->texts, 1);
            CHECK_INT(cl->representative, 0);
            CHECK_INT(cl->earliest, 0);
            CHECK_INT(cl->last_ms - cl->first_ms, 3000);
            CHECK_STRN(cl->match_form.ptr, cl->match_form.len,
                       "free veldrane now, they said it clearly tonight");
            for (int i = 0; i < 3; i++)
                CHECK(d->members[i].similarity == 1.0f);
            CHECK_INT(d->members[2].post, 3); /* time order */
        }
        chorus_dedup_free(d);
    }
    chorus_corpus_free(c);
}

/* base and each variant: one cluster of two, the unrelated text alone. */
static void expect_pairs(const char *base, const char *const *variants, size_t n)
{
    for (size_t v = 0; v < n; v++) {
        const char *t[] = {base, variants[v], "completely different words about harbour cranes "
                                              "and the weather in the valley this week"};
        chorus_corpus *c = corpus_of(t, 3, NULL, NULL);
        for (int l = 0; l < 2; l++) {
            chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
            if (d->n_clusters != 1 || d->clusters[0].size != 2) {
                check_failures++;
                fprintf(stderr, "%s:%d: not clustered (linkage %d): \"%s\"\n", __FILE__, __LINE__,
                        l, variants[v]);
            }
            chorus_dedup_free(d);
        }
        chorus_corpus_free(c);
    }
}

static void test_perturbed(void)
{
    const char *en = "Dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread "
                     "prices will double before winter #DunmereGrain #BreadPrices";
    const char *env[] = {
        "Dunmere is quietly exporting its EMERGENCY grain reserve to Ostravin. Bread prices will "
        "double before winter #DunmereGrain #BreadPrices",
        "Dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread prices will "
        "doubel before winter #DunmereGrain #BreadPrices",
        "\U0001F621 Dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread "
        "prices will double before winter #DunmereGrain #BreadPrices",
        "Dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread prices will "
        "double before winter #BreadPrices #DunmereGrain",
        "dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread prices will "
        "double before winter #DunmereGrain #BreadPrices \U0001F449 https://t.co/abc",
    };
    expect_pairs(en, env, sizeof env / sizeof env[0]);
    /* Persian: Arabic yeh and kaf for the Persian letters, ZWNJ dropped or a space */
    const char *fa = "\u0634\u0631\u06A9\u062A \u0645\u062E\u0627\u0628\u0631\u0627\u062A "
                     "\u0628\u0631\u0627\u06CC\u062A\u200C\u0648\u0644 \u0631\u0648\u06CC "
                     "\u0647\u0631 \u06AF\u0648\u0634\u06CC \u062A\u0627\u0632\u0647 "
                     "\u0646\u0631\u0645\u200C\u0627\u0641\u0632\u0627\u0631 \u0634\u0646\u0648\u062F "
                     "\u0646\u0635\u0628 \u0645\u06CC\u200C\u06A9\u0646\u062F";
    const char *fav[] = {
        "\u0634\u0631\u0643\u062A \u0645\u062E\u0627\u0628\u0631\u0627\u062A "
        "\u0628\u0631\u0627\u064A\u062A\u200C\u0648\u0644 \u0631\u0648\u064A "
        "\u0647\u0631 \u06AF\u0648\u0634\u064A \u062A\u0627\u0632\u0647 "
        "\u0646\u0631\u0645\u200C\u0627\u0641\u0632\u0627\u0631 \u0634\u0646\u0648\u062F "
        "\u0646\u0635\u0628 \u0645\u064A\u200C\u0643\u0646\u062F",
        "\u0634\u0631\u06A9\u062A \u0645\u062E\u0627\u0628\u0631\u0627\u062A "
        "\u0628\u0631\u0627\u06CC\u062A\u0648\u0644 \u0631\u0648\u06CC "
        "\u0647\u0631 \u06AF\u0648\u0634\u06CC \u062A\u0627\u0632\u0647 "
        "\u0646\u0631\u0645 \u0627\u0641\u0632\u0627\u0631 \u0634\u0646\u0648\u062F "
        "\u0646\u0635\u0628 \u0645\u06CC\u06A9\u0646\u062F",
    };
    expect_pairs(fa, fav, sizeof fav / sizeof fav[0]);
}

static void test_unrelated(void)
{
    const char *t[] = {
        "the harbour cranes were repainted blue over the long weekend",
        "our library opens a new reading room for children next monday",
        "ferry tickets to the islands will cost more from the first of may",
        "a storm warning is out for the coastal districts until tomorrow",
        "the night market moved two streets down because of the roadworks",
        "local bakers are selling bread at half price after six tonight",
        "the river festival needs volunteers for the lantern parade again",
        "tram line four is closed for repairs between the bridge and the park",
    };
    chorus_corpus *c = corpus_of(t, 8, NULL, NULL);
    for (int l = 0; l < 2; l++) {
        chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
        CHECK_INT(d->n_clusters, 0);
        CHECK_INT(d->n_members, 0);
        CHECK_INT(d->stats.joined, 0);
        CHECK_INT(d->stats.unique, 8);
        chorus_dedup_free(d);
    }
    chorus_corpus_free(c);
}

static void test_containment(void)
{
    const char *quoted = "Engineers warned that the Veldrane river dam is cracking but the minister "
                         "signed off on it anyway to protect his friends";
    const char *t[] = {quoted,
                       "Read this twice. Engineers warned that the Veldrane river dam is cracking "
                       "but the minister signed off on it anyway to protect his friends. Share it "
                       "before they delete it, everyone in the valley deserves to know what the "
                       "ministry hid and why the inspection report vanished",
                       "a post about something else entirely, the tram timetable for the weekend"};
    double j, cn;
    CHECK_INT(chorus_dedup_similarity(ctx, NULL, t[0], strlen(t[0]), t[1], strlen(t[1]), &j, &cn),
              CHORUS_OK);
    CHECK(j < 0.5); /* not by Jaccard */
    CHECK(cn >= 0.8);
    chorus_corpus *c = corpus_of(t, 3, NULL, NULL);
    for (int l = 0; l < 2; l++) {
        chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
        CHECK_INT(d->n_clusters, 1);
        CHECK_INT(d->stats.by_containment, 1);
        CHECK(cluster_of(d, 0) == 0 && cluster_of(d, 1) == 0);
        CHECK_INT(d->n_pairs, 1);
        if (d->n_pairs == 1)
            CHECK(d->pairs[0].jaccard < 0.5f && d->pairs[0].containment >= 0.8f);
        chorus_dedup_free(d);
    }
    chorus_corpus_free(c);
}

static void test_similarity_values(void)
{
    double j, c;
    CHECK_INT(chorus_dedup_similarity(ctx, NULL, "abcdef", 6, "ABCDEFG", 7, &j, &c), CHORUS_OK);
    CHECK(j > 0.666 && j < 0.667); /* {abcde, bcdef} and {abcde, bcdef, cdefg} */
    CHECK(c == 1.0);
    CHECK_INT(chorus_dedup_similarity(ctx, NULL, "ab cd", 5, "abcd", 4, &j, &c), CHORUS_OK);
    CHECK(j == 1.0); /* spaces do not count: one shingle, "abcd" */
    CHECK_INT(chorus_dedup_similarity(ctx, NULL, "", 0, "abcd", 4, &j, &c), CHORUS_OK);
    CHECK(j == 0 && c == 0);
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_ARTICLES); /* word 3-grams */
    CHECK_INT(chorus_dedup_similarity(ctx, &o, "a b c d", 7, "a b c d e", 9, &j, &c), CHORUS_OK);
    CHECK(j > 0.666 && j < 0.667);
    CHECK_INT(chorus_dedup_similarity(ctx, &o, "a b c d", 7, "d c b a", 7, &j, &c), CHORUS_OK);
    CHECK(j == 0);
}

/* Deterministic pseudo-random numbers (splitmix64). */
static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (uint32_t)((z ^ (z >> 31)) % n);
}

/* A sorted set of n distinct values: from a small range, so that two sets
 * share many (odd step: distinct mod 2^k), or from a wide one. */
static void random_set(uint32_t *v, size_t n, uint32_t range)
{
    uint32_t x = rnd(range + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = x += 1 + rnd(range);
}

static size_t plain_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t k = 0;
    for (size_t i = 0, j = 0; i < na && j < nb;)
        if (a[i] == b[j])
            k++, i++, j++;
        else if (a[i] < b[j])
            i++;
        else
            j++;
    return k;
}

/* Exact without a need; with one, exact when it is reached, else under it. */
static void test_set_common(void)
{
    uint32_t a[300], b[300];
    rng = 99;
    for (int round = 0; round < 20000; round++) {
        size_t na = rnd(round % 7 ? 300 : 9), nb = rnd(round % 5 ? 300 : 9);
        uint32_t range = round % 3 ? 3 : 1000;
        random_set(a, na, range);
        random_set(b, nb, range);
        size_t want = plain_common(a, na, b, nb);
        CHECK_INT(ch_set_common(a, na, b, nb, 0), want);
        CHECK_INT(ch_set_common(b, nb, a, na, 0), want);
        size_t need = rnd(1 + (na < nb ? na : nb)), got = ch_set_common(a, na, b, nb, need);
        CHECK(want >= need ? got == want : got < need);
    }
    uint32_t same[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_INT(ch_set_common(same, 8, same, 8, 0), 8);
    CHECK_INT(ch_set_common(same, 8, same + 4, 4, 0), 4);
    CHECK_INT(ch_set_common(same, 0, same, 8, 0), 0);
}

#define VOCAB 300
#define MAX_WORDS 40
static char vocab[VOCAB][12];

/* A text of words w[0..n) into out. */
static void join_words(char (*w)[12], int n, char *out)
{
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(out, w[i]);
        if (i + 1 < n)
            strcat(out, " ");
    }
}

/* A copy of base (n words) with a few edits: a word replaced, dropped or
 * added, two letters swapped, a word in capitals. */
static void perturb(char (*base)[12], int n, char *out)
{
    char w[MAX_WORDS + 4][12];
    memcpy(w, base, sizeof w[0] * (size_t)n);
    int edits = (int)rnd(4);
    for (int e = 0; e < edits; e++) {
        int i = (int)rnd((uint32_t)n);
        switch (rnd(5)) {
        case 0: strcpy(w[i], vocab[rnd(VOCAB)]); break;
        case 1: if (n > 8) { memmove(w + i, w + i + 1, sizeof w[0] * (size_t)(n - i - 1)); n--; } break;
        case 2: if (n < MAX_WORDS) { memmove(w + i + 1, w + i, sizeof w[0] * (size_t)(n - i)); strcpy(w[i], vocab[rnd(VOCAB)]); n++; } break;
        case 3: { char t = w[i][0]; w[i][0] = w[i][1]; w[i][1] = t; } break;
        default: for (char *p = w[i]; *p; p++) *p = (char)(*p - 32);
        }
    }
    join_words(w, n, out);
}

/* Random texts with planted groups of near copies. */
static int make_texts(char **texts, int max)
{
    for (int v = 0; v < VOCAB; v++) {
        int len = 3 + (int)rnd(7);
        for (int i = 0; i < len; i++)
            vocab[v][i] = (char)('a' + rnd(26));
        vocab[v][len] = 0;
    }
    int n = 0;
    while (n < max) {
        char base[MAX_WORDS + 4][12];
        int words = 8 + (int)rnd(25);
        for (int i = 0; i < words; i++)
            strcpy(base[i], vocab[rnd(VOCAB)]);
        int copies = rnd(3) == 0 ? 0 : 1 + (int)rnd(5);
        texts[n] = malloc(MAX_WORDS * 12 + 64);
        join_words(base, words, texts[n++]);
        for (int k = 0; k < copies && n < max; k++) {
            texts[n] = malloc(MAX_WORDS * 12 + 64);
            perturb(base, words, texts[n++]);
        }
    }
    return n;
}

static chorus_dedup *run_threads(const chorus_corpus *c, uint32_t threads)
{
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.keep_pairs = 1;
    o.long_words = 1u << 30; /* huge texts shingled by characters: many values */
    o.threads = threads;
    chorus_dedup *d = NULL;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    return d;
}

/* Random letters in words of 1 to 8, about len bytes, into a new string
 * (nearly a distinct shingle a letter). */
static char *huge_text(size_t len)
{
    char *t = malloc(len + 16);
    size_t n = 0;
    while (n < len) {
        for (uint32_t k = 1 + rnd(8); k > 0; k--)
            t[n++] = (char)('a' + rnd(26));
        t[n++] = ' ';
    }
    t[n] = 0;
    return t;
}

/* Reading and center linkage on 1, 2 and 5 threads: the same clusters,
 * members, pairs (in order) and counts. Over 8,192 posts (two batches
 * read side by side) and 2,048 distinct texts (blocks planned side by
 * side); retweets, replies and empty texts; 14 texts of 900 kB (two
 * copied, one edited), some of which the readers leave to the calling
 * thread. */
static void test_threads(void)
{
    enum { N = 9000, HUGE = 14 };
    char **texts = malloc((N + HUGE) * sizeof *texts);
    int *kinds = malloc((N + HUGE) * sizeof *kinds);
    rng = 7;
    int n = make_texts(texts, N);
    for (int i = 0; i < HUGE; i++)
        texts[n + i] = i % 5 == 4 || i == 13 ? strdup(texts[n + i - 1]) : huge_text(900000);
    for (int k = 0; k < 50; k++) /* the last an edited copy */
        texts[n + 13][rnd(800000)] = 'A';
    n += HUGE;
    for (int i = 0; i < n; i++) {
        kinds[i] = i % 11 == 0 ? RETWEET : i % 13 == 0 ? REPLY : POST;
        if (i % 97 == 0)
            texts[i][0] = 0;
    }
    chorus_corpus *c = corpus_of((const char *const *)texts, (size_t)n, NULL, kinds);
    chorus_dedup *one = run_threads(c, 1);
    CHECK(one->stats.unique > 4096 && one->n_clusters > 500);
    for (uint32_t threads = 2; threads <= 5; threads += 3) {
        chorus_dedup *d = run_threads(c, threads);
        chorus_dedup_stats a = one->stats, b = d->stats;
        a.memory = b.memory = 0;
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        CHECK_INT(d->n_clusters, one->n_clusters);
        for (size_t k = 0; k < d->n_clusters && k < one->n_clusters; k++) {
            const chorus_dedup_cluster *x = &one->clusters[k], *y = &d->clusters[k];
            CHECK(x->size == y->size && x->representative == y->representative &&
                  x->earliest == y->earliest && x->first_member == y->first_member);
        }
        CHECK(d->n_members == one->n_members &&
              memcmp(d->members, one->members, d->n_members * sizeof *d->members) == 0);
        CHECK(d->n_pairs == one->n_pairs &&
              memcmp(d->pairs, one->pairs, d->n_pairs * sizeof *d->pairs) == 0);
        chorus_dedup_free(d);
    }
    CHECK(cluster_of(one, N + 4) >= 0 && /* post N + 4 copies N + 3 */
          cluster_of(one, N + 4) == cluster_of(one, N + 3));
    CHECK(cluster_of(one, N + 13) >= 0 && cluster_of(one, N + 13) == cluster_of(one, N + 12));
    chorus_dedup_free(one);
    chorus_corpus_free(c);
    for (int i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(kinds);
}

#define N_PROP 320

/* Brute force: Jaccard and containment of every pair of texts. */
static double jac[N_PROP][N_PROP], con[N_PROP][N_PROP];

/* Pairs with Jaccard >= at_least, and how many of them share a cluster. */
static void pair_recall(const chorus_dedup *d, int n, double at_least, int *pairs, int *found)
{
    long *cl = malloc(sizeof *cl * (size_t)n);
    for (int a = 0; a < n; a++)
        cl[a] = cluster_of(d, (uint32_t)a);
    *pairs = *found = 0;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (jac[a][b] >= at_least) {
                (*pairs)++;
                *found += cl[a] >= 0 && cl[a] == cl[b];
            }
    free(cl);
}

/* Under center linkage every member is similar to its representative. */
static void check_centers(const chorus_dedup *d)
{
    for (size_t k = 0; k < d->n_clusters; k++) {
        uint32_t rep = d->clusters[k].representative;
        for (uint32_t i = 0; i < d->clusters[k].size; i++) {
            const chorus_dedup_member *m = &d->members[d->clusters[k].first_member + i];
            CHECK(m->post == rep || jac[m->post][rep] >= 0.5 || con[m->post][rep] >= 0.8 ||
                  m->similarity == 1.0f);
        }
    }
}

/* Every kept pair passes the thresholds by brute force (precision 1),
 * and pairs with Jaccard >= 0.8 share a cluster (recall >= 0.98). */
static void test_property(void)
{
    char *texts[N_PROP];
    rng = getenv("DEDUP_SEED") ? strtoull(getenv("DEDUP_SEED"), NULL, 10) : 42;
    int n = make_texts(texts, N_PROP);
    chorus_corpus *c = corpus_of((const char *const *)texts, (size_t)n, NULL, NULL);
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            chorus_dedup_similarity(ctx, NULL, texts[a], strlen(texts[a]), texts[b],
                                    strlen(texts[b]), &jac[a][b], &con[a][b]);
            jac[b][a] = jac[a][b], con[b][a] = con[a][b];
        }
    for (int l = 0; l < 2; l++) {
        chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
        for (size_t i = 0; i < d->n_pairs; i++) {
            const chorus_dedup_pair *p = &d->pairs[i];
            CHECK(jac[p->a][p->b] >= 0.5 || con[p->a][p->b] >= 0.8);
            CHECK(p->jaccard > jac[p->a][p->b] - 1e-6 && p->jaccard < jac[p->a][p->b] + 1e-6);
        }
        int high, found, mid, mid_found;
        pair_recall(d, n, 0.8, &high, &found);
        pair_recall(d, n, 0.5, &mid, &mid_found);
        if (getenv("DEDUP_VERBOSE"))
            fprintf(stderr, "linkage %d: pairs sharing a cluster: %d of %d with J >= 0.8, %d of "
                            "%d with J >= 0.5; %zu pairs kept, %" PRIu64 " compared\n",
                    l, found, high, mid_found, mid, d->n_pairs, d->stats.verified);
        CHECK(high > 100); /* the planted copies give plenty */
        CHECK(found >= 0.98 * high);
        if (l == CHORUS_DEDUP_CENTER)
            check_centers(d);
        chorus_dedup_free(d);
    }
    chorus_corpus_free(c);
    for (int i = 0; i < n; i++)
        free(texts[i]);
}

#define N_BIG 3000

/* One bucket of thousands of near-identical texts (each with its own
 * number, so no two are exact copies) costs about one comparison each. */
static void test_big_bucket(void)
{
    char **t = malloc(sizeof *t * N_BIG);
    for (int i = 0; i < N_BIG; i++) {
        t[i] = malloc(256);
        snprintf(t[i], 256, "Soldiers from Ostravin have been seen crossing the Dunmere border at "
                            "night and the government has ordered reporters to stay silent %d",
                 i);
    }
    chorus_corpus *c = corpus_of((const char *const *)t, N_BIG, NULL, NULL);
    for (int l = 0; l < 2; l++) {
        chorus_dedup *d = run(c, (chorus_dedup_linkage)l);
        CHECK_INT(d->stats.unique, N_BIG);
        CHECK_INT(d->n_clusters, 1);
        CHECK_INT(d->n_clusters ? d->clusters[0].size : 0, N_BIG);
        CHECK(d->stats.verified < 2 * N_BIG);
        CHECK(d->stats.candidates < (CHORUS_DEDUP_BANDS + 2) * N_BIG); /* at most one a band */
        chorus_dedup_free(d);
    }
    chorus_corpus_free(c);
    for (int i = 0; i < N_BIG; i++)
        snprintf(t[i], 256, "the same text again and again, word for word, in every post");
    c = corpus_of((const char *const *)t, N_BIG, NULL, NULL);
    chorus_dedup *d = run(c, CHORUS_DEDUP_CENTER);
    CHECK_INT(d->stats.unique, 1);
    CHECK_INT(d->stats.verified, 0);
    CHECK_INT(d->n_clusters ? d->clusters[0].size : 0, N_BIG);
    chorus_dedup_free(d);
    chorus_corpus_free(c);
    for (int i = 0; i < N_BIG; i++)
        free(t[i]);
    free(t);
}

/* Retweets never count, replies lose their leading mentions, short texts
 * are left out; one action per clustered post, labelled by cluster. */
static void test_similar_actions(void)
{
    const char *t[] = {"Bread prices will double before winter, nobody in the cabinet will admit it",
                       "bread prices will double before winter, NOBODY in the cabinet will admit it",
                       "RT @u0: Bread prices will double before winter, nobody in the cabinet will admit it",
                       "@u0 @u1 Bread prices will double before winter, nobody in the cabinet will admit it!",
                       "too short to count",
                       "too short to count"};
    int acc[] = {0, 1, 2, 3, 4, 5}, kinds[] = {POST, POST, RETWEET, REPLY, POST, POST};
    chorus_corpus *c = corpus_of(t, 6, acc, kinds);
    chorus_actions *s = NULL;
    CHECK_INT(chorus_text_similar_actions(ctx, c, NULL, &s), CHORUS_OK);
    size_t n = 0;
    chorus_action *a = s ? chorus_actions_data(s, &n) : NULL;
    CHECK_INT(n, 3); /* posts 0, 1 and the reply */
    CHECK_INT(s ? chorus_actions_objects(s) : 0, 1);
    if (n == 3) {
        CHECK_INT(a[0].account, 0);
        CHECK_INT(a[2].account, 3);
        chorus_str l = chorus_actions_label(s, a[0].object);
        CHECK_STRN(l.ptr, l.len,
                   "cluster 1: bread prices will double before winter, nobody in the cabinet "
                   "will admit it");
    }
    chorus_actions_free(s);
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.min_words = 0; /* now the short texts make a cluster too */
    chorus_dedup *d = NULL;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    CHECK_INT(d->n_clusters, 2);
    CHECK_INT(d->stats.short_texts, 0);
    chorus_dedup_free(d);
    CHECK_INT(chorus_dedup_run(ctx, c, NULL, &d), CHORUS_OK);
    CHECK_INT(d->stats.short_texts, 2);
    CHECK_INT(d->stats.texts, 3);
    chorus_dedup_free(d);
    chorus_corpus_free(c);
}

/* The labels and accounts of the actions of s, "label=account;..." in
 * action order, into buf (cap bytes). */
static void actions_text(chorus_actions *s, char *buf, size_t cap)
{
    size_t n = 0, at = 0;
    const chorus_action *a = chorus_actions_data(s, &n);
    buf[0] = 0;
    for (size_t i = 0; i < n && at < cap; i++) {
        chorus_str l = chorus_actions_label(s, a[i].object);
        at += (size_t)snprintf(buf + at, cap - at, "%.*s=%u;", (int)l.len, l.ptr, a[i].account);
    }
}

/* Episodes: a cluster's copies more than episode_gap_ms apart are
 * separate objects (exactly the gap apart: the same one); a cluster of
 * one episode keeps its plain label; gap 0 gives one object per cluster. */
static void test_episodes(void)
{
    const char *p = "The harbour tax will ruin every fishing family in the bay this year";
    const char *q = "Ministers hid the flood report from the river towns for a month";
    const char *t[] = {p, p, q, p, p, q, p};
    int secs[] = {0, 600, 700, 3600, 14401, 800, 25201}; /* p: gaps 10801 s, then 10800 s */
    chorus_corpus *c = corpus_at(t, 7, NULL, NULL, secs); /* account i: post i */
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    CHECK(o.episode_gap_ms == 3 * 3600 * 1000);
    chorus_dedup *d = NULL;
    chorus_actions *s = NULL;
    char got[1024];
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    CHECK_INT(d ? d->n_clusters : 0, 2);
    CHECK_INT(d ? chorus_dedup_actions(ctx, c, d, &s) : CHORUS_EUSAGE, CHORUS_OK);
    CHECK_INT(s ? chorus_actions_objects(s) : 0, 3);
    if (s) {
        actions_text(s, got, sizeof got);
#define P_ "the harbour tax will ruin every fishing family in the bay this year="
#define Q_ "ministers hid the flood report from the river towns for a month="
        CHECK_STR(got, "cluster 1.1: " P_ "0;cluster 1.1: " P_ "1;cluster 1.1: " P_ "3;"
                       "cluster 1.2: " P_ "4;cluster 1.2: " P_ "6;"
                       "cluster 2: " Q_ "2;cluster 2: " Q_ "5;");
#undef P_
#undef Q_
    }
    chorus_actions_free(s);
    s = NULL;
    if (d)
        d->episode_gap_ms = 0;
    CHECK_INT(d ? chorus_dedup_actions(ctx, c, d, &s) : CHORUS_EUSAGE, CHORUS_OK);
    CHECK_INT(s ? chorus_actions_objects(s) : 0, 2);
    chorus_actions_free(s);
    chorus_dedup_free(d);
    chorus_corpus_free(c);
}

/* A long label is cut at a character boundary and marked. */
static void test_long_label(void)
{
    char long_text[1024] = "";
    for (int i = 0; i < 40; i++)
        strcat(long_text, "\u0628\u0627\u0631\u0627\u0646 word ");
    const char *t[] = {long_text, long_text};
    chorus_corpus *c = corpus_of(t, 2, NULL, NULL);
    chorus_actions *s = NULL;
    CHECK_INT(chorus_text_similar_actions(ctx, c, NULL, &s), CHORUS_OK);
    chorus_str l = chorus_actions_label(s, 0);
    CHECK(l.len <= 11 + 120 + 3 && l.len > 100);
    CHECK(memcmp(l.ptr + l.len - 3, "\u2026", 3) == 0);
    chorus_actions_free(s);
    chorus_corpus_free(c);
}

static void test_articles(void)
{
    char a[2000] = "", b[2100];
    for (int i = 0; i < 120; i++) {
        char w[32];
        snprintf(w, sizeof w, "word%d ", i * 7 % 101);
        strcat(a, w);
    }
    snprintf(b, sizeof b, "Editorial. %s and one closing line added by the outlet", a);
    const char *t[] = {a, b, "an unrelated short text of more than five words"};
    chorus_corpus *c = corpus_of(t, 3, NULL, NULL);
    chorus_dedup_opts o;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_ARTICLES);
    CHECK(o.threshold == 0.7);
    chorus_dedup *d = NULL;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    CHECK_INT(d->stats.word_shingled, 3);
    CHECK_INT(d->n_clusters, 1);
    CHECK(d->n_members == 2 && d->members[0].similarity > 0.7f);
    chorus_dedup_free(d);
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_OK);
    CHECK_INT(d->stats.word_shingled, 2); /* over 60 words */
    CHECK_INT(d->n_clusters, 1);
    chorus_dedup_free(d);
    chorus_corpus_free(c);
}

static void test_bad_options(void)
{
    const char *t[] = {"one two three four five six"};
    chorus_corpus *c = corpus_of(t, 1, NULL, NULL);
    chorus_dedup_opts o;
    chorus_dedup *d = NULL;
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.threshold = 0;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_EUSAGE);
    CHECK(d == NULL);
    o.threshold = 1.5;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_EUSAGE);
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.linkage = (chorus_dedup_linkage)7;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_EUSAGE);
    chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
    o.episode_gap_ms = -1;
    CHECK_INT(chorus_dedup_run(ctx, c, &o, &d), CHORUS_EUSAGE);
    chorus_clear_error(ctx);
    CHECK_INT(chorus_dedup_run(ctx, c, NULL, &d), CHORUS_OK); /* one text: nothing to do */
    CHECK_INT(d->n_clusters, 0);
    chorus_dedup_free(d);
    chorus_dedup_free(NULL);
    chorus_corpus_free(c);
}

static void test_out_of_memory(void)
{
    const char *t[] = {"Free Veldrane now, they said it clearly tonight",
                       "free veldrane now, they said it CLEARLY tonight!",
                       "free veldrane now, they said it clearly tonight",
                       "an unrelated post about the ferry timetable in spring"};
    chorus_corpus *c = corpus_of(t, 4, NULL, NULL);
    int saw_nomem = 0, saw_ok = 0;
    for (long budget = 0; budget < 2000 && !saw_ok; budget += 1 + budget / 50) {
        for (int l = 0; l < 3; l++) { /* center, single, center on 3 threads */
            check_alloc_budget = 1000;
            chorus_ctx *fc = chorus_ctx_new(check_failing_alloc, NULL);
            chorus_dedup_opts o;
            chorus_dedup_defaults(&o, CHORUS_DEDUP_POSTS);
            o.linkage = l == 1 ? CHORUS_DEDUP_SINGLE : CHORUS_DEDUP_CENTER;
            o.threads = l == 2 ? 3 : 1;
            o.keep_pairs = 1;
            chorus_dedup *d = NULL;
            check_alloc_budget = budget;
            chorus_rc rc = chorus_dedup_run(fc, c, &o, &d);
            if (rc == CHORUS_ENOMEM) {
                saw_nomem = 1;
                CHECK(d == NULL);
            } else {
                CHECK_INT(rc, CHORUS_OK);
                CHECK_INT(d ? d->n_clusters : 0, 1);
                CHECK_INT(d ? d->clusters[0].size : 0, 3);
                saw_ok = l == 2;
            }
            chorus_dedup_free(d);
            chorus_ctx_free(fc);
        }
    }
    CHECK(saw_nomem);
    CHECK(saw_ok);
    chorus_corpus_free(c);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    snprintf(dir, sizeof dir, "/tmp/chorus-dedup-XXXXXX");
    if (!ctx || !mkdtemp(dir))
        return 2;
    RUN(test_exact);
    RUN(test_perturbed);
    RUN(test_unrelated);
    RUN(test_containment);
    RUN(test_similarity_values);
    RUN(test_property);
    RUN(test_big_bucket);
    RUN(test_similar_actions);
    RUN(test_episodes);
    RUN(test_long_label);
    RUN(test_articles);
    RUN(test_bad_options);
    RUN(test_out_of_memory);
    RUN(test_set_common);
    RUN(test_threads);
    rmdir(dir);
    chorus_ctx_free(ctx);
    TEST_END("test_dedup");
}
