/*
 * gen_io.c - deterministic generator of Twitter IO-archive-format test data
 * (the 31-column tweets CSV and, with --users, the 10-column users CSV) for
 * benchmarks, tests and the bundled sample. All content is fictional. One
 * seed gives the same bytes on every machine: an own splitmix64 PRNG, no
 * rand(), no locale; rows are built in a big buffer and written by fwrite.
 */
#include "core/digits.h"
#include "io/time_parse.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define TWEPOCH_MS 1288834974657LL   /* Twitter snowflake epoch */
#define SPAN_START_MS 1451606400000LL /* 2016-01-01: first tweet */
#define SPAN_END_MS 1561939200000LL   /* 2019-07-01: last tweet (roughly) */
#define OUT_CAP (256u << 10)          /* output buffer: stays in L2 for the kernel's copy */
#define ROW_MAX (16u << 10)           /* far above the longest row we build */
#define RING 4096                     /* recent originals that others share */
#define AHEAD 16                      /* authors drawn this many rows early */
#define TEXT_CAP 768
#define ZWNJ "\xE2\x80\x8C"           /* zero-width non-joiner, Persian */
#define RLM "\xE2\x80\x8F"            /* right-to-left mark */

/* ---- PRNG: splitmix64, small and good enough for test data ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift: no modulo bias worth caring about. */
static uint32_t rbelow(rng *r, uint32_t n)
{
    return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

static double runit(rng *r)
{
    return (double)(rnext(r) >> 11) * 0x1.0p-53;
}

/* One derived stream per purpose, so adding draws to one part of the
 * generator does not shift every other part. */
static uint64_t mix(uint64_t a, uint64_t b)
{
    rng r = { a ^ (b * 0xD1B54A32D192ED03ull) };
    return rnext(&r);
}

/* ---- built-in vocabulary (fictional places, neutral words) ---- */

/* Fixed-size slots: copying all 24 bytes is one or two vector moves,
 * much cheaper than a memcpy call per word (buffers keep the slack). */
typedef struct word {
    char s[24];
    uint8_t n;
} word;

#define W(x) { x, (uint8_t)(sizeof(x) - 1) }
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum { LANG_EN, LANG_FA, LANG_AR, NLANG };

static const word en_words[] = {
    W("river"), W("market"), W("morning"), W("report"), W("weather"), W("bridge"),
    W("festival"), W("harvest"), W("lantern"), W("harbor"), W("village"), W("council"),
    W("garden"), W("library"), W("station"), W("season"), W("rain"), W("ferry"),
    W("meadow"), W("signal"), W("museum"), W("bakery"), W("orchard"), W("school"),
    W("road"), W("new"), W("old"), W("today"), W("tonight"), W("update"), W("photos"),
    W("local"), W("open"), W("closed"), W("near"), W("after"), W("before"), W("with"),
    W("from"), W("about"), W("the"), W("a"), W("and"), W("of"), W("in"), W("on"),
    W("for"), W("is"), W("was"), W("will"), W("Norvel"), W("Quellport"), W("Ostravin"),
    W("Veldrane"), W("Brindlemoor"), W("Sarnoth"), W("Casmeer"), W("Dunmere"),
};

static const word fa_words[] = {
    W("باران"), W("دریا"), W("کتاب"), W("خانه" ZWNJ "ها"), W("می" ZWNJ "رویم"),
    W("صبح"), W("امروز"), W("بازار"), W("پل"), W("شهر"), W("نامه" ZWNJ "ها"),
    W("گل" ZWNJ "ها"), W("جشن"), W("هوا"), W("خبر"), W("و"), W("در"), W("با"),
    W("از"), W("برای"), W("می" ZWNJ "شود"), W("کوه"), W("باغ"), W("ایستگاه"),
};

static const word ar_words[] = {
    W("مرحبا"), W("السماء"), W("الطريق"), W("المدينة"), W("الصباح"), W("كتاب"),
    W("البحر"), W("سوق"), W("اليوم"), W("في"), W("من"), W("على"), W("مع"),
    W("أخبار"), W("المطر"), W("الحديقة"), W("الجسر"), W("المكتبة"),
};

static const word *const lang_words[NLANG] = { en_words, fa_words, ar_words };
static const uint32_t lang_nwords[NLANG] = { NELEM(en_words), NELEM(fa_words),
                                             NELEM(ar_words) };
static const char *const lang_code[NLANG] = { "en", "fa", "ar" };

static const word emoji[] = {
    W("\xF0\x9F\x8C\x8A"), W("\xF0\x9F\x93\xB0"), W("\xF0\x9F\x91\x8D"),
    W("\xF0\x9F\x94\xA5"), W("\xE2\x9C\xA8"), W("\xE2\x9D\xA4\xEF\xB8\x8F"),
    W("\xF0\x9F\x98\x80"), W("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"),
};

static const word hashtags[] = {
    W("NorvelRising"), W("QuellportFloods"), W("MarketDay"), W("MorningBrief"),
    W("SaveTheMeadow"), W("Veldrane2018"), W("LanternFestival"), W("OstravinHarbor"),
    W("CasmeerRail"), W("DunmereNights"), W("باران_صبح"), W("دریای_آبی"),
    W("أخبار_اليوم"), W("HarvestWeek"), W("FerryNews"), W("Brindlemoor"),
};

static const char *const places[] = {
    "Norvel", "Quellport", "Ostravin", "Veldrane", "Brindlemoor", "Sarnoth",
    "Casmeer", "Dunmere", "Paloria", "Illmarch", "Kestrelby", "Marrowfen",
};

static const char *const name_suffix[] = {
    "News", "Daily", "Voice", "Watch", "Times", "Post", "Today", "Info", "Live", "Desk",
};

static const char *const clients[] = {
    "Twitter Web Client", "Twitter for Android", "Twitter for iPhone",
    "TweetDeck", "dlvr.it", "Twitter Web App",
};

static const char *const domains[] = {
    "example-news.test", "daily-herald.example", "quellport-times.test",
    "video.example.com", "norvel-radio.test",
};

static const char *const polls[] = {
    "yes|no", "بله|خیر", "morning|evening|night", "river|harbor",
};

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- options and state ---- */

typedef enum dialect { D2018, D2019A, D2019B, DMIXED } dialect;

typedef struct opts {
    uint64_t rows, seed, damaged;
    const char *out;
    int users, seconds;
    dialect dia;
} opts;

/* An account while it is made; then packed into the arena as an acct. */
typedef struct draft {
    char id[48], screen[48];
    uint8_t id_len, screen_len, lang, client;
} draft;

/* 12 bytes, its strings in one arena: rows pick authors at random, so
 * small and dense beats pointers to separate allocations (cache misses). */
typedef struct acct {
    uint32_t off;         /* arena offset: the profile (own) or id+screen */
    uint16_t profile_len; /* columns 2-11, CSV-ready; 0 for external accounts */
    uint8_t id_len, screen_off, screen_len, lang, client;
} acct;

typedef struct orig {
    uint64_t id, seed;
    int64_t ms;
    uint32_t author;
    uint8_t lang;
} orig;

typedef struct world {
    acct *a;
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t n_own, n_all; /* [0, n_own) are the takedown set, the rest external */
    orig ring[RING];
    uint32_t ring_head, ring_fill;
    uint32_t ahead[AHEAD]; /* authors of the next AHEAD rows */
    rng author_rng;
    opts o;
} world;

enum { K_ORIG, K_RT, K_REPLY, K_QUOTE };
enum { DMG_NONE, DMG_TIME, DMG_SHORT, DMG_BOOL, DMG_KINDS };

typedef struct content {
    char text[TEXT_CAP];
    size_t len;
    int quote, dquote; /* needs CSV quotes; holds '"' to double */
    uint8_t tags[3], ntags, nurls, nment, lang;
    uint32_t url_seed;
    uint32_t ment[3];
} content;

typedef struct row {
    uint64_t id, ref_id, seed;
    int64_t ms;
    uint32_t author, ref_acc;
    int kind, damage, client, poll, counts_empty;
    int upper_bool, float_counts, tags_repr; /* value styles of the dialect */
    const char *tlang;
    uint32_t counts[4];
    content c;
} row;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "gen_io: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

static const char *a_id(const world *w, const acct *a)
{
    return w->arena + a->off;
}

static const char *a_screen(const world *w, const acct *a)
{
    return w->arena + a->off + a->screen_off;
}

/* ---- small writers: each takes the cursor and returns it advanced ---- */

static char *w_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *w_str(char *p, const char *s)
{
    return w_mem(p, s, strlen(s));
}




static char *w_2d(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

static char *w_date(char *p, int64_t days)
{
    int64_t y;
    unsigned m, d;
    ch_civil_from_days(days, &y, &m, &d);
    p = w_2d(p, (unsigned)y / 100);
    p = w_2d(p, (unsigned)y % 100);
    *p++ = '-';
    p = w_2d(p, m);
    *p++ = '-';
    return w_2d(p, d);
}

/* "YYYY-MM-DD HH:MM" as in the archive, or with ":SS" on request. */
static char *w_time(char *p, int64_t ms, int seconds)
{
    int64_t s = ms / 1000;
    p = w_date(p, s / 86400);
    unsigned sod = (unsigned)(s % 86400);
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

/* The spreadsheet damage seen in re-shared copies: "6/7/16 17:08". */
static char *w_excel_time(char *p, int64_t ms)
{
    int64_t y;
    unsigned m, d, sod = (unsigned)(ms / 1000 % 86400);
    ch_civil_from_days(ms / 86400000, &y, &m, &d);
    p = ch_write_u64(p, m);
    *p++ = '/';
    p = ch_write_u64(p, d);
    *p++ = '/';
    p = w_2d(p, (unsigned)y % 100);
    *p++ = ' ';
    p = ch_write_u64(p, sod / 3600);
    *p++ = ':';
    return w_2d(p, sod / 60 % 60);
}

/* A CSV field of arbitrary text, quoted only when it must be. */
static char *w_csv(char *p, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n))
        return w_mem(p, s, n);
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return p;
}

/* ---- text content: a function of (seed, lang) so retweets can rebuild
 * the exact text of the original from its seed ---- */

static void c_put(content *c, const char *s, size_t n)
{
    memcpy(c->text + c->len, s, n);
    c->len += n;
}

static void c_wput(content *c, const word *w)
{
    memcpy(c->text + c->len, w->s, sizeof w->s);
    c->len += w->n;
}

/* A word chosen by 32 random bits (callers split one draw in two). */
static void c_word(content *c, uint32_t bits)
{
    c_wput(c, &lang_words[c->lang][((uint64_t)bits * lang_nwords[c->lang]) >> 32]);
}

/* One token of running text; the rare ones exercise the CSV and UTF-8
 * paths of a reader (quoted newlines, doubled quotes, commas, RTL). */
static void c_token(content *c, rng *r)
{
    uint64_t bits = rnext(r);
    uint32_t x = (uint32_t)(((bits >> 32) * 1000) >> 32), lo = (uint32_t)bits;
    if (x < 20) {
        c_wput(c, &emoji[lo % NELEM(emoji)]);
    } else if (x < 28) {
        if (c->len && c->text[c->len - 1] == ' ')
            c->len--; /* no trailing blank before the line break */
        c_put(c, "\n", 1);
        c->quote = 1;
        return;
    } else if (x < 36) {
        c_put(c, "\"", 1);
        c_word(c, lo);
        c_put(c, " ", 1);
        c_word(c, (uint32_t)rnext(r));
        c_put(c, "\"", 1);
        c->quote = c->dquote = 1;
    } else if (x < 100) {
        c_word(c, lo);
        c_put(c, ",", 1);
        c->quote = 1;
    } else if (x < 130 && c->lang != LANG_EN) {
        c_put(c, RLM, 3);
        c_word(c, lo);
    } else if (x < 130) {
        c_word(c, lo);
        c_put(c, x & 1 ? "!" : ".", 1);
    } else {
        c_word(c, lo);
    }
    c_put(c, " ", 1);
}

/* Mentions at the start ("@a @b ..."), hashtags and a link at the end. */
static void c_plan(const world *w, rng *r, content *c)
{
    c->nment = rbelow(r, 100) < 10 ? (uint8_t)(1 + rbelow(r, 2)) : 0;
    for (int i = 0; i < c->nment; i++)
        c->ment[i] = rbelow(r, w->n_all);
    c->ntags = rbelow(r, 100) < 48 ? (uint8_t)(1 + rbelow(r, 3)) : 0;
    for (int i = 0; i < c->ntags; i++)
        c->tags[i] = (uint8_t)rbelow(r, NELEM(hashtags));
    c->nurls = rbelow(r, 100) < 22;
    c->url_seed = (uint32_t)rnext(r);
}

static size_t c_extras_len(const content *c)
{
    size_t n = c->nurls ? 24 : 0;
    for (int i = 0; i < c->ntags; i++)
        n += 2u + hashtags[c->tags[i]].n;
    return n;
}

static void c_tail(content *c, rng *r)
{
    for (int i = 0; i < c->ntags; i++) {
        c_put(c, "#", 1);
        c_wput(c, &hashtags[c->tags[i]]);
        c_put(c, " ", 1);
    }
    if (c->nurls) {
        c_put(c, "https://t.co/", 13);
        for (int i = 0; i < 10; i++)
            c->text[c->len++] = b64[rbelow(r, 62)];
    }
    while (c->len && c->text[c->len - 1] == ' ')
        c->len--;
}

/* Texts are 40-~230 bytes so that "RT @<44-char name>: " still fits 280. */
static void gen_content(const world *w, uint64_t seed, int lang, content *c)
{
    rng r = { seed };
    c->len = 0;
    c->quote = c->dquote = 0;
    c->lang = (uint8_t)lang;
    size_t target = 40 + rbelow(&r, 141);
    c_plan(w, &r, c);
    size_t extras = c_extras_len(c);
    if (rbelow(&r, 1000) < 2)
        c_put(c, "=cmd|' /C calc'!A0 ", 19); /* formula injection probe */
    else if (lang != LANG_EN && rbelow(&r, 100) < 30)
        c_put(c, RLM, 3);
    for (int i = 0; i < c->nment; i++) {
        const acct *m = &w->a[c->ment[i]];
        c_put(c, "@", 1);
        c_put(c, a_screen(w, m), m->screen_len);
        c_put(c, " ", 1);
    }
    while (c->len + extras <= target) /* <=: c_tail drops one blank */
        c_token(c, &r);
    c_tail(c, &r);
}

/* ---- accounts ---- */

static void make_pseudonym(rng *r, draft *a)
{
    /* 41-44 chars, trailing '=' sometimes present: as in the real extract */
    unsigned n = 41 + rbelow(r, 4), pad = rbelow(r, 2);
    for (unsigned i = 0; i < n; i++)
        a->id[i] = i + 1 == n && pad ? '=' : b64[rnext(r) & 63];
    a->id_len = (uint8_t)n;
    memcpy(a->screen, a->id, n);
    a->screen_len = (uint8_t)n;
}

/* Numeric id unique by construction: disjoint ranges per index. */
static void make_named(rng *r, draft *a, uint32_t idx)
{
    uint32_t np = NELEM(places), ns = NELEM(name_suffix);
    int n = snprintf(a->id, sizeof a->id, "%llu",
                     (unsigned long long)(100000000ull + idx * 7919ull + rbelow(r, 7919)));
    a->id_len = (uint8_t)n;
    n = snprintf(a->screen, sizeof a->screen, "%s_%s", places[idx % np],
                 name_suffix[idx / np % ns]);
    if (idx >= np * ns)
        n += snprintf(a->screen + n, sizeof a->screen - (size_t)n, "%u", idx / (np * ns));
    for (int i = 0; i < n; i++)
        if (a->screen[i] >= 'A' && a->screen[i] <= 'Z')
            a->screen[i] = (char)(a->screen[i] + 32);
    a->screen_len = (uint8_t)n;
}

static char *w_location(char *p, rng *r)
{
    uint32_t x = rbelow(r, 100);
    const char *a = places[rbelow(r, NELEM(places))];
    const char *b = places[rbelow(r, NELEM(places))];
    char t[128];
    if (x < 45)
        return p;
    if (x < 80)
        return w_str(p, a);
    if (x < 95) {
        int n = snprintf(t, sizeof t, "%s, %s", a, b);
        return w_csv(p, t, (size_t)n);
    }
    return w_str(p, "شهر باران " "\xF0\x9F\x8C\x8A");
}

/* A profile description: words, sometimes a newline, quotes or emoji. */
static char *w_description(char *p, rng *r, int lang)
{
    content c;
    c.len = 0;
    c.lang = (uint8_t)lang;
    c.quote = c.dquote = 0;
    if (rbelow(r, 100) < 35)
        return p;
    uint32_t n = 3 + rbelow(r, 13);
    for (uint32_t i = 0; i < n && c.len < 300; i++)
        c_token(&c, r);
    while (c.len && c.text[c.len - 1] == ' ')
        c.len--;
    return w_csv(p, c.text, c.len);
}

static uint32_t make_followers(rng *r, int hashed)
{
    if (hashed) {
        double u = runit(r);
        return (uint32_t)(u * u * 5000.0); /* pseudonymised: under 5,000 */
    }
    return 5000 + rbelow(r, 5000u << rbelow(r, 9));
}

/* "Norvel News" from "norvel_news": the screen name, capitalised. */
static char *w_display(char *p, const draft *a)
{
    for (unsigned i = 0; i < a->screen_len; i++) {
        char ch = a->screen[i];
        int start = i == 0 || a->screen[i - 1] == '_';
        *p++ = ch == '_' ? ' ' : start && ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
    }
    return p;
}

/* Columns 2-11 of a tweet row, which are also a whole users.csv row.
 * Writes into t; returns the end and sets *screen_off. */
static char *w_profile(char *t, rng *r, const draft *a, int hashed, size_t *screen_off)
{
    static const char *const alang[NLANG][2] = { { "en", "en-gb" }, { "fa", "en" },
                                                 { "ar", "en" } };
    char *p = t;
    p = w_mem(p, a->id, a->id_len);
    *p++ = ',';
    p = hashed ? w_mem(p, a->id, a->id_len) : w_display(p, a);
    *p++ = ',';
    *screen_off = (size_t)(p - t);
    p = w_mem(p, a->screen, a->screen_len);
    *p++ = ',';
    p = w_location(p, r);
    *p++ = ',';
    p = w_description(p, r, a->lang);
    *p++ = ',';
    if (rbelow(r, 100) < 30) {
        p = w_str(p, "https://t.co/");
        for (int i = 0; i < 10; i++)
            *p++ = b64[rbelow(r, 62)];
    }
    *p++ = ',';
    p = ch_write_u64(p, make_followers(r, hashed));
    *p++ = ',';
    p = ch_write_u64(p, rbelow(r, 3000));
    *p++ = ',';
    p = w_date(p, 14031 + rbelow(r, 16800 - 14031)); /* 2008-06..2015-12 */
    *p++ = ',';
    return w_str(p, alang[a->lang][rbelow(r, 100) < 20]);
}

static void arena_add(world *w, const char *s, size_t n)
{
    if (w->arena_len + n > w->arena_cap) {
        w->arena_cap = (w->arena_cap + n) * 2;
        w->arena = realloc(w->arena, w->arena_cap);
        if (!w->arena)
            die("out of memory", NULL);
    }
    memcpy(w->arena + w->arena_len, s, n);
    w->arena_len += n;
}

/* Own accounts store their profile (the id and screen name lie inside it);
 * external ones only the id and, when it differs, the screen name. */
static void pack_account(world *w, rng *r, acct *a, const draft *d, int own, int hashed)
{
    char t[2048];
    size_t screen_off = 0, n = 0;
    if (w->arena_len > UINT32_MAX - sizeof t)
        die("too many accounts", NULL);
    a->off = (uint32_t)w->arena_len;
    if (own) {
        n = (size_t)(w_profile(t, r, d, hashed, &screen_off) - t);
        arena_add(w, t, n);
    } else {
        arena_add(w, d->id, d->id_len);
        screen_off = hashed ? 0 : d->id_len;
        if (!hashed)
            arena_add(w, d->screen, d->screen_len);
    }
    a->profile_len = (uint16_t)n;
    a->id_len = d->id_len;
    a->screen_off = (uint8_t)screen_off;
    a->screen_len = d->screen_len;
    a->lang = d->lang;
    a->client = d->client;
}

/* ~2,000 accounts per 100k rows, plus half as many external accounts that
 * are only retweeted, replied to or mentioned (as in real takedowns). */
static void build_world(world *w)
{
    rng r = { mix(w->o.seed, 1) };
    w->n_own = (uint32_t)(w->o.rows / 50 > 10 ? w->o.rows / 50 : 10);
    w->n_all = w->n_own + w->n_own / 2;
    w->a = xmalloc(sizeof *w->a * w->n_all);
    for (uint32_t i = 0; i < w->n_all; i++) {
        draft d;
        int hashed = rbelow(&r, 100) < 85;
        uint32_t l = rbelow(&r, 100);
        d.lang = l < 45 ? LANG_FA : l < 60 ? LANG_AR : LANG_EN;
        d.client = (uint8_t)rbelow(&r, NELEM(clients));
        if (hashed)
            make_pseudonym(&r, &d);
        else
            make_named(&r, &d, i);
        pack_account(w, &r, &w->a[i], &d, i < w->n_own, hashed);
    }
}

static void free_world(world *w)
{
    free(w->arena);
    free(w->a);
}

/* ---- planning one row ---- */

static uint64_t snowflake(int64_t ms, uint32_t low22)
{
    return ((uint64_t)(ms - TWEPOCH_MS) << 22) | (low22 & 0x3FFFFFu);
}

/* Log-scale triangular delay from 20 s to ~4 months with a median near
 * 11 h: the real extract has median RT delay ~11.5 h, minimum 16 s. The
 * cap keeps shares close to the file's time span. */
static int64_t share_delay_ms(rng *r)
{
    uint32_t x = rbelow(r, 11u << 10) + rbelow(r, 11u << 10);
    if (x >> 10 > 18)
        x = (18u << 10) | (x & 1023);
    int64_t base = 20LL << (x >> 10);
    return (base + (base * (x & 1023) >> 10)) * 1000 + rbelow(r, 1000);
}

/* Heavy-tailed activity: u^3 gives the top 1% of accounts ~20% of rows. */
static uint32_t pick_author(const world *w, rng *r)
{
    double u = runit(r);
    return (uint32_t)(u * u * u * w->n_own);
}

/* Authors come from their own stream, AHEAD rows early, so that their
 * account and profile can be prefetched: with 10 M rows the 200k profiles
 * outgrow the caches and these misses, not formatting, dominate. */
static void authors_init(world *w)
{
    w->author_rng.s = mix(w->o.seed, 3);
    for (unsigned k = 0; k < AHEAD; k++)
        w->ahead[k] = pick_author(w, &w->author_rng);
}

static uint32_t next_author(world *w, uint64_t i)
{
    uint32_t a = w->ahead[i % AHEAD], n = pick_author(w, &w->author_rng);
    w->ahead[i % AHEAD] = n; /* the author of row i + AHEAD */
#if defined(__GNUC__)
    __builtin_prefetch(&w->a[n]);
    const acct *m = &w->a[w->ahead[(i + AHEAD / 2) % AHEAD]]; /* loaded by now */
    for (unsigned k = 0; k < m->profile_len; k += 64)
        __builtin_prefetch(a_id(w, m) + k);
#endif
    return a;
}

/* A recently posted in-file original, skewed to the newest. */
static const orig *pick_ring(const world *w, rng *r)
{
    if (!w->ring_fill)
        return NULL;
    double u = runit(r);
    uint32_t back = (uint32_t)(u * u * w->ring_fill);
    return &w->ring[(w->ring_head + RING - 1 - back) % RING];
}

static void push_ring(world *w, const row *x)
{
    orig *o = &w->ring[w->ring_head];
    o->id = x->id;
    o->seed = x->seed;
    o->ms = x->ms;
    o->author = x->author;
    o->lang = x->c.lang;
    w->ring_head = (w->ring_head + 1) % RING;
    if (w->ring_fill < RING)
        w->ring_fill++;
}

/* The shared, replied or quoted post: in the file (ring) or outside it. */
static void pick_ref(const world *w, rng *r, row *x, int share_text)
{
    const orig *o = rbelow(r, 100) < 60 ? pick_ring(w, r) : NULL;
    if (o && o->author != x->author) {
        x->ref_acc = o->author;
        x->ref_id = o->id;
        x->ms = o->ms + share_delay_ms(r); /* the delay, not the file order, is real */
        if (share_text) {
            x->seed = o->seed;
            x->c.lang = o->lang;
        }
        return;
    }
    x->ref_acc = rbelow(r, 100) < 70 ? w->n_own + rbelow(r, w->n_all - w->n_own)
                                     : rbelow(r, w->n_own);
    if (x->ref_acc == x->author)
        x->ref_acc = w->n_own;
    /* two statements: argument order is unspecified, the output must not be */
    int64_t delay = share_delay_ms(r);
    x->ref_id = snowflake(x->ms - delay, (uint32_t)rnext(r));
}

static uint32_t heavy_count(rng *r, unsigned max_shift)
{
    return rbelow(r, 1u << rbelow(r, max_shift));
}

static void plan_values(const world *w, rng *r, row *x)
{
    uint32_t t = rbelow(r, 1000);
    x->tlang = t < 20 ? "und" : t < 30 ? "" : lang_code[x->c.lang];
    t = rbelow(r, 1000);
    x->client = t < 10 ? -1 : t < 150 ? (int)rbelow(r, NELEM(clients)) : w->a[x->author].client;
    x->poll = x->kind == K_ORIG && rbelow(r, 1000) < 2 ? (int)rbelow(r, NELEM(polls)) : -1;
    x->counts_empty = rbelow(r, 1000) < 3;
    memset(x->counts, 0, sizeof x->counts);
    if (x->kind != K_RT) { /* retweet rows carry zero counts in the archive */
        x->counts[0] = heavy_count(r, 3);
        x->counts[1] = heavy_count(r, 5);
        x->counts[2] = heavy_count(r, 12);
        x->counts[3] = heavy_count(r, 11);
    }
    dialect d = w->o.dia == DMIXED ? (rbelow(r, 2) ? D2019A : D2019B) : w->o.dia;
    x->upper_bool = d != D2019B;
    x->float_counts = d == D2019A;
    x->tags_repr = w->o.dia == DMIXED ? (int)rbelow(r, 2) : d == D2019B;
}

static void plan_row(world *w, rng *r, uint64_t i, row *x)
{
    double f = (double)i / (double)(w->o.rows ? w->o.rows : 1);
    x->ms = SPAN_START_MS + (int64_t)(f * (double)(SPAN_END_MS - SPAN_START_MS)) +
            rbelow(r, 3600000); /* mostly, not strictly, in time order */
    x->author = next_author(w, i);
    x->seed = rnext(r);
    x->c.lang = w->a[x->author].lang;
    uint32_t k = rbelow(r, 1000);
    x->kind = k < 500 ? K_RT : k < 620 ? K_REPLY : k < 670 ? K_QUOTE : K_ORIG;
    x->ref_acc = UINT32_MAX;
    x->ref_id = 0;
    if (x->kind != K_ORIG)
        pick_ref(w, r, x, x->kind == K_RT);
    /* low 22 bits: a bijection of the row number, so ids never collide */
    x->id = snowflake(x->ms, (uint32_t)(i * 2654435761u + (w->o.seed & 0x3FFFFF)));
    plan_values(w, r, x);
    gen_content(w, x->seed, x->c.lang, &x->c);
    if (x->kind == K_ORIG)
        push_ring(w, x);
}

/* ---- emitting one row ---- */

static char *w_text(char *p, const world *w, const row *x)
{
    const acct *ref = x->ref_acc != UINT32_MAX ? &w->a[x->ref_acc] : NULL;
    const content *c = &x->c;
    if (c->quote)
        *p++ = '"';
    if (x->kind == K_RT) {
        p = w_mem(p, "RT @", 4);
        p = w_mem(p, a_screen(w, ref), ref->screen_len);
        p = w_mem(p, ": ", 2);
    } else if (x->kind == K_REPLY) {
        *p++ = '@';
        p = w_mem(p, a_screen(w, ref), ref->screen_len);
        *p++ = ' ';
    }
    if (c->dquote) {
        for (size_t i = 0; i < c->len; i++) {
            if (c->text[i] == '"')
                *p++ = '"';
            *p++ = c->text[i];
        }
    } else {
        p = w_mem(p, c->text, c->len);
    }
    if (x->kind == K_QUOTE)
        p = w_mem(p, " https://t.co/Qx7aB2cD9e", 24);
    if (c->quote)
        *p++ = '"';
    return p;
}

/* Columns 1-15: id, profile, language, text, time, client. */
static char *w_head(char *p, const world *w, const row *x)
{
    const acct *a = &w->a[x->author];
    p = ch_write_u64(p, x->id);
    *p++ = ',';
    p = w_mem(p, a_id(w, a), a->profile_len);
    *p++ = ',';
    p = w_str(p, x->tlang);
    *p++ = ',';
    p = w_text(p, w, x);
    *p++ = ',';
    p = x->damage == DMG_TIME ? w_excel_time(p, x->ms) : w_time(p, x->ms, w->o.seconds);
    *p++ = ',';
    if (x->client >= 0)
        p = w_str(p, clients[x->client]);
    return p;
}

static char *w_reply_pair(char *p, const world *w, const row *x)
{
    int is_reply = x->kind == K_REPLY;
    const acct *ref = is_reply ? &w->a[x->ref_acc] : NULL;
    if (w->o.dia == D2018 && is_reply) { /* Oct-2018 order: tweetid, userid */
        p = ch_write_u64(p, x->ref_id);
        *p++ = ',';
        return w_mem(p, a_id(w, ref), ref->id_len);
    }
    if (is_reply) {
        p = w_mem(p, a_id(w, ref), ref->id_len);
        *p++ = ',';
        return ch_write_u64(p, x->ref_id);
    }
    *p++ = ',';
    return p;
}

/* Columns 16-21: reply pair, quoted id, is_retweet, retweeted user and id. */
static char *w_refs(char *p, const world *w, const row *x)
{
    static const char *const bools[2][2] = { { "false", "true" }, { "False", "True" } };
    p = w_reply_pair(p, w, x);
    *p++ = ',';
    if (x->kind == K_QUOTE)
        p = ch_write_u64(p, x->ref_id);
    *p++ = ',';
    p = w_str(p, x->damage == DMG_BOOL ? "maybe" : bools[x->upper_bool][x->kind == K_RT]);
    *p++ = ',';
    if (x->kind == K_RT) {
        p = w_mem(p, a_id(w, &w->a[x->ref_acc]), w->a[x->ref_acc].id_len);
        *p++ = ',';
        p = ch_write_u64(p, x->ref_id);
    } else {
        *p++ = ',';
    }
    return p;
}

static char *w_counts(char *p, const row *x)
{
    for (int i = 0; i < 4; i++) {
        *p++ = ',';
        if (x->counts_empty)
            continue;
        p = ch_write_u64(p, x->counts[i]);
        if (x->float_counts)
            p = w_mem(p, ".0", 2);
    }
    return p;
}

static char *w_hashtags(char *p, const row *x)
{
    const content *c = &x->c;
    if (c->ntags > 1)
        *p++ = '"'; /* the list holds ", " so the field is quoted */
    *p++ = '[';
    for (int i = 0; i < c->ntags; i++) {
        if (i)
            p = w_mem(p, ", ", 2);
        if (x->tags_repr)
            *p++ = '\'';
        memcpy(p, hashtags[c->tags[i]].s, sizeof hashtags[0].s); /* fixed: fast */
        p += hashtags[c->tags[i]].n;
        if (x->tags_repr)
            *p++ = '\'';
    }
    *p++ = ']';
    if (c->ntags > 1)
        *p++ = '"';
    return p;
}

/* 'https://<domain>/<yyyy>/<mm>/<word>-<word>-<n>', all from 32 bits. */
static char *w_news_url(char *p, uint32_t s)
{
    const word *a = &en_words[(s >> 9) % NELEM(en_words)];
    const word *b = &en_words[(s >> 15) % NELEM(en_words)];
    p = w_mem(p, "'https://", 9);
    p = w_str(p, domains[s % NELEM(domains)]);
    *p++ = '/';
    p = ch_write_u64(p, 2015 + (s >> 3) % 4);
    *p++ = '/';
    p = w_2d(p, 1 + (s >> 5) % 12);
    *p++ = '/';
    p = w_mem(p, a->s, a->n);
    *p++ = '-';
    p = w_mem(p, b->s, b->n);
    *p++ = '-';
    p = ch_write_u64(p, s >> 21);
    *p++ = '\'';
    return p;
}

static char *w_urls(char *p, const world *w, const row *x)
{
    int n = x->c.nurls + (x->kind == K_QUOTE);
    if (n > 1)
        *p++ = '"';
    *p++ = '[';
    if (x->c.nurls)
        p = w_news_url(p, x->c.url_seed);
    if (x->kind == K_QUOTE) { /* hashed handles show up inside these URLs */
        const acct *q = &w->a[x->ref_acc];
        p = w_str(p, x->c.nurls ? ", 'https://twitter.com/" : "'https://twitter.com/");
        p = w_mem(p, a_screen(w, q), q->screen_len);
        p = w_mem(p, "/status/", 8);
        p = ch_write_u64(p, x->ref_id);
        *p++ = '\'';
    }
    *p++ = ']';
    if (n > 1)
        *p++ = '"';
    return p;
}

static char *w_mentions(char *p, const world *w, const row *x)
{
    uint32_t ids[4];
    int n = 0;
    if (x->kind == K_RT || x->kind == K_REPLY)
        ids[n++] = x->ref_acc;
    for (int i = 0; i < x->c.nment; i++)
        ids[n++] = x->c.ment[i];
    if (n > 1)
        *p++ = '"';
    *p++ = '[';
    for (int i = 0; i < n; i++) {
        if (i)
            p = w_mem(p, ", ", 2);
        p = w_mem(p, a_id(w, &w->a[ids[i]]), w->a[ids[i]].id_len);
    }
    *p++ = ']';
    if (n > 1)
        *p++ = '"';
    return p;
}

/* Columns 22-31: coordinates, counts, lists, poll. */
static char *w_tail(char *p, const world *w, const row *x)
{
    p = w_mem(p, "absent,absent", 13);
    p = w_counts(p, x);
    *p++ = ',';
    p = w_hashtags(p, x);
    *p++ = ',';
    p = w_urls(p, w, x);
    *p++ = ',';
    p = w_mentions(p, w, x);
    *p++ = ',';
    if (x->poll >= 0)
        p = w_str(p, polls[x->poll]);
    return p;
}

static char *w_row(char *p, const world *w, const row *x)
{
    p = w_head(p, w, x);
    if (x->damage != DMG_SHORT) { /* a short row stops after column 15 */
        *p++ = ',';
        p = w_refs(p, w, x);
        *p++ = ',';
        p = w_tail(p, w, x);
    }
    *p++ = '\n';
    return p;
}

/* ---- output ---- */

typedef struct outbuf {
    char *buf;
    size_t len;
    uint64_t total;
    FILE *f;
    const char *path;
} outbuf;

static void ob_open(outbuf *o, const char *dir, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    o->path = path;
    o->f = fopen(path, "wb");
    if (!o->f)
        die(strerror(errno), path);
    o->buf = xmalloc(OUT_CAP);
    o->len = 0;
    o->total = 0;
}

static void ob_flush(outbuf *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        die(strerror(errno), o->path);
    o->total += o->len;
    o->len = 0;
}

static void ob_close(outbuf *o)
{
    ob_flush(o);
    if (fclose(o->f) != 0)
        die(strerror(errno), o->path);
    free(o->buf);
}

/* Room for one more row, flushing when the buffer is nearly full. */
static char *ob_cursor(outbuf *o)
{
    if (o->len + ROW_MAX > OUT_CAP)
        ob_flush(o);
    return o->buf + o->len;
}

static const char header_2019[] =
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"
    "tweet_client_name,in_reply_to_userid,in_reply_to_tweetid,quoted_tweet_tweetid,"
    "is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,"
    "reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices\n";

static const char header_2018[] =
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language,tweet_language,tweet_text,tweet_time,"
    "tweet_client_name,in_reply_to_tweetid,in_reply_to_userid,quoted_tweet_tweetid,"
    "is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,"
    "reply_count,like_count,retweet_count,hashtags,urls,user_mentions,poll_choices\n";

static const char header_users[] =
    "userid,user_display_name,user_screen_name,user_reported_location,"
    "user_profile_description,user_profile_url,follower_count,following_count,"
    "account_creation_date,account_language\n";

/* Damaged rows sit at evenly spread positions and cycle through the kinds,
 * so the same (rows, K) always damages the same rows the same way. */
static int damage_at(const opts *o, uint64_t i, uint64_t *next_j)
{
    uint64_t j = *next_j, k = o->damaged;
    /* floor(j * rows / k) without overflow: rows and k are at most 2^32 */
    if (j >= k || i != j * (o->rows / k) + j * (o->rows % k) / k + o->rows / k / 2)
        return DMG_NONE;
    *next_j = j + 1;
    return 1 + (int)(j % (DMG_KINDS - 1));
}

/* Starts loading the referenced account, which emitting x will read. */
static void prefetch_row(const world *w, const row *x)
{
#if defined(__GNUC__)
    if (x->ref_acc != UINT32_MAX)
        __builtin_prefetch(&w->a[x->ref_acc]);
#else
    (void)w;
    (void)x;
#endif
}

/* Plans row i+1 (and prefetches for it) before emitting row i: the same
 * draws in the same order as one row at a time. */
static void write_tweets(world *w, uint64_t dmg_count[DMG_KINDS], uint64_t *bytes)
{
    char path[4096];
    outbuf o;
    rng r = { mix(w->o.seed, 2) };
    row xs[2];
    uint64_t next_j = 0;
    ob_open(&o, w->o.out, "tweets.csv", path, sizeof path);
    const char *h = w->o.dia == D2018 ? header_2018 : header_2019;
    memcpy(ob_cursor(&o), h, strlen(h));
    o.len += strlen(h);
    authors_init(w);
    if (w->o.rows)
        plan_row(w, &r, 0, &xs[0]);
    for (uint64_t i = 0; i < w->o.rows; i++) {
        row *x = &xs[i & 1];
        if (i + 1 < w->o.rows) {
            plan_row(w, &r, i + 1, &xs[(i + 1) & 1]);
            prefetch_row(w, &xs[(i + 1) & 1]);
        }
        x->damage = damage_at(&w->o, i, &next_j);
        dmg_count[x->damage]++;
        char *p = ob_cursor(&o);
        o.len = (size_t)(w_row(p, w, x) - o.buf);
    }
    ob_close(&o);
    *bytes = o.total;
}

static void write_users(const world *w)
{
    char path[4096];
    outbuf o;
    ob_open(&o, w->o.out, "users.csv", path, sizeof path);
    char *p = w_str(ob_cursor(&o), header_users);
    o.len = (size_t)(p - o.buf);
    for (uint32_t i = 0; i < w->n_own; i++) {
        p = ob_cursor(&o);
        p = w_mem(p, a_id(w, &w->a[i]), w->a[i].profile_len);
        *p++ = '\n';
        o.len = (size_t)(p - o.buf);
    }
    ob_close(&o);
}

/* ---- command line ---- */

static void usage(void)
{
    fputs("usage: gen_io --rows N --out DIR [--seed S] [--users]\n"
          "              [--dialect 2018|2019a|2019b|mixed] [--time-resolution minute|second]\n"
          "              [--damaged K]\n"
          "Writes DIR/tweets.csv (31-column IO archive tweets) and, with --users,\n"
          "DIR/users.csv. Same seed, same bytes. Dialects: 2018 = Oct-2018 column\n"
          "order and True/False; 2019a = True/False, 0.0-style counts, [a, b] hashtags;\n"
          "2019b (default) = true/false, integer counts, ['a', 'b'] hashtags;\n"
          "2018 also has integer counts and [a, b] hashtags;\n"
          "mixed = 2019 column order, 2019a/2019b value styles chosen per row.\n",
          stderr);
    exit(2);
}

static uint64_t parse_u64(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        die("not a non-negative integer", s);
    return v;
}

static dialect parse_dialect(const char *s)
{
    static const char *const names[] = { "2018", "2019a", "2019b", "mixed" };
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]))
            return (dialect)i;
    die("unknown dialect", s);
    return D2019B;
}

