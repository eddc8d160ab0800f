/*
 * test_sim.c - `chorus simulate`'s invariants: the same bytes for the same
 * options, snowflake ids that agree with tweet_time, retweets that repeat
 * an earlier post, truth consistent with the posts, exposure inside the
 * campaigns, counts that match the files, bounded memory, and the pieces
 * (deterministic maths, alias tables, the event queue, perturbations).
 */
#include "check.h"
#include "sim/model.h"

#include <chorus/corpus.h>
#include <chorus/sim.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];
static int expect_error; /* the options test: errors are the point */

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, got;
    char *b = malloc(cap + 1);
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            char *nb = realloc(b, (cap *= 2) + 1);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    fclose(f);
    if (b)
        b[len] = 0;
    if (n)
        *n = len;
    return b;
}

static void path_of(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Runs the generator into tmpdir/name with small defaults. */
static chorus_rc simulate(const char *name, chorus_sim_opts *o, chorus_sim_counts *c, char *dir)
{
    snprintf(dir, 128, "%s/%s", tmpdir, name);
    o->out_dir = dir;
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_rc rc = chorus_simulate(ctx, o, c);
    if (rc && !expect_error)
        fprintf(stderr, "simulate %s: %s\n", name, chorus_errmsg(ctx));
    chorus_ctx_free(ctx);
    return rc;
}

static void small_opts(chorus_sim_opts *o, uint64_t posts)
{
    chorus_sim_defaults(o);
    o->posts = posts;
    o->days = 5;
    o->seed = 7;
}

/* The value of "key": N in manifest.json's counts (-1 when missing). */
static long long manifest_count(const char *manifest, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *counts = strstr(manifest, "\"counts\"");
    const char *p = counts ? strstr(counts, pat) : NULL;
    return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* Lines of a file (without the header when skip is 1). */
static long count_lines(const char *path, int skip)
{
    size_t n;
    char *b = slurp(path, &n);
    long k = 0;
    for (size_t i = 0; b && i < n; i++)
        k += b[i] == '\n';
    free(b);
    return b ? k - skip : -1;
}

/* truth_accounts.csv as parallel arrays (ids have no commas). */
typedef struct truth {
    char *buf;
    char **id, **campaign, **strategy;
    size_t n;
} truth;

static int read_truth(const char *dir, truth *t)
{
    char path[256];
    path_of(path, sizeof path, dir, "truth_accounts.csv");
    memset(t, 0, sizeof *t);
    t->buf = slurp(path, NULL);
    if (!t->buf)
        return -1;
    size_t cap = 1024;
    t->id = malloc(cap * sizeof *t->id);
    t->campaign = malloc(cap * sizeof *t->campaign);
    t->strategy = malloc(cap * sizeof *t->strategy);
    char *line = strchr(t->buf, '\n') + 1;
    while (*line) {
        char *end = strchr(line, '\n'), *c1 = strchr(line, ','), *c2 = strchr(c1 + 1, ',');
        *end = *c1 = *c2 = 0;
        if (t->n == cap) {
            cap *= 2;
            t->id = realloc(t->id, cap * sizeof *t->id);
            t->campaign = realloc(t->campaign, cap * sizeof *t->campaign);
            t->strategy = realloc(t->strategy, cap * sizeof *t->strategy);
        }
        t->id[t->n] = line;
        t->campaign[t->n] = c1 + 1;
        t->strategy[t->n++] = c2 + 1;
        line = end + 1;
    }
    return 0;
}

static void free_truth(truth *t)
{
    free(t->buf);
    free(t->id);
    free(t->campaign);
    free(t->strategy);
}

static long find_truth(const truth *t, const char *id, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->id[i]) == len && !memcmp(t->id[i], id, len))
            return (long)i;
    return -1;
}

static chorus_corpus *ingest(chorus_ctx *ctx, const char *dir, const char *name,
                             chorus_ingest_stats *st)
{
    char path[256];
    path_of(path, sizeof path, dir, name);
    chorus_corpus *c = chorus_corpus_new(ctx);
    memset(st, 0, sizeof *st);
    chorus_ingest_opts io = {0};
    if (chorus_ingest(c, path, &io, st) != CHORUS_OK)
        fprintf(stderr, "ingest %s: %s\n", path, chorus_errmsg(ctx));
    return c;
}

