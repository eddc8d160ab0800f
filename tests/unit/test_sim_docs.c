/*
 * test_sim_docs.c - the generator's narrative catalogue, its news-article
 * writer (documents.csv and the laundering truth) and its API JSON writers
 * (v1.1 and v2), each read back the way chorus reads real data. Files go
 * to a mkdtemp folder; CSV is parsed here with a small RFC 4180 reader so
 * the checks do not lean on the code under test.
 */
#include "check.h"
#include "sim/sim.h"

#include "io/time_parse.h"

#include <chorus/corpus.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[64];
static chorus_ctx *ctx;

#define START_MS 1551398400000LL /* 2019-03-01T00:00:00Z */
#define DAY 86400000LL
#define ZWNJ "\xe2\x80\x8c"

/* ---- small helpers ---- */

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap + 1);
    size_t got;
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            b = realloc(b, (cap *= 2) + 1);
    }
    fclose(f);
    if (b)
        b[len] = 0;
    *n = len;
    return b;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static unsigned count_words(const char *s)
{
    unsigned w = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = *s == ' ' || *s == '\n' || *s == '\t';
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

/* Distinct lower-case ASCII words of s (letters only). */
typedef struct wordset {
    char w[512][32];
    int n;
} wordset;

static void words_of(const char *s, wordset *ws)
{
    ws->n = 0;
    while (*s) {
        char cur[32];
        size_t k = 0;
        while (*s && !((*s | 32) >= 'a' && (*s | 32) <= 'z'))
            s++;
        while ((*s | 32) >= 'a' && (*s | 32) <= 'z') {
            if (k < sizeof cur - 1)
                cur[k++] = (char)(*s | 32);
            s++;
        }
        cur[k] = 0;
        if (!k)
            continue;
        int dup = 0;
        for (int i = 0; i < ws->n && !dup; i++)
            dup = strcmp(ws->w[i], cur) == 0;
        if (!dup && ws->n < 512)
            memcpy(ws->w[ws->n++], cur, k + 1);
    }
}

/* How many words of a appear in b. */
static int shared_words(const wordset *a, const wordset *b)
{
    int k = 0;
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (strcmp(a->w[i], b->w[j]) == 0) {
                k++;
                break;
            }
    return k;
}

/* ---- an RFC 4180 reader for the files under test ---- */

#define MAXF 8

typedef struct crow {
    char *f[MAXF];
    int n;
} crow;

typedef struct ctab {
    crow *rows;
    int n;
    char *buf;
} ctab;

static void ctab_free(ctab *t)
{
    free(t->rows);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* One quoted field from s[*i] (the opening quote) into out at *o. */
static int quoted_field(const char *s, size_t n, size_t *i, char *out, size_t *o)
{
    for (++*i;;) {
        if (*i >= n)
            return -1;
        if (s[*i] == '"' && *i + 1 < n && s[*i + 1] == '"') {
            out[(*o)++] = '"';
            *i += 2;
        } else if (s[*i] == '"') {
            ++*i;
            return 0;
        } else {
            out[(*o)++] = s[(*i)++];
        }
    }
}

/* Parses the whole file; every field NUL-terminated in t->buf. -1 on a
 * quoting error or a row with more than MAXF fields. */
static int read_csv(const char *path, ctab *t)
{
    size_t n, o = 0, i = 0;
    char *s = slurp(path, &n);
    memset(t, 0, sizeof *t);
    if (!s)
        return -1;
    t->buf = malloc(2 * n + 16);
    int cap = 0, bad = 0;
    while (i < n && !bad) {
        if (t->n == cap)
            t->rows = realloc(t->rows, sizeof *t->rows * (size_t)(cap = cap ? cap * 2 : 64));
        crow *r = &t->rows[t->n++];
        r->n = 0;
        for (;;) {
            if (r->n == MAXF) {
                bad = 1;
                break;
            }
            r->f[r->n++] = t->buf + o;
            if (i < n && s[i] == '"')
                bad |= quoted_field(s, n, &i, t->buf, &o);
            else
                while (i < n && s[i] != ',' && s[i] != '\n')
                    t->buf[o++] = s[i++];
            t->buf[o++] = 0;
            if (i >= n || s[i] == '\n') {
                i++;
                break;
            }
            bad |= s[i] != ',';
            i++;
        }
    }
    free(s);
    return bad ? -1 : 0;
}

/* ---- the catalogue ---- */

static int has_persian(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0xD8 && (unsigned char)*s <= 0xDB)
            return 1;
    return 0;
}

static void check_narrative(const sim_narrative *nr)
{
    CHECK(nr->id && nr->label && nr->text && nr->domain && nr->paraphrase);
    unsigned w = count_words(nr->text);
    CHECK(w >= 15 && w <= 40);
    if (nr->text_fa) {
        w = count_words(nr->text_fa);
        CHECK(w >= 15 && w <= 40);
        CHECK(has_persian(nr->text_fa));
    }
    CHECK(nr->hashtags[0] != NULL);
    for (int k = 0; k < 3 && nr->hashtags[k]; k++)
        CHECK(nr->hashtags[k][0] && !strpbrk(nr->hashtags[k], "# ,"));
    size_t dl = strlen(nr->domain);
    CHECK(dl > 8 && strcmp(nr->domain + dl - 8, ".example") == 0);
    CHECK(!strchr(nr->label, ','));
    wordset a, b;
    words_of(nr->text, &a);
    words_of(nr->paraphrase, &b);
    w = count_words(nr->paraphrase);
    CHECK(w >= 10 && w <= 40);
    if (shared_words(&b, &a) > 4)
        fprintf(stderr, "%s: paraphrase shares %d words\n", nr->id, shared_words(&b, &a));
    CHECK(shared_words(&b, &a) <= 4);
}

static void test_catalogue(void)
{
    size_t n;
    const sim_narrative *cat = sim_narratives(&n);
    CHECK(n >= 12 && n <= 16);
    int fa = 0, zwnj = 0;
    for (size_t i = 0; i < n; i++) {
        check_narrative(&cat[i]);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(cat[i].id, cat[j].id) != 0);
        fa += cat[i].text_fa != NULL;
        zwnj += cat[i].text_fa && strstr(cat[i].text_fa, ZWNJ);
    }
    CHECK(fa * 3 >= (int)n && fa * 3 <= 2 * (int)n); /* about half */
    CHECK(zwnj * 4 >= fa * 3);                      /* written the Persian way */
    CHECK(strstr(cat[0].text_fa, "می" ZWNJ) != NULL);
}

