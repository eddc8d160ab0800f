/*
 * test_db.c - the SQLite output layer: ingests small IO-archive CSV files
 * written to a temporary folder, writes the database, then reads it back
 * with sqlite3 and checks real values (exact 19-digit ids, retweet refs,
 * list order, byte-exact texts, NULLs, statistics, problems), and that an
 * existing file survives abort and is replaced only by commit.
 */
#include "check.h"

#include <chorus/corpus.h>
#include <chorus/db.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#define Q_NULL INT64_MIN          /* q_int / q_bytes: the value was NULL */
#define Q_NONE (INT64_MIN + 1)    /* q_int / q_bytes: no row */

static char dir[256];             /* the test's mkdtemp folder */
static sqlite3 *db;               /* the database built by test_write */
static chorus_ingest_stats stats; /* what its ingest counted */

static const char header[] =
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"
    "tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,"
    "is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,"
    "like_count,retweet_count,hashtags,urls,user_mentions,poll_choices\n";

/* The columns a test varies; the others are fixed. Fields are raw CSV. */
typedef struct row {
    const char *id, *user, *name, *followers, *created, *text, *time, *is_rt, *rt_user, *rt_id,
        *tags, *urls, *mentions;
} row;

static void put_row(FILE *f, const row *r)
{
    fprintf(f,
            "%s,%s,%s,%s,Paris,desc,,%s,5,%s,en,en,%s,%s,Twitter Web App,,,,%s,%s,%s,,,0,0,0,0,"
            "%s,%s,%s,\n",
            r->id, r->user, r->name, r->name, r->followers, r->created, r->text, r->time,
            r->is_rt, r->rt_user, r->rt_id, r->tags, r->urls, r->mentions);
}

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(data, f);
        fclose(f);
    }
}

/* Main input: a post with a 19-digit id and ms time, its retweet, a text
 * with a quoted newline, one with invalid UTF-8, and a row with a bad time. */
static void write_tweets(const char *path)
{
    const row rows[] = {
        {"1234567890123456789", "u1", "Alice", "100", "2015-03-01", "hello #zeta #alpha #mid",
         "2020-03-02 19:54", "False", "", "", "\"['zeta', 'alpha', 'mid']\"",
         "[https://x.example/a]", ""},
        {"1234567890123456790", "u2", "Bob", "", "", "RT @alice: hello", "2020-03-02 19:55:10",
         "True", "u1", "1234567890123456789", "", "", "[alice]"},
        {"100", "u1", "Alice", "100", "2015-03-01", "\"two\nlines, \"\"quoted\"\"\"",
         "2019-01-02 03:04", "False", "", "", "", "", ""},
        {"101", "u1", "Alice", "100", "2015-03-01", "bad \xff\xfe bytes", "2019-01-02 03:05",
         "False", "", "", "", "", ""},
        {"102", "u3", "Carol", "1", "", "late", "yesterday", "False", "", "", "", "", ""},
    };
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(header, f);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        put_row(f, &rows[i]);
    fclose(f);
}

/* Second input: post 100 again, a duplicate the corpus keeps once. */
static void write_dup(const char *path)
{
    const row r = {"100", "u1", "Alice", "100", "2015-03-01", "dup", "2019-01-02 03:04",
                   "False", "", "", "", "", ""};
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(header, f);
    put_row(f, &r);
    fclose(f);
}

/* ------------------------------------------------------------ sql helpers */

static sqlite3 *open_ro(const char *path)
{
    sqlite3 *s = NULL;
    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, sqlite3_errmsg(s));
        sqlite3_close(s);
        return NULL;
    }
    return s;
}