/* ---- the pieces ---- */

static void test_maths(void)
{
    double xs[] = {1e-9, 0.001, 0.5, 1, 2, 3.7, 100, 1e6, 1e15};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        CHECK(fabs(sim_log(xs[i]) - log(xs[i])) < 1e-12 * (1 + fabs(log(xs[i]))));
        double e = log(xs[i]);
        CHECK(fabs(sim_exp(e) - xs[i]) < 1e-12 * xs[i]);
    }
    CHECK(fabs(sim_pow(2, 10) - 1024) < 1e-9);
    sim_rng r = sim_stream(1, 2);
    double sum = 0;
    for (int i = 0; i < 20000; i++)
        sum += sim_exponential(&r, 3.0);
    CHECK(fabs(sum / 20000 - 3.0) < 0.15);
    CHECK(fabs(sim_loglogistic_inv(0.5, 60, 1.5) - 60) < 1e-9);
    sim_rng a = sim_stream(9, 1), b = sim_stream(9, 1), c = sim_stream(9, 2);
    CHECK(sim_next(&a) == sim_next(&b));
    CHECK(sim_next(&a) != sim_next(&c));
}

static void test_alias(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    double w[4] = {1, 0, 3, 6};
    uint32_t item[4] = {10, 11, 12, 13};
    sim_alias t;
    CHECK_INT(sim_alias_build(ctx, &t, w, item, 4), CHORUS_OK);
    int hits[4] = {0};
    sim_rng r = sim_stream(3, 4);
    for (int i = 0; i < 100000; i++) {
        uint32_t x = sim_alias_draw(&t, &r);
        CHECK(x >= 10 && x <= 13);
        if (x >= 10 && x <= 13)
            hits[x - 10]++;
    }
    CHECK_INT(hits[1], 0);
    CHECK(abs(hits[0] - 10000) < 800 && abs(hits[2] - 30000) < 1500 && abs(hits[3] - 60000) < 1500);
    sim_alias_free(ctx, &t);
    CHECK_INT(sim_alias_build(ctx, &t, w, NULL, 0), CHORUS_OK);
    CHECK(sim_alias_draw(&t, &r) == SIM_NO_ACCOUNT);
    chorus_ctx_free(ctx);
}

static void test_scheduler(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    sim_sched s;
    sim_sched_init(&s, ctx);
    sim_rng r = sim_stream(5, 5);
    for (uint32_t i = 0; i < 5000; i++)
        CHECK_INT(sim_sched_push(&s, (int64_t)sim_below(&r, 100), SIM_EV_ORGANIC, i), CHORUS_OK);
    sim_event ev, prev = {-1, 0, 0, 0};
    int n = 0, ordered = 1;
    while (sim_sched_pop(&s, &ev)) {
        ordered &= ev.t > prev.t || (ev.t == prev.t && ev.seq > prev.seq);
        prev = ev;
        n++;
    }
    CHECK(ordered);
    CHECK_INT(n, 5000);
    sim_proc *p;
    uint32_t a, b;
    CHECK_INT(sim_proc_new(&s, &p, &a), CHORUS_OK);
    sim_proc_end(&s, a);
    CHECK_INT(sim_proc_new(&s, &p, &b), CHORUS_OK);
    CHECK_INT(a, b); /* slots are reused */
    sim_sched_free(&s);
    chorus_ctx_free(ctx);
}

