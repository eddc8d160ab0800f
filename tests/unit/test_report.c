/*
 * test_report.c - the HTML report (src/out/report*.c, html.c, layout.c):
 * escaping for HTML text and for JSON inside <script>, the report written
 * from a small hand-made database (sections present and "not run", no
 * payload breaking out, deterministic), its errors and out-of-memory
 * paths, and the layout's determinism.
 */
#include "check.h"
#include "out/layout.h"

#include <chorus/report.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/chorus-test-report-XXXXXX";

/* What f(out, p, n) writes, in a static buffer. */
static const char *capture(void (*f)(FILE *, const char *, size_t), const char *p, size_t n)
{
    static char buf[4096];
    FILE *o = fmemopen(buf, sizeof buf, "w");
    f(o, p, n);
    fclose(o);
    return buf;
}

static void test_json_string(void)
{
    const char *s = "</script><!--x-->\"\\\n";
    CHECK_STR(capture(chorus_html_json_string, s, strlen(s)),
              "\"\\u003c/script\\u003e\\u003c!--x--\\u003e\\\"\\\\\\n\"");
    CHECK_STR(capture(chorus_html_json_string, "a\xe2\x80\xa8" "b\xe2\x80\xa9", 8), "\"a\\u2028b\\u2029\"");
    CHECK_STR(capture(chorus_html_json_string, "\xe2\x80\xae" "abc", 6), "\"[U+202E]abc\"");
    CHECK_STR(capture(chorus_html_json_string, "x\xff\x01y", 4), "\"x\\ufffd\\u0001y\"");
    CHECK_STR(capture(chorus_html_json_string, "\xd8\xb3\xd9\x84 & '", 8), "\"\xd8\xb3\xd9\x84 \\u0026 \\u0027\"");
}

static void test_html_text(void)
{
    const char *s = "<img src=x onerror=\"a\">&'";
    CHECK_STR(capture(chorus_html_text, s, strlen(s)), "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;");
    CHECK_STR(capture(chorus_html_text, "\xe2\x81\xa6x\xe2\x80\x8f", 7), "[U+2066]x[U+200F]");
}

static const char schema[] =
    "CREATE TABLE posts(post_idx INTEGER PRIMARY KEY, post_id TEXT, account_idx INTEGER, time_ms INTEGER,"
    " text TEXT, client TEXT);"
    "CREATE TABLE accounts(account_idx INTEGER PRIMARY KEY, account_id TEXT, screen_name TEXT,"
    " created_at TEXT, n_posts INTEGER);"
    "CREATE TABLE group_members(account_idx INTEGER PRIMARY KEY, group_id INTEGER, score REAL,"
    " edges INTEGER, strength INTEGER);"
    "CREATE TABLE edges(signal TEXT, account_a INTEGER, account_b INTEGER, objects INTEGER,"
    " coactions INTEGER, first_time_ms INTEGER, last_time_ms INTEGER);"
    "CREATE TABLE evidence(signal TEXT, account_a INTEGER, account_b INTEGER, object TEXT,"
    " time_a_ms INTEGER, time_b_ms INTEGER);"
    "INSERT INTO accounts VALUES (0, 'a0', '</script><!--<script>x()</script>', '2019-01-01', 2),"
    " (1, 'a1', 'b' || char(8238) || 'c', NULL, 1), (2, 'a2', NULL, '2019-01-05', 1), (3, 'a3', 'z', NULL, 0);"
    "INSERT INTO posts VALUES (0, 'p0', 0, 1000, 'hello', '=calc'), (1, 'p1', 1, 61000, 'hello', 'web'),"
    " (2, 'p2', 2, 3600000, 'x', NULL), (3, 'p3', 0, 7200000, 'y', 'web');"
    "INSERT INTO group_members VALUES (0, 0, 2.5, 2, 3), (1, 0, 1.5, 1, 2), (2, 0, 1.0, 1, 1), (3, 1, 0.5, 0, 0);"
    "INSERT INTO edges VALUES ('retweet', 0, 1, 2, 2, 1000, 61000), ('link', 0, 1, 1, 1, 1000, 1000),"
    " ('retweet', 0, 2, 1, 1, 1000, 3600000);"
    "INSERT INTO evidence VALUES ('retweet', 0, 1, 'p9<!--', 1000, 61000), ('retweet', 0, 1, 'p8', 2000, 3000),"
    " ('link', 0, 1, 'https://x.test/</script>', 1000, 1000), ('retweet', 0, 2, 'p7', 1000, 3600000);";

