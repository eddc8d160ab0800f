/*
 * output_json.c - the simulated posts as Twitter API JSON lines: v1.1 (one
 * tweet object per line, retweets with the embedded original) and v2 (one
 * response page per line, {"data":[tweet],"includes":{users,tweets}}), in
 * the shapes src/io/json_reader.c reads. Output goes through one large
 * buffer of our own, flushed with fwrite: the generator must stream at
 * 500k rows/s and per-field stdio calls would cost more than the rest.
 */
#include "io/time_parse.h"
#include "sim/sim.h"

#include "core/hash.h"

#include <errno.h>
#include <string.h>

#define JW_CAP ((size_t)1 << 18)

typedef struct jw {
    chorus_ctx *ctx;
    FILE *f;
    const char *path;
    char *b;
    size_t n, cap;
    chorus_rc rc; /* sticky: the first write or allocation error */
} jw;

/* ---- the buffer ---- */

static chorus_rc jw_flush(jw *w)
{
    if (w->rc || w->n == 0)
        return w->rc;
    if (fwrite(w->b, 1, w->n, w->f) != w->n)
        w->rc = ch_error(w->ctx, CHORUS_EIO, "%s: write failed: %s", w->path, strerror(errno));
    w->n = 0;
    return w->rc;
}

/* Room for k more bytes: flushes, and grows only for a record larger than
 * the whole buffer. 0 when there is room. */
static int jw_need(jw *w, size_t k)
{
    if (w->n + k <= w->cap)
        return 0;
    if (jw_flush(w))
        return -1;
    if (k <= w->cap)
        return 0;
    char *nb = ch_realloc(w->ctx, w->b, w->cap, k);
    if (!nb) {
        w->rc = ch_nomem(w->ctx);
        return -1;
    }
    w->b = nb;
    w->cap = k;
    return 0;
}