static void test_perturb(void)
{
    /* ی and ک become ي and ك; ZWNJ goes away or becomes a space */
    const char fa[] = "\xDB\x8C\xDA\xA9 \xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xB4\xD9\x88\xD8\xAF";
    char buf[64];
    int arabic = 0, no_zwnj = 0;
    for (uint64_t seed = 0; seed < 40; seed++) {
        sim_rng r = sim_stream(seed, 1);
        memcpy(buf, fa, sizeof fa);
        size_t n = sim_perturb_persian(buf, sizeof fa - 1, &r, 1.0);
        buf[n] = 0;
        arabic += strstr(buf, "\xD9\x8A") != NULL && strstr(buf, "\xD9\x83") != NULL;
        no_zwnj += strstr(buf, "\xE2\x80\x8C") == NULL;
        CHECK(n == sizeof fa - 1 - 3 || n == sizeof fa - 1 - 2);
    }
    CHECK(arabic >= 10 && no_zwnj == 40);
    char en[] = "Bread prices will double before winter";
    sim_rng r = sim_stream(2, 2);
    sim_perturb_latin(en, strlen(en), &r, 1.0);
    CHECK_INT(strlen(en), sizeof en - 1);
    CHECK(strcmp(en, "Bread prices will double before winter") != 0);
    char url[200] = "https://x.example/a";
    size_t n = sim_track_url(url, strlen(url), sizeof url, &r);
    CHECK(n > 20 && strstr(url, "?utm_source=") && strlen(url) == n);
    const char *tags[3] = {"a", "b", "c"};
    sim_shuffle(tags, 3, &r);
    CHECK(strcmp(tags[0], tags[1]) && strcmp(tags[1], tags[2]) && strcmp(tags[0], tags[2]));
}

static void test_options(void)
{
    chorus_sim_opts o;
    chorus_sim_defaults(&o);
    CHECK_INT(o.seed, 1);
    CHECK_INT(o.posts, 100000);
    CHECK_INT(o.campaigns, 6);
    CHECK_INT(o.days, 30);
    CHECK_INT(o.difficulty, CHORUS_SIM_MEDIUM);
    CHECK_INT(o.format, CHORUS_SIM_IO);
    CHECK_INT(o.start_ms, 1551398400000LL);
    char dir[128];
    chorus_sim_counts c;
    expect_error = 1;
    small_opts(&o, 50);
    CHECK_INT(simulate("bad_posts", &o, &c, dir), CHORUS_EUSAGE);
    small_opts(&o, 1000);
    o.accounts = 200;
    o.campaigns = 100;
    CHECK_INT(simulate("bad_campaigns", &o, &c, dir), CHORUS_EUSAGE);
    small_opts(&o, 1000);
    o.days = 0;
    CHECK_INT(simulate("bad_days", &o, &c, dir), CHORUS_EUSAGE);
    char file[128];
    snprintf(file, sizeof file, "%s/a_file", tmpdir);
    FILE *f = fopen(file, "w");
    fclose(f);
    small_opts(&o, 1000);
    CHECK_INT(simulate("a_file/sub", &o, &c, dir), CHORUS_EIO);
    expect_error = 0;
}

/* ---- the data ---- */

static const char *const files[] = {
    "tweets.csv",     "users.csv",     "truth_accounts.csv", "exposed_accounts.txt",
    "narratives.csv", "documents.csv", "truth_docs.csv",     "truth_laundering.csv",
    "manifest.json",
};

static int same_file(const char *a, const char *b, const char *name, int quiet)
{
    char pa[256], pb[256];
    size_t na, nb;
    path_of(pa, sizeof pa, a, name);
    path_of(pb, sizeof pb, b, name);
    char *x = slurp(pa, &na), *y = slurp(pb, &nb);
    int same = x && y && na == nb && !memcmp(x, y, na);
    if (!same && !quiet)
        fprintf(stderr, "%s differs between %s and %s\n", name, a, b);
    free(x);
    free(y);
    return same;
}

static void test_deterministic(void)
{
    chorus_sim_opts o;
    chorus_sim_counts c1, c2;
    char d1[128], d2[128], d3[128];
    small_opts(&o, 6000);
    CHECK_INT(simulate("det1", &o, &c1, d1), CHORUS_OK);
    CHECK_INT(simulate("det2", &o, &c2, d2), CHORUS_OK);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        CHECK(same_file(d1, d2, files[i], 0));
    CHECK(!memcmp(&c1, &c2, sizeof c1));
    o.seed = 8;
    CHECK_INT(simulate("det3", &o, &c2, d3), CHORUS_OK);
    CHECK(!same_file(d1, d3, "tweets.csv", 1));
    /* within 1% of the posts asked for */
    CHECK(c1.posts >= 5940 && c1.posts <= 6060);
}