static void test_narratives_csv(void)
{
    uint64_t rows = 0;
    size_t n;
    const sim_narrative *cat = sim_narratives(&n);
    CHECK_INT(sim_write_narratives(ctx, tmpdir, &rows), CHORUS_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/narratives.csv", tmpdir);
    ctab t;
    CHECK_INT(read_csv(path, &t), 0);
    CHECK_INT(t.n, (long long)rows + 1);
    CHECK_STR(t.rows[0].f[0], "narrative_id");
    CHECK_STR(t.rows[0].f[2], "text");
    int r = 1;
    for (size_t i = 0; i < n && r < t.n; i++) {
        CHECK_INT(t.rows[r].n, 3);
        CHECK_STR(t.rows[r].f[0], cat[i].id);
        CHECK_STR(t.rows[r].f[1], cat[i].label);
        CHECK_STR(t.rows[r].f[2], cat[i].text);
        r++;
        if (cat[i].text_fa && r < t.n) {
            CHECK_STR(t.rows[r].f[0], cat[i].id);
            CHECK_STR(t.rows[r].f[2], cat[i].text_fa);
            r++;
        }
    }
    CHECK_INT(r, t.n);
    ctab_free(&t);
    CHECK_INT(sim_write_narratives(ctx, "/nonexistent/dir", &rows), CHORUS_EIO);
    CHECK(strstr(chorus_errmsg(ctx), "/nonexistent/dir/narratives.csv") != NULL);
}

/* ---- documents ---- */

#define N_USES 5

static sim_use uses[N_USES];

static uint64_t snowflake(int64_t t, unsigned seq)
{
    return ((uint64_t)(t - 1288834974657LL) << 22) | seq;
}

/* First uses of five narratives across the 30 days, at odd milliseconds. */
static void make_uses(void)
{
    static const uint32_t narr[N_USES] = {0, 2, 4, 7, 12};
    static const int64_t at[N_USES] = {2 * DAY + 3600123, 5 * DAY + 123, 10 * DAY + 59999,
                                       20 * DAY + 1, 28 * DAY + 86399999};
    for (int i = 0; i < N_USES; i++) {
        uses[i].narrative = narr[i];
        uses[i].time_ms = START_MS + at[i];
        uses[i].post_id = snowflake(uses[i].time_ms, (unsigned)i);
        uses[i].account = (uint32_t)(10 + i);
    }
}

static void doc_opts(chorus_sim_opts *o, uint64_t seed, uint64_t posts)
{
    memset(o, 0, sizeof *o);
    o->seed = seed;
    o->posts = posts;
    o->days = 30;
    o->difficulty = CHORUS_SIM_MEDIUM;
    o->start_ms = START_MS;
}

static const char *subdir(const char *name)
{
    static char path[4][128];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 128, "%s/%s", tmpdir, name);
    mkdir(p, 0700);
    return p;
}

