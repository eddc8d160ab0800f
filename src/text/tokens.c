/*
 * tokens.c - the match form, second pass: writes plain ASCII straight from
 * the input, and the rest from the folded stream a piece at a time (runs
 * between spaces); turns retweet prefixes, links, mentions and hashtags
 * into their tokens, cuts letter runs, joins Persian affixes, and writes
 * the UTF-8 output with its offset map. Every decision depends only on
 * what the output holds, so normalising a match form again changes
 * nothing (docs/text.md).
 */
#include "text/text_impl.h"

#include "core/utf8.h"

#include <string.h>

/* The most bytes of a link read for its domain. */
#define CH_URL_MAX 2048

typedef struct wr {
    chorus_normalizer *n;
    const ch_cps *s;
    chorus_text_buf *b;
    chorus_rc rc;
    int full;               /* output cap reached: nothing more is written */
    size_t tok, prev_tok;   /* where the current and the previous output token start */
    int space;              /* a space is due before the next character */
    uint32_t space_off;
    int counts, prev_counts; /* the current / previous token is a word */
    uint32_t words;
    int fresh;              /* nothing written since the chunk began */
    int last_word;          /* the last character written is a word character */
    uint32_t r_cp, r_n;     /* the letter run being written, and its length */
    uint32_t max_rep;
    int join;
} wr;

/* After character c (flags fl) is written as it is: the letter run it
 * extends or ends; returns whether the output now ends in a word. */
CH_TEXT_INLINE int written(uint32_t c, unsigned fl, uint32_t *r_cp, uint32_t *r_n)
{
    if (fl & CH_T_LETTER) {
        *r_n = c == *r_cp ? *r_n + 1 : 1;
        *r_cp = c;
    } else
        *r_cp = 0;
    return (fl & (CH_T_WORD | CH_T_USCORE)) || c == '_';
}

static int is_arabic_letter(uint32_t c, uint8_t fl)
{
    return (fl & CH_T_LETTER) && ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
                                  (c >= 0x08A0 && c <= 0x08FF));
}

/* Makes room for 4 more output bytes; 0 when nothing more can be
 * written (the cap reached, or memory ran out). Kept out of line: it is
 * rarely needed, and write_cp is inlined in every per-character loop. */
static int __attribute__((noinline)) grow(wr *w)
{
    chorus_text_buf *b = w->b;
    if (b->len + 4 > w->n->out_cap) {
        w->full = 1;
        w->n->truncated = 1;
        return 0;
    }
    if ((w->rc = ch_text_buf_reserve(b, b->len + b->len / 2 + 64)) != CHORUS_OK) {
        w->full = 1;
        return 0;
    }
    return 1;
}

/* Appends c's bytes, all mapped to off. */
CH_TEXT_INLINE void write_cp(wr *w, uint32_t c, uint32_t off, uint8_t fl)
{
    chorus_text_buf *b = w->b;
    if (b->len + 4 > b->cap && !grow(w))
        return;
    size_t len = b->len;
    if (c < 0x80) {
        b->text[len] = (char)c;
        b->src_off[len] = off;
        b->len = len + 1;
    } else {
        size_t k = ch_text_utf8(c, b->text + len);
        for (size_t j = 0; j < k; j++)
            b->src_off[len + j] = off;
        b->len = len + k;
    }
    w->fresh = 0;
    w->last_word = (fl & (CH_T_WORD | CH_T_USCORE)) || c == '_';
    if (fl & CH_T_LETTER) {
        w->r_n = c == w->r_cp ? w->r_n + 1 : 1;
        w->r_cp = c;
    } else
        w->r_cp = 0;
}

typedef struct bytes_lit {
    const char *s;
    size_t n;
} bytes_lit;
#define LIT(s) {s, sizeof s - 1}

static int tok_is(const wr *w, bytes_lit l)
{
    return w->b->len - w->tok == l.n && !memcmp(w->b->text + w->tok, l.s, l.n);
}

/* Persian suffixes written apart, with ZWNJ or joined: joined. None of
 * them ends with another, so joining never makes a new suffix. */
static int is_suffix(const char *t, size_t n)
{
    static const bytes_lit suf[] = {LIT("ها"),     LIT("های"),    LIT("هایی"),   LIT("هایم"),
                                    LIT("هایت"),   LIT("هایش"),   LIT("هایمان"), LIT("هایتان"),
                                    LIT("هایشان"), LIT("تر"),     LIT("ترین")};
    const unsigned char *u = (const unsigned char *)t;
    if (n < 4 || !((u[0] == 0xD9 && u[1] == 0x87) || (u[0] == 0xD8 && u[1] == 0xAA)))
        return 0; /* they start with U+0647 or U+062A */
    for (size_t i = 0; i < sizeof suf / sizeof suf[0]; i++)
        if (n == suf[i].n && !memcmp(t, suf[i].s, n))
            return 1;
    return 0;
}

/* Joins a suffix token to the word before it: removes the space unless
 * that would make a letter run longer than max_repeat. */
static int suffix_join(wr *w)
{
    chorus_text_buf *b = w->b;
    size_t t = w->tok, n = b->len - t, q = t - 1;
    if (t < 2 || b->text[t - 1] != ' ' || !is_suffix(b->text + t, n))
        return 0;
    while (q > w->prev_tok && (b->text[q - 1] & 0xC0) == 0x80)
        q--;
    q--; /* the character before the space starts at q */
    const unsigned char *u = (const unsigned char *)b->text;
    uint32_t c = u[q] < 0x80 ? u[q] : ch_text_decode(u + q, t - 1 - q);
    if (!is_arabic_letter(c, ch_text_flags(ch_fold_entry(c))))
        return 0;
    uint32_t run = 1; /* suffixes start with one 2-byte letter */
    for (size_t p = t - 1; p >= w->prev_tok + 2 && !memcmp(u + p - 2, u + t, 2); p -= 2)
        run++;
    if (w->max_rep && run > w->max_rep)
        return 0;
    memmove(b->text + t - 1, b->text + t, n);
    memmove(b->src_off + t - 1, b->src_off + t, n * sizeof *b->src_off);
    b->len--;
    int merged = w->prev_counts | w->counts;
    w->words += (uint32_t)(merged - w->prev_counts);
    w->prev_counts = merged;
    w->counts = 0;
    w->tok = w->prev_tok;
    return 1;
}

static void close_token(wr *w)
{
    const unsigned char *first = (const unsigned char *)w->b->text + w->tok;
    if (w->join && w->tok < w->b->len && (*first == 0xD8 || *first == 0xD9) && suffix_join(w))
        return;
    w->words += (uint32_t)w->counts;
    w->prev_counts = w->counts;
    w->counts = 0;
    w->prev_tok = w->tok;
}

/* Writes the due space before c, or joins a می / نمی token to c. */
static void flush_space(wr *w, uint32_t c, uint8_t fl)
{
    w->space = 0;
    static const bytes_lit mi = LIT("می"), nemi = LIT("نمی");
    if (w->join && is_arabic_letter(c, fl) && (tok_is(w, mi) || tok_is(w, nemi)))
        return;
    close_token(w);
    write_cp(w, ' ', w->space_off, 0);
    w->tok = w->b->len;
}