static int64_t snowflake_ms(const chorus_str *id)
{
    uint64_t v = strtoull(id->ptr, NULL, 10);
    return (int64_t)(v >> 22) + SIM_TWEPOCH_MS;
}

/* Post index by id: ids increase in file order, so bisect. */
static long find_post(const chorus_corpus *c, const chorus_str *id)
{
    uint64_t want = strtoull(id->ptr, NULL, 10);
    long lo = 0, hi = (long)chorus_corpus_post_count(c) - 1;
    chorus_post_view v;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        chorus_corpus_post(c, (uint32_t)mid, &v);
        uint64_t x = strtoull(v.id.ptr, NULL, 10);
        if (x == want)
            return mid;
        if (x < want)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* A retweet's text is "RT @<author of the original>: <original text>". */
static int retweet_ok(const chorus_corpus *c, const chorus_post_view *p, int json)
{
    long j = find_post(c, &p->ref_post);
    if (j < 0)
        return 0;
    chorus_post_view o;
    chorus_account_view a;
    chorus_corpus_post(c, (uint32_t)j, &o);
    chorus_corpus_account(c, o.account, &a);
    char want[2048];
    int n = snprintf(want, sizeof want, "RT @%.*s: %.*s", (int)a.screen_name.len,
                     a.screen_name.ptr, (int)o.text.len, o.text.ptr);
    /* chorus reads an API retweet's text from the embedded original */
    int same = ((size_t)n == p->text.len && !memcmp(want, p->text.ptr, p->text.len)) ||
               (json && o.text.len == p->text.len && !memcmp(o.text.ptr, p->text.ptr, o.text.len));
    return same && o.time_ms < p->time_ms && o.kind != CHORUS_KIND_RETWEET &&
           p->ref_account == (int64_t)o.account;
}

/* Ids unique and increasing, times from the ids (to the second in API
 * JSON, whose created_at has no milliseconds), references earlier. */
static void check_posts(const chorus_corpus *c, int json)
{
    chorus_post_view p;
    uint64_t prev = 0;
    int ordered = 1, exact = 1, refs = 1, rts = 1;
    for (uint32_t i = 0; i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &p);
        uint64_t id = strtoull(p.id.ptr, NULL, 10);
        ordered &= id > prev;
        prev = id;
        int64_t ms = snowflake_ms(&p.id);
        if (json) /* the id agreed with tweet_time when the reader took its ms */
            exact &= p.time_ms / 1000 == ms / 1000;
        else
            exact &= p.time_res == CHORUS_TIME_MS && p.time_ms == ms;
        if (p.kind == CHORUS_KIND_RETWEET)
            rts &= retweet_ok(c, &p, json);
        else if (p.kind != CHORUS_KIND_POST) {
            long j = find_post(c, &p.ref_post);
            refs &= j >= 0 && j < (long)i;
        }
    }
    CHECK(ordered);
    CHECK(exact);
    CHECK(refs);
    CHECK(rts);
}