static const char *file_in(const char *dir, const char *name)
{
    static char path[4][192];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 192, "%s/%s", dir, name);
    return p;
}

static void test_docs_deterministic(void)
{
    chorus_sim_opts o;
    uint64_t d1 = 0, l1 = 0, d2 = 0, l2 = 0;
    const char *a = subdir("docs_a"), *b = subdir("docs_b"), *c = subdir("docs_c");
    doc_opts(&o, 7, 40000);
    CHECK_INT(sim_write_documents(ctx, &o, a, uses, N_USES, &d1, &l1), CHORUS_OK);
    CHECK_INT(sim_write_documents(ctx, &o, b, uses, N_USES, &d2, &l2), CHORUS_OK);
    CHECK_INT(d1, 200);
    CHECK_INT(d1, d2);
    CHECK_INT(l1, l2);
    CHECK(same_file(file_in(a, "documents.csv"), file_in(b, "documents.csv")));
    CHECK(same_file(file_in(a, "truth_docs.csv"), file_in(b, "truth_docs.csv")));
    CHECK(same_file(file_in(a, "truth_laundering.csv"), file_in(b, "truth_laundering.csv")));
    doc_opts(&o, 8, 40000);
    CHECK_INT(sim_write_documents(ctx, &o, c, uses, N_USES, &d2, &l2), CHORUS_OK);
    CHECK(!same_file(file_in(a, "documents.csv"), file_in(c, "documents.csv")));
}

static int64_t parse_ms(const char *s)
{
    int64_t ms = 0;
    chorus_time_res res;
    return ch_parse_time(s, strlen(s), &ms, &res) == 0 ? ms : INT64_MIN;
}

/* documents.csv: header, ids in order, times sorted, 80-400 words, outlets. */
static void check_doc_rows(const ctab *d, uint64_t n_docs)
{
    static const char *const head[6] = {"doc_id", "source", "published", "url", "title", "text"};
    CHECK_INT(d->n, (long long)n_docs + 1);
    for (int k = 0; k < 6; k++)
        CHECK_STR(d->rows[0].f[k], head[k]);
    const char *outlets[16];
    int n_out = 0;
    int64_t prev = INT64_MIN;
    for (int i = 1; i < d->n; i++) {
        const crow *r = &d->rows[i];
        char id[32];
        snprintf(id, sizeof id, "D%06d", i);
        CHECK_INT(r->n, 6);
        CHECK_STR(r->f[0], id);
        CHECK_INT(strlen(r->f[2]), 20);
        int64_t t = parse_ms(r->f[2]);
        CHECK(t >= prev && t >= START_MS);
        prev = t;
        CHECK(strncmp(r->f[3], "https://", 8) == 0 && strstr(r->f[3], ".example/"));
        CHECK(r->f[4][0] != 0);
        unsigned w = count_words(r->f[5]);
        CHECK(w >= 80 && w <= 400);
        int seen = 0;
        for (int k = 0; k < n_out && !seen; k++)
            seen = strcmp(outlets[k], r->f[1]) == 0;
        if (!seen && n_out < 16)
            outlets[n_out++] = r->f[1];
    }
    CHECK(n_out >= 8 && n_out <= 12);
}

static const sim_narrative *narrative_by_id(const char *id, uint32_t *index)
{
    size_t n;
    const sim_narrative *cat = sim_narratives(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(cat[i].id, id) == 0) {
            *index = (uint32_t)i;
            return &cat[i];
        }
    return NULL;
}

static int contains_any_narrative(const char *text)
{
    size_t n;
    const sim_narrative *cat = sim_narratives(&n);
    for (size_t i = 0; i < n; i++)
        if (strstr(text, cat[i].text) || strstr(text, cat[i].paraphrase) ||
            (cat[i].text_fa && strstr(text, cat[i].text_fa)))
            return 1;
    return 0;
}

/* The article carries the narrative as its relation says. */
static void check_relation(const char *rel, const sim_narrative *nr, const char *text)
{
    if (strcmp(rel, "verbatim") == 0) {
        CHECK(strstr(text, nr->text) != NULL);
    } else if (strcmp(rel, "edited") == 0) {
        wordset *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        words_of(nr->text, a);
        words_of(text, b);
        CHECK(strstr(text, nr->text) == NULL);
        CHECK(shared_words(a, b) >= a->n - 3); /* at most three words changed */
        free(a);
        free(b);
    } else {
        CHECK_STR(rel, "paraphrase");
        CHECK(strstr(text, nr->paraphrase) != NULL);
        CHECK(strstr(text, nr->text) == NULL);
    }
}

