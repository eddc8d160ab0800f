/*
 * test_ingest.c - the IO archive and mapped CSV readers end to end through
 * chorus_ingest: every dialect of the real releases, snowflake times,
 * pseudonyms, lists, bad rows (skipped, counted, reported with file, line
 * and column), strict mode, truncation, duplicates, compressed input, and
 * the same results on one thread and on two.
 */
#include "check.h"
#include "io_header.h"

#include <chorus/corpus.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];

#define PSEUDO "hT3j5Kq9Zx0bV7mN2pR4sW6yA8cE1gI3kM5oQ7uS9w="

static const char *write_file(const char *name, const char *content)
{
    static char path[4][128];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, 128, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    fputs(content, f);
    fclose(f);
    return p;
}

typedef struct seen {
    int n;
    uint64_t line[16];
    int reason[16];
    char column[16][40];
} seen;

static void on_problem(void *ud, const chorus_problem *p)
{
    seen *s = ud;
    if (s->n < 16) {
        s->line[s->n] = p->line;
        s->reason[s->n] = p->reason;
        snprintf(s->column[s->n], 40, "%s", p->column ? p->column : "");
    }
    s->n++;
}

/* 2019-06 dialect: quoted lists, true/false, integer counts, snowflake ids. */
static const char io_2019b[] = IO_HEADER
    "1134799273972465664," PSEUDO "," PSEUDO "," PSEUDO ",,\"line one\nline two, \"\"quoted\"\"\",,"
    "120,80,2018-01-05,fa,fa,\"Hello, world\n#Tag\",2019-06-01 12:30,Twitter Web Client,,,,false,,,"
    "absent,absent,0,1,2,3,\"['Tag', 'Other']\",['https://example.test/a?b=1'],\"[47813521, 9380866]\",\n"
    "1134791704834998272,777,Big Outlet,bigoutlet,Nowhere,desc,,90000,10,2012-03-04,en,en,"
    "\"RT @someone: text\",2019-06-01 12:00,TweetDeck,,,,true,555,1134000000000000000,"
    "absent,absent,,,,,[],[],[],\n";

static void test_io_2019b(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, write_file("a.csv", io_2019b), NULL, &st), CHORUS_OK);
    CHECK_INT(st.rows_read, 2);
    CHECK_INT(st.rows_kept, 2);
    CHECK_INT(st.rows_skipped, 0);
    CHECK_INT(chorus_corpus_post_count(c), 2);
    chorus_post_view v;
    chorus_corpus_post(c, 0, &v);
    CHECK_STRN(v.id.ptr, v.id.len, "1134799273972465664");
    CHECK_INT(v.time_ms, 1559392205123LL); /* 12:30:05.123 from the snowflake id */
    CHECK_INT(v.time_res, CHORUS_TIME_MS);
    CHECK_INT(v.kind, CHORUS_KIND_POST);
    CHECK_STRN(v.text.ptr, v.text.len, "Hello, world\n#Tag");
    CHECK_INT(v.n_hashtags, 2);
    chorus_str h = chorus_corpus_string(c, v.hashtags[1]);
    CHECK_STRN(h.ptr, h.len, "Other");
    CHECK_INT(v.n_urls, 1);
    h = chorus_corpus_string(c, v.urls[0]);
    CHECK_STRN(h.ptr, h.len, "https://example.test/a?b=1");
    CHECK_INT(v.n_mentions, 2);
    h = chorus_corpus_string(c, v.mentions[1]);
    CHECK_STRN(h.ptr, h.len, "9380866");
    CHECK_STRN(v.client.ptr, v.client.len, "Twitter Web Client");
    chorus_account_view a;
    chorus_corpus_account(c, v.account, &a);
    CHECK_STRN(a.id.ptr, a.id.len, PSEUDO);
    CHECK(a.pseudonymised);
    CHECK_INT(a.followers, 120);
    CHECK_STRN(a.description.ptr, a.description.len, "line one\nline two, \"quoted\"");
    CHECK_INT(a.created_ms, 1515110400000LL);
    chorus_corpus_post(c, 1, &v);
    CHECK_INT(v.kind, CHORUS_KIND_RETWEET);
    CHECK_STRN(v.ref_post.ptr, v.ref_post.len, "1134000000000000000");
    CHECK(v.ref_account >= 0);
    chorus_corpus_account(c, (uint32_t)v.ref_account, &a);
    CHECK_STRN(a.id.ptr, a.id.len, "555");
    CHECK_INT(a.n_posts, 0);
    chorus_corpus_account(c, v.account, &a);
    CHECK(!a.pseudonymised);
    CHECK_STRN(a.screen_name.ptr, a.screen_name.len, "bigoutlet");
    CHECK_INT(chorus_corpus_account_count(c), 3);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