static void test_posts(void)
{
    chorus_sim_opts o;
    chorus_sim_counts n;
    char dir[128];
    small_opts(&o, 8000);
    o.difficulty = CHORUS_SIM_HARD;
    CHECK_INT(simulate("posts", &o, &n, dir), CHORUS_OK);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_ingest_stats st;
    chorus_corpus *c = ingest(ctx, dir, "tweets.csv", &st);
    CHECK_INT(st.rows_skipped, 0);
    CHECK_INT(st.duplicates, 0);
    CHECK_INT(st.rows_read, n.posts);
    CHECK_INT(st.posts_by_kind[CHORUS_KIND_RETWEET], n.retweets);
    CHECK_INT(st.posts_by_kind[CHORUS_KIND_REPLY], n.replies);
    CHECK_INT(st.posts_by_kind[CHORUS_KIND_QUOTE], n.quotes);
    CHECK(n.retweets > 0 && n.replies > 0 && n.quotes > 0);
    check_posts(c, 0);
    chorus_corpus_free(c);
    c = ingest(ctx, dir, "users.csv", &st);
    CHECK_INT(st.rows_skipped, 0);
    CHECK(st.accounts_rows > 0 && st.accounts_rows <= n.accounts);
    char path[256];
    path_of(path, sizeof path, dir, "manifest.json");
    char *m = slurp(path, NULL);
    CHECK(m && manifest_count(m, "users") == (long long)st.accounts_rows);
    free(m);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_seconds(void)
{
    chorus_sim_opts o;
    chorus_sim_counts n;
    char dir[128], path[256];
    small_opts(&o, 2000);
    o.second_resolution = 1;
    CHECK_INT(simulate("seconds", &o, &n, dir), CHORUS_OK);
    path_of(path, sizeof path, dir, "tweets.csv");
    char *b = slurp(path, NULL);
    /* the first row's tweet_time has seconds */
    CHECK(b && strstr(b, "2019-03-01 00:") != NULL);
    const char *t = b ? strstr(b, ",2019-03-01 00:") : NULL;
    CHECK(t && t[17] == ':' && t[20] == ',');
    free(b);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_ingest_stats st;
    chorus_corpus *c = ingest(ctx, dir, "tweets.csv", &st);
    CHECK_INT(st.rows_skipped, 0);
    check_posts(c, 0);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static int known_strategy(const char *s)
{
    static const char *const names[] = {"retweet_ring", "copypasta", "link_push",
                                        "hashtag_sequence", "slow"};
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return 1;
    return 0;
}

/* Every row is organic, benign (no campaign) or a campaign with a strategy. */
static void check_truth_rows(const truth *t, long *camp, long *benign)
{
    int ok = 1;
    *camp = *benign = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (*t->campaign[i]) {
            ok &= t->campaign[i][0] == 'C' && atoi(t->campaign[i] + 1) >= 1 &&
                  atoi(t->campaign[i] + 1) <= 6 && known_strategy(t->strategy[i]);
            ++*camp;
        } else if (*t->strategy[i]) {
            ok &= !strcmp(t->strategy[i], "benign:news_family") ||
                  !strcmp(t->strategy[i], "benign:fan_community") ||
                  !strcmp(t->strategy[i], "benign:quote_bot");
            ++*benign;
        }
    }
    CHECK(ok);
}

static void check_exposed(const char *dir, const truth *t, long *n)
{
    char path[256];
    path_of(path, sizeof path, dir, "exposed_accounts.txt");
    char *b = slurp(path, NULL), *line = b;
    int all_campaign = 1;
    *n = 0;
    while (line && *line) {
        char *end = strchr(line, '\n');
        long i = find_truth(t, line, (size_t)(end - line));
        all_campaign &= i >= 0 && *t->campaign[i];
        ++*n;
        line = end + 1;
    }
    CHECK(all_campaign);
    free(b);
}

static void check_manifest(const char *dir, const chorus_sim_counts *c, long camp, long benign,
                           long exposed, size_t accounts)
{
    char path[256];
    path_of(path, sizeof path, dir, "manifest.json");
    char *m = slurp(path, NULL);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK(strstr(m, "\"chorus_version\": \"" CHORUS_VERSION "\"") != NULL);
    CHECK(strstr(m, "\"difficulty\": \"medium\"") != NULL);
    CHECK_INT(manifest_count(m, "posts"), c->posts);
    CHECK_INT(manifest_count(m, "retweets"), c->retweets);
    CHECK_INT(manifest_count(m, "accounts"), accounts);
    CHECK_INT(manifest_count(m, "campaign_accounts"), camp);
    CHECK_INT(manifest_count(m, "benign_accounts"), benign);
    CHECK_INT(manifest_count(m, "exposed_accounts"), exposed);
    path_of(path, sizeof path, dir, "narratives.csv");
    CHECK_INT(manifest_count(m, "narratives"), count_lines(path, 1));
    path_of(path, sizeof path, dir, "truth_docs.csv");
    CHECK_INT(manifest_count(m, "documents"), count_lines(path, 1));
    path_of(path, sizeof path, dir, "truth_laundering.csv");
    CHECK_INT(manifest_count(m, "laundered_documents"), count_lines(path, 1));
    CHECK(manifest_count(m, "narratives_used") > 0);
    free(m);
}

static void test_truth(void)
{
    chorus_sim_opts o;
    chorus_sim_counts n;
    char dir[128];
    small_opts(&o, 12000);
    CHECK_INT(simulate("truth", &o, &n, dir), CHORUS_OK);
    truth t;
    CHECK_INT(read_truth(dir, &t), 0);
    CHECK_INT(t.n, n.accounts);
    long camp, benign, exposed;
    check_truth_rows(&t, &camp, &benign);
    CHECK_INT(camp, n.campaign_accounts);
    CHECK_INT(benign, n.benign_accounts);
    CHECK(camp > 0 && benign > 0);
    check_exposed(dir, &t, &exposed);
    CHECK_INT(exposed, n.exposed_accounts);
    CHECK(exposed > 0 && exposed < camp);
    check_manifest(dir, &n, camp, benign, exposed, t.n);
    /* every account the posts name is in the truth */
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_ingest_stats st;
    chorus_corpus *c = ingest(ctx, dir, "tweets.csv", &st);
    int all = 1;
    chorus_account_view a;
    for (uint32_t i = 0; i < chorus_corpus_account_count(c); i++) {
        chorus_corpus_account(c, i, &a);
        all &= find_truth(&t, a.id.ptr, a.id.len) >= 0;
    }
    CHECK(all);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    free_truth(&t);
}

/* Lower-case ASCII, Arabic yeh and kaf as Persian, no ZWNJ, no spaces or
 * punctuation: what survives a copy-pasta's perturbations. */
static size_t normalise(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i + 2 < n && c == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x8C) {
            i += 2;
        } else if (i + 1 < n && c == 0xD9 && (unsigned char)s[i + 1] == 0x8A) {
            out[o++] = (char)0xDB, out[o++] = (char)0x8C, i++;
        } else if (i + 1 < n && c == 0xD9 && (unsigned char)s[i + 1] == 0x83) {
            out[o++] = (char)0xDA, out[o++] = (char)0xA9, i++;
        } else if (c >= 'A' && c <= 'Z') {
            out[o++] = (char)(c + 32);
        } else if (!strchr(" .,;:!?'\"", c)) {
            out[o++] = (char)c;
        }
    }
    out[o] = 0;
    return o;
}

