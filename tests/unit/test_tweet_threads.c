/*
 * test_tweet_threads.c - the tweet signal on several threads gives the
 * very action set it gives on one: the same actions in post order, the
 * same objects numbered alike, the same labels. 20,000 posts (chunks for
 * helpers to take), texts repeated across accounts, replies and retweets.
 */
#include "check.h"
#include "io_header.h"

#include <chorus/text.h>
#include <unistd.h>

enum { POSTS = 20000 };

static void write_posts(const char *path)
{
    FILE *f = fopen(path, "w");
    fputs(IO_HEADER, f);
    for (int i = 0; i < POSTS; i++) {
        int kind = i % 7, text = (i * 7919) % 1500;
        fprintf(f, "%d,u%d,u,u,,,,1,1,2015-03-02,en,en,\"%s%s Text number %d of the Veldrane %s\","
                   "2019-06-01 %02d:%02d,,%s,%s,,%s,,,a,a,0,0,0,0,[],[],[],\n",
                i + 1, i % 300, kind == 1 ? "@u1 " : "", kind == 2 ? "RT @u2:" : "", text,
                text % 3 ? "campaign, said everyone" : "x", i / 60 % 24, i % 60,
                kind == 1 ? "u1" : "", kind == 1 ? "5" : "", kind == 2 ? "true" : "false");
    }
    fclose(f);
}

static void test_same_on_threads(void)
{
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/chorus-tweet-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    write_posts(path);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_OK);
    CHECK_INT(chorus_corpus_post_count(c), POSTS);
    chorus_actions *one = NULL, *many = NULL;
    CHECK_INT(chorus_text_tweet_actions_threads(ctx, c, NULL, 3, 1, &one), CHORUS_OK);
    size_t n1 = 0, n = 0;
    chorus_action *a1 = one ? chorus_actions_data(one, &n1) : NULL;
    CHECK(n1 > POSTS / 2 && n1 < POSTS); /* not the retweets */
    CHECK(one && chorus_actions_objects(one) > 1000 && chorus_actions_objects(one) < n1);
    for (uint32_t threads = 2; threads <= 5; threads += 3) {
        CHECK_INT(chorus_text_tweet_actions_threads(ctx, c, NULL, 3, threads, &many), CHORUS_OK);
        chorus_action *a = many ? chorus_actions_data(many, &n) : NULL;
        CHECK_INT(n, n1);
        CHECK_INT(many ? chorus_actions_objects(many) : 0, one ? chorus_actions_objects(one) : 0);
        for (size_t i = 0; a && a1 && i < n && i < n1; i++)
            CHECK(a[i].account == a1[i].account && a[i].object == a1[i].object &&
                  a[i].time_ms == a1[i].time_ms);
        for (uint32_t o = 0; many && one && o < chorus_actions_objects(one); o++) {
            chorus_str x = chorus_actions_label(one, o), y = chorus_actions_label(many, o);
            CHECK(x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0);
        }
        chorus_actions_free(many);
    }
    chorus_actions_free(one);
    chorus_corpus_free(c);
    unlink(path);
    rmdir(dir);
    chorus_ctx_free(ctx);
}

int main(void)
{
    RUN(test_same_on_threads);
    TEST_END("test_tweet_threads");
}