static void want_space(wr *w, uint32_t off)
{
    if (w->b->len && !w->space) {
        w->space = 1;
        w->space_off = off;
    }
}

/* A word break where a link or mention was dropped, or after hashtag
 * parts: "http:@x//a" must not become a link the next time round. */
static void dropped(wr *w, uint32_t off)
{
    want_space(w, off);
    w->fresh = 1;
}

/* Writes c (after any due space); with collapse, letters past max_repeat
 * in a run are dropped. */
CH_TEXT_INLINE void emit(wr *w, uint32_t c, uint32_t off, uint8_t fl, int collapse)
{
    if (w->space)
        flush_space(w, c, fl);
    if (collapse && c == w->r_cp && w->max_rep && w->r_n >= w->max_rep)
        return;
    write_cp(w, c, off, fl);
}

/* Writes the valid UTF-8 string s, as one token piece at off: what emit
 * without collapse would do character by character, in one copy (near
 * the output cap, character by character, to stop where emit stops). */
static void emit_str(wr *w, const char *s, uint32_t off)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    chorus_text_buf *b = w->b;
    if (n == 0)
        return;
    if (w->space)
        flush_space(w, u[0], 0); /* (flags 0: no affix joins a link) */
    while (!w->full && b->len + n + 4 > b->cap && b->len + n + 4 <= w->n->out_cap)
        grow(w);
    if (w->full)
        return;
    if (b->len + n + 4 > b->cap) {
        for (size_t i = 0; i < n;) {
            size_t k = u[i] < 0x80 ? 1 : ch_utf8_seq(u + i, n - i);
            if (k)
                emit(w, k == 1 ? u[i] : ch_text_decode(u + i, k), off, 0, 0);
            i += k ? k : 1; /* (s is valid: built from code points) */
        }
        return;
    }
    memcpy(b->text + b->len, s, n);
    for (size_t j = 0; j < n; j++)
        b->src_off[b->len + j] = off;
    b->len += n;
    w->fresh = 0;
    w->last_word = u[n - 1] == '_';
    w->r_cp = 0;
}

static int is_word(const ch_cps *s, size_t i) { return (s->fl[i] & (CH_T_WORD | CH_T_USCORE)) != 0; }

/* '/', '+' and '=' besides word characters: the IO archives write a
 * pseudonymised account's mentions as its base64 id. */
static int is_base64_extra(uint32_t c) { return c == '/' || c == '+' || c == '='; }

/* A character of an account name after '@'. */
CH_TEXT_INLINE int is_handle(const ch_cps *s, size_t i) { return is_word(s, i) || is_base64_extra(s->cp[i]); }

static int match(const ch_cps *s, size_t i, size_t e, const char *lit)
{
    for (; *lit; lit++, i++)
        if (i >= e || s->cp[i] != (unsigned char)*lit)
            return 0;
    return 1;
}