/* One laundered article: its origin is a use of its narrative, and it
 * came out 1-10 days after that use. */
static void check_laundered(const crow *doc, const crow *truth, const crow *l, int rel[4])
{
    uint32_t ni = UINT32_MAX;
    const sim_narrative *nr = narrative_by_id(truth->f[2], &ni);
    CHECK(nr != NULL);
    CHECK_STR(l->f[0], doc->f[0]);
    const sim_use *u = NULL;
    for (int k = 0; k < N_USES; k++)
        if (strtoull(l->f[1], NULL, 10) == uses[k].post_id)
            u = &uses[k];
    CHECK(u != NULL);
    if (!nr || !u)
        return;
    CHECK_INT(u->narrative, ni);
    int64_t t = parse_ms(doc->f[2]);
    CHECK(t >= u->time_ms + DAY && t <= u->time_ms + 10 * DAY);
    check_relation(truth->f[3], nr, doc->f[5]);
    rel[1] += strcmp(truth->f[3], "verbatim") == 0;
    rel[2] += strcmp(truth->f[3], "edited") == 0;
    rel[3] += strcmp(truth->f[3], "paraphrase") == 0;
}

static void check_truth(const ctab *d, const ctab *t, const ctab *l, uint64_t n_laundered)
{
    int rel[4] = {0}, li = 1;
    CHECK_INT(t->n, d->n);
    CHECK_STR(t->rows[0].f[0], "id");
    CHECK_STR(t->rows[0].f[3], "relation");
    CHECK_STR(l->rows[0].f[1], "origin_post_id");
    for (int i = 1; i < d->n && i < t->n; i++) {
        const crow *tr = &t->rows[i];
        CHECK_INT(tr->n, 4);
        CHECK_STR(tr->f[0], d->rows[i].f[0]);
        CHECK_STR(tr->f[1], "document");
        if (strcmp(tr->f[3], "none") == 0) {
            CHECK_STR(tr->f[2], "");
            CHECK(!contains_any_narrative(d->rows[i].f[5]));
            rel[0]++;
        } else if (li < l->n) {
            check_laundered(&d->rows[i], tr, &l->rows[li++], rel);
        } else {
            CHECK(!"laundered article missing from truth_laundering.csv");
        }
    }
    CHECK_INT(li, l->n);
    CHECK_INT(rel[1] + rel[2] + rel[3], (long long)n_laundered);
    CHECK(rel[1] > 0 && rel[2] > 0 && rel[3] > 0);
    int n = d->n - 1;
    /* 10-25% of the articles, give or take the rounding of one */
    CHECK(n_laundered * 100 + 100 >= (uint64_t)n * 10);
    CHECK(n_laundered * 100 <= (uint64_t)n * 25 + 100);
}

static void test_docs_content(void)
{
    static const chorus_sim_difficulty diffs[3] = {CHORUS_SIM_EASY, CHORUS_SIM_MEDIUM,
                                                   CHORUS_SIM_HARD};
    for (int k = 0; k < 3; k++) {
        chorus_sim_opts o;
        uint64_t nd = 0, nl = 0;
        char name[32];
        snprintf(name, sizeof name, "content%d", k);
        const char *dir = subdir(name);
        doc_opts(&o, 100 + (uint64_t)k, 40000);
        o.difficulty = diffs[k];
        CHECK_INT(sim_write_documents(ctx, &o, dir, uses, N_USES, &nd, &nl), CHORUS_OK);
        ctab d, t, l;
        CHECK_INT(read_csv(file_in(dir, "documents.csv"), &d), 0);
        CHECK_INT(read_csv(file_in(dir, "truth_docs.csv"), &t), 0);
        CHECK_INT(read_csv(file_in(dir, "truth_laundering.csv"), &l), 0);
        if (d.n > 1 && t.n > 1 && l.n > 0) {
            check_doc_rows(&d, nd);
            check_truth(&d, &t, &l, nl);
        }
        ctab_free(&d);
        ctab_free(&t);
        ctab_free(&l);
    }
}