/* Oct-2018 dialect: reply columns swapped, True/False, unquoted lists,
 * float counts; ids that are not snowflakes keep the column's minute. */
static const char io_2018[] =
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"
    "tweet_client_name,in_reply_to_tweetid,in_reply_to_userid,quoted_tweet_tweetid,is_retweet,"
    "retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,"
    "retweet_count,hashtags,urls,user_mentions,poll_choices\n"
    "1000,42,Name,name,,,,6000.0,12.0,2015-03-02,en,en,reply text,2019-06-01 12:30,,999,43,,False,,,"
    "absent,absent,0.0,0.0,0.0,0.0,\"[CaspianSea, Second]\",[],[43],yes|no\n";

static void test_io_2018(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, write_file("b.csv", io_2018), NULL, &st), CHORUS_OK);
    CHECK_INT(st.rows_kept, 1);
    chorus_post_view v;
    chorus_corpus_post(c, 0, &v);
    CHECK_INT(v.kind, CHORUS_KIND_REPLY);
    CHECK_STRN(v.ref_post.ptr, v.ref_post.len, "999");
    chorus_account_view a;
    chorus_corpus_account(c, (uint32_t)v.ref_account, &a);
    CHECK_STRN(a.id.ptr, a.id.len, "43");
    CHECK_INT(v.time_ms, 1559392200000LL); /* 2019-06-01 12:30 */
    CHECK_INT(v.time_res, CHORUS_TIME_MINUTE);
    CHECK_INT(v.n_hashtags, 2);
    chorus_str h = chorus_corpus_string(c, v.hashtags[0]);
    CHECK_STRN(h.ptr, h.len, "CaspianSea");
    chorus_corpus_account(c, v.account, &a);
    CHECK_INT(a.followers, 6000);
    CHECK_INT(a.created_ms, 1425254400000LL);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static const char io_bad[] = IO_HEADER
    "1,42,n,n,,,,1,1,2015-03-02,en,en,ok,2019-06-01 12:30,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "2,42,n,n,,,,1,1,2015-03-02,en,en,\"excel\ndamage\",6/7/16 17:08,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "3,42,n,n,,,,1,1,2015-03-02,en,en,short row\n"
    "4,42,n,n,,,,1,1,2015-03-02,en,en,bool,2019-06-01 12:31,,,,,maybe,,,a,a,0,0,0,0,[],[],[],\n"
    "5,42,n,n,,,,1,1,2015-03-02,en,en,list,2019-06-01 12:31,,,,,false,,,a,a,0,0,0,0,['x',[],[],\n"
    "x6,42,n,n,,,,1,1,2015-03-02,en,en,id,2019-06-01 12:31,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "7,42,n,n,,,,1,1,2015-03-02,en,en,fine,2019-06-01 12:32,,,,,false,,,a,a,0,0,0,0,[],[],[],\n";

