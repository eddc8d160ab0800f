/*
 * output_io.c - the Twitter IO archive writer (tweets.csv, 31 columns in
 * the 2019 release conventions) and users.csv (10 columns). Rows are built
 * with memcpy into a large buffer and written with one fwrite per buffer:
 * no printf per field (docs/simulate.md has the measured speed).
 */
#include "io/time_parse.h"
#include "sim/model.h"
#include "core/digits.h"
#include "core/hash.h"

#include <errno.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define BUF_CAP (1u << 20)
#define ROW_MAX (16u << 10) /* far above the longest row we build */

static const char tweets_header[] =
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"
    "tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,"
    "is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,"
    "like_count,retweet_count,hashtags,urls,user_mentions,poll_choices\n";
static const char users_header[] =
    "userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language\n";

typedef struct io_buf {
    char *p;
    size_t len;
    int64_t day;    /* posts come in time order: the day's date is kept */
    char date[10];
} io_buf;

static char *w_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}



static char *w_2d(char *p, unsigned v)
{
    memcpy(p, ch_digit_pair(v % 100), 2);
    return p + 2;
}

static char *w_date(char *p, int64_t ms)
{
    int64_t y;
    unsigned m, d;
    ch_civil_from_days(ms >= 0 ? ms / SIM_DAY_MS : (ms - SIM_DAY_MS + 1) / SIM_DAY_MS, &y, &m, &d);
    p = w_2d(p, (unsigned)y / 100);
    p = w_2d(p, (unsigned)y % 100);
    *p++ = '-';
    p = w_2d(p, m);
    *p++ = '-';
    return w_2d(p, d);
}

/* "YYYY-MM-DD HH:MM", or with ":SS". */
static char *w_time(char *p, io_buf *b, int64_t ms, int seconds)
{
    if (ms / SIM_DAY_MS != b->day) {
        b->day = ms / SIM_DAY_MS;
        w_date(b->date, ms);
    }
    p = w_mem(p, b->date, 10);
    unsigned sod = (unsigned)(ms / 1000 % 86400);
    *p++ = ' ';
    p = w_2d(p, sod / 3600);
    *p++ = ':';
    p = w_2d(p, sod / 60 % 60);
    if (seconds) {
        *p++ = ':';
        p = w_2d(p, sod % 60);
    }
    return p;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when a byte of x equals c (eight bytes at a time). */
static uint64_t has_byte(uint64_t x, uint64_t c)
{
    uint64_t y = x ^ (c * ONES);
    return (y - ONES) & ~y & HIGHS;
}

/* Index of the first ',', '"', LF or CR in s[0..n), or n: 16 bytes a step
 * with SSE2 (every x86-64 has it), else 8 with plain 64-bit arithmetic. */
static size_t first_special(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
    const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, comma), _mm_cmpeq_epi8(x, quote)),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)));
        if (_mm_movemask_epi8(hit))
            break;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (has_byte(x, ',') | has_byte(x, '"') | has_byte(x, '\n') | has_byte(x, '\r'))
            break;
    }
    while (i < n && s[i] != ',' && s[i] != '"' && s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

/* A CSV cell, quoted only when it must be; quotes doubled span by span. */
static char *w_csv(char *p, const char *s, size_t n)
{
    if (first_special(s, n) == n)
        return w_mem(p, s, n);
    *p++ = '"';
    for (;;) {
        const char *q = memchr(s, '"', n);
        size_t k = q ? (size_t)(q - s) + 1 : n;
        p = w_mem(p, s, k);
        if (!q)
            break;
        *p++ = '"';
        s += k;
        n -= k;
    }
    *p++ = '"';
    return p;
}

void sim_csv_cell(FILE *f, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != ',' && s[i] != '"' && s[i] != '\n' && s[i] != '\r')
        i++;
    if (i == n) {
        fwrite(s, 1, n, f);
        return;
    }
    putc('"', f);
    size_t start = 0;
    for (i = 0; i < n; i++)
        if (s[i] == '"') {
            fwrite(s + start, 1, i + 1 - start, f);
            putc('"', f);
            start = i + 1;
        }
    fwrite(s + start, 1, n - start, f);
    putc('"', f);
}

