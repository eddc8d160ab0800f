/*
 * bench_normalize.c - speed of the match form (chorus_normalize) on
 * generated tweet-sized texts: English, Persian (with ZWNJ, Arabic letter
 * variants and digits), or a mix with hashtags, mentions, links and emoji.
 * Prints MB/s of input, one text per call as the tweet signal does it.
 * Usage: bench_normalize [MB (default 64)] [en|fa|mix|FILE (default mix)]
 * FILE holds texts separated by NUL bytes (e.g. simulate's tweet_text
 * column, bench/README.md), read in turn until MB are done.
 */
#include <chorus/text.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const en[] = {"the", "people", "Government", "must", "stop", "lying", "about",
                                 "elections", "today", "FREE", "now!", "we", "demand", "justice,",
                                 "Sooooo", "true", "corruption", "never", "again."};
static const char *const fa[] = {"می\u200cخواهم", "مردم", "ايران", "دولت", "كتاب\u200cها",
                                 "انتخابات", "آزادی", "۱۴۰۲", "نمی خواهیم", "حقيقت", "؟",
                                 "بزرگ\u200cترین", "ملت", "ما", "هستيم", "،"};
static const char *const social[] = {"#FreeVeldraneNow", "@someone_22", "https://t.co/aB3xYz",
                                     "\U0001F525\U0001F525", "#ایران_آزاد", "«نه»"};

static uint64_t rng = 88172645463325252ULL;
static uint32_t next(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/* One text of about 100-250 bytes into p; returns its length. */
static size_t gen_text(char *p, int kind)
{
    size_t n = 0, want = 100 + next(150);
    if (next(10) == 0)
        n += (size_t)sprintf(p, "RT @user%u: ", next(1000));
    while (n < want) {
        const char *w;
        int pick = kind == 2 ? (int)next(10) : kind == 1 ? 5 : 0;
        if (kind == 2 && pick == 9)
            w = social[next(6)];
        else if (pick >= 5)
            w = fa[next(sizeof fa / sizeof fa[0])];
        else
            w = en[next(sizeof en / sizeof en[0])];
        n += (size_t)sprintf(p + n, "%s ", w);
    }
    return n;
}

/* Reads the NUL-separated texts of path into *texts (one block) with their
 * starts and lengths; the number of texts, 0 on failure. */
static size_t load_texts(const char *path, char **texts, size_t **start, size_t **len)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        return 0;
    long size = ftell(f);
    rewind(f);
    *texts = malloc((size_t)size + 1);
    if (size <= 0 || !*texts || fread(*texts, 1, (size_t)size, f) != (size_t)size)
        return 0;
    fclose(f);
    size_t n = 0;
    for (long i = 0; i < size; i++)
        n += (*texts)[i] == 0;
    *start = malloc((n + 1) * sizeof **start);
    *len = malloc((n + 1) * sizeof **len);
    if (!*start || !*len)
        return 0;
    size_t k = 0, at = 0;
    for (long i = 0; i < size; i++)
        if ((*texts)[i] == 0) {
            (*start)[k] = at, (*len)[k++] = (size_t)i - at;
            at = (size_t)i + 1;
        }
    return k;
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 64;
    const char *k = argc > 2 ? argv[2] : "mix";
    int kind = !strcmp(k, "en") ? 0 : !strcmp(k, "fa") ? 1 : !strcmp(k, "mix") ? 2 : 3;
    size_t ntext = argc > 3 ? (size_t)atol(argv[3]) : 20000, total = 0;
    char *texts = NULL;
    size_t *len = NULL, *start = NULL;
    if (kind == 3) {
        if ((ntext = load_texts(k, &texts, &start, &len)) == 0) {
            fprintf(stderr, "%s: cannot read texts\n", k);
            return 2;
        }
    } else {
        texts = malloc(ntext * 512);
        start = malloc(ntext * sizeof *start);
        len = malloc(ntext * sizeof *len);
        if (!texts || !len || !start)
            return 2;
        for (size_t i = 0; i < ntext; i++)
            start[i] = i * 512, len[i] = gen_text(texts + i * 512, kind);
    }
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_normalizer *n;
    if (chorus_normalizer_new(ctx, NULL, &n) != CHORUS_OK)
        return 2;
    chorus_text_buf b;
    chorus_text_buf_init(&b, ctx);
    uint64_t words = 0;
    struct timespec t0, t1, c0, c1; /* wall and CPU time: the machine may be shared */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (size_t i = 0; total < mb << 20; i = (i + 1) % ntext) {
        if (chorus_normalize(n, texts + start[i], len[i], &b) != CHORUS_OK)
            return 2;
        total += len[i];
        words += b.words;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
    chorus_normalize(n, texts, len[0], &b);
    printf("%s: %.1f MB in %.3f s (%.3f s CPU): %.0f MB/s, %.0f MB/s of CPU (%llu words)\n"
           "sample: %.*s\n   -> %s\n",
           k, (double)total / 1e6, s, cpu, (double)total / 1e6 / s, (double)total / 1e6 / cpu,
           (unsigned long long)words, (int)len[0], texts, b.text);
    chorus_text_buf_free(&b);
    chorus_normalizer_free(n);
    chorus_ctx_free(ctx);
    free(texts);
    free(start);
    free(len);
    return 0;
}