static void test_bad_rows(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    seen s = {0};
    chorus_set_problem_handler(ctx, on_problem, &s);
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, write_file("bad.csv", io_bad), NULL, &st), CHORUS_OK);
    CHECK_INT(st.rows_read, 7);
    CHECK_INT(st.rows_kept, 2);
    CHECK_INT(st.rows_skipped, 5);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_TIME], 1);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_FIELD_COUNT], 1);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_NUMBER], 1);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_LIST], 1);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_ID], 1);
    CHECK_INT(s.n, 5);
    CHECK_INT(s.line[0], 3); /* physical line where the row starts */
    CHECK_STR(s.column[0], "tweet_time");
    CHECK_INT(s.line[1], 5); /* after the quoted newline */
    CHECK_STR(s.column[1], "");
    CHECK_INT(s.line[2], 6);
    CHECK_STR(s.column[2], "is_retweet");
    CHECK_STR(s.column[3], "hashtags");
    CHECK_STR(s.column[4], "tweetid");
    CHECK_INT(chorus_corpus_post_count(c), 2);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_strict(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_opts o = {CHORUS_FMT_AUTO, NULL, 1, 0};
    const char *path = write_file("strict.csv", io_bad);
    CHECK_INT(chorus_ingest(c, path, &o, NULL), CHORUS_EINPUT);
    const char *msg = chorus_errmsg(ctx);
    CHECK(strstr(msg, path) != NULL);
    CHECK(strstr(msg, ":3:") != NULL);
    CHECK(strstr(msg, "tweet_time") != NULL);
    CHECK(strstr(msg, "6/7/16") != NULL);
    CHECK_INT(chorus_corpus_post_count(c), 1); /* the row before stays */
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_truncated(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    char buf[2048];
    snprintf(buf, sizeof buf, "%s%s", io_2018, "1001,42,Name,name,,,,6000.0,12.0,2015-03-02,en,en,cut");
    const char *path = write_file("trunc.csv", buf);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), path) != NULL);
    CHECK(strstr(chorus_errmsg(ctx), "truncated") != NULL);
    snprintf(buf, sizeof buf, "%s%s", io_2018, "1001,42,Name,name,,,,6000.0,12.0,2015-03-02,en,en,\"open quote");
    CHECK_INT(chorus_ingest(c, write_file("trunc2.csv", buf), NULL, NULL), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), "truncated") != NULL);
    CHECK_INT(chorus_corpus_post_count(c), 1); /* duplicate id 1000 from the second file */
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_users_file(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_stats st = {0};
    const char *users =
        "userid,user_display_name,user_screen_name,user_reported_location,"
        "user_profile_description,user_profile_url,follower_count,following_count,"
        "account_creation_date,account_language\n"
        "42,Name,name,Somewhere,\"bio, with comma\",https://t.co/x,6000,12,2015-03-02,en\n"
        PSEUDO "," PSEUDO "," PSEUDO ",,,,10,20,2016-01-01,fa\n";
    CHECK_INT(chorus_ingest(c, write_file("users.csv", users), NULL, &st), CHORUS_OK);
    CHECK_INT(st.accounts_rows, 2);
    CHECK_INT(chorus_corpus_post_count(c), 0);
    CHECK_INT(chorus_corpus_account_count(c), 2);
    int64_t i = chorus_corpus_find_account(c, "42", 2);
    CHECK(i >= 0);
    chorus_account_view a;
    chorus_corpus_account(c, (uint32_t)i, &a);
    CHECK_STRN(a.description.ptr, a.description.len, "bio, with comma");
    CHECK_INT(a.following, 12);
    chorus_corpus_account(c, 1, &a);
    CHECK(a.pseudonymised);
    CHECK(chorus_corpus_account_hash(c, 0) != chorus_corpus_account_hash(c, 1));
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_mapped(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    char spec[] = "account=account_id,time=timestamp,id=post_id,object=url_id,object=hashtag_id";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts o = {CHORUS_FMT_AUTO, &map, 0, 0};
    const char *csv = "account_id,post_id,url_id,hashtag_id,timestamp\n"
                      "a1,p1,u1,,1609459200\n"
                      "a2,p2,u1,h9,1609459205.5\n"
                      "a3,p3,,h9,2021-01-01T00:00:10Z\n";
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, write_file("ct.csv", csv), &o, &st), CHORUS_OK);
    CHECK_INT(st.rows_kept, 3);
    CHECK_INT(chorus_corpus_object_columns(c), 2);
    CHECK_STR(chorus_corpus_object_column_name(c, 1), "hashtag_id");
    chorus_str s = chorus_corpus_string(c, chorus_corpus_post_object(c, 1, 0));
    CHECK_STRN(s.ptr, s.len, "u1");
    CHECK_INT(chorus_corpus_post_object(c, 0, 1), UINT32_MAX);
    CHECK_INT(chorus_corpus_post_object(c, 2, 0), UINT32_MAX);
    chorus_post_view v;
    chorus_corpus_post(c, 1, &v);
    CHECK_INT(v.time_ms, 1609459205500LL);
    chorus_corpus_post(c, 2, &v);
    CHECK_INT(v.time_ms, 1609459210000LL);
    CHECK_STRN(v.id.ptr, v.id.len, "p3");
    char bad[] = "account=a,time=t,colour=c";
    CHECK_INT(chorus_column_map_parse(ctx, bad, &map), CHORUS_EUSAGE);
    CHECK(strstr(chorus_errmsg(ctx), "colour") != NULL);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_articles(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    char spec[] = "account=outlet,time=published,text=body,url=link,source=outlet,id=doc_id,title=title";
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts o = {CHORUS_FMT_CSV_MAP, &map, 0, ';'};
    const char *csv = "doc_id;outlet;published;title;body;link\n"
                      "d1;Daily Tavira;2021-02-03 10:20:30;A \"title\";\"Body; with semicolon\";https://daily.test/1\n";
    CHECK_INT(chorus_ingest(c, write_file("docs.csv", csv), &o, NULL), CHORUS_OK);
    chorus_post_view v;
    chorus_corpus_post(c, 0, &v);
    CHECK_STRN(v.text.ptr, v.text.len, "Body; with semicolon");
    CHECK_STRN(v.source.ptr, v.source.len, "Daily Tavira");
    CHECK_STRN(v.title.ptr, v.title.len, "A \"title\"");
    CHECK_INT(v.n_urls, 1);
    CHECK_INT(v.time_res, CHORUS_TIME_SECOND);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_gzip_and_duplicates(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    char path[128];
    snprintf(path, sizeof path, "%s/a.csv.gz", dir);
    gzFile g = gzopen(path, "wb");
    gzputs(g, io_2019b);
    gzclose(g);
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, path, NULL, &st), CHORUS_OK);
    CHECK_INT(chorus_ingest(c, write_file("a2.csv", io_2019b), NULL, &st), CHORUS_OK);
    CHECK_INT(st.files, 2);
    CHECK_INT(st.rows_read, 4);
    CHECK_INT(st.posts, 2);
    CHECK_INT(st.duplicates, 2);
    CHECK_INT(chorus_corpus_post_count(c), 2);
    CHECK_INT(chorus_corpus_file_count(c), 2);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_record_limit(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_set_record_limit(ctx, 700);
    seen s = {0};
    chorus_set_problem_handler(ctx, on_problem, &s);
    static char buf[8192];
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    snprintf(buf, sizeof buf, "%s1,42,n,n,,,,1,1,2015-03-02,en,en,%s,2019-06-01 12:30,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
             "2,42,n,n,,,,1,1,2015-03-02,en,en,ok,2019-06-01 12:30,,,,,false,,,a,a,0,0,0,0,[],[],[],\n",
             IO_HEADER, big);
    chorus_ingest_stats st = {0};
    CHECK_INT(chorus_ingest(c, write_file("big.csv", buf), NULL, &st), CHORUS_OK);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_TOO_LARGE], 1);
    CHECK_INT(chorus_corpus_post_count(c), 1);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.line[0], 2);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static int progress_calls;