static void make_db(const char *path, const char *extra)
{
    sqlite3 *db;
    unlink(path);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK);
    if (extra)
        CHECK(sqlite3_exec(db, extra, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *s = malloc((size_t)len + 1);
    *n = fread(s, 1, (size_t)len, f);
    s[*n] = 0;
    fclose(f);
    return s;
}

/* Occurrences of needle in s. */
static int count(const char *s, const char *needle)
{
    int k = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        k++;
    return k;
}

static void test_report_from_db(void)
{
    char db[256], html[256];
    snprintf(db, sizeof db, "%s/chorus.db", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    make_db(db, "CREATE TABLE laundering(outlet_doc_id TEXT, outlet TEXT, origin_post_id TEXT, lag_s REAL,"
                " passage TEXT, more TEXT); INSERT INTO laundering VALUES ('p1', 'Out</script>', 'p0', 60, 'hello', 'm');");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_report_summary s;
    CHECK_INT(chorus_report_write(ctx, db, html, NULL, &s), CHORUS_OK);
    CHECK_INT(s.posts, 4);
    CHECK_INT(s.groups, 2);
    CHECK_INT(s.grouped_accounts, 4);
    CHECK_INT(s.links, 2); /* the pair 0-1 once over both signals, and 0-2 */
    CHECK_INT(s.evidence, 4);
    CHECK_INT(s.laundering, 1);
    CHECK_INT(s.narratives, -1);
    size_t n;
    char *page = slurp(html, &n);
    CHECK(page && n == s.bytes);
    if (page) {
        CHECK_INT(count(page, "</script>"), 2); /* the data's and the code's */
        CHECK_INT(count(page, "<script"), 2);
        CHECK_INT(count(page, "<!--"), 0);
        CHECK_INT(count(page, "\xe2\x80\xae"), 0);
        CHECK(strstr(page, "[U+202E]") != NULL);
        CHECK(strstr(page, chorus_report_js_hash) != NULL);
        CHECK(strstr(page, "default-src 'none'") != NULL);
        CHECK(strstr(page, "\"missing\":[\"cluster_summary\",\"clusters\",\"reuse\",\"provenance\",\"tree\",\"matches\",\"narrative_summary\"]") != NULL);
    }
    /* The same database gives the same bytes. */
    char html2[256];
    snprintf(html2, sizeof html2, "%s/again.html", dir);
    CHECK_INT(chorus_report_write(ctx, db, html2, NULL, NULL), CHORUS_OK);
    size_t n2;
    char *page2 = slurp(html2, &n2);
    CHECK(page && page2 && n == n2 && memcmp(page, page2, n) == 0);
    free(page);
    free(page2);
    chorus_ctx_free(ctx);
}

/* Over --max-links the strongest links are drawn: of 0-1 (3 co-actions
 * over both signals) and 0-2 (1), a cap of 1 keeps 0-1. */
static void test_report_strongest_links(void)
{
    char db[256], html[256];
    snprintf(db, sizeof db, "%s/links.db", dir);
    snprintf(html, sizeof html, "%s/links.html", dir);
    make_db(db, NULL);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_report_info info = {0};
    info.max_links = 1;
    chorus_report_summary s;
    CHECK_INT(chorus_report_write(ctx, db, html, &info, &s), CHORUS_OK);
    CHECK_INT(s.links, 1);
    size_t n;
    char *page = slurp(html, &n);
    const char *links = page ? strstr(page, "\"links_total\":2,\"links\":[[") : NULL;
    CHECK(links != NULL);
    if (links) {
        const char *end = strstr(links, "]]");
        CHECK(end && end - links > 2 && end[-1] == '3' && end[-2] == ',');
        const char *next = strstr(links, "],[");
        CHECK(!next || next > end); /* one link only */
    }
    free(page);
    chorus_ctx_free(ctx);
}

/* Without the coordination tables the groups say "not run" (null). */
static void test_report_without_coord(void)
{
    char db[256], html[256];
    snprintf(db, sizeof db, "%s/nocoord.db", dir);
    snprintf(html, sizeof html, "%s/nocoord.html", dir);
    make_db(db, "DROP TABLE edges; DROP TABLE evidence;");
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_report_summary s;
    CHECK_INT(chorus_report_write(ctx, db, html, NULL, &s), CHORUS_OK);
    CHECK_INT(s.groups, -1);
    CHECK_INT(s.posts, 4);
    size_t n;
    char *page = slurp(html, &n);
    CHECK(page && strstr(page, "\"groups\":null") != NULL);
    free(page);
    chorus_ctx_free(ctx);
}

static void test_report_errors(void)
{
    char db[256], html[256];
    snprintf(db, sizeof db, "%s/missing.db", dir);
    snprintf(html, sizeof html, "%s/none.html", dir);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    CHECK(chorus_report_write(ctx, db, html, NULL, NULL) != CHORUS_OK);
    CHECK(access(html, F_OK) != 0);
    snprintf(db, sizeof db, "%s/empty.db", dir);
    sqlite3 *h;
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    sqlite3_exec(h, "CREATE TABLE x(a)", NULL, NULL, NULL);
    sqlite3_close(h);
    CHECK_INT(chorus_report_write(ctx, db, html, NULL, NULL), CHORUS_EINPUT);
    CHECK(access(html, F_OK) != 0);
    chorus_ctx_free(ctx);
}

static void test_report_out_of_memory(void)
{
    char db[256], html[256];
    snprintf(db, sizeof db, "%s/chorus.db", dir);
    snprintf(html, sizeof html, "%s/oom.html", dir);
    int failed = 0, ok = 0;
    for (long budget = 0; budget < 40 && !ok; budget++) {
        check_alloc_budget = budget;
        chorus_ctx *ctx = chorus_ctx_new(check_failing_alloc, NULL);
        if (!ctx)
            continue;
        chorus_rc rc = chorus_report_write(ctx, db, html, NULL, NULL);
        if (rc == CHORUS_ENOMEM) {
            failed++;
            CHECK(access(html, F_OK) != 0);
        } else
            ok = rc == CHORUS_OK;
        chorus_ctx_free(ctx);
    }
    CHECK(failed > 0);
    CHECK(ok);
}

static void test_layout(void)
{
    uint32_t group[7] = {0, 0, 0, 0, 1, 1, 2};
    uint32_t pairs[] = {0, 1, 1, 2, 2, 3, 0, 3, 4, 5};
    float a[14], b[14];
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_seed(ctx, 7);
    CHECK_INT(chorus_layout_groups(ctx, 7, group, pairs, 5, a), CHORUS_OK);
    CHECK_INT(chorus_layout_groups(ctx, 7, group, pairs, 5, b), CHORUS_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    int distinct = 1;
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < i; j++)
            if (a[2 * i] == a[2 * j] && a[2 * i + 1] == a[2 * j + 1])
                distinct = 0;
    CHECK(distinct);
    for (int i = 0; i < 14; i++)
        CHECK(a[i] >= 0 && a[i] < 10);
    chorus_ctx_free(ctx);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    RUN(test_json_string);
    RUN(test_html_text);
    RUN(test_report_from_db);
    RUN(test_report_strongest_links);
    RUN(test_report_without_coord);
    RUN(test_report_errors);
    RUN(test_report_out_of_memory);
    RUN(test_layout);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    TEST_END("test_report");
}
