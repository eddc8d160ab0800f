/*
 * test_actions.c - signals: canonical URLs, and each signal's actions
 * built from a small corpus (retweet, reply, link, hashtags, fast
 * retweet, generic object column), then paired by the co-action algorithm.
 */
#include "check.h"
#include "io_header.h"

#include <chorus/actions.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static void canon(const char *in, int domain, const char *want)
{
    char buf[256];
    size_t n = chorus_url_canonical(in, strlen(in), domain, buf, sizeof buf);
    CHECK_STRN(buf, n, want);
}

static void test_url_canonical(void)
{
    canon("HTTPS://WWW.Example.TEST/Path/A?b=2&utm_source=x&a=1#frag", 0,
          "https://example.test/Path/A?a=1&b=2");
    canon("https://example.test", 0, "https://example.test/");
    canon("https://example.test:443/x", 0, "https://example.test/x");
    canon("http://example.test:80/x", 0, "http://example.test/x");
    canon("http://example.test:8080/x", 0, "http://example.test:8080/x");
    canon("https://user:pw@news.example.test/a?fbclid=1&gclid=2&igshid=3&ref=tw", 0,
          "https://news.example.test/a");
    canon("  example.test/a  ", 0, "http://example.test/a");
    canon("https://www.Example.test/a/b?x=1", 1, "example.test");
    canon("https://shrt.example/aB3x", 0, "https://shrt.example/aB3x"); /* paths keep case */
    char buf[8];
    CHECK_INT(chorus_url_canonical("nonsense", 8, 0, buf, sizeof buf), 0);
    CHECK_INT(chorus_url_canonical("https://example.test/long", 25, 0, buf, sizeof buf), 0);
}

/* Three accounts: a and b retweet the same two originals of o within
 * seconds (the first 5 s after it: a fast retweet), reply to the same
 * post, post the same link with tracking noise and the same hashtags. */
static const char corpus_csv[] = IO_HEADER
    "1134791704834998272,o,o,o,,,,1,1,2015-03-02,en,en,orig one,2019-06-01 12:00,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "1134791725000000000,a,a,a,,,,1,1,2015-03-02,en,en,RT,2019-06-01 12:00,,,,,true,o,1134791704834998272,a,a,0,0,0,0,[],[],[],\n"
    "1134791746000000000,b,b,b,,,,1,1,2015-03-02,en,en,RT,2019-06-01 12:00,,,,,true,o,1134791704834998272,a,a,0,0,0,0,[],[],[],\n"
    "1134800000000000000,a,a,a,,,,1,1,2015-03-02,en,en,RT,2019-06-01 12:32,,,,,true,o,1134799999000000000,a,a,0,0,0,0,[],[],[],\n"
    "1134800020000000000,b,b,b,,,,1,1,2015-03-02,en,en,RT,2019-06-01 12:33,,,,,true,o,1134799999000000000,a,a,0,0,0,0,[],[],[],\n"
    "1134800040000000000,a,a,a,,,,1,1,2015-03-02,en,en,@o no,2019-06-01 12:33,,o,1134791704834998272,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "1134800060000000000,a,a,a,,,,1,1,2015-03-02,en,en,look #X #Y #Z,2019-06-01 12:33,,,,,false,,,a,a,0,0,0,0,"
    "\"['X', 'Y', 'Z']\",\"['https://www.site.test/p?utm_source=a', 'https://site.test/p#top']\",[],\n"
    "1134800080000000000,b,b,b,,,,1,1,2015-03-02,en,en,look #x #y #z,2019-06-01 12:33,,,,,false,,,a,a,0,0,0,0,"
    "\"['x', 'y', 'z']\",['https://SITE.test/p?fbclid=9'],[],\n";

static chorus_corpus *load(chorus_ctx *ctx)
{
    char path[128];
    snprintf(path, sizeof path, "%s/c.csv", dir);
    FILE *f = fopen(path, "w");
    fputs(corpus_csv, f);
    fclose(f);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_OK);
    CHECK_INT(chorus_corpus_post_count(c), 8);
    return c;
}