static uint64_t progress_rows;
static int on_progress(void *ud, const char *stage, uint64_t done, uint64_t total, uint64_t rows)
{
    (void)stage;
    progress_calls++;
    progress_rows = rows;
    CHECK(done <= total);
    return ud != NULL; /* non-NULL ud asks to stop */
}

static void test_progress_and_partition_keys(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/many.csv", dir);
    FILE *f = fopen(path, "w");
    fputs(IO_HEADER, f);
    for (int i = 1; i <= 70000; i++)
        fprintf(f, "%d,a%d,n,n,,,,1,1,2015-03-02,en,en,t,2019-06-01 12:30,,,,,false,,,a,a,0,0,0,0,"
                   "['h%d'],[],[],\n", i, i % 97, i % 5);
    fclose(f);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_set_progress(ctx, on_progress, NULL);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_OK);
    CHECK(progress_calls >= 2); /* every 65,536 rows and once at the end */
    CHECK_INT(progress_rows, 70000);
    /* Partition keys depend on the strings only, not on file order. */
    chorus_corpus *d = chorus_corpus_new(ctx);
    const char *rev = write_file("rev.csv", IO_HEADER
        "5,a77,n,n,,,,1,1,2015-03-02,en,en,t,2019-06-01 12:30,,,,,false,,,a,a,0,0,0,0,['h3'],[],[],\n");
    CHECK_INT(chorus_ingest(d, rev, NULL, NULL), CHORUS_OK);
    int64_t a = chorus_corpus_find_account(c, "a77", 3), b = chorus_corpus_find_account(d, "a77", 3);
    CHECK(a > 0 && b == 0);
    CHECK(chorus_corpus_account_hash(c, (uint32_t)a) == chorus_corpus_account_hash(d, (uint32_t)b));
    chorus_post_view v, w;
    chorus_corpus_post(d, 0, &w);
    chorus_corpus_post(c, 2, &v); /* tweet 3 has hashtag h3 */
    CHECK(chorus_corpus_string_hash(c, v.hashtags[0]) == chorus_corpus_string_hash(d, w.hashtags[0]));
    chorus_corpus_free(d);
    chorus_corpus_free(c);
    /* A callback that asks to stop ends the call with an error. */
    c = chorus_corpus_new(ctx);
    chorus_set_progress(ctx, on_progress, ctx);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_EUSAGE);
    CHECK(strstr(chorus_errmsg(ctx), "interrupted") != NULL);
    CHECK(chorus_corpus_post_count(c) < 70000);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_memory_limit(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_set_memory_limit(ctx, 1 << 20);
    char path[128];
    snprintf(path, sizeof path, "%s/many.csv", dir);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_ELIMIT);
    CHECK(strstr(chorus_errmsg(ctx), "memory limit") != NULL);
    CHECK(chorus_corpus_post_count(c) <= 4096); /* checked every 4,096 posts */
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_unknown_header(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, write_file("odd.csv", "a,b\n1,2\n"), NULL, NULL), CHORUS_EINPUT);
    CHECK(strstr(chorus_errmsg(ctx), "--map") != NULL);
    CHECK_INT(chorus_ingest(c, write_file("empty.csv", ""), NULL, NULL), CHORUS_OK);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}