static void parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->dia = D2019B;
    o->rows = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--users")) {
            o->users = 1;
            continue;
        }
        if (!v || strncmp(a, "--", 2))
            usage();
        i++;
        if (!strcmp(a, "--rows"))
            o->rows = parse_u64(v);
        else if (!strcmp(a, "--seed"))
            o->seed = parse_u64(v);
        else if (!strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--dialect"))
            o->dia = parse_dialect(v);
        else if (!strcmp(a, "--damaged"))
            o->damaged = parse_u64(v);
        else if (!strcmp(a, "--time-resolution") && (!strcmp(v, "minute") || !strcmp(v, "second")))
            o->seconds = !strcmp(v, "second");
        else
            usage();
    }
    if (!o->out || o->rows == UINT64_MAX || o->rows > (1ull << 32))
        usage();
    if (o->damaged > o->rows)
        o->damaged = o->rows;
}

/* mkdir -p: the benchmark script points us at fresh nested folders. */
static void make_dirs(const char *dir)
{
    char t[4096];
    size_t n = strlen(dir);
    if (n >= sizeof t)
        die("path too long", dir);
    memcpy(t, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (t[i] != '/' && t[i] != '\0')
            continue;
        char c = t[i];
        t[i] = '\0';
        if (mkdir(t, 0777) != 0 && errno != EEXIST)
            die(strerror(errno), t);
        t[i] = c;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    static world w; /* large (the ring); static keeps it off the stack */
    uint64_t dmg[DMG_KINDS] = { 0 }, bytes = 0;
    parse_args(argc, argv, &w.o);
    double t0 = now_s();
    make_dirs(w.o.out);
    build_world(&w);
    write_tweets(&w, dmg, &bytes);
    if (w.o.users)
        write_users(&w);
    double dt = now_s() - t0;
    if (w.o.damaged)
        fprintf(stderr,
                "gen_io: injected %llu damaged rows: bad_time=%llu short_row=%llu "
                "bad_bool=%llu\n",
                (unsigned long long)w.o.damaged, (unsigned long long)dmg[DMG_TIME],
                (unsigned long long)dmg[DMG_SHORT], (unsigned long long)dmg[DMG_BOOL]);
    if (dt <= 0)
        dt = 1e-9;
    fprintf(stderr, "gen_io: %llu rows, %llu accounts, %.1f MB in %.2f s "
                    "(%.0f rows/s, %.0f MB/s)\n",
            (unsigned long long)w.o.rows, (unsigned long long)w.n_own, (double)bytes / 1e6, dt,
            (double)w.o.rows / dt, (double)bytes / 1e6 / dt);
    free_world(&w);
    return 0;
}