/* First column of the first row as an integer, Q_NULL or Q_NONE. */
static int64_t q_int(sqlite3 *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = Q_NONE;
    if (!s || sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bad query %s: %s\n", sql, s ? sqlite3_errmsg(s) : "no db");
        return Q_NONE;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? Q_NULL : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* First column of the first row as bytes into buf (NUL-terminated);
 * returns the length, Q_NULL or Q_NONE. */
static int64_t q_bytes(sqlite3 *s, const char *sql, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int64_t n = Q_NONE;
    buf[0] = 0;
    if (!s || sqlite3_prepare_v2(s, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bad query %s: %s\n", sql, s ? sqlite3_errmsg(s) : "no db");
        return Q_NONE;
    }
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL) {
        n = Q_NULL;
    } else if (r == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        len = len < cap ? len : cap - 1;
        if (len)
            memcpy(buf, p, len);
        buf[len] = 0;
        n = (int64_t)len;
    }
    sqlite3_finalize(st);
    return n;
}

#define CHECK_Q(sql, expected)                                         \
    do {                                                               \
        char qb_[512];                                                 \
        int64_t qn_ = q_bytes(db, (sql), qb_, sizeof qb_);             \
        CHECK(qn_ >= 0);                                               \
        CHECK_STRN(qb_, qn_ >= 0 ? (size_t)qn_ : 0, (expected));       \
    } while (0)

/* Entries of the test folder whose name holds ".tmp-": leftovers. */
static int tmp_files_left(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp-") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            path_in(p, sizeof p, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* ---------------------------------------------------------------- fixture */

typedef struct problem_sink {
    chorus_db *db;
    int errors;
} problem_sink;

/* Problems go to the database as ingest meets them, as the program does. */
static void on_problem(void *ud, const chorus_problem *p)
{
    problem_sink *s = ud;
    s->errors += chorus_db_add_problem(s->db, p) != CHORUS_OK;
}

static void ingest_into(chorus_ctx *ctx, chorus_corpus *c, chorus_db *d)
{
    char a[512], b[512];
    path_in(a, sizeof a, "tweets.csv");
    path_in(b, sizeof b, "dup.csv");
    write_tweets(a);
    write_dup(b);
    problem_sink sink = {d, 0};
    chorus_set_problem_handler(ctx, on_problem, &sink);
    CHECK_INT(chorus_ingest(c, a, NULL, &stats), CHORUS_OK);
    CHECK_INT(chorus_ingest(c, b, NULL, &stats), CHORUS_OK);
    chorus_set_problem_handler(ctx, NULL, NULL);
    CHECK_INT(sink.errors, 0);
}

/* Builds out.db from the two inputs, plus one problem added by hand. */
static void test_write(void)
{
    char out[512];
    path_in(out, sizeof out, "out.db");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_db *d = NULL;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    if (d) {
        ingest_into(ctx, c, d);
        CHECK_INT(chorus_db_write_corpus(d, c, &stats), CHORUS_OK);
        chorus_problem p = {"-", "m.csv", 3, NULL, CHORUS_SKIP_BAD_QUOTE, "x", 0};
        CHECK_INT(chorus_db_add_problem(d, &p), CHORUS_OK);
        CHECK_INT(chorus_db_commit(d), CHORUS_OK);
    }
    if (chorus_errcode(ctx))
        fprintf(stderr, "error: %s\n", chorus_errmsg(ctx));
    CHECK_INT(tmp_files_left(), 0);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    db = open_ro(out);
    CHECK(db != NULL);
}

/* ------------------------------------------------------------------ tests */

static void test_counts(void)
{
    CHECK_INT(q_int(db, "SELECT count(*) FROM posts"), 4);
    CHECK_INT(q_int(db, "SELECT count(*) FROM accounts"), 2);
    CHECK_INT(q_int(db, "SELECT count(*) FROM post_hashtags"), 3);
    CHECK_INT(q_int(db, "SELECT count(*) FROM post_urls"), 1);
    CHECK_INT(q_int(db, "SELECT count(*) FROM post_mentions"), 1);
    CHECK_INT(q_int(db, "SELECT count(*) FROM post_objects"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM input_files"), 2);
    CHECK_INT(q_int(db, "SELECT count(*) FROM ingest_problems"), 2);
}

static void test_ids_and_refs(void)
{
    CHECK_Q("SELECT post_id FROM posts WHERE post_idx = 0", "1234567890123456789");
    CHECK_Q("SELECT typeof(post_id) FROM posts WHERE post_idx = 0", "text");
    const char *rt = "FROM posts WHERE post_id = '1234567890123456790'";
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT kind %s", rt);
    CHECK_Q(sql, "retweet");
    snprintf(sql, sizeof sql, "SELECT ref_post_id %s", rt);
    CHECK_Q(sql, "1234567890123456789");
    snprintf(sql, sizeof sql,
             "SELECT ref_account_idx = (SELECT account_idx FROM accounts WHERE account_id = 'u1')"
             " %s", rt);
    CHECK_INT(q_int(db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT a.account_id FROM posts p JOIN accounts a USING(account_idx)"
             " WHERE p.post_id = '1234567890123456790'");
    CHECK_Q(sql, "u2");
    CHECK_Q("SELECT kind FROM posts WHERE post_id = '100'", "post");
    CHECK_INT(q_int(db, "SELECT ref_post_id FROM posts WHERE post_id = '100'"), Q_NULL);
    CHECK_INT(q_int(db, "SELECT ref_account_idx FROM posts WHERE post_id = '100'"), Q_NULL);
    CHECK_INT(q_int(db, "SELECT count(*) FROM posts WHERE post_id = '102'"), 0);
}

static void test_times(void)
{
    CHECK_Q("SELECT time FROM posts WHERE post_idx = 0", "2020-03-02T19:54:56.824Z");
    CHECK_INT(q_int(db, "SELECT time_ms FROM posts WHERE post_idx = 0"), 1583178896824LL);
    CHECK_Q("SELECT time_resolution FROM posts WHERE post_idx = 0", "ms");
    CHECK_Q("SELECT time FROM posts WHERE post_id = '1234567890123456790'",
            "2020-03-02T19:55:10Z");
    CHECK_Q("SELECT time_resolution FROM posts WHERE post_id = '1234567890123456790'", "second");
    CHECK_Q("SELECT time FROM posts WHERE post_id = '100'", "2019-01-02T03:04:00Z");
    CHECK_Q("SELECT time_resolution FROM posts WHERE post_id = '100'", "minute");
}

static void test_texts(void)
{
    CHECK_Q("SELECT CAST(text AS BLOB) FROM posts WHERE post_id = '100'",
            "two\nlines, \"quoted\"");
    CHECK_Q("SELECT CAST(text AS BLOB) FROM posts WHERE post_id = '101'", "bad \xff\xfe bytes");
    CHECK_Q("SELECT typeof(text) FROM posts WHERE post_id = '101'", "text");
    CHECK_Q("SELECT client FROM posts WHERE post_idx = 0", "Twitter Web App");
    CHECK_Q("SELECT lang FROM posts WHERE post_idx = 0", "en");
    CHECK_INT(q_int(db, "SELECT source FROM posts WHERE post_idx = 0"), Q_NULL);
    CHECK_INT(q_int(db, "SELECT title FROM posts WHERE post_idx = 0"), Q_NULL);
}

static void test_lists_and_files(void)
{
    CHECK_Q("SELECT group_concat(hashtag, ',') FROM (SELECT hashtag FROM post_hashtags"
            " WHERE post_idx = 0 ORDER BY position)", "zeta,alpha,mid");
    CHECK_INT(q_int(db, "SELECT min(position) FROM post_hashtags"), 0);
    CHECK_Q("SELECT url FROM post_urls WHERE post_idx = 0 AND position = 0",
            "https://x.example/a");
    CHECK_Q("SELECT m.mention FROM post_mentions m JOIN posts p USING(post_idx)"
            " WHERE p.post_id = '1234567890123456790'", "alice");
    char want[512];
    path_in(want, sizeof want, "dup.csv");
    CHECK_Q("SELECT path FROM input_files WHERE file_idx = 1", want);
    CHECK_INT(q_int(db, "SELECT file_idx FROM posts WHERE post_idx = 0"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM posts WHERE file_idx = 1"), 0);
}

static void test_accounts(void)
{
    const char *u1 = "FROM accounts WHERE account_id = 'u1'";
    const char *u2 = "FROM accounts WHERE account_id = 'u2'";
    char sql[256];
#define ACC(col, who) (snprintf(sql, sizeof sql, "SELECT %s %s", (col), (who)), sql)
    CHECK_Q(ACC("display_name", u1), "Alice");
    CHECK_Q(ACC("screen_name", u1), "Alice");
    CHECK_Q(ACC("location", u1), "Paris");
    CHECK_INT(q_int(db, ACC("url", u1)), Q_NULL);
    CHECK_INT(q_int(db, ACC("followers", u1)), 100);
    CHECK_INT(q_int(db, ACC("following", u1)), 5);
    CHECK_Q(ACC("created_at", u1), "2015-03-01T00:00:00Z");
    CHECK_INT(q_int(db, ACC("n_posts", u1)), 3);
    CHECK_INT(q_int(db, ACC("pseudonymised", u1)), 0);
    CHECK_INT(q_int(db, ACC("followers", u2)), Q_NULL);
    CHECK_INT(q_int(db, ACC("following", u2)), 5);
    CHECK_INT(q_int(db, ACC("created_at", u2)), Q_NULL);
    CHECK_INT(q_int(db, ACC("n_posts", u2)), 1);
#undef ACC
}

static void test_stats(void)
{
    const struct {
        const char *key;
        uint64_t v;
    } want[] = {
        {"files", stats.files}, {"bytes", stats.bytes}, {"rows_read", stats.rows_read},
        {"rows_kept", stats.rows_kept}, {"rows_skipped", stats.rows_skipped},
        {"posts", stats.posts}, {"duplicates", stats.duplicates},
        {"accounts_rows", stats.accounts_rows}, {"invalid_utf8", stats.invalid_utf8},
    };
    char sql[128];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT value FROM ingest_stats WHERE key = '%s'", want[i].key);
        CHECK_INT(q_int(db, sql), want[i].v);
    }
    CHECK_INT(stats.files, 2);
    CHECK_INT(stats.posts, 4);
    CHECK_INT(stats.duplicates, 1);
    CHECK_INT(stats.rows_skipped, 1);
    CHECK(stats.bytes > 0);
    CHECK_INT(q_int(db, "SELECT value FROM ingest_stats WHERE key = 'skipped_bad_time'"), 1);
    CHECK_INT(q_int(db, "SELECT value FROM ingest_stats WHERE key = 'skipped_bad_quote'"), 0);
    CHECK_INT(q_int(db, "SELECT count(*) FROM ingest_stats WHERE substr(key, 1, 8) = 'skipped_'"),
              CHORUS_SKIP_REASONS);
}

static void test_problems(void)
{
    char want[512];
    path_in(want, sizeof want, "tweets.csv");
    CHECK_Q("SELECT file FROM ingest_problems WHERE rowid = 1", want);
    CHECK_INT(q_int(db, "SELECT member FROM ingest_problems WHERE rowid = 1"), Q_NULL);
    CHECK_INT(q_int(db, "SELECT line FROM ingest_problems WHERE rowid = 1"), 7);
    CHECK_Q("SELECT column_name FROM ingest_problems WHERE rowid = 1", "tweet_time");
    CHECK_Q("SELECT reason FROM ingest_problems WHERE rowid = 1", "bad_time");
    CHECK_INT(q_int(db, "SELECT instr(detail, 'yesterday') > 0 FROM ingest_problems"
                        " WHERE rowid = 1"), 1);
    CHECK_Q("SELECT file || '|' || member || '|' || line || '|' || reason || '|' || detail"
            " FROM ingest_problems WHERE rowid = 2", "-|m.csv|3|bad_quote|x");
    CHECK_INT(q_int(db, "SELECT column_name FROM ingest_problems WHERE rowid = 2"), Q_NULL);
}

static void test_meta_and_indexes(void)
{
    CHECK_Q("SELECT value FROM meta WHERE key = 'schema_version'", "1");
    CHECK_Q("SELECT value FROM meta WHERE key = 'chorus_version'", CHORUS_VERSION);
    CHECK_INT(q_int(db, "PRAGMA page_size"), 65536);
    const char *names[] = {"posts_account", "posts_post_id", "posts_ref_post_id", "posts_time",
                           "post_hashtags_hashtag", "post_urls_url"};
    char sql[160];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'",
                 names[i]);
        CHECK_INT(q_int(db, sql), 1);
    }
    CHECK_Q("PRAGMA integrity_check", "ok");
}

/* Generic object columns (CooRTweet-style action table via a column map). */
static void test_objects(void)
{
    char in[512], out[512], spec[] = "account=account,time=time,object.url_id=url";
    path_in(in, sizeof in, "actions.csv");
    path_in(out, sizeof out, "objects.db");
    write_file(in, "account,time,url\nA,2020-01-01 00:00:00,http://a\nB,2020-01-01 00:00:01,\n");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_column_map map;
    CHECK_INT(chorus_column_map_parse(ctx, spec, &map), CHORUS_OK);
    chorus_ingest_opts opts = {.format = CHORUS_FMT_CSV_MAP, .map = &map};
    CHECK_INT(chorus_ingest(c, in, &opts, NULL), CHORUS_OK);
    chorus_db *d = NULL;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    CHECK_INT(chorus_db_write_corpus(d, c, NULL), CHORUS_OK);
    CHECK_INT(chorus_db_commit(d), CHORUS_OK);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    sqlite3 *s = open_ro(out);
    char buf[256];
    CHECK_INT(q_int(s, "SELECT count(*) FROM post_objects"), 1);
    CHECK_INT(q_bytes(s, "SELECT column_name || '=' || object FROM post_objects WHERE post_idx = 0",
                      buf, sizeof buf), 15);
    CHECK_STR(buf, "url_id=http://a");
    CHECK_INT(q_int(s, "SELECT count(*) FROM ingest_stats"), 0);
    sqlite3_close(s);
}

/* ------------------------------------------------- replacing an old file */

static void check_file_is(const char *path, const char *want, size_t n)
{
    char buf[64] = {0};
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    size_t got = f ? fread(buf, 1, n, f) : 0;
    if (f)
        fclose(f);
    CHECK_INT(got, n);
    CHECK(memcmp(buf, want, n) == 0);
}

/* An existing file survives abort untouched and is replaced by commit;
 * while the database is open only the temporary file holds it. */
static void test_abort_then_commit(void)
{
    char out[512];
    path_in(out, sizeof out, "keep.db");
    write_file(out, "old contents");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = chorus_corpus_new(ctx);
    chorus_db *d = NULL;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    CHECK_INT(chorus_db_write_corpus(d, c, NULL), CHORUS_OK);
    CHECK_INT(tmp_files_left(), 1);
    check_file_is(out, "old contents", 12);
    chorus_db_abort(d);
    chorus_db_abort(NULL);
    check_file_is(out, "old contents", 12);
    CHECK_INT(tmp_files_left(), 0);

    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    CHECK_INT(chorus_db_write_corpus(d, c, NULL), CHORUS_OK);
    check_file_is(out, "old contents", 12);
    CHECK_INT(chorus_db_commit(d), CHORUS_OK);
    check_file_is(out, "SQLite format 3", 16);
    CHECK_INT(tmp_files_left(), 0);
    sqlite3 *s = open_ro(out);
    CHECK_INT(q_int(s, "SELECT count(*) FROM posts"), 0);
    CHECK_INT(q_int(s, "SELECT count(*) FROM meta"), 2);
    sqlite3_close(s);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

/* A folder that does not exist: an I/O error naming the path, no handle. */
static void test_create_error(void)
{
    char out[512];
    path_in(out, sizeof out, "missing/x.db");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_db *d = (chorus_db *)&d;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_EIO);
    CHECK(d == NULL);
    CHECK(strstr(chorus_errmsg(ctx), "missing/x.db") != NULL);
    CHECK_INT(chorus_db_create(ctx, "", &d), CHORUS_EUSAGE);
    CHECK_INT(tmp_files_left(), 0);
    chorus_ctx_free(ctx);
}

/* Counts the bytes held through the context, to see that every ch_alloc
 * of the db layer is freed with the size it was allocated with. */
static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    long long *held = ud;
    *held += (long long)nsize - (long long)(ptr ? osize : 0);
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, nsize);
}

/* Later stages add tables with chorus_db_exec; bad SQL is CHORUS_EDB. */
static void test_exec(void)
{
    char out[512];
    path_in(out, sizeof out, "exec.db");
    long long held = 0;
    chorus_ctx *ctx = chorus_ctx_new(counting_alloc, &held);
    long long ctx_bytes = held;
    chorus_db *d = NULL;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    CHECK_INT(chorus_db_exec(d, "CREATE TABLE extra(x INTEGER); INSERT INTO extra VALUES(42)"),
              CHORUS_OK);
    CHECK_INT(chorus_db_exec(d, "SELEKT nonsense"), CHORUS_EDB);
    CHECK(strstr(chorus_errmsg(ctx), "exec.db") != NULL);
    CHECK(strstr(chorus_errmsg(ctx), "syntax error") != NULL);
    CHECK_INT(chorus_db_commit(d), CHORUS_OK);
    CHECK_INT(held, ctx_bytes);
    CHECK_INT(tmp_files_left(), 0);
    sqlite3 *s = open_ro(out);
    CHECK_INT(q_int(s, "SELECT x FROM extra"), 42);
    sqlite3_close(s);
    chorus_ctx_free(ctx);
}

/* Stage tables: typed values round-trip, text keeps its exact bytes (a
 * NUL and invalid UTF-8), NULL stays NULL, a wrong column count is an
 * error, bad SQL names the file. */
static void test_stage_table(void)
{
    char out[512];
    path_in(out, sizeof out, "table.db");
    long long held = 0;
    chorus_ctx *ctx = chorus_ctx_new(counting_alloc, &held);
    long long ctx_bytes = held;
    chorus_db *d = NULL;
    chorus_db_table *t = NULL;
    CHECK_INT(chorus_db_create(ctx, out, &d), CHORUS_OK);
    CHECK_INT(chorus_db_table_open(d, "CREATE TABLE st(a INTEGER, b REAL, c TEXT, d TEXT)", "st",
                                   4, &t),
              CHORUS_OK);
    static const char bytes[] = {'x', 0, '\xff', 'y'};
    chorus_db_value v[4] = {chorus_db_int(INT64_MAX), chorus_db_real(0.25),
                            chorus_db_text((chorus_str){bytes, 4}), chorus_db_null()};
    CHECK_INT(chorus_db_table_row(t, v), CHORUS_OK);
    v[0] = chorus_db_int(-7);
    CHECK_INT(chorus_db_table_row(t, v), CHORUS_OK);
    chorus_db_table_close(t);
    chorus_db_table *bad = NULL;
    CHECK_INT(chorus_db_table_open(d, "CREATE TABLE nope(", "nope", 1, &bad), CHORUS_EDB);
    CHECK(bad == NULL && strstr(chorus_errmsg(ctx), "table.db") != NULL);
    CHECK_INT(chorus_db_table_open(d, "SELECT 1", "st", 0, &bad), CHORUS_EUSAGE);
    CHECK_INT(chorus_db_commit(d), CHORUS_OK);
    CHECK_INT(held, ctx_bytes);
    sqlite3 *s = open_ro(out);
    CHECK_INT(q_int(s, "SELECT count(*) FROM st"), 2);
    CHECK_INT(q_int(s, "SELECT max(a) FROM st"), INT64_MAX);
    CHECK_INT(q_int(s, "SELECT min(a) FROM st"), -7);
    CHECK_INT(q_int(s, "SELECT count(*) FROM st WHERE b = 0.25 AND d IS NULL"), 2);
    CHECK_INT(q_int(s, "SELECT count(*) FROM st WHERE c = CAST(x'7800ff79' AS TEXT)"), 2);
    sqlite3_close(s);
    chorus_ctx_free(ctx);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/chorus-test-db-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_write);
    RUN(test_counts);
    RUN(test_ids_and_refs);
    RUN(test_times);
    RUN(test_texts);
    RUN(test_lists_and_files);
    RUN(test_accounts);
    RUN(test_stats);
    RUN(test_problems);
    RUN(test_meta_and_indexes);
    sqlite3_close(db);
    RUN(test_objects);
    RUN(test_abort_then_commit);
    RUN(test_create_error);
    RUN(test_exec);
    RUN(test_stage_table);
    remove_dir();
    TEST_END("test_db");
}