/* Share of the narrative's words (normalised) found in the normalised post. */
static double words_found(const char *narrative, const char *post_norm)
{
    char word[256], norm[1024];
    int total = 0, found = 0;
    for (const char *p = narrative; *p;) {
        size_t k = strcspn(p, " ");
        if (k && k < sizeof word) {
            memcpy(word, p, k);
            if (normalise(word, k, norm) >= 2) {
                total++;
                found += strstr(post_norm, norm) != NULL;
            }
        }
        p += k + (p[k] == ' ');
    }
    return total ? (double)found / total : 0;
}

/* The narrative whose tags the post carries, or -1. */
static int narrative_of(const sim_narrative *cat, size_t n, const chorus_corpus *c,
                        const chorus_post_view *p)
{
    for (uint32_t k = 0; k < p->n_hashtags; k++) {
        chorus_str tag = chorus_corpus_string(c, p->hashtags[k]);
        for (size_t i = 0; i < n; i++)
            for (int h = 0; h < 3; h++)
                if (cat[i].hashtags[h] && strlen(cat[i].hashtags[h]) == tag.len &&
                    !memcmp(cat[i].hashtags[h], tag.ptr, tag.len))
                    return (int)i;
    }
    return -1;
}

/* Copy-pasta accounts' narrative posts carry most words of the narrative. */
static void test_copypasta_text(void)
{
    chorus_sim_opts o;
    chorus_sim_counts n;
    char dir[128];
    small_opts(&o, 20000);
    o.difficulty = CHORUS_SIM_HARD; /* the most perturbation */
    CHECK_INT(simulate("pasta", &o, &n, dir), CHORUS_OK);
    truth t;
    CHECK_INT(read_truth(dir, &t), 0);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_ingest_stats st;
    chorus_corpus *c = ingest(ctx, dir, "tweets.csv", &st);
    size_t ncat;
    const sim_narrative *cat = sim_narratives(&ncat);
    int checked = 0, good = 0;
    chorus_post_view p;
    chorus_account_view a;
    static char norm[8192];
    for (uint32_t i = 0; i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &p);
        chorus_corpus_account(c, p.account, &a);
        long ti = find_truth(&t, a.id.ptr, a.id.len);
        if (p.kind != CHORUS_KIND_POST || ti < 0 || strcmp(t.strategy[ti], "copypasta") ||
            p.n_urls || p.text.len > 4000)
            continue;
        int k = narrative_of(cat, ncat, c, &p);
        if (k < 0)
            continue;
        normalise(p.text.ptr, p.text.len, norm);
        double en = words_found(cat[k].text, norm);
        double fa = cat[k].text_fa ? words_found(cat[k].text_fa, norm) : 0;
        checked++;
        good += (en > fa ? en : fa) >= 0.6;
    }
    CHECK(checked > 20);
    CHECK_INT(good, checked);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    free_truth(&t);
}