/* ---- the same results on one thread and on two ---- */

typedef struct run_result {
    chorus_rc rc;
    char err[1024];
    chorus_ingest_stats st;
    uint64_t corpus, problems, memory;
    uint32_t posts, accounts, n_problems;
} run_result;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h ^ n;
}

static uint64_t fnv_str(uint64_t h, chorus_str s) { return fnv(h, s.ptr, s.len); }

static void on_problem_hash(void *ud, const chorus_problem *p)
{
    run_result *r = ud;
    r->n_problems++;
    r->problems = fnv(r->problems, &p->line, sizeof p->line);
    r->problems = fnv(r->problems, &p->reason, sizeof p->reason);
    r->problems = fnv(r->problems, &p->fatal, sizeof p->fatal);
    r->problems = fnv(r->problems, p->detail, strlen(p->detail));
    r->problems = fnv(r->problems, p->file, strlen(p->file));
    if (p->column)
        r->problems = fnv(r->problems, p->column, strlen(p->column));
}

static uint64_t list_hash(const chorus_corpus *c, uint64_t h, const uint32_t *ids, uint32_t n)
{
    h = fnv(h, ids, n * sizeof *ids); /* interned ids: the same numbers, not only strings */
    for (uint32_t j = 0; j < n; j++)
        h = fnv_str(h, chorus_corpus_string(c, ids[j]));
    return h;
}