/* No use, no laundering; and at least 20 articles however few posts. */
static void test_docs_no_uses(void)
{
    chorus_sim_opts o;
    uint64_t nd = 0, nl = 1;
    const char *dir = subdir("nouses");
    doc_opts(&o, 3, 100);
    CHECK_INT(sim_write_documents(ctx, &o, dir, NULL, 0, &nd, &nl), CHORUS_OK);
    CHECK_INT(nd, 20);
    CHECK_INT(nl, 0);
    ctab d, t, l;
    CHECK_INT(read_csv(file_in(dir, "documents.csv"), &d), 0);
    CHECK_INT(read_csv(file_in(dir, "truth_docs.csv"), &t), 0);
    CHECK_INT(read_csv(file_in(dir, "truth_laundering.csv"), &l), 0);
    CHECK_INT(d.n, 21);
    CHECK_INT(l.n, 1);
    for (int i = 1; i < t.n; i++)
        CHECK_STR(t.rows[i].f[3], "none");
    ctab_free(&d);
    ctab_free(&t);
    ctab_free(&l);
}

static void test_docs_errors(void)
{
    chorus_sim_opts o;
    sim_use bad = {999, 1, START_MS, 0};
    doc_opts(&o, 1, 1000);
    CHECK_INT(sim_write_documents(ctx, &o, tmpdir, &bad, 1, NULL, NULL), CHORUS_EINTERNAL);
    CHECK(strstr(chorus_errmsg(ctx), "documents.csv") != NULL);
    CHECK_INT(sim_write_documents(ctx, &o, "/nonexistent/dir", uses, N_USES, NULL, NULL),
              CHORUS_EIO);
    CHECK(strstr(chorus_errmsg(ctx), "/nonexistent/dir/documents.csv") != NULL);
}

/* documents.csv as chorus reads news articles: through a column map. */
static void test_docs_ingest(void)
{
    chorus_sim_opts o;
    uint64_t nd = 0, nl = 0;
    const char *dir = subdir("ingest");
    doc_opts(&o, 11, 40000);
    CHECK_INT(sim_write_documents(ctx, &o, dir, uses, N_USES, &nd, &nl), CHORUS_OK);
    char spec[] = "account=source,source=source,time=published,text=text,title=title,url=url,"
                  "id=doc_id";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts io = {CHORUS_FMT_CSV_MAP, &map, 1, 0};
    chorus_ingest_stats st;
    memset(&st, 0, sizeof st);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, file_in(dir, "documents.csv"), &io, &st), CHORUS_OK);
    CHECK_INT(st.rows_read, (long long)nd);
    CHECK_INT(st.rows_skipped, 0);
    CHECK_INT(chorus_corpus_post_count(c), (long long)nd);
    ctab d;
    CHECK_INT(read_csv(file_in(dir, "documents.csv"), &d), 0);
    for (uint32_t i = 0; i < chorus_corpus_post_count(c) && (int)i + 1 < d.n; i++) {
        chorus_post_view v;
        chorus_corpus_post(c, i, &v);
        const crow *r = &d.rows[i + 1];
        CHECK_STRN(v.id.ptr, v.id.len, r->f[0]);
        CHECK_STRN(v.source.ptr, v.source.len, r->f[1]);
        CHECK_INT(v.time_ms, parse_ms(r->f[2]));
        CHECK_STRN(v.title.ptr, v.title.len, r->f[4]);
        CHECK_STRN(v.text.ptr, v.text.len, r->f[5]);
        CHECK_INT(v.n_urls, 1);
    }
    ctab_free(&d);
    chorus_corpus_free(c);
}

/* ---- the JSON writers ---- */

#define N_ACC 4
#define N_POSTS 5
#define PSEUDO "hT3j5Kq9Zx0bV7mN2pR4sW6yA8cE1gI3kM5oQ7uS9w="
#define T0 (START_MS + 5 * 3600000LL + 123)
#define P0_TEXT "He said \"hi\"\n\xD8\xAA\xD8\xB3\xD8\xAA \xD9\x85\xDB\x8C" ZWNJ \
    "\xD8\xB4\xD9\x88\xD8\xAF \xF0\x9F\x98\x80 #Tag1 #\xD8\xB3\xD8\xA7\xD8\xAD\xD9\x84_\xD9\x85" \
    "\xD8\xA7 https://coast-watch-news.example/a?utm_source=x @bob \\ tab\there\x01"
#define TAG_FA "\xD8\xB3\xD8\xA7\xD8\xAD\xD9\x84_\xD9\x85\xD8\xA7"
#define URL0 "https://coast-watch-news.example/a?utm_source=x"

static sim_account accts[N_ACC];
static sim_post posts[N_POSTS];
static char rt_text[512], quote_text[256];