static void jw_raw_slow(jw *w, const char *p, size_t n)
{
    if (jw_need(w, n))
        return;
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* The fast path inline: most pieces are short literals that fit. */
static inline void jw_raw(jw *w, const char *p, size_t n)
{
    if (w->n + n > w->cap) {
        jw_raw_slow(w, p, n);
        return;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* s must be a string literal (the "" around it makes anything else fail). */
#define JW_LIT(w, s) jw_raw((w), "" s "", sizeof("" s "") - 1)

/* v in decimal, right-aligned in tmp[0..24); returns where it starts.
 * Two digits per division: ids have 19 digits and appear several times
 * a row. */
static size_t dec(char tmp[24], uint64_t v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    size_t i = 24;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        i -= 2;
        memcpy(tmp + i, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        i -= 2;
        memcpy(tmp + i, pairs + 2 * v, 2);
    } else {
        tmp[--i] = (char)('0' + v);
    }
    return i;
}

static void jw_u64(jw *w, uint64_t v)
{
    char tmp[24];
    size_t i = dec(tmp, v);
    jw_raw(w, tmp + i, 24 - i);
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* Non-zero when one of the 8 bytes of x needs escaping: below 0x20, '"'
 * or '\\' (the classic "has a zero byte" test, exact as a yes/no). */
static inline uint64_t needs_escape(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return ((x - ONES * 0x20) & ~x & HIGHS) | ((q - ONES) & ~q & HIGHS) |
           ((b - ONES) & ~b & HIGHS);
}

static char *esc_byte(char *o, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    if (c >= 0x20 && c != '"' && c != '\\') {
        *o++ = (char)c;
        return o;
    }
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\n': *o++ = 'n'; break;
    case '\r': *o++ = 'r'; break;
    case '\t': *o++ = 't'; break;
    case '\b': *o++ = 'b'; break;
    case '\f': *o++ = 'f'; break;
    default:
        memcpy(o, "u00", 3);
        o[3] = hex[c >> 4];
        o[4] = hex[c & 15];
        o += 5;
    }
    return o;
}

/* The bytes of a JSON string without its quotes: quotes, backslashes and
 * control characters escaped, everything else (UTF-8 included) as is.
 * Eight bytes at a time while none needs escaping (almost always). */
static void jw_esc(jw *w, const char *s, size_t n)
{
    if (jw_need(w, 6 * n))
        return;
    char *o = w->b + w->n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (!needs_escape(x)) {
            memcpy(o, &x, 8);
            o += 8;
            continue;
        }
        for (size_t k = 0; k < 8; k++)
            o = esc_byte(o, (unsigned char)s[i + k]);
    }
    for (; i < n; i++)
        o = esc_byte(o, (unsigned char)s[i]);
    w->n = (size_t)(o - w->b);
}

static void jw_str(jw *w, const char *s, size_t n)
{
    JW_LIT(w, "\"");
    jw_esc(w, s, n);
    JW_LIT(w, "\"");
}

static void jw_cstr(jw *w, const char *s) { jw_str(w, s ? s : "", s ? strlen(s) : 0); }

/* ---- times ---- */

static void put2(char *o, unsigned v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
}

/* Splits ms into days and seconds of the day (floor, so times before 1970 work). */
static void split_ms(int64_t ms, int64_t *days, unsigned *sod)
{
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    *days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    *sod = (unsigned)(s - *days * 86400);
}

static void put_hms(char *o, unsigned sod)
{
    put2(o, sod / 3600);
    o[2] = ':';
    put2(o + 3, sod / 60 % 60);
    o[5] = ':';
    put2(o + 6, sod % 60);
}

/* "Wed Oct 10 20:19:24 +0000 2018", quoted (v1.1). */
static void jw_time_v1(jw *w, int64_t ms)
{
    static const char wd[] = "SunMonTueWedThuFriSat";
    static const char mo[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int64_t days, y;
    unsigned sod, m, d;
    split_ms(ms, &days, &sod);
    ch_civil_from_days(days, &y, &m, &d);
    char o[40];
    memcpy(o, "\"", 1);
    memcpy(o + 1, wd + 3 * (((days % 7) + 11) % 7), 3); /* 1970-01-01 was a Thursday */
    o[4] = ' ';
    memcpy(o + 5, mo + 3 * (m - 1), 3);
    o[8] = ' ';
    put2(o + 9, d);
    o[11] = ' ';
    put_hms(o + 12, sod);
    memcpy(o + 20, " +0000 ", 7);
    put2(o + 27, (unsigned)(y / 100 % 100));
    put2(o + 29, (unsigned)(y % 100));
    o[31] = '"';
    jw_raw(w, o, 32);
}

/* "2018-10-10T20:19:24.000Z", quoted (v2 gives whole seconds as .000). */
static void jw_time_v2(jw *w, int64_t ms)
{
    int64_t days, y;
    unsigned sod, m, d;
    split_ms(ms, &days, &sod);
    ch_civil_from_days(days, &y, &m, &d);
    char o[40];
    o[0] = '"';
    put2(o + 1, (unsigned)(y / 100 % 100));
    put2(o + 3, (unsigned)(y % 100));
    o[5] = '-';
    put2(o + 6, m);
    o[8] = '-';
    put2(o + 9, d);
    o[11] = 'T';
    put_hms(o + 12, sod);
    memcpy(o + 20, ".000Z\"", 6);
    jw_raw(w, o, 26);
}

/* ---- entities: where each hashtag, link and mention sits in the text ---- */

typedef struct span {
    uint32_t s, e; /* code points, as the API counts them */
} span;

typedef struct ents {
    span tag[SIM_MAX_TAGS], url[SIM_MAX_URLS], men[SIM_MAX_MENTIONS];
    uint8_t skip_men[SIM_MAX_MENTIONS];
    uint8_t n_tags, n_urls, n_men;
} ents;

/* UTF-8 continuation bytes (10xxxxxx) in the 8 bytes of x. */
static inline unsigned continuations(uint64_t x)
{
    uint64_t m = x & ~(x << 1) & HIGHS;
    return (unsigned)(((m >> 7) * ONES) >> 56);
}

/* Code points in s[0..n). */
static uint32_t cps(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t cont = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        cont += continuations(x);
    }
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return (uint32_t)(n - cont);
}

/* x[0..len) in s[from..n): 1 and *at, or 0. */
static int find_str(const char *s, size_t n, size_t from, const char *x, size_t len, size_t *at)
{
    while (len && from + len <= n) {
        const char *p = memchr(s + from, x[0], n - from - len + 1);
        if (!p)
            return 0;
        from = (size_t)(p - s);
        if (memcmp(p, x, len) == 0) {
            *at = from;
            return 1;
        }
        from++;
    }
    return 0;
}

static int word_byte(unsigned char c)
{
    return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* mark+name as a whole token ("#tag" but not "#tagged"). */
static int find_mark(const char *s, size_t n, size_t from, char mark, const char *name,
                     size_t len, size_t *at)
{
    size_t i;
    while (find_str(s, n, from, &mark, 1, &i)) {
        size_t end = i + 1 + len;
        if (end <= n && memcmp(s + i + 1, name, len) == 0 &&
            (end == n || !word_byte((unsigned char)s[end]))) {
            *at = i;
            return 1;
        }
        from = i + 1;
    }
    return 0;
}

/* A place in the text: byte offset and code points before it. */
typedef struct tpos {
    size_t byte;
    uint32_t cp;
} tpos;

/* Sets sp to s[at, at+len) and moves *cur behind it; an entity not found
 * in the text sits, empty, at *cur, so the order of the list survives.
 * at >= cur->byte (searches start at the cursor): code points are counted
 * once per list, not from the start for each entity. */
static void locate(span *sp, const char *s, tpos *cur, size_t at, size_t len, int found)
{
    if (!found) {
        at = cur->byte;
        len = 0;
    }
    sp->s = cur->cp + cps(s + cur->byte, at - cur->byte);
    sp->e = sp->s + cps(s + at, len);
    cur->byte = at + len;
    cur->cp = sp->e;
}

/* A link: the expanded URL as written, else the next http(s) token (a
 * shortened or tracked form of it). */
static void locate_url(span *sp, const char *s, size_t n, tpos *cur, const char *url)
{
    size_t at, len = strlen(url);
    int found = find_str(s, n, cur->byte, url, len, &at);
    if (!found && (found = find_str(s, n, cur->byte, "http", 4, &at)) != 0) {
        len = 0;
        while (at + len < n && s[at + len] != ' ' && s[at + len] != '\n')
            len++;
    }
    locate(sp, s, cur, at, len, found);
}

/* Entities of p found in s[0..n); the mention of account skip (the
 * retweeted author inside its own original) is left out. */
static void find_entities(const sim_output *o, const sim_post *p, const char *s, size_t n,
                          int64_t skip, ents *e)
{
    tpos cur = {0, 0};
    size_t at = 0;
    e->n_tags = p->n_hashtags < SIM_MAX_TAGS ? p->n_hashtags : SIM_MAX_TAGS;
    e->n_urls = p->n_urls < SIM_MAX_URLS ? p->n_urls : SIM_MAX_URLS;
    e->n_men = p->n_mentions < SIM_MAX_MENTIONS ? p->n_mentions : SIM_MAX_MENTIONS;
    for (unsigned i = 0; i < e->n_tags; i++) {
        size_t len = strlen(p->hashtags[i]);
        int found = find_mark(s, n, cur.byte, '#', p->hashtags[i], len, &at);
        locate(&e->tag[i], s, &cur, at, len + 1, found);
    }
    cur = (tpos){0, 0};
    for (unsigned i = 0; i < e->n_urls; i++)
        locate_url(&e->url[i], s, n, &cur, p->urls[i]);
    cur = (tpos){0, 0};
    for (unsigned i = 0; i < e->n_men; i++) {
        const sim_account *a = &o->accounts[p->mentions[i]];
        e->skip_men[i] = (int64_t)p->mentions[i] == skip;
        if (e->skip_men[i])
            continue;
        int found = find_mark(s, n, cur.byte, '@', a->screen_name, a->screen_len, &at);
        locate(&e->men[i], s, &cur, at, (size_t)a->screen_len + 1, found);
    }
}

/* ---- pieces shared by both versions ---- */

#define JW_NUM_ID(w, key, a) jw_num_id((w), "" key "", sizeof("" key "") - 1, (a))

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 19)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* ,"<key>":N for a numeric account id (pseudonyms have no number form). */
static void jw_num_id(jw *w, const char *key, size_t key_len, const sim_account *a)
{
    if (!all_digits(a->id, a->id_len))
        return;
    jw_raw(w, key, key_len);
    jw_raw(w, a->id, a->id_len);
}

/* ,"indices":[s,e] (v1.1). */
static void jw_indices(jw *w, const span *sp)
{
    JW_LIT(w, ",\"indices\":[");
    jw_u64(w, sp->s);
    JW_LIT(w, ",");
    jw_u64(w, sp->e);
    JW_LIT(w, "]");
}

/* Opens a v2 entity: [,]{"start":s,"end":e */
static void jw_v2_span(jw *w, const span *sp, int first)
{
    if (!first)
        JW_LIT(w, ",");
    JW_LIT(w, "{\"start\":");
    jw_u64(w, sp->s);
    JW_LIT(w, ",\"end\":");
    jw_u64(w, sp->e);
}

/* A t.co-style wrapper for a link, stable for the same URL. */
static void jw_tco(jw *w, const char *url)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    uint64_t h = ch_hash64(url, strlen(url), 0x74636f);
    char o[32] = "\"https://t.co/";
    for (int i = 0; i < 10; i++, h /= 62)
        o[14 + i] = b62[h % 62];
    o[24] = '"';
    jw_raw(w, o, 25);
}

/* The original of a retweet: its text after "RT @name: ". */
static void rt_original(const sim_post *p, const char **s, size_t *n)
{
    *s = p->text;
    *n = p->text_len;
    if (p->text_len < 4 || memcmp(p->text, "RT @", 4) != 0)
        return;
    for (size_t i = 4; i + 1 < p->text_len; i++)
        if (p->text[i] == ':' && p->text[i + 1] == ' ') {
            *s = p->text + i + 2;
            *n = p->text_len - i - 2;
            return;
        }
}

static const char *post_client(const sim_output *o, const sim_post *p)
{
    return p->client ? p->client : o->accounts[p->account].client;
}

static const char *post_lang(const sim_output *o, const sim_post *p)
{
    return p->lang ? p->lang : o->accounts[p->account].lang;
}

/* ---- v1.1 ---- */

static void v1_entities(jw *w, const sim_output *o, const sim_post *p, const ents *e)
{
    JW_LIT(w, "{\"hashtags\":[");
    for (unsigned i = 0; i < e->n_tags; i++) {
        if (i)
            JW_LIT(w, ",");
        JW_LIT(w, "{\"text\":");
        jw_cstr(w, p->hashtags[i]);
        jw_indices(w, &e->tag[i]);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "],\"urls\":[");
    for (unsigned i = 0; i < e->n_urls; i++) {
        if (i)
            JW_LIT(w, ",");
        JW_LIT(w, "{\"url\":");
        jw_tco(w, p->urls[i]);
        JW_LIT(w, ",\"expanded_url\":");
        jw_cstr(w, p->urls[i]);
        jw_indices(w, &e->url[i]);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "],\"user_mentions\":[");
    int first = 1;
    for (unsigned i = 0; i < e->n_men; i++) {
        if (e->skip_men[i])
            continue;
        const sim_account *a = &o->accounts[p->mentions[i]];
        if (!first)
            JW_LIT(w, ",");
        first = 0;
        JW_LIT(w, "{\"screen_name\":");
        jw_str(w, a->screen_name, a->screen_len);
        JW_LIT(w, ",\"name\":");
        jw_str(w, a->display_name, a->display_len);
        JW_NUM_ID(w, ",\"id\":", a);
        JW_LIT(w, ",\"id_str\":");
        jw_str(w, a->id, a->id_len);
        jw_indices(w, &e->men[i]);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "]}");
}

/* The author's profile as v1.1 gives it with each tweet, whole also inside
 * an embedded original: the corpus keeps the first profile it sees of an
 * account, which for a retweeted author is often the embedded one. */
static void v1_user(jw *w, const sim_account *a)
{
    JW_LIT(w, "{\"id_str\":");
    jw_str(w, a->id, a->id_len);
    JW_NUM_ID(w, ",\"id\":", a);
    JW_LIT(w, ",\"name\":");
    jw_str(w, a->display_name, a->display_len);
    JW_LIT(w, ",\"screen_name\":");
    jw_str(w, a->screen_name, a->screen_len);
    JW_LIT(w, ",\"location\":");
    jw_cstr(w, a->location);
    JW_LIT(w, ",\"description\":");
    jw_cstr(w, a->description);
    JW_LIT(w, ",\"followers_count\":");
    jw_u64(w, a->followers);
    JW_LIT(w, ",\"friends_count\":");
    jw_u64(w, a->following);
    JW_LIT(w, ",\"created_at\":");
    jw_time_v1(w, a->created_ms);
    if (a->lang) {
        JW_LIT(w, ",\"lang\":");
        jw_cstr(w, a->lang);
    }
    JW_LIT(w, "}");
}

/* "created_at", "id" and "id_str" of a tweet, opening its object. */
static void v1_head(jw *w, int64_t ms, uint64_t id)
{
    char tmp[24];
    size_t i = dec(tmp, id);
    JW_LIT(w, "{\"created_at\":");
    jw_time_v1(w, ms);
    JW_LIT(w, ",\"id\":");
    jw_raw(w, tmp + i, 24 - i);
    JW_LIT(w, ",\"id_str\":\"");
    jw_raw(w, tmp + i, 24 - i);
    JW_LIT(w, "\"");
}

static void v1_retweeted(jw *w, const sim_output *o, const sim_post *p)
{
    const char *s;
    size_t n;
    ents e;
    rt_original(p, &s, &n);
    find_entities(o, p, s, n, p->ref_account, &e);
    JW_LIT(w, ",\"retweeted_status\":");
    v1_head(w, p->ref_time_ms, p->ref_id);
    JW_LIT(w, ",\"full_text\":");
    jw_str(w, s, n);
    JW_LIT(w, ",\"entities\":");
    v1_entities(w, o, p, &e);
    if (p->ref_account >= 0) {
        JW_LIT(w, ",\"user\":");
        v1_user(w, &o->accounts[p->ref_account]);
    }
    JW_LIT(w, "}");
}

/* Reply and quote references; the quoted original is embedded with its
 * id, time and author only (the generator does not hand its text over). */
static void v1_refs(jw *w, const sim_output *o, const sim_post *p)
{
    const sim_account *ra = p->ref_account >= 0 ? &o->accounts[p->ref_account] : NULL;
    if (p->kind == CHORUS_KIND_RETWEET) {
        v1_retweeted(w, o, p);
    } else if (p->kind == CHORUS_KIND_QUOTE) {
        JW_LIT(w, ",\"is_quote_status\":true,\"quoted_status_id\":");
        jw_u64(w, p->ref_id);
        JW_LIT(w, ",\"quoted_status_id_str\":\"");
        jw_u64(w, p->ref_id);
        JW_LIT(w, "\"");
        if (ra) {
            JW_LIT(w, ",\"quoted_status\":");
            v1_head(w, p->ref_time_ms, p->ref_id);
            JW_LIT(w, ",\"user\":");
            v1_user(w, ra);
            JW_LIT(w, "}");
        }
    } else if (p->kind == CHORUS_KIND_REPLY) {
        JW_LIT(w, ",\"in_reply_to_status_id\":");
        jw_u64(w, p->ref_id);
        JW_LIT(w, ",\"in_reply_to_status_id_str\":\"");
        jw_u64(w, p->ref_id);
        JW_LIT(w, "\"");
        if (ra) {
            JW_NUM_ID(w, ",\"in_reply_to_user_id\":", ra);
            JW_LIT(w, ",\"in_reply_to_user_id_str\":");
            jw_str(w, ra->id, ra->id_len);
            JW_LIT(w, ",\"in_reply_to_screen_name\":");
            jw_str(w, ra->screen_name, ra->screen_len);
        }
    }
}

/* The client as v1.1 gives it: an HTML anchor. */
static void v1_source(jw *w, const char *client)
{
    if (!client)
        return;
    JW_LIT(w, ",\"source\":\"<a href=\\\"https://example.test\\\" rel=\\\"nofollow\\\">");
    jw_esc(w, client, strlen(client));
    JW_LIT(w, "</a>\"");
}

static void v1_tweet(jw *w, const sim_output *o, const sim_post *p)
{
    ents e;
    const char *lang = post_lang(o, p);
    find_entities(o, p, p->text, p->text_len, -1, &e);
    v1_head(w, p->time_ms, p->id);
    JW_LIT(w, ",\"full_text\":");
    jw_str(w, p->text, p->text_len);
    JW_LIT(w, ",\"truncated\":false,\"entities\":");
    v1_entities(w, o, p, &e);
    v1_source(w, post_client(o, p));
    JW_LIT(w, ",\"user\":");
    v1_user(w, &o->accounts[p->account]);
    v1_refs(w, o, p);
    if (lang) {
        JW_LIT(w, ",\"lang\":");
        jw_cstr(w, lang);
    }
    JW_LIT(w, "}\n");
}

/* ---- v2 ---- */

static void v2_tags(jw *w, const sim_post *p, const ents *e)
{
    JW_LIT(w, "\"hashtags\":[");
    for (unsigned i = 0; i < e->n_tags; i++) {
        jw_v2_span(w, &e->tag[i], i == 0);
        JW_LIT(w, ",\"tag\":");
        jw_cstr(w, p->hashtags[i]);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "]");
}

static void v2_urls(jw *w, const sim_post *p, const ents *e)
{
    JW_LIT(w, "\"urls\":[");
    for (unsigned i = 0; i < e->n_urls; i++) {
        jw_v2_span(w, &e->url[i], i == 0);
        JW_LIT(w, ",\"url\":");
        jw_tco(w, p->urls[i]);
        JW_LIT(w, ",\"expanded_url\":");
        jw_cstr(w, p->urls[i]);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "]");
}

static void v2_mentions(jw *w, const sim_output *o, const sim_post *p, const ents *e)
{
    unsigned k = 0;
    JW_LIT(w, "\"mentions\":[");
    for (unsigned i = 0; i < e->n_men; i++) {
        if (e->skip_men[i])
            continue;
        const sim_account *a = &o->accounts[p->mentions[i]];
        jw_v2_span(w, &e->men[i], k++ == 0);
        JW_LIT(w, ",\"username\":");
        jw_str(w, a->screen_name, a->screen_len);
        JW_LIT(w, ",\"id\":");
        jw_str(w, a->id, a->id_len);
        JW_LIT(w, "}");
    }
    JW_LIT(w, "]");
}

/* ,"entities":{...} with the non-empty lists; nothing when all are empty,
 * as v2 leaves the object out. */
static void v2_entities(jw *w, const sim_output *o, const sim_post *p, const ents *e)
{
    unsigned men = 0;
    for (unsigned i = 0; i < e->n_men; i++)
        men += !e->skip_men[i];
    if (!e->n_tags && !e->n_urls && !men)
        return;
    JW_LIT(w, ",\"entities\":{");
    if (e->n_tags)
        v2_tags(w, p, e);
    if (e->n_urls) {
        if (e->n_tags)
            JW_LIT(w, ",");
        v2_urls(w, p, e);
    }
    if (men) {
        if (e->n_tags || e->n_urls)
            JW_LIT(w, ",");
        v2_mentions(w, o, p, e);
    }
    JW_LIT(w, "}");
}

static void v2_user(jw *w, const sim_account *a)
{
    JW_LIT(w, "{\"id\":");
    jw_str(w, a->id, a->id_len);
    JW_LIT(w, ",\"name\":");
    jw_str(w, a->display_name, a->display_len);
    JW_LIT(w, ",\"username\":");
    jw_str(w, a->screen_name, a->screen_len);
    JW_LIT(w, ",\"created_at\":");
    jw_time_v2(w, a->created_ms);
    JW_LIT(w, ",\"description\":");
    jw_cstr(w, a->description);
    JW_LIT(w, ",\"location\":");
    jw_cstr(w, a->location);
    JW_LIT(w, ",\"public_metrics\":{\"followers_count\":");
    jw_u64(w, a->followers);
    JW_LIT(w, ",\"following_count\":");
    jw_u64(w, a->following);
    JW_LIT(w, "}}");
}

/* The referenced tweet in includes.tweets: for a retweet the whole
 * original (the reader takes its text and entities from there), for a
 * reply or a quote its id, author and time. */
static void v2_ref_tweet(jw *w, const sim_output *o, const sim_post *p)
{
    JW_LIT(w, ",\"tweets\":[{\"id\":\"");
    jw_u64(w, p->ref_id);
    JW_LIT(w, "\"");
    if (p->ref_account >= 0) {
        const sim_account *ra = &o->accounts[p->ref_account];
        JW_LIT(w, ",\"author_id\":");
        jw_str(w, ra->id, ra->id_len);
    }
    JW_LIT(w, ",\"created_at\":");
    jw_time_v2(w, p->ref_time_ms);
    if (p->kind == CHORUS_KIND_RETWEET) {
        const char *s;
        size_t n;
        ents e;
        rt_original(p, &s, &n);
        find_entities(o, p, s, n, p->ref_account, &e);
        JW_LIT(w, ",\"text\":");
        jw_str(w, s, n);
        v2_entities(w, o, p, &e);
    }
    JW_LIT(w, "}]");
}

static void v2_refs(jw *w, const sim_output *o, const sim_post *p)
{
    static const char *const types[4] = {"", "retweeted", "replied_to", "quoted"};
    if (p->kind == CHORUS_KIND_POST)
        return;
    JW_LIT(w, ",\"referenced_tweets\":[{\"type\":\"");
    jw_raw(w, types[p->kind], strlen(types[p->kind]));
    JW_LIT(w, "\",\"id\":\"");
    jw_u64(w, p->ref_id);
    JW_LIT(w, "\"}]");
    if (p->kind == CHORUS_KIND_REPLY && p->ref_account >= 0) {
        const sim_account *ra = &o->accounts[p->ref_account];
        JW_LIT(w, ",\"in_reply_to_user_id\":");
        jw_str(w, ra->id, ra->id_len);
    }
}

static void v2_tweet(jw *w, const sim_output *o, const sim_post *p)
{
    ents e;
    const sim_account *a = &o->accounts[p->account];
    const char *lang = post_lang(o, p), *client = post_client(o, p);
    find_entities(o, p, p->text, p->text_len, -1, &e);
    JW_LIT(w, "{\"data\":[{\"id\":\"");
    jw_u64(w, p->id);
    JW_LIT(w, "\",\"author_id\":");
    jw_str(w, a->id, a->id_len);
    JW_LIT(w, ",\"created_at\":");
    jw_time_v2(w, p->time_ms);
    JW_LIT(w, ",\"text\":");
    jw_str(w, p->text, p->text_len);
    if (lang) {
        JW_LIT(w, ",\"lang\":");
        jw_cstr(w, lang);
    }
    if (client) {
        JW_LIT(w, ",\"source\":");
        jw_cstr(w, client);
    }
    v2_refs(w, o, p);
    v2_entities(w, o, p, &e);
    JW_LIT(w, "}],\"includes\":{\"users\":[");
    v2_user(w, a);
    if (p->ref_account >= 0 && (uint64_t)p->ref_account != p->account) {
        JW_LIT(w, ",");
        v2_user(w, &o->accounts[p->ref_account]);
    }
    JW_LIT(w, "]");
    if (p->kind != CHORUS_KIND_POST)
        v2_ref_tweet(w, o, p);
    JW_LIT(w, "}}\n");
}

/* ---- the writer ---- */

/* Indexes the generator hands over must be in the table: a bad one is a
 * bug upstream, reported rather than read out of bounds. */
static chorus_rc check_post(const sim_output *o, const sim_post *p)
{
    int bad = p->account >= o->n_accounts || p->ref_account < -1 ||
              (p->ref_account >= 0 && (uint64_t)p->ref_account >= o->n_accounts) ||
              (p->kind != CHORUS_KIND_POST && p->ref_id == 0) || (unsigned)p->kind > 3 ||
              (!p->text && p->text_len);
    for (unsigned i = 0; i < p->n_mentions && i < SIM_MAX_MENTIONS; i++)
        bad |= p->mentions[i] >= o->n_accounts;
    if (!bad)
        return CHORUS_OK;
    return ch_error(o->ctx, CHORUS_EINTERNAL, "%s: post %llu refers to an account or post "
                    "that does not exist", o->path ? o->path : "tweets.jsonl",
                    (unsigned long long)p->id);
}

static chorus_rc json_post(sim_output *o, const sim_post *p, int v2)
{
    jw *w = o->state;
    if (!w)
        return ch_error(o->ctx, CHORUS_EINTERNAL, "%s: writer already finished",
                        o->path ? o->path : "tweets.jsonl");
    if (w->rc)
        return w->rc;
    chorus_rc rc = check_post(o, p);
    if (rc)
        return rc;
    if (v2)
        v2_tweet(w, o, p);
    else
        v1_tweet(w, o, p);
    return w->rc;
}

static chorus_rc v1_post(sim_output *o, const sim_post *p) { return json_post(o, p, 0); }
static chorus_rc v2_post(sim_output *o, const sim_post *p) { return json_post(o, p, 1); }

/* Flushes what is buffered and frees the state; f stays open. */
static chorus_rc json_finish(sim_output *o)
{
    jw *w = o->state;
    if (!w)
        return CHORUS_OK;
    chorus_rc rc = jw_flush(w);
    if (!rc && (fflush(o->f) != 0 || ferror(o->f)))
        rc = ch_error(o->ctx, CHORUS_EIO, "%s: write failed: %s", w->path, strerror(errno));
    ch_free(o->ctx, w->b, w->cap);
    ch_free(o->ctx, w, sizeof *w);
    o->state = NULL;
    return rc;
}

chorus_rc sim_output_json_init(sim_output *o, chorus_sim_format fmt)
{
    const char *path = o->path ? o->path : "tweets.jsonl";
    if (fmt != CHORUS_SIM_V1 && fmt != CHORUS_SIM_V2)
        return ch_error(o->ctx, CHORUS_EUSAGE, "%s: not a JSON format (%d)", path, (int)fmt);
    jw *w = ch_calloc(o->ctx, sizeof *w);
    char *b = ch_alloc(o->ctx, JW_CAP);
    if (!w || !b) {
        ch_free(o->ctx, w, sizeof *w);
        ch_free(o->ctx, b, JW_CAP);
        return ch_nomem(o->ctx);
    }
    w->ctx = o->ctx;
    w->f = o->f;
    w->path = path;
    w->b = b;
    w->cap = JW_CAP;
    o->state = w;
    o->post = fmt == CHORUS_SIM_V1 ? v1_post : v2_post;
    o->finish = json_finish;
    return CHORUS_OK;
}