static uint64_t corpus_hash(const chorus_corpus *c)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    chorus_post_view v;
    for (uint32_t i = 0; i < chorus_corpus_post_count(c); i++) {
        chorus_corpus_post(c, i, &v);
        h = fnv_str(fnv_str(fnv_str(h, v.id), v.text), v.ref_post);
        h = fnv(h, &v.account, sizeof v.account);
        h = fnv(h, &v.time_ms, sizeof v.time_ms);
        h = fnv(h, &v.kind, sizeof v.kind);
        h = fnv(h, &v.ref_account, sizeof v.ref_account);
        h = fnv(h, &v.client_sid, sizeof v.client_sid);
        h = fnv(h, &v.lang_sid, sizeof v.lang_sid);
        h = list_hash(c, h, v.hashtags, v.n_hashtags);
        h = list_hash(c, h, v.urls, v.n_urls);
        h = list_hash(c, h, v.mentions, v.n_mentions);
    }
    chorus_account_view a;
    for (uint32_t i = 0; i < chorus_corpus_account_count(c); i++) {
        chorus_corpus_account(c, i, &a);
        h = fnv_str(fnv_str(fnv_str(h, a.id), a.screen_name), a.description);
        h = fnv(h, &a.followers, sizeof a.followers);
        h = fnv(h, &a.n_posts, sizeof a.n_posts);
        h = fnv(h, &a.pseudonymised, sizeof a.pseudonymised);
    }
    return h;
}

/* Ingests path on the given number of threads; interrupt asks the
 * progress callback to stop the run. */