static void set_account(sim_account *a, const char *id, const char *sn, const char *name,
                        uint32_t followers, int64_t created_ms)
{
    memset(a, 0, sizeof *a);
    a->id_len = (uint8_t)snprintf(a->id, sizeof a->id, "%s", id);
    a->screen_len = (uint8_t)snprintf(a->screen_name, sizeof a->screen_name, "%s", sn);
    a->display_len = (uint8_t)snprintf(a->display_name, sizeof a->display_name, "%s", name);
    a->followers = followers;
    a->following = followers / 3 + 1;
    a->created_ms = created_ms;
    a->lang = "en";
    a->location = "Selmar Bay, Veldrane";
    a->description = "Tea, \"ferries\" and\nlocal news";
    a->client = "Twitter Web App";
    a->group = -1;
}

static void make_accounts(void)
{
    set_account(&accts[0], "1001", "alice_v", "Alice Varn", 12000, 1539202764000LL);
    set_account(&accts[1], PSEUDO, PSEUDO, PSEUDO, 40, START_MS - 400 * DAY);
    accts[1].pseudonymised = 1;
    set_account(&accts[2], "2002", "bob", "Bob \"the builder\" \\ B", 7000, START_MS - 90 * DAY);
    set_account(&accts[3], "3003", "sara_t",
                "\xD8\xB3\xD8\xA7\xD8\xB1\xD8\xA7", 9000, START_MS - 5 * DAY);
    accts[3].lang = "fa";
    accts[3].location = "";
    accts[3].description = "";
}

static void make_posts(void)
{
    memset(posts, 0, sizeof posts);
    sim_post *p = posts;
    p[0] = (sim_post){.id = snowflake(T0, 1), .time_ms = T0, .account = 0,
                      .kind = CHORUS_KIND_POST, .ref_account = -1, .text = P0_TEXT,
                      .text_len = sizeof P0_TEXT - 1, .hashtags = {"Tag1", TAG_FA},
                      .n_hashtags = 2, .urls = {URL0}, .n_urls = 1, .mentions = {2},
                      .n_mentions = 1, .client = "Twitter Web App", .lang = "en"};
    snprintf(rt_text, sizeof rt_text, "RT @alice_v: %s", P0_TEXT);
    p[1] = p[0];
    p[1].id = snowflake(T0 + 16000, 2);
    p[1].time_ms = T0 + 16000;
    p[1].account = 1;
    p[1].kind = CHORUS_KIND_RETWEET;
    p[1].ref_id = p[0].id;
    p[1].ref_time_ms = p[0].time_ms;
    p[1].ref_account = 0;
    p[1].text = rt_text;
    p[1].text_len = strlen(rt_text);
    p[1].mentions[0] = 0; /* the retweeted author, as IO archives list it */
    p[1].mentions[1] = 2;
    p[1].n_mentions = 2;
    p[1].client = "Twitter for Android";
    p[2] = (sim_post){.id = snowflake(T0 + 60000, 0), .time_ms = T0 + 60000, .account = 2,
                      .kind = CHORUS_KIND_REPLY, .ref_id = p[0].id, .ref_time_ms = T0,
                      .ref_account = 0, .text = "@alice_v thanks, agreed #Tag1",
                      .text_len = 29, .hashtags = {"Tag1"}, .n_hashtags = 1,
                      .mentions = {0}, .n_mentions = 1, .client = "TweetDeck", .lang = "en"};
    snprintf(quote_text, sizeof quote_text,
             "\xD9\x86\xDA\xAF\xD8\xA7\xD9\x87 https://twitter.com/alice_v/status/%llu",
             (unsigned long long)p[0].id);
    p[3] = (sim_post){.id = snowflake(T0 + DAY, 5), .time_ms = T0 + DAY, .account = 3,
                      .kind = CHORUS_KIND_QUOTE, .ref_id = p[0].id, .ref_time_ms = T0,
                      .ref_account = 0, .text = quote_text, .text_len = strlen(quote_text),
                      .urls = {quote_text + 10}, .n_urls = 1, .lang = "fa"};
    p[4] = (sim_post){.id = snowflake(T0 + 2 * DAY, 0), .time_ms = T0 + 2 * DAY,
                      .account = 0, .kind = CHORUS_KIND_POST, .ref_account = -1,
                      .text = "no tags in this text", .text_len = 20,
                      .hashtags = {"zeta", "alpha", "mid"}, .n_hashtags = 3};
}