static int domain_char(uint32_t c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* Where lit ends when it starts at i of the stream as the output will
 * write it (letter runs cut to max_rep), or 0: "htttp://" is written
 * "http://", so it must be a link already, or the next reading differs. */
static size_t match_cut(const ch_cps *s, size_t i, size_t e, const char *lit, uint32_t max_rep)
{
    uint32_t prev = 0, run = 0;
    for (; *lit; i++) {
        if (i >= e)
            return 0;
        uint32_t c = s->cp[i];
        if (!(s->fl[i] & CH_T_LETTER))
            prev = 0;
        else if (c == prev && max_rep && run >= max_rep)
            continue;
        else
            run = c == prev ? run + 1 : 1, prev = c;
        if (c != (unsigned char)*lit++)
            return 0;
    }
    return i;
}

/* Where lit ends at i, as it stands or as it will be written; or 0. */
static size_t match_any(const ch_cps *s, size_t i, size_t e, const char *lit, uint32_t max_rep)
{
    return match(s, i, e, lit) ? i + strlen(lit) : match_cut(s, i, e, lit, max_rep);
}

/* End of a link at i in the chunk [i, e): a URL runs to the end of the
 * chunk; a link token already in the match form ends at its '>'. */
static size_t url_end(const ch_cps *s, size_t i, size_t e, uint32_t max_rep, int *literal)
{
    *literal = 1;
    size_t j = match_any(s, i, e, "<url>", max_rep);
    if (j)
        return j;
    if ((j = match_any(s, i, e, "<url:", max_rep)) != 0) {
        size_t d = j;
        while (d < e && domain_char(s->cp[d]))
            d++;
        return d > j && d < e && s->cp[d] == '>' ? d + 1 : 0;
    }
    *literal = 0;
    static const char *const pre[] = {"http://", "https://", "www."};
    for (size_t k = 0; k < 3; k++)
        if ((j = match_any(s, i, e, pre[k], max_rep)) != 0 && j < e)
            return e;
    return 0;
}

/* The domain of the link url[0..k) as chorus_url_canonical gives it,
 * without a port, into dom; 0 when there is none made of domain
 * characters. */
static size_t url_domain_of(const char *url, size_t k, char *dom, size_t cap)
{
    size_t n = chorus_url_canonical(url, k, 1, dom, cap);
    const char *colon = n ? memchr(dom, ':', n) : NULL;
    if (colon)
        n = (size_t)(colon - dom);
    for (size_t j = 0; j < n; j++)
        if (!domain_char((unsigned char)dom[j]))
            return 0;
    return n;
}

/* The link's domain as chorus_url_canonical gives it, without a port;
 * 0 when there is none made of domain characters. */
static size_t url_domain(const ch_cps *s, size_t i, size_t e, char *dom, size_t cap)
{
    char url[CH_URL_MAX];
    size_t k = 0;
    for (; i < e && k + 4 <= sizeof url; i++)
        k += ch_text_utf8(s->cp[i], url + k);
    return url_domain_of(url, k, dom, cap);
}

/* Writes the token of a link whose domain is dom[0..n), mapped to off. */
static void emit_link(wr *w, char *tok, size_t n, uint32_t off)
{
    tok[5 + n] = '>', tok[6 + n] = 0;
    emit_str(w, n ? tok : "<url>", off);
}

static void emit_url(wr *w, size_t i, size_t end, int literal)
{
    const ch_cps *s = w->s;
    uint32_t off = s->off[i];
    if (w->n->o.urls == CHORUS_TEXT_URL_DROP) {
        dropped(w, off);
        return;
    }
    if (literal) {
        for (size_t j = i; j < end; j++)
            emit(w, s->cp[j], off, 0, 0);
        return;
    }
    char tok[5 + 255 + 2] = "<url:"; /* "<url:" domain ">" in one piece */
    emit_link(w, tok, url_domain(s, i, end, tok + 5, 255), off);
}

/* A mention "@name": kept as written (no letter-run cut) or dropped. */
static size_t mention(wr *w, size_t i)
{
    const ch_cps *s = w->s;
    size_t j = i + 1;
    while (j < s->n && is_handle(s, j))
        j++;
    if (j == i + 1)
        return 0;
    if (!w->n->o.keep_mentions) {
        dropped(w, s->off[i]);
        return j;
    }
    emit(w, '@', s->off[i], s->fl[i], 0); /* (after any due space) */
    chorus_text_buf *b = w->b;
    size_t room = b->cap < w->n->out_cap ? b->cap : w->n->out_cap, k = i + 1;
    if (w->full || b->len + 4 * (j - k) + 4 > room) {
        for (; k < j; k++)
            emit(w, s->cp[k], s->off[k], s->fl[k], 0);
        return j;
    }
    /* what write_cp does for each, with room for all of it */
    uint32_t r_cp = w->r_cp, r_n = w->r_n;
    for (; k < j; k++) {
        uint32_t c = s->cp[k];
        size_t n = ch_text_utf8(c, b->text + b->len);
        for (size_t q = 0; q < n; q++)
            b->src_off[b->len + q] = s->off[k];
        b->len += n;
        w->last_word = written(c, s->fl[k], &r_cp, &r_n);
    }
    w->r_cp = r_cp, w->r_n = r_n;
    return j;
}

/* Whether a hashtag part ends before k: camelCase, after a digit too
 * ("Iran2024Now"). Only upper case splits, which the match form no longer
 * has, so a hashtag of the match form is never split again. */
CH_TEXT_INLINE int part_break(const ch_cps *s, size_t prev, size_t k, size_t end)
{
    uint8_t a = s->fl[prev], c = s->fl[k];
    if (!(c & CH_T_LETTER) || !(c & CH_T_UPPER) || !(a & (CH_T_LETTER | CH_T_DIGIT)))
        return 0;
    if (!(a & CH_T_UPPER))
        return 1; /* fooBar, 2024Now */
    size_t nx = k + 1;
    while (nx < end && (s->fl[nx] & CH_T_MARK))
        nx++;
    return nx < end && (s->fl[nx] & CH_T_LETTER) && !(s->fl[nx] & CH_T_UPPER); /* HTMLParser */
}

/* What parts(w, b, e, off, sep) writes, with the writer's state in
 * locals: the caller has made sure that the output has room for all of it
 * (5 bytes per character: 4 and a space), so no write can grow or fill
 * it. A due space goes through flush_space (it may join an affix). */
static void parts_fast(wr *w, size_t b, size_t e, uint32_t off, int sep)
{
    const ch_cps *s = w->s;
    const uint32_t *restrict cp = s->cp, *restrict soff = s->off;
    const uint8_t *restrict sfl = s->fl;
    unsigned char *restrict t = (unsigned char *)w->b->text;
    uint32_t *restrict so = w->b->src_off;
    size_t len = w->b->len, prev = SIZE_MAX;
    uint32_t r_cp = w->r_cp, r_n = w->r_n, max = w->max_rep ? w->max_rep : UINT32_MAX;
    int wrote = 0, lw = w->last_word, space = w->space;
    for (size_t k = b; k < e; k++) {
        uint32_t c = cp[k];
        uint8_t fl = sfl[k];
        int mark = (fl & CH_T_MARK) != 0;
        if (c == '_' || (mark && prev == SIZE_MAX)) {
            if (c == '_')
                prev = SIZE_MAX;
            continue;
        }
        if (sep && !space && len && (prev == SIZE_MAX || (!mark && part_break(s, prev, k, e))))
            space = 1, w->space_off = off; /* want_space */
        if (!mark)
            prev = k;
        if (space) {
            w->b->len = len, w->r_cp = r_cp, w->r_n = r_n, w->last_word = lw, w->space = 1;
            flush_space(w, c, fl);
            len = w->b->len, r_cp = w->r_cp, r_n = w->r_n, lw = w->last_word, space = 0;
        }
        if (c == r_cp && r_n >= max)
            continue;
        uint32_t o = sep ? off : soff[k];
        if (c < 0x80) {
            t[len] = (unsigned char)c;
            so[len++] = o;
        } else {
            size_t n = ch_text_utf8(c, (char *)t + len);
            for (size_t j = 0; j < n; j++)
                so[len + j] = o;
            len += n;
        }
        wrote = 1;
        lw = written(c, fl, &r_cp, &r_n);
    }
    w->b->len = len, w->r_cp = r_cp, w->r_n = r_n, w->last_word = lw, w->space = space;
    if (wrote)
        w->fresh = 0;
}

/* The number of parts of the hashtag body [b, e): 0, 1, or 2 for two or
 * more (two say all there is to say). '_' and a mark that would start a
 * part are not part of any. */
static size_t count_parts(const ch_cps *s, size_t b, size_t e)
{
    const uint32_t *restrict cp = s->cp;
    const uint8_t *restrict fl = s->fl;
    size_t np = 0, prev = SIZE_MAX;
    for (size_t k = b; k < e; k++) {
        int mark = (fl[k] & CH_T_MARK) != 0;
        if (cp[k] == '_' || (mark && prev == SIZE_MAX)) {
            if (cp[k] == '_')
                prev = SIZE_MAX;
            continue;
        }
        if ((prev == SIZE_MAX || (!mark && part_break(s, prev, k, e))) && ++np == 2)
            return np;
        if (!mark)
            prev = k;
    }
    return np;
}

/* Writes the hashtag body [b, e) (sep 0) or its parts, each after a
 * space and mapped to off (sep 1). '_' is dropped, and so is a mark that
 * would start a part. */
static void parts(wr *w, size_t b, size_t e, uint32_t off, int sep)
{
    const ch_cps *s = w->s;
    size_t room = w->b->cap < w->n->out_cap ? w->b->cap : w->n->out_cap;
    if (!w->full && w->b->len + 5 * (e - b) + 8 <= room) {
        parts_fast(w, b, e, off, sep);
        return;
    }
    size_t prev = SIZE_MAX;
    for (size_t k = b; k < e; k++) {
        int mark = (s->fl[k] & CH_T_MARK) != 0;
        if (s->cp[k] == '_' || (mark && prev == SIZE_MAX)) {
            if (s->cp[k] == '_')
                prev = SIZE_MAX;
            continue;
        }
        /* (writing the body, sep 0, needs no part breaks) */
        if (sep && (prev == SIZE_MAX || (!mark && part_break(s, prev, k, e))))
            want_space(w, off);
        emit(w, s->cp[k], sep ? off : s->off[k], s->fl[k], 1);
        if (!mark)
            prev = k;
    }
}

/* "#FreeVeldrane_now" -> "#freeveldranenow free veldrane now". */
static size_t hashtag(wr *w, size_t i)
{
    const ch_cps *s = w->s;
    size_t j = i + 1;
    while (j < s->n && is_word(s, j))
        j++;
    size_t np = count_parts(s, i + 1, j);
    if (np == 0)
        return 0;
    emit(w, '#', s->off[i], 0, 0);
    w->counts = 1;
    parts(w, i + 1, j, 0, 0);
    if (np >= 2) {
        uint32_t end_off = j < s->n ? s->off[j] : w->n->in_len;
        parts(w, i + 1, j, end_off, 1);
        /* what follows in the word must not glue to the last part:
         * "#GoHttps://x" would give "https://x", a link the next time */
        if (j < s->n && s->cp[j] != ' ')
            dropped(w, end_off);
    }
    return j;
}

/* A social token at i, or 0 when there is none. A hashtag or mention
 * ends at a space anyway (not a word or name character), so only a link
 * needs the end of the chunk. */
static size_t tag(wr *w, size_t i)
{
    const chorus_text_opts *o = &w->n->o;
    const ch_cps *s = w->s;
    uint32_t c = s->cp[i];
    if (c == '#')
        return o->hashtags ? hashtag(w, i) : 0;
    if (c == '@')
        return mention(w, i);
    if (o->urls == CHORUS_TEXT_URL_KEEP)
        return 0;
    size_t e = i;
    while (e < s->n && s->cp[e] != ' ')
        e++;
    int literal;
    size_t k = url_end(w->s, i, e, w->max_rep, &literal);
    if (k)
        emit_url(w, i, k, literal);
    return k;
}

/* "rt @name:" where the output is still empty: the index after ':'. */
static size_t rt_prefix(const ch_cps *s, size_t i, uint32_t max_rep)
{
    size_t j = match_any(s, i, s->n, "rt", max_rep);
    if (!j || j >= s->n || s->cp[j] != ' ')
        return 0;
    while (j < s->n && s->cp[j] == ' ') /* (the first pass leaves runs of spaces) */
        j++;
    if (j >= s->n || s->cp[j] != '@')
        return 0;
    size_t name = ++j;
    while (j < s->n && is_handle(s, j))
        j++;
    return j > name && j < s->n && s->cp[j] == ':' ? j + 1 : 0;
}

/* While the output is empty: the end of a retweet prefix or (with
 * strip_lead_mentions) of a mention at i, else 0. */
static size_t lead(const chorus_normalizer *n, size_t i)
{
    const ch_cps *s = &n->s;
    size_t k = n->o.strip_rt ? rt_prefix(s, i, n->o.max_repeat) : 0;
    if (k || !n->o.strip_lead_mentions || s->cp[i] != '@')
        return k;
    for (k = i + 1; k < s->n && is_handle(s, k);)
        k++;
    return k > i + 1 ? k : 0;
}

/* Whether the output token t[0..n) is a Persian prefix or suffix: then
 * the general path decides on the space after or before it. */
static int is_affix(const unsigned char *t, size_t n)
{
    if (n < 4 || n > 12 || t[0] < 0xD8 || t[0] > 0xD9)
        return 0; /* they all start with one of U+0600-067F */
    if (t[1] == 0x85 || t[1] == 0x86) /* U+0645 U+0646 */
        return (n == 4 && !memcmp(t, "می", 4)) || (n == 6 && !memcmp(t, "نمی", 6));
    return is_suffix((const char *)t, n);
}

/* Inside a word, letters that repeat nothing (most of any text): copied
 * with nothing else to decide. Returns where the run ends. */
CH_TEXT_INLINE size_t letter_run(const ch_cps *s, size_t i, size_t end, unsigned char *restrict t,
                                 uint32_t *restrict so, size_t *plen, uint32_t *pr_cp)
{
    const uint32_t *restrict cp = s->cp, *restrict off = s->off;
    const uint8_t *restrict fl = s->fl;
    unsigned char *restrict tp = t + *plen;
    uint32_t *restrict sp = so + *plen;
    uint32_t prev = *pr_cp;
    for (; i < end; i++) {
        uint32_t c = cp[i];
        if (!(fl[i] & CH_T_LETTER) || c == prev)
            break;
        if (c < 0x80) {
            *tp++ = (unsigned char)c;
            *sp++ = off[i];
        } else if (c < 0x800) {
            tp[0] = (unsigned char)(0xC0 | c >> 6);
            tp[1] = (unsigned char)(0x80 | (c & 0x3F));
            sp[0] = sp[1] = off[i];
            tp += 2, sp += 2;
        } else
            break;
        prev = c;
    }
    *plen = (size_t)(tp - t), *pr_cp = prev;
    return i;
}

/* Whether a social token may start at the tag character cp[i]: a link
 * needs "ht" or "ww" (or "hh" when a letter run may be cut to one), so
 * most words that start with 'h' or 'w' stay on the fast path. */
CH_TEXT_INLINE int may_tag(const uint32_t *cp, size_t i, size_t n)
{
    uint32_t c = cp[i], d = i + 1 < n ? cp[i + 1] : 0;
    if (c == 'h')
        return d == 't' || d == 'h';
    return c != 'w' || d == 'w';
}

/* The writer's state that the fast loops keep in locals: byte stores
 * would make the compiler reload it from the writer for every character. */
typedef struct run_state {
    size_t len, tok, prev_tok;
    uint32_t max, r_cp, r_n, words, space_off;
    unsigned counts, space, prev_counts, join;
    unsigned bnd; /* a tag may start here */
} run_state;

CH_TEXT_INLINE void run_load(const wr *w, size_t len, run_state *st)
{
    *st = (run_state){len, w->tok, w->prev_tok, w->max_rep ? w->max_rep : UINT32_MAX,
                      w->r_cp, w->r_n, w->words, w->space_off, (unsigned)w->counts,
                      (unsigned)w->space, (unsigned)w->prev_counts, (unsigned)w->join,
                      w->fresh || !w->last_word};
}

CH_TEXT_INLINE void run_store(wr *w, const run_state *st)
{
    w->fresh = 0, w->last_word = !st->bnd; /* (together they say whether a tag may start) */
    w->b->len = st->len, w->tok = st->tok, w->r_cp = st->r_cp, w->r_n = st->r_n;
    w->words = st->words, w->space_off = st->space_off, w->prev_tok = st->prev_tok;
    w->prev_counts = (int)st->prev_counts;
    w->counts = (st->counts & (CH_T_LETTER | CH_T_DIGIT)) != 0, w->space = (int)st->space;
}

/* Writes the due space: the token before it ends, a new one begins. */
CH_TEXT_INLINE void run_space(run_state *st, unsigned char *restrict t, uint32_t *restrict so)
{
    st->counts = (st->counts & (CH_T_LETTER | CH_T_DIGIT)) != 0;
    st->words += st->counts;
    st->prev_counts = st->counts, st->prev_tok = st->tok, st->counts = 0;
    t[st->len] = ' ';
    so[st->len++] = st->space_off;
    st->tok = st->len, st->r_cp = 0, st->space = 0;
}

/* The letter-run rule for the character c of flags fc: whether it is
 * written (a run longer than max is cut). */
CH_TEXT_INLINE int run_letter(run_state *st, uint32_t c, unsigned fc)
{
    if (c == st->r_cp) { /* r_cp is a letter or 0, so c is a letter too */
        if (st->r_n++ >= st->max)
            return 0; /* (r_n only matters up to max) */
    } else
        st->r_cp = (fc & CH_T_LETTER) ? c : 0, st->r_n = 1;
    st->counts |= fc;
    st->bnd = !(fc & (CH_T_WORD | CH_T_USCORE));
    return 1;
}

/* Plain text, spaces included, with the writer's state in locals (see
 * run_state). Stops where the general path is needed: a possible tag, an
 * empty output, a space next to a possible Persian affix, a buffer about
 * to fill. */
CH_TEXT_LOOP static size_t fast_run(wr *w, size_t i)
{
    const ch_cps *s = w->s;
    chorus_text_buf *b = w->b;
    size_t lim = b->cap < w->n->out_cap ? b->cap : w->n->out_cap;
    if (b->len == 0 || b->len + 5 > lim)
        return i;
    size_t end = i + (lim - b->len) / 5; /* each character writes at most 5 bytes */
    if (end > s->n)
        end = s->n;
    unsigned char *restrict t = (unsigned char *)b->text;
    uint32_t *restrict so = b->src_off;
    const uint32_t *restrict cp = s->cp, *restrict off = s->off;
    const uint8_t *restrict fl = s->fl;
    run_state st;
    run_load(w, b->len, &st);
    for (; i < end; i++) {
        if (!st.bnd && !st.space) { /* inside a word */
            size_t i0 = i;
            i = letter_run(s, i, end, t, so, &st.len, &st.r_cp);
            if (i > i0)
                st.r_n = 1, st.counts |= CH_T_LETTER;
            if (i == end)
                break;
        }
        uint32_t c = cp[i];
        unsigned fc = fl[i];
        if (c == ' ') {
            if (!st.space)
                st.space = 1, st.space_off = off[i];
            st.bnd = 1;
            continue;
        }
        if (st.bnd && (fc & CH_T_TAG) && may_tag(cp, i, s->n))
            break;
        if (st.space) {
            if (st.join && is_affix(t + st.tok, st.len - st.tok))
                break;
            run_space(&st, t, so);
        }
        if (!run_letter(&st, c, fc))
            continue;
        if (c < 0x80) {
            t[st.len] = (unsigned char)c;
            so[st.len++] = off[i];
            continue;
        }
        size_t k = ch_text_utf8(c, (char *)t + st.len);
        for (size_t j = 0; j < k; j++)
            so[st.len + j] = off[i];
        st.len += k;
    }
    run_store(w, &st);
    return i;
}

/* One step of the general path at i; returns where to go on. */
static size_t slow_step(wr *w, size_t i)
{
    const ch_cps *s = w->s;
    uint32_t c = s->cp[i];
    uint8_t fl = s->fl[i];
    if (c == ' ') {
        want_space(w, s->off[i]);
        w->fresh = 1;
        return i + 1;
    }
    size_t k = w->b->len == 0 ? lead(w->n, i) : 0;
    if (k)
        return k;
    if ((fl & CH_T_TAG) && (w->fresh || !w->last_word) && (k = tag(w, i)) != 0)
        return k;
    emit(w, c, s->off[i], fl, 1);
    if (fl & (CH_T_LETTER | CH_T_DIGIT))
        w->counts = 1;
    return i + 1;
}

/* Where the mention "@name" at t[i] of the output ends, or 0. */
static size_t out_mention(const unsigned char *t, size_t n, size_t i)
{
    if (i >= n || t[i] != '@')
        return 0;
    size_t j = i + 1;
    while (j < n) {
        size_t k = t[j] < 0x80 ? 1 : ch_utf8_seq(t + j, n - j);
        uint32_t c = k == 1 ? t[j] : ch_text_decode(t + j, k);
        if (!k || (c != '_' && !is_base64_extra(c) && !(ch_text_flags(ch_fold_entry(c)) & CH_T_WORD)))
            break;
        j += k;
    }
    return j > i + 1 ? j : 0;
}

/* Removes t[0..k) and a space after it from the output. */
static void cut_head(chorus_text_buf *b, size_t k)
{
    if (k < b->len && b->text[k] == ' ')
        k++;
    memmove(b->text, b->text + k, b->len - k);
    memmove(b->src_off, b->src_off + k, (b->len - k) * sizeof *b->src_off);
    b->len -= k;
}

/* The stream-level checks miss a prefix that only the output shows (a
 * link dropped between "rt" and "@name:", a letter run cut): checked
 * again on the output, so that reading it again finds nothing to cut. */
static void strip_head(wr *w)
{
    chorus_text_buf *b = w->b;
    const unsigned char *t = (const unsigned char *)b->text;
    for (;;) {
        size_t k;
        if (w->n->o.strip_rt && b->len > 4 && !memcmp(t, "rt @", 4) &&
            (k = out_mention(t, b->len, 3)) != 0 && k < b->len && t[k] == ':') {
            cut_head(b, k + 1);
            w->words--; /* "rt" was one */
        } else if (w->n->o.strip_lead_mentions && (k = out_mention(t, b->len, 0)) != 0)
            cut_head(b, k);
        else
            return;
    }
}

/* The second pass over the folded stream n->s (w->s). */
static void stream_run(wr *w)
{
    const ch_cps *s = w->s;
    for (size_t i = 0; i < s->n && !w->full;) {
        i = fast_run(w, i);
        if (i < s->n && !w->full)
            i = slow_step(w, i);
    }
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CH_SWAR 1
#define SW_ONES 0x0101010101010101ull
#define SW_HIGH 0x8080808080808080ull

/* The first byte of the ASCII x that is a space to the stream (a control
 * character, ' ' or DEL): its high bit, and all of them above it. */
static inline uint64_t swar_space(uint64_t x)
{
    uint64_t d = x ^ 0x7F * SW_ONES;
    return (~(x + 0x5F * SW_ONES) & SW_HIGH) | ((d - SW_ONES) & ~d & SW_HIGH);
}

/* x with 'A'..'Z' in lower case (ASCII). */
static inline uint64_t swar_lower(uint64_t x)
{
    return x | ((x + 0x3F * SW_ONES) & ~(x + 0x25 * SW_ONES) & SW_HIGH) >> 2;
}
#else
#define CH_SWAR 0
#endif

/* Letters of plain ASCII that repeat nothing, from u[i] on: written as
 * they are; returns where the run ends. */
CH_TEXT_INLINE size_t ascii_letters(run_state *st, const uint8_t *restrict alet,
                                    const unsigned char *restrict u, size_t i, size_t end,
                                    unsigned char *restrict t, uint32_t *restrict so)
{
    uint32_t prev = st->r_cp;
    size_t i0 = i;
    for (uint32_t c; i < end && (c = alet[u[i]]) != 0 && c != prev; i++) {
        t[st->len] = (unsigned char)c;
        so[st->len++] = (uint32_t)i;
        prev = c;
    }
    if (i > i0)
        st->r_cp = prev, st->r_n = 1, st->counts |= CH_T_LETTER;
    return i;
}

/* Whether the output token that starts at t[tok] may be a Persian affix
 * (its first byte is 0xD8 or 0xD9 only then). */
CH_TEXT_INLINE int may_join(const run_state *st, const unsigned char *t)
{
    return st->join && st->len > st->tok && (t[st->tok] | 1) == 0xD9;
}

/* fast_run on plain ASCII input, whose stream would hold ascii_cp[u[i]],
 * offset i and ascii_fl[u[i]] for byte u[i]: the same decisions, without
 * the stream. Runs up to stop; u[stop] is ASCII too when stop < len (a
 * tag character may look ahead to it). */
CH_TEXT_LOOP static size_t ascii_words(wr *w, const unsigned char *restrict u, size_t i,
                                       size_t stop, size_t n_in)
{
    const chorus_normalizer *n = w->n;
    chorus_text_buf *b = w->b;
    size_t lim = b->cap < n->out_cap ? b->cap : n->out_cap;
    if (b->len == 0 || b->len + 6 > lim)
        return i;
    /* each byte writes at most 2 (a due space and itself), each write
     * leaving the 4 bytes that write_cp wants */
    size_t end = i + (lim - b->len - 4) / 2;
    if (end > stop)
        end = stop;
    unsigned char *restrict t = (unsigned char *)b->text;
    uint32_t *restrict so = b->src_off;
    const uint32_t *restrict acp = n->ascii_cp;
    const uint8_t *restrict afl = n->ascii_fl, *restrict alet = n->ascii_letter;
    run_state st;
    run_load(w, b->len, &st);
    for (; i < end; i++) {
        if (!st.bnd && !st.space && (i = ascii_letters(&st, alet, u, i, end, t, so)) == end)
            break;
        uint32_t c = acp[u[i]];
        unsigned fc = afl[u[i]];
        if (c == ' ') {
            if (!st.space)
                st.space = 1, st.space_off = (uint32_t)i;
            st.bnd = 1;
            /* a letter that starts a word (below, with nothing to decide) */
            uint32_t l = i + 1 < end ? alet[u[i + 1]] : 0;
            if (l && !(afl[u[i + 1]] & CH_T_TAG) && !may_join(&st, t)) {
                run_space(&st, t, so);
                st.bnd = 0;
                t[st.len] = (unsigned char)l;
                so[st.len++] = (uint32_t)++i;
                st.r_cp = l, st.r_n = 1, st.counts = CH_T_LETTER;
            }
            continue;
        }
        if (st.bnd && (fc & CH_T_TAG)) {
            uint32_t nx[2] = {c, i + 1 < n_in ? acp[u[i + 1]] : 0};
            if (may_tag(nx, 0, 2))
                break;
        }
        if (st.space) {
            if (may_join(&st, t) && is_affix(t + st.tok, st.len - st.tok))
                break;
            run_space(&st, t, so);
        }
        if (!run_letter(&st, c, fc))
            continue;
        t[st.len] = (unsigned char)c;
        so[st.len++] = (uint32_t)i;
    }
    run_store(w, &st);
    return i;
}

/* One step of the general path at u[i] (ASCII, before aend), on a stream
 * of the ASCII bytes it may look at: the chunk up to a space and the
 * space; for a retweet prefix at the start, up to the end of the name
 * after it. Returns where to go on, or SIZE_MAX when what it may look at
 * is not all ASCII. */
static size_t ascii_general(wr *w, const unsigned char *u, size_t i, size_t aend, size_t len)
{
    chorus_normalizer *n = w->n;
    const uint32_t *acp = n->ascii_cp;
    size_t e = i;
    while (e < aend && acp[u[e]] != ' ')
        e++;
    if (w->b->len == 0 && n->o.strip_rt && acp[u[i]] == 'r') {
        while (e < aend && acp[u[e]] == ' ')
            e++;
        while (e < aend && acp[u[e]] != ' ')
            e++;
    }
    if (e == aend && aend < len)
        return SIZE_MAX;
    if (e + 1 < len)
        e++;
    else if (e == i) /* a space the text ends with: not in the stream */
        return len;
    ch_cps *s = &n->s;
    for (size_t k = 0; k < e - i; k++) {
        unsigned c = u[i + k];
        s->cp[k] = acp[c], s->off[k] = (uint32_t)(i + k), s->fl[k] = n->ascii_fl[c];
    }
    s->n = e - i;
    w->s = s;
    return i + slow_step(w, 0);
}

/* A character of an account name (is_handle) in ASCII. */
static int ascii_handle(const chorus_normalizer *n, unsigned c) { return n->ascii_handle[c]; }

void ch_text_ascii_init(chorus_normalizer *n)
{
    for (unsigned c = 0; c < 128; c++)
        n->ascii_handle[c] = (n->ascii_fl[c] & (CH_T_WORD | CH_T_USCORE)) || is_base64_extra(c);
}

/* The end of "rt @name:" at u[i] (rt_prefix when "rt" is written as it
 * stands), or 0: then ascii_general decides. */
static size_t ascii_rt(const chorus_normalizer *n, const unsigned char *u, size_t i, size_t aend)
{
    const uint32_t *acp = n->ascii_cp;
    size_t j = i + 2;
    if (j >= aend || acp[u[i + 1]] != 't' || acp[u[j]] != ' ')
        return 0;
    while (j < aend && acp[u[j]] == ' ')
        j++;
    if (j >= aend || u[j] != '@')
        return 0;
    size_t name = ++j;
    while (j < aend && ascii_handle(n, u[j]))
        j++;
    return j > name && j < aend && u[j] == ':' ? j + 1 : 0;
}

/* mention() on ASCII: the end of "@name" at u[i] once written or dropped;
 * 0 when ascii_general must decide (no name, or it may go on past aend). */
static size_t ascii_mention(wr *w, const unsigned char *u, size_t i, size_t aend, size_t len)
{
    const chorus_normalizer *n = w->n;
    size_t j = i + 1;
    while (j < aend && ascii_handle(n, u[j]))
        j++;
    if (j == i + 1 || (j == aend && aend < len))
        return 0;
    if (!n->o.keep_mentions) {
        dropped(w, (uint32_t)i);
        return j;
    }
    emit(w, '@', (uint32_t)i, n->ascii_fl['@'], 0); /* (after any due space) */
    chorus_text_buf *b = w->b;
    size_t room = b->cap < n->out_cap ? b->cap : n->out_cap, k = i + 1;
    if (w->full || b->len + (j - k) + 4 > room) {
        for (; k < j; k++)
            emit(w, n->ascii_cp[u[k]], (uint32_t)k, n->ascii_fl[u[k]], 0);
        return j;
    }
    uint32_t r_cp = w->r_cp, r_n = w->r_n; /* what write_cp does, as in mention() */
    for (; k < j; k++) {
        uint32_t c = n->ascii_cp[u[k]];
        b->text[b->len] = (char)c;
        b->src_off[b->len++] = (uint32_t)k;
        w->last_word = written(c, n->ascii_fl[u[k]], &r_cp, &r_n);
    }
    w->r_cp = r_cp, w->r_n = r_n;
    return j;
}

/* A link at u[i] in ASCII that starts "http://", "https://" or "www." as
 * written: its token (tag() and emit_url() with CHORUS_TEXT_URL_DOMAIN).
 * Returns its end, or 0 when ascii_general must decide. */
static size_t ascii_link(wr *w, const unsigned char *u, size_t i, size_t aend, size_t len)
{
    static const bytes_lit pre[] = {LIT("http://"), LIT("https://"), LIT("www.")};
    const uint32_t *acp = w->n->ascii_cp;
    char url[CH_URL_MAX];
    size_t e = i, k = 0;
#if CH_SWAR
    for (uint64_t x, sp; e + 8 <= aend && e - i + 8 <= sizeof url - 3; e += 8) {
        memcpy(&x, u + e, 8);
        x = swar_lower(x);
        memcpy(url + (e - i), &x, 8);
        if ((sp = swar_space(x)) != 0) {
            e += (size_t)__builtin_ctzll(sp) / 8;
            break;
        }
    }
    k = e - i;
#endif
    for (; e < aend && acp[u[e]] != ' '; e++)
        if (k < sizeof url - 3)
            url[k++] = (char)acp[u[e]];
    if (e == aend && aend < len)
        return 0;
    size_t p = 0;
    while (p < 3 && !(pre[p].n < e - i && pre[p].n <= k && !memcmp(url, pre[p].s, pre[p].n)))
        p++;
    if (p == 3)
        return 0;
    char tok[5 + 255 + 2] = "<url:";
    emit_link(w, tok, url_domain_of(url, k, tok + 5, 255), (uint32_t)i);
    return e;
}

/* part_break() in an ASCII hashtag body that ends at e (no marks). */
CH_TEXT_INLINE int ascii_part_break(const uint8_t *afl, const unsigned char *u, size_t prev,
                                    size_t k, size_t e)
{
    uint8_t a = afl[u[prev]], c = afl[u[k]];
    if (!(c & CH_T_LETTER) || !(c & CH_T_UPPER) || !(a & (CH_T_LETTER | CH_T_DIGIT)))
        return 0;
    if (!(a & CH_T_UPPER))
        return 1;
    return k + 1 < e && (afl[u[k + 1]] & CH_T_LETTER) && !(afl[u[k + 1]] & CH_T_UPPER);
}

/* The number of parts of the ASCII hashtag body [b, e), up to 2
 * (count_parts). */
static size_t ascii_count_parts(const uint8_t *afl, const unsigned char *u, size_t b, size_t e)
{
    size_t np = 0, prev = SIZE_MAX;
    for (size_t k = b; k < e; k++) {
        if (u[k] == '_')
            prev = SIZE_MAX;
        else if ((prev == SIZE_MAX || ascii_part_break(afl, u, prev, k, e)) && ++np == 2)
            return np;
        else
            prev = k;
    }
    return np;
}

/* parts(w, b, e, off, sep) on the ASCII hashtag body [b, e), with the
 * writer's state in locals when the output has room for all of it (3
 * bytes per character: the body, then a space and a character). */
static void ascii_parts(wr *w, const unsigned char *u, size_t b, size_t e, uint32_t off, int sep)
{
    const uint32_t *acp = w->n->ascii_cp;
    const uint8_t *afl = w->n->ascii_fl;
    size_t prev = SIZE_MAX, room = w->b->cap < w->n->out_cap ? w->b->cap : w->n->out_cap;
    if (w->full || w->b->len + 3 * (e - b) + 8 > room) {
        for (size_t k = b; k < e; k++) {
            if (u[k] == '_') {
                prev = SIZE_MAX;
                continue;
            }
            if (sep && (prev == SIZE_MAX || ascii_part_break(afl, u, prev, k, e)))
                want_space(w, off);
            prev = k;
            emit(w, acp[u[k]], sep ? off : (uint32_t)k, afl[u[k]], 1);
        }
        return;
    }
    unsigned char *restrict t = (unsigned char *)w->b->text;
    uint32_t *restrict so = w->b->src_off;
    size_t len = w->b->len;
    uint32_t r_cp = w->r_cp, r_n = w->r_n, max = w->max_rep ? w->max_rep : UINT32_MAX;
    int lw = w->last_word, fresh = w->fresh;
    for (size_t k = b; k < e; k++) {
        if (u[k] == '_') {
            prev = SIZE_MAX;
            continue;
        }
        uint32_t c = acp[u[k]];
        uint8_t fl = afl[u[k]];
        if (sep && (prev == SIZE_MAX || ascii_part_break(afl, u, prev, k, e))) {
            w->b->len = len, w->r_cp = r_cp, w->r_n = r_n, w->last_word = lw, w->fresh = fresh;
            want_space(w, off);
            if (w->space)
                flush_space(w, c, fl);
            len = w->b->len, r_cp = w->r_cp, r_n = w->r_n, lw = w->last_word, fresh = w->fresh;
        }
        prev = k;
        if (c == r_cp && r_n >= max)
            continue;
        t[len] = (unsigned char)c;
        so[len++] = sep ? off : (uint32_t)k;
        fresh = 0;
        lw = written(c, fl, &r_cp, &r_n);
    }
    w->b->len = len, w->r_cp = r_cp, w->r_n = r_n, w->last_word = lw, w->fresh = fresh;
}

/* The part starts (bit k - b) of the ASCII hashtag body [b, e) when it
 * is plain: at most 64 characters, no '_', no letter run that
 * max_repeat would cut; else 0. */
static uint64_t ascii_plain_tag(const wr *w, const unsigned char *u, size_t b, size_t e)
{
    const uint32_t *acp = w->n->ascii_cp;
    const uint8_t *afl = w->n->ascii_fl;
    uint32_t max = w->max_rep ? w->max_rep : UINT32_MAX, pc = 0, run = 0;
    uint64_t starts = 1;
    if (e == b || e - b > 64)
        return 0;
    for (size_t k = b; k < e; k++) {
        uint32_t c = acp[u[k]];
        if (c == '_')
            return 0;
        if (afl[u[k]] & CH_T_LETTER) {
            run = c == pc ? run + 1 : 1;
            if (run > max)
                return 0;
            pc = c;
        } else
            pc = 0;
        if (k > b && ascii_part_break(afl, u, k - 1, k, e))
            starts |= (uint64_t)1 << (k - b);
    }
    return starts;
}

/* The body and (np >= 2) the parts of the plain ASCII hashtag body
 * [b, e) with part starts starts: what ascii_parts writes, for a body
 * with no '_' and no letter to cut, where the output has room. */
static void ascii_plain_parts(wr *w, const unsigned char *u, size_t b, size_t e, uint64_t starts,
                              uint32_t end_off)
{
    const uint32_t *acp = w->n->ascii_cp;
    const uint8_t *afl = w->n->ascii_fl;
    chorus_text_buf *ob = w->b;
    unsigned char *t = (unsigned char *)ob->text;
    uint32_t *so = ob->src_off;
    size_t len = ob->len;
    uint32_t r_cp = 0, r_n = w->r_n; /* ('#' went before: not a letter) */
    for (size_t k = b; k < e; k++) {
        uint32_t c = acp[u[k]];
        t[len] = (unsigned char)c;
        so[len++] = (uint32_t)k;
        if (afl[u[k]] & CH_T_LETTER)
            r_n = c == r_cp ? r_n + 1 : 1, r_cp = c;
        else
            r_cp = 0;
    }
    ob->len = len;
    if (starts & (starts - 1)) { /* two parts or more */
        for (size_t k = b; k < e; k++) {
            uint32_t c = acp[u[k]];
            if (starts >> (k - b) & 1) {
                ob->len = len, w->r_cp = r_cp, w->r_n = r_n;
                want_space(w, end_off);
                if (w->space)
                    flush_space(w, c, afl[u[k]]);
                len = ob->len, r_cp = w->r_cp, r_n = w->r_n;
            }
            t[len] = (unsigned char)c;
            so[len++] = end_off;
            if (afl[u[k]] & CH_T_LETTER)
                r_n = c == r_cp ? r_n + 1 : 1, r_cp = c;
            else
                r_cp = 0;
        }
    }
    ob->len = len, w->r_cp = r_cp, w->r_n = r_n, w->fresh = 0, w->last_word = 1;
}

/* hashtag() on ASCII: the end of "#Tag_Name" at u[i] once written; 0 when
 * ascii_general must decide (no parts, or it may go on past aend). */
static size_t ascii_hashtag(wr *w, const unsigned char *u, size_t i, size_t aend, size_t len)
{
    const chorus_normalizer *n = w->n;
    size_t j = i + 1;
    while (j < aend && (n->ascii_fl[u[j]] & (CH_T_WORD | CH_T_USCORE)))
        j++;
    if (j == aend && aend < len)
        return 0;
    uint64_t starts = ascii_plain_tag(w, u, i + 1, j);
    size_t np = starts ? 1 + ((starts & (starts - 1)) != 0) : ascii_count_parts(n->ascii_fl, u, i + 1, j);
    if (np == 0)
        return 0;
    /* (a space the text ends with is not in the stream) */
    int in = j < len && !(j + 1 == len && n->ascii_cp[u[j]] == ' ');
    uint32_t end_off = in ? (uint32_t)j : n->in_len;
    emit(w, '#', (uint32_t)i, 0, 0);
    w->counts = 1;
    chorus_text_buf *b = w->b;
    size_t room = b->cap < n->out_cap ? b->cap : n->out_cap;
    if (starts && !w->full && b->len + 3 * (j - i) + 8 <= room)
        ascii_plain_parts(w, u, i + 1, j, starts, end_off);
    else {
        ascii_parts(w, u, i + 1, j, 0, 0);
        if (np >= 2)
            ascii_parts(w, u, i + 1, j, end_off, 1);
    }
    if (np >= 2 && in && n->ascii_cp[u[j]] != ' ')
        dropped(w, end_off);
    return j;
}

/* One step of the general path at u[i] (ASCII, before aend): slow_step
 * without the stream where it is plain (a retweet prefix, a mention, a
 * link, a character), else ascii_general. */
static size_t ascii_step(wr *w, const unsigned char *u, size_t i, size_t aend, size_t len)
{
    const chorus_normalizer *n = w->n;
    uint32_t c = n->ascii_cp[u[i]];
    uint8_t fl = n->ascii_fl[u[i]];
    size_t k = 0;
    if (c == ' ') { /* (a space the text ends with is not in the stream) */
        if (i + 1 < len)
            want_space(w, (uint32_t)i), w->fresh = 1;
        return i + 1;
    }
    if (w->b->len == 0) {
        if (n->o.strip_rt && c == 'r')
            return (k = ascii_rt(n, u, i, aend)) ? k : ascii_general(w, u, i, aend, len);
        if (n->o.strip_lead_mentions && c == '@')
            return ascii_general(w, u, i, aend, len);
    }
    if ((fl & CH_T_TAG) && (w->fresh || !w->last_word)) {
        if (c == '@')
            k = ascii_mention(w, u, i, aend, len);
        else if ((c == 'h' || c == 'w') && n->o.urls == CHORUS_TEXT_URL_DOMAIN)
            k = ascii_link(w, u, i, aend, len);
        else if (c == '#' && n->o.hashtags)
            k = ascii_hashtag(w, u, i, aend, len);
        return k ? k : ascii_general(w, u, i, aend, len);
    }
    emit(w, c, (uint32_t)i, fl, 1);
    if (fl & (CH_T_LETTER | CH_T_DIGIT))
        w->counts = 1;
    return i + 1;
}

/* Plain ASCII from u[i] on, written without the stream. Returns where
 * the stream must take over (ASCII too, so that it starts with a
 * starter), or len. */
static size_t ascii_text(wr *w, const unsigned char *u, size_t i, size_t len)
{
    size_t aend = ch_text_ascii_end(u, i, len);
    size_t stop = aend == len ? len : aend > i ? aend - 1 : i;
    while (i < stop && !w->full) {
        i = ascii_words(w, u, i, stop, len);
        if (i >= stop || w->full)
            break;
        size_t k = ascii_step(w, u, i, aend, len);
        if (k == SIZE_MAX)
            break;
        i = k;
    }
    return i;
}

chorus_rc ch_text_write(chorus_normalizer *n, const unsigned char *u, size_t len,
                        chorus_text_buf *b)
{
    b->len = 0;
    size_t want = len + len / 4 + 64;
    chorus_rc rc = ch_text_buf_reserve(b, want < n->out_cap ? want : n->out_cap);
    if (!rc)
        rc = ch_text_cps_reserve(n, len + 1);
    if (rc)
        return rc;
    wr w = {.n = n, .s = &n->s, .b = b, .max_rep = n->o.max_repeat, .join = n->o.join_affixes,
            .fresh = 1};
    n->s_base = 0, n->fold_cut = 0;
    for (size_t i = 0; i < len && !w.full;) {
        size_t h = ascii_text(&w, u, i, len);
        n->s_base += h - i;
        if (h >= len || w.full)
            break;
        size_t q;
        if ((rc = ch_text_fold(n, u, h, len, &q)) != CHORUS_OK)
            return rc;
        w.s = &n->s;
        stream_run(&w);
        n->s_base += n->s.n;
        if (n->fold_cut)
            break;
        i = q;
    }
    if (w.rc)
        return w.rc;
    if (b->len)
        close_token(&w);
    strip_head(&w);
    b->text[b->len] = 0;
    b->src_off[b->len] = n->in_len;
    b->words = w.words;
    return CHORUS_OK;
}