/* Builds a signal and returns its pairs with min weight 1. */
static chorus_copairs pairs_of(chorus_ctx *ctx, chorus_corpus *c, chorus_signal sig, size_t *nact,
                               uint32_t *nobj)
{
    chorus_actions *s;
    chorus_copairs out = {0};
    CHECK_INT(chorus_actions_build(ctx, c, sig, NULL, &s), CHORUS_OK);
    if (!s)
        return out;
    size_t n;
    chorus_action *a = chorus_actions_data(s, &n);
    *nact = n;
    *nobj = chorus_actions_objects(s);
    chorus_copair_opts o;
    chorus_copair_defaults(&o);
    o.min_weight = 1;
    CHECK_INT(chorus_copairs_compute(ctx, a, n, &o, &out), CHORUS_OK);
    chorus_actions_free(s);
    return out;
}

static void test_signals(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_corpus *c = load(ctx);
    size_t n;
    uint32_t objs;
    chorus_copairs p = pairs_of(ctx, c, CHORUS_SIG_RETWEET, &n, &objs);
    CHECK_INT(n, 4);
    CHECK_INT(objs, 2);
    CHECK_INT(p.n, 1);
    CHECK_INT(p.n ? p.pairs[0].objects : 0, 2);
    chorus_copairs_free(ctx, &p);
    p = pairs_of(ctx, c, CHORUS_SIG_FASTRETWEET, &n, &objs);
    CHECK_INT(n, 4); /* every retweet here came within 10 s of its original */
    CHECK_INT(objs, 1); /* one author */
    CHECK_INT(p.n ? p.pairs[0].objects : 0, 1);
    CHECK_INT(p.n ? p.pairs[0].coactions : 0, 2);
    chorus_copairs_free(ctx, &p);
    p = pairs_of(ctx, c, CHORUS_SIG_REPLY, &n, &objs);
    CHECK_INT(n, 1);
    CHECK_INT(p.n, 0);
    chorus_copairs_free(ctx, &p);
    p = pairs_of(ctx, c, CHORUS_SIG_LINK, &n, &objs);
    CHECK_INT(n, 2); /* a's two spellings of one link are one action */
    CHECK_INT(objs, 1);
    CHECK_INT(p.n, 1);
    chorus_copairs_free(ctx, &p);
    p = pairs_of(ctx, c, CHORUS_SIG_HASHTAGS, &n, &objs);
    CHECK_INT(n, 2);
    CHECK_INT(objs, 1);
    CHECK_INT(p.n, 1);
    chorus_copairs_free(ctx, &p);
    chorus_actions *s;
    CHECK_INT(chorus_actions_build(ctx, c, CHORUS_SIG_ACTION, NULL, &s), CHORUS_EUSAGE);
    CHECK_INT(chorus_actions_build(ctx, c, CHORUS_SIG_TWEET, NULL, &s), CHORUS_EUSAGE);
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
}

static void test_labels_and_names(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_actions *s = chorus_actions_new(ctx);
    CHECK_INT(chorus_actions_add(s, 0, "obj", 3, 10), CHORUS_OK);
    CHECK_INT(chorus_actions_add(s, 1, "obj", 3, 20), CHORUS_OK);
    CHECK_INT(chorus_actions_add(s, 1, "other", 5, 20), CHORUS_OK);
    CHECK_INT(chorus_actions_objects(s), 2);
    chorus_str l = chorus_actions_label(s, 1);
    CHECK_STRN(l.ptr, l.len, "other");
    CHECK_INT(chorus_actions_add_object(s, 2, 1, 30), CHORUS_OK); /* "other" by its id */
    CHECK_INT(chorus_actions_add_object(s, 2, 2, 30), CHORUS_EUSAGE); /* no object 2 */
    size_t n;
    const chorus_action *a = chorus_actions_data(s, &n);
    CHECK_INT(n, 4);
    CHECK_INT(a[3].object, 1);
    CHECK_INT(a[3].account, 2);
    CHECK_INT(chorus_actions_objects(s), 2);
    chorus_actions_free(s);
    CHECK_INT(chorus_signal_from_name("fastretweet"), CHORUS_SIG_FASTRETWEET);
    CHECK_INT(chorus_signal_from_name("nope"), -1);
    CHECK_STR(chorus_signal_name(CHORUS_SIG_LINK), "link");
    chorus_ctx_free(ctx);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/chorus-actions-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    RUN(test_url_canonical);
    RUN(test_signals);
    RUN(test_labels_and_names);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 2;
    TEST_END("test_actions");
}