static chorus_rc write_json(const char *path, chorus_sim_format fmt, const sim_post *ps, int n,
                            const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        return CHORUS_EIO;
    sim_output o;
    memset(&o, 0, sizeof o);
    o.ctx = ctx;
    o.f = f;
    o.path = path;
    o.accounts = accts;
    o.n_accounts = N_ACC;
    chorus_rc rc = sim_output_json_init(&o, fmt);
    for (int i = 0; i < n && !rc; i++)
        rc = o.post(&o, &ps[i]);
    chorus_rc rc2 = o.finish ? o.finish(&o) : CHORUS_OK;
    CHECK(o.state == NULL);
    fclose(f);
    return rc ? rc : rc2;
}

static void check_list(const chorus_corpus *c, const uint32_t *sids, uint32_t n,
                       const char *const *want, unsigned n_want)
{
    CHECK_INT(n, n_want);
    for (uint32_t k = 0; k < n && k < n_want; k++) {
        chorus_str s = chorus_corpus_string(c, sids[k]);
        CHECK_STRN(s.ptr, s.len, want[k]);
    }
}

static void check_author(const chorus_corpus *c, uint32_t account, const sim_account *a)
{
    chorus_account_view av;
    chorus_corpus_account(c, account, &av);
    CHECK_STRN(av.id.ptr, av.id.len, a->id);
    CHECK_STRN(av.screen_name.ptr, av.screen_name.len, a->screen_name);
    CHECK_STRN(av.display_name.ptr, av.display_name.len, a->display_name);
    CHECK_STRN(av.location.ptr, av.location.len, a->location);
    CHECK_STRN(av.description.ptr, av.description.len, a->description);
    CHECK_INT(av.followers, a->followers);
    CHECK_INT(av.following, a->following);
    CHECK_INT(av.created_ms, a->created_ms / 1000 * 1000);
}

/* One post as read back, against what was written. */
static void check_view(const chorus_corpus *c, const chorus_post_view *v, const sim_post *p)
{
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)p->id);
    CHECK_STRN(v->id.ptr, v->id.len, num);
    CHECK_INT(v->kind, p->kind);
    CHECK_INT(v->time_ms / 1000, p->time_ms / 1000);
    check_author(c, v->account, &accts[p->account]);
    const char *text = p->kind == CHORUS_KIND_RETWEET ? P0_TEXT : p->text;
    CHECK_STRN(v->text.ptr, v->text.len, text);
    snprintf(num, sizeof num, "%llu", (unsigned long long)p->ref_id);
    CHECK_STRN(v->ref_post.ptr, v->ref_post.len, p->kind == CHORUS_KIND_POST ? "" : num);
    if (p->ref_account >= 0 && v->ref_account >= 0)
        check_author(c, (uint32_t)v->ref_account, &accts[p->ref_account]);
    CHECK_INT(v->ref_account >= 0, p->ref_account >= 0);
    check_list(c, v->hashtags, v->n_hashtags, p->hashtags, p->n_hashtags);
    check_list(c, v->urls, v->n_urls, p->urls, p->n_urls);
    const char *ments[SIM_MAX_MENTIONS];
    unsigned nm = 0;
    for (unsigned k = 0; k < p->n_mentions; k++)
        if (p->kind != CHORUS_KIND_RETWEET || (int64_t)p->mentions[k] != p->ref_account)
            ments[nm++] = accts[p->mentions[k]].id;
    check_list(c, v->mentions, v->n_mentions, ments, nm);
    const char *client = p->client ? p->client : accts[p->account].client;
    const char *lang = p->lang ? p->lang : accts[p->account].lang;
    CHECK_STRN(v->client.ptr, v->client.len, client);
    CHECK_STRN(v->lang.ptr, v->lang.len, lang);
}