/* A t.co profile link for about 30% of accounts, from the account itself. */
static char *w_profile_url(char *p, const sim_account *a)
{
    static const char b62[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    uint64_t h = ch_mix64((uint64_t)a->created_ms * 31 + a->followers * 7 + a->following);
    if (h % 10 >= 3)
        return p;
    p = w_mem(p, "https://t.co/", 13);
    for (int i = 0; i < 10; i++, h /= 62)
        *p++ = b62[h % 62];
    return p;
}

/* Columns 2-4: id, display name, screen name. */
static char *w_head(char *p, const sim_account *a)
{
    p = w_mem(p, a->id, a->id_len);
    *p++ = ',';
    p = w_csv(p, a->display_name, a->display_len);
    *p++ = ',';
    return w_csv(p, a->screen_name, a->screen_len);
}

/* Columns 5-11: location to account language. */
static char *w_tail(char *p, const sim_account *a)
{
    p = w_csv(p, a->location, strlen(a->location));
    *p++ = ',';
    p = w_csv(p, a->description, strlen(a->description));
    *p++ = ',';
    p = w_profile_url(p, a);
    *p++ = ',';
    p = ch_write_u64(p, a->followers);
    *p++ = ',';
    p = ch_write_u64(p, a->following);
    *p++ = ',';
    p = w_date(p, a->created_ms);
    *p++ = ',';
    return w_mem(p, a->lang, strlen(a->lang));
}

/* Columns 2-11 of a tweet row: a whole users.csv row. */
static char *w_profile(char *p, const sim_account *a)
{
    p = w_head(p, a);
    *p++ = ',';
    return w_tail(p, a);
}

/* ['a', 'b'] (quoted as a cell when it holds a comma), or []. */
static char *w_list(char *p, const char *const *items, unsigned n)
{
    if (n == 0)
        return w_mem(p, "[]", 2);
    if (n > 1)
        *p++ = '"';
    *p++ = '[';
    for (unsigned i = 0; i < n; i++) {
        if (i)
            p = w_mem(p, ", ", 2);
        *p++ = '\'';
        p = w_mem(p, items[i], strlen(items[i]));
        *p++ = '\'';
    }
    *p++ = ']';
    if (n > 1)
        *p++ = '"';
    return p;
}

/* [id, id]: account ids, unquoted as the releases write them. */
static char *w_mentions(char *p, const sim_output *o, const sim_post *s)
{
    if (s->n_mentions == 0)
        return w_mem(p, "[]", 2);
    if (s->n_mentions > 1)
        *p++ = '"';
    *p++ = '[';
    for (unsigned i = 0; i < s->n_mentions; i++) {
        const sim_account *m = &o->accounts[s->mentions[i]];
        if (i)
            p = w_mem(p, ", ", 2);
        p = w_mem(p, m->id, m->id_len);
    }
    *p++ = ']';
    if (s->n_mentions > 1)
        *p++ = '"';
    return p;
}

/* Engagement as counted at collection: none for retweets, otherwise a
 * few per hundred followers, from the id so it costs no random draw. */
static char *w_counts(char *p, const sim_post *s, const sim_account *a)
{
    if (s->kind == CHORUS_KIND_RETWEET)
        return w_mem(p, "0,0,0,0", 7);
    uint64_t h = ch_mix64(s->id), likes = h % (1 + a->followers / 30);
    p = ch_write_u64(p, likes / 40);
    *p++ = ',';
    p = ch_write_u64(p, likes / 12);
    *p++ = ',';
    p = ch_write_u64(p, likes);
    *p++ = ',';
    return ch_write_u64(p, likes / 5);
}

/* Columns 15-21: client, reply, quote and retweet references. */
static char *w_refs(char *p, const sim_output *o, const sim_post *s)
{
    const sim_account *ref = s->ref_account >= 0 ? &o->accounts[s->ref_account] : NULL;
    p = w_csv(p, s->client, strlen(s->client));
    *p++ = ',';
    if (s->kind == CHORUS_KIND_REPLY && ref)
        p = w_mem(p, ref->id, ref->id_len);
    *p++ = ',';
    if (s->kind == CHORUS_KIND_REPLY)
        p = ch_write_u64(p, s->ref_id);
    *p++ = ',';
    if (s->kind == CHORUS_KIND_QUOTE)
        p = ch_write_u64(p, s->ref_id);
    if (s->kind != CHORUS_KIND_RETWEET)
        return w_mem(p, ",false,,", 8);
    p = w_mem(p, ",true,", 6);
    p = w_mem(p, ref->id, ref->id_len);
    *p++ = ',';
    return ch_write_u64(p, s->ref_id);
}

static void io_buf_free(chorus_ctx *ctx, io_buf *b)
{
    ch_free(ctx, b->p, BUF_CAP + ROW_MAX);
    ch_free(ctx, b, sizeof *b);
}

static chorus_rc io_buf_new(chorus_ctx *ctx, io_buf **out)
{
    io_buf *b = ch_calloc(ctx, sizeof *b);
    char *p = b ? ch_alloc(ctx, BUF_CAP + ROW_MAX) : NULL;
    if (!p) {
        ch_free(ctx, b, sizeof *b);
        return ch_nomem(ctx);
    }
    b->p = p;
    b->day = -1;
    *out = b;
    return CHORUS_OK;
}

static chorus_rc flush(sim_output *o, io_buf *b)
{
    if (b->len && fwrite(b->p, 1, b->len, o->f) != b->len)
        return ch_error(o->ctx, CHORUS_EIO, "%s: write failed: %s", o->path, strerror(errno));
    b->len = 0;
    return CHORUS_OK;
}

static chorus_rc io_post(sim_output *o, const sim_post *s)
{
    io_buf *b = o->state;
    if (b->len > BUF_CAP && flush(o, b))
        return CHORUS_EIO;
    if (s->text_len > ROW_MAX / 4)
        return ch_error(o->ctx, CHORUS_EINTERNAL, "%s: post text too long", o->path);
    const sim_account *a = &o->accounts[s->account];
    char *p = b->p + b->len;
    p = ch_write_u64(p, s->id);
    *p++ = ',';
    p = w_profile(p, a);
    *p++ = ',';
    p = w_mem(p, s->lang, strlen(s->lang));
    *p++ = ',';
    p = w_csv(p, s->text, s->text_len);
    *p++ = ',';
    p = w_time(p, b, s->time_ms, o->second_resolution);
    *p++ = ',';
    p = w_refs(p, o, s);
    p = w_mem(p, ",absent,absent,", 15);
    p = w_counts(p, s, a);
    *p++ = ',';
    p = w_list(p, s->hashtags, s->n_hashtags);
    *p++ = ',';
    p = w_list(p, s->urls, s->n_urls);
    *p++ = ',';
    p = w_mentions(p, o, s);
    p = w_mem(p, ",\n", 2); /* poll_choices: empty */
    b->len = (size_t)(p - b->p);
    return CHORUS_OK;
}

/* Flushes and releases the buffer (also after an error). */
static chorus_rc io_finish(sim_output *o)
{
    io_buf *b = o->state;
    if (!b)
        return CHORUS_OK;
    chorus_rc rc = flush(o, b);
    if (!rc && fflush(o->f) != 0)
        rc = ch_error(o->ctx, CHORUS_EIO, "%s: write failed: %s", o->path, strerror(errno));
    io_buf_free(o->ctx, b);
    o->state = NULL;
    return rc;
}

chorus_rc sim_output_init(sim_output *o, chorus_sim_format fmt)
{
    if (fmt != CHORUS_SIM_IO)
        return sim_output_json_init(o, fmt);
    io_buf *b = NULL;
    chorus_rc rc = io_buf_new(o->ctx, &b);
    if (rc)
        return rc;
    memcpy(b->p, tweets_header, sizeof tweets_header - 1);
    b->len = sizeof tweets_header - 1;
    o->state = b;
    o->post = io_post;
    o->finish = io_finish;
    return CHORUS_OK;
}

chorus_rc sim_write_users(chorus_ctx *ctx, const char *path, const sim_account *a, uint32_t n,
                          const uint32_t *n_posts, uint64_t *rows)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    sim_output o = {.ctx = ctx, .f = f, .path = path};
    io_buf *b = NULL;
    chorus_rc rc = io_buf_new(ctx, &b);
    if (rc) {
        fclose(f);
        return rc;
    }
    o.state = b;
    memcpy(b->p, users_header, sizeof users_header - 1);
    b->len = sizeof users_header - 1;
    uint64_t k = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (!n_posts[i])
            continue;
        char *p = w_profile(b->p + b->len, &a[i]);
        *p++ = '\n';
        b->len = (size_t)(p - b->p);
        k++;
        if (b->len > BUF_CAP)
            rc = flush(&o, b);
    }
    chorus_rc rc2 = io_finish(&o);
    chorus_rc rc3 = sim_close(ctx, f, path);
    if (rows)
        *rows = k;
    return rc ? rc : rc2 ? rc2 : rc3;
}