static void test_json_formats(void)
{
    for (int fmt = CHORUS_SIM_V1; fmt <= CHORUS_SIM_V2; fmt++) {
        chorus_sim_opts o;
        chorus_sim_counts n;
        char dir[128], path[256];
        small_opts(&o, 3000);
        o.format = (chorus_sim_format)fmt;
        CHECK_INT(simulate(fmt == CHORUS_SIM_V1 ? "v1" : "v2", &o, &n, dir), CHORUS_OK);
        path_of(path, sizeof path, dir, "tweets.csv");
        CHECK(access(path, F_OK) != 0);
        chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
        chorus_ingest_stats st;
        chorus_corpus *c = ingest(ctx, dir, "tweets.jsonl", &st);
        CHECK_INT(st.rows_skipped, 0);
        CHECK_INT(chorus_corpus_post_count(c), n.posts);
        CHECK_INT(st.posts_by_kind[CHORUS_KIND_RETWEET], n.retweets);
        check_posts(c, 1);
        chorus_corpus_free(c);
        chorus_ctx_free(ctx);
    }
}

/* An allocator that counts bytes in use and their peak. */
typedef struct tally {
    int64_t now, peak;
} tally;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    tally *t = ud;
    if (ptr)
        t->now -= (int64_t)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    t->now += (int64_t)(p ? nsize : (ptr ? osize : 0));
    if (t->now > t->peak)
        t->peak = t->now;
    return p;
}

static int64_t peak_for(uint64_t posts, const char *name)
{
    tally t = {0, 0};
    chorus_ctx *ctx = chorus_ctx_new(counting_alloc, &t);
    chorus_sim_opts o;
    char dir[128];
    small_opts(&o, posts);
    o.accounts = 1000;
    o.days = 10;
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, name);
    o.out_dir = dir;
    chorus_sim_counts n;
    CHECK_INT(chorus_simulate(ctx, &o, &n), CHORUS_OK);
    chorus_ctx_free(ctx);
    CHECK_INT(t.now, 0); /* everything given back */
    return t.peak;
}

/* Ten times the posts, the same accounts: the same memory, give or take
 * the pending events (the queue and the processes) of a busier hour. */
static void test_bounded_memory(void)
{
    int64_t small = peak_for(20000, "mem_small"), big = peak_for(200000, "mem_big");
    if (getenv("SIM_TEST_VERBOSE") || big > small + small / 4 + (256 << 10))
        fprintf(stderr, "peak bytes: %lld for 20k posts, %lld for 200k\n", (long long)small,
                (long long)big);
    CHECK(big <= small + small / 4 + (256 << 10));
    CHECK(small < (32 << 20));
}

static void remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/chorus_test_sim_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_maths);
    RUN(test_alias);
    RUN(test_scheduler);
    RUN(test_perturb);
    RUN(test_options);
    RUN(test_deterministic);
    RUN(test_posts);
    RUN(test_seconds);
    RUN(test_truth);
    RUN(test_copypasta_text);
    RUN(test_json_formats);
    RUN(test_bounded_memory);
    remove_tree(tmpdir);
    TEST_END("test_sim");
}