static void check_readback(const char *path)
{
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_opts io = {CHORUS_FMT_AUTO, NULL, 1, 0};
    chorus_ingest_stats st;
    memset(&st, 0, sizeof st);
    CHECK_INT(chorus_ingest(c, path, &io, &st), CHORUS_OK);
    CHECK_INT(st.rows_skipped, 0);
    CHECK_INT(st.invalid_utf8, 0);
    CHECK_INT(chorus_corpus_post_count(c), N_POSTS);
    for (uint32_t i = 0; i < chorus_corpus_post_count(c) && i < N_POSTS; i++) {
        chorus_post_view v;
        chorus_corpus_post(c, i, &v);
        check_view(c, &v, &posts[i]);
    }
    chorus_corpus_free(c);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_json_v1(void)
{
    const char *path = file_in(tmpdir, "v1.jsonl");
    CHECK_INT(write_json(path, CHORUS_SIM_V1, posts, N_POSTS, "wb"), CHORUS_OK);
    size_t n;
    char *s = slurp(path, &n);
    CHECK(s && n > 0 && s[n - 1] == '\n');
    if (s) {
        CHECK_INT(count_lines(s), N_POSTS);
        CHECK(strstr(s, "\"created_at\":\"Fri Mar 01 05:00:00 +0000 2019\"") != NULL);
        CHECK(strstr(s, "\"created_at\":\"Wed Oct 10 20:19:24 +0000 2018\"") != NULL);
        CHECK(strstr(s, "\"source\":\"<a href=\\\"https://example.test\\\" rel=\\\"nofollow\\\">"
                        "TweetDeck</a>\"") != NULL);
        CHECK(strstr(s, "\\u0001") != NULL && strstr(s, "\\\"hi\\\"\\n") != NULL);
        CHECK(strstr(s, "\xF0\x9F\x98\x80") != NULL); /* UTF-8 kept as is */
    }
    free(s);
    check_readback(path);
}

static void test_json_v2(void)
{
    const char *path = file_in(tmpdir, "v2.jsonl");
    CHECK_INT(write_json(path, CHORUS_SIM_V2, posts, N_POSTS, "wb"), CHORUS_OK);
    size_t n;
    char *s = slurp(path, &n);
    CHECK(s && n > 0 && s[n - 1] == '\n');
    if (s) {
        CHECK_INT(count_lines(s), N_POSTS);
        CHECK(strncmp(s, "{\"data\":[{\"id\":\"", 16) == 0);
        CHECK(strstr(s, "\"created_at\":\"2019-03-01T05:00:00.000Z\"") != NULL);
        CHECK(strstr(s, "\"referenced_tweets\":[{\"type\":\"retweeted\",\"id\":\"") != NULL);
        CHECK(strstr(s, "{\"type\":\"replied_to\"") && strstr(s, "{\"type\":\"quoted\""));
    }
    free(s);
    check_readback(path);
}

/* Hashtag entities point at the tags in the text, in code points. */
static void test_json_indices(void)
{
    const char *path = file_in(tmpdir, "idx.jsonl");
    CHECK_INT(write_json(path, CHORUS_SIM_V1, posts + 2, 1, "wb"), CHORUS_OK);
    size_t n;
    char *s = slurp(path, &n);
    CHECK(s && strstr(s, "{\"text\":\"Tag1\",\"indices\":[24,29]}"));
    CHECK(s && strstr(s, "\"screen_name\":\"alice_v\"") && strstr(s, "\"indices\":[0,8]"));
    free(s);
    path = file_in(tmpdir, "idx2.jsonl");
    CHECK_INT(write_json(path, CHORUS_SIM_V2, posts, 1, "wb"), CHORUS_OK);
    s = slurp(path, &n);
    /* "He said "hi"\n" is 13 code points, the Persian words 9 and the emoji 1 */
    CHECK(s && strstr(s, "{\"start\":26,\"end\":31,\"tag\":\"Tag1\"}"));
    free(s);
}

static void test_json_errors(void)
{
    sim_post bad = posts[0];
    bad.account = N_ACC;
    CHECK_INT(write_json(file_in(tmpdir, "bad.jsonl"), CHORUS_SIM_V1, &bad, 1, "wb"),
              CHORUS_EINTERNAL);
    bad = posts[1];
    bad.ref_id = 0;
    CHECK_INT(write_json(file_in(tmpdir, "bad.jsonl"), CHORUS_SIM_V2, &bad, 1, "wb"),
              CHORUS_EINTERNAL);
    CHECK(strstr(chorus_errmsg(ctx), "bad.jsonl") != NULL);
    /* a stream that refuses writes: the error surfaces at the latest in finish */
    const char *ro = file_in(tmpdir, "v1.jsonl");
    CHECK_INT(write_json(ro, CHORUS_SIM_V1, posts, N_POSTS, "rb"), CHORUS_EIO);
    CHECK(strstr(chorus_errmsg(ctx), "v1.jsonl") != NULL);
    sim_output o;
    memset(&o, 0, sizeof o);
    o.ctx = ctx;
    CHECK_INT(sim_output_json_init(&o, CHORUS_SIM_IO), CHORUS_EUSAGE);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/chorus_simdocs_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    ctx = chorus_ctx_new(NULL, NULL);
    make_uses();
    make_accounts();
    make_posts();
    RUN(test_catalogue);
    RUN(test_narratives_csv);
    RUN(test_docs_deterministic);
    RUN(test_docs_content);
    RUN(test_docs_no_uses);
    RUN(test_docs_errors);
    RUN(test_docs_ingest);
    RUN(test_json_v1);
    RUN(test_json_v2);
    RUN(test_json_indices);
    RUN(test_json_errors);
    chorus_ctx_free(ctx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_END("test_sim_docs");
}