static void run_with(uint32_t threads, const char *path, int strict, uint64_t memory_limit,
                     int interrupt, run_result *r)
{
    memset(r, 0, sizeof *r);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_ingest_threads(ctx, threads);
    chorus_set_problem_handler(ctx, on_problem_hash, r);
    chorus_set_memory_limit(ctx, memory_limit);
    chorus_set_record_limit(ctx, 1 << 20);
    progress_calls = 0;
    if (interrupt)
        chorus_set_progress(ctx, on_progress, ctx);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_ingest_opts o = {CHORUS_FMT_AUTO, NULL, strict, 0};
    r->rc = chorus_ingest(c, path, &o, &r->st);
    if (!r->rc) /* the same file again: every post a duplicate */
        r->rc = chorus_ingest(c, path, &o, &r->st);
    snprintf(r->err, sizeof r->err, "%s", chorus_errmsg(ctx));
    r->corpus = corpus_hash(c);
    r->posts = chorus_corpus_post_count(c);
    r->accounts = chorus_corpus_account_count(c);
    r->memory = chorus_corpus_memory(c);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void check_same(const char *path, int strict, uint64_t memory_limit, int interrupt,
                       chorus_rc want)
{
    run_result one, two;
    run_with(1, path, strict, memory_limit, interrupt, &one);
    run_with(2, path, strict, memory_limit, interrupt, &two);
    CHECK_INT(one.rc, want);
    CHECK_INT(two.rc, one.rc);
    CHECK_STR(two.err, one.err);
    CHECK(memcmp(&one.st, &two.st, sizeof one.st) == 0);
    CHECK_INT(two.posts, one.posts);
    CHECK_INT(two.accounts, one.accounts);
    CHECK(two.corpus == one.corpus);
    CHECK(two.memory == one.memory);
    CHECK_INT(two.n_problems, one.n_problems);
    CHECK(two.problems == one.problems);
}

/* Rows over many batches: lists, profiles, bad rows, ids out of order and
 * repeated, a text over a batch's size and a row over the record limit. */
static void write_varied(const char *path, int rows)
{
    FILE *f = fopen(path, "w");
    fputs(IO_HEADER, f);
    char *big = malloc(700001);
    memset(big, 'y', 700000);
    big[700000] = 0;
    for (int i = 1; i <= rows; i++) {
        long id = i % 5000 == 0 ? i - 3000 : i % 7919 == 0 ? 17 : 1000 + i;
        const char *text = i == 4321 ? big : i % 3 ? "t\xc3\xa9xt" : "bad \xff utf8";
        const char *time = i % 1009 == 0 ? "not a time" : "2019-06-01 12:30";
        fprintf(f, "%ld,u%d,Name %d,n%d,,\"d\"\"%d\",,%d,1,2015-03-02,en,fa,\"%s\",%s,Client %d,,,,%s,"
                   "r%d,%d,a,a,0,0,0,0,\"['h%d', 'k']\",['https://e.test/%d'],[m%d],\n",
                id, i % 613, i, i % 613, i, i % 1013 == 0 ? -5 : i, text, time, i % 4,
                i % 2 ? "true" : "false", i % 89, i % 2 ? i / 2 + 1 : 0, i % 50, i % 300, i % 997);
        if (i == 9000)
            fprintf(f, "%d,u1,\"%s%s\",n,,,,1,1,2015-03-02,en,en,x,2019-06-01 12:30,,,,,false,,,"
                       "a,a,0,0,0,0,[],[],[],\n", 99999999, big, big);
    }
    free(big);
    fclose(f);
}

static void test_threads_same(void)
{
    char path[128], gz[128], cut[128], cmd[600];
    snprintf(path, sizeof path, "%s/varied.csv", dir);
    snprintf(gz, sizeof gz, "%s/varied.csv.gz", dir);
    snprintf(cut, sizeof cut, "%s/cut.csv.gz", dir);
    write_varied(path, 30000);
    check_same(path, 0, 0, 0, CHORUS_OK);
    check_same(path, 1, 0, 0, CHORUS_EINPUT);     /* --strict: the first bad row */
    check_same(path, 0, 4 << 20, 0, CHORUS_ELIMIT); /* the memory limit */
    write_varied(path, 140000);
    check_same(path, 0, 0, 1, CHORUS_EUSAGE); /* a progress callback that stops */
    snprintf(cmd, sizeof cmd, "gzip -1 -c %s > %s && head -c 2000000 %s > %s", path, gz, gz, cut);
    CHECK_INT(system(cmd), 0);
    check_same(gz, 0, 0, 0, CHORUS_OK);
    check_same(cut, 0, 0, 0, CHORUS_EINPUT); /* truncated gzip */
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/chorus-test-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    RUN(test_io_2019b);
    RUN(test_io_2018);
    RUN(test_bad_rows);
    RUN(test_strict);
    RUN(test_truncated);
    RUN(test_users_file);
    RUN(test_mapped);
    RUN(test_articles);
    RUN(test_gzip_and_duplicates);
    RUN(test_record_limit);
    RUN(test_unknown_header);
    RUN(test_progress_and_partition_keys);
    RUN(test_memory_limit);
    RUN(test_threads_same);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 2;
    TEST_END("test_ingest");
}
