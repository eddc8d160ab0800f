/*
 * normalize.c - the match form, first pass: decodes any bytes (invalid
 * UTF-8 becomes U+FFFD), maps each code point through the generated table
 * (NFKC, case fold and chorus's folds in one lookup; ASCII by a 128-entry
 * copy), puts combining marks in canonical order and composes them. It
 * runs on the pieces of the input that are not plain ASCII; tokens.c
 * writes the output. See docs/text.md.
 */
#include "text/text_impl.h"

#include "core/hash.h"
#include "core/utf8.h"

#include <string.h>

/* Non-starters kept after one starter; more (Zalgo text) are dropped, which
 * also bounds the reordering work (Unicode's stream-safe format uses 30). */
#define MAX_MARKS 30

void chorus_text_defaults(chorus_text_opts *o)
{
    memset(o, 0, sizeof *o);
    o->strip_rt = 1;
    o->urls = CHORUS_TEXT_URL_DOMAIN;
    o->keep_mentions = 1;
    o->hashtags = 1;
    o->join_affixes = 1;
    o->max_repeat = 2;
    o->max_bytes = (size_t)1 << 20;
}

void chorus_text_buf_init(chorus_text_buf *b, chorus_ctx *ctx)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
}

void chorus_text_buf_free(chorus_text_buf *b)
{
    if (!b || !b->ctx)
        return;
    if (b->text)
        ch_free(b->ctx, b->text, b->cap + 1);
    if (b->src_off)
        ch_free(b->ctx, b->src_off, (b->cap + 1) * sizeof *b->src_off);
    chorus_text_buf_init(b, b->ctx);
}

chorus_rc ch_text_buf_reserve(chorus_text_buf *b, size_t need)
{
    if (need <= b->cap && b->text)
        return CHORUS_OK;
    size_t cap = b->cap + b->cap / 2 + 64;
    if (cap < need)
        cap = need;
    /* new arrays, then copy: on failure the buffer is left as it was */
    char *t = ch_alloc(b->ctx, cap + 1);
    uint32_t *o = t ? ch_alloc(b->ctx, (cap + 1) * sizeof *o) : NULL;
    if (!o) {
        if (t)
            ch_free(b->ctx, t, cap + 1);
        return ch_nomem(b->ctx);
    }
    if (b->text) {
        memcpy(t, b->text, b->len + 1);
        memcpy(o, b->src_off, (b->len + 1) * sizeof *o);
        ch_free(b->ctx, b->text, b->cap + 1);
        ch_free(b->ctx, b->src_off, (b->cap + 1) * sizeof *o);
    }
    b->text = t;
    b->src_off = o;
    b->cap = cap;
    return CHORUS_OK;
}

/* The stream's three arrays live in one block: cp, off, then fl. */
static chorus_rc cps_reserve(chorus_ctx *ctx, ch_cps *s, size_t need)
{
    if (need <= s->cap)
        return CHORUS_OK;
    size_t cap = s->cap + s->cap / 2 + 64;
    if (cap < need)
        cap = need;
    char *blk = ch_alloc(ctx, cap * 9);
    if (!blk)
        return ch_nomem(ctx);
    uint32_t *cp = (uint32_t *)blk, *off = cp + cap;
    uint8_t *fl = (uint8_t *)(off + cap);
    if (s->cp) {
        memcpy(cp, s->cp, s->n * 4);
        memcpy(off, s->off, s->n * 4);
        memcpy(fl, s->fl, s->n);
        ch_free(ctx, s->cp, s->cap * 9);
    }
    s->cp = cp, s->off = off, s->fl = fl, s->cap = cap;
    return CHORUS_OK;
}

/* What the first pass does with cp when it is a plain starter: an entry
 * that maps to at most one code point of class 0 that composes with
 * nothing. Packed for the two-byte table (CH_TWO_*). */
static uint32_t two_entry(uint32_t cp)
{
    uint32_t e = ch_fold_entry(cp), e2 = e;
    if (e & CH_FOLD_DELETE)
        return CH_TWO_DELETE;
    if (e & CH_FOLD_MAP) {
        const uint32_t *seq = ch_fold_pool + (e >> CH_FOLD_POOL_SHIFT);
        if (seq[0] != 1)
            return CH_TWO_SLOW;
        cp = seq[1];
        e2 = ch_fold_entry(cp);
    }
    if (e2 & (CH_FOLD_CCC | CH_FOLD_COMP2))
        return CH_TWO_SLOW;
    uint32_t f = (ch_text_flags(e2) & ~CH_T_UPPER) | (ch_text_flags(e) & CH_T_UPPER) |
                 (cp < 0x80 ? ch_text_extra(cp) : 0);
    return cp | f << CH_TWO_FL_SHIFT;
}

/* The code point at s[i] when it is a plain starter (two_entry): ASCII
 * and two-byte characters by the normaliser's tables, longer ones by the
 * generated table. Sets *c (0 when deleted), *f and *adv; 0 when the
 * general path must take it. */
CH_TEXT_INLINE int simple_cp(const chorus_normalizer *n, const unsigned char *s, size_t len,
                             size_t i, uint32_t *c, uint8_t *f, size_t *adv)
{
    if (s[i] < 0x80) {
        *c = n->ascii_cp[s[i]], *f = n->ascii_fl[s[i]], *adv = 1;
        return 1;
    }
    uint32_t v;
    if (s[i] >= 0xC2 && s[i] <= 0xDF && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
        v = n->two[((uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F)) - 0x80];
        *adv = 2;
    } else {
        size_t k = ch_utf8_seq(s + i, len - i);
        if (!k)
            return 0;
        uint32_t cp = ch_text_decode(s + i, k), e = ch_fold_entry(cp);
        *adv = k;
        if (!(e & (CH_FOLD_DELETE | CH_FOLD_MAP | CH_FOLD_CCC | CH_FOLD_COMP2))) {
            *c = cp;
            *f = ch_text_flags(e); /* (no extra bits: not ASCII) */
            return 1;
        }
        v = two_entry(cp);
    }
    if (v & CH_TWO_SLOW)
        return 0;
    *c = (v & CH_TWO_DELETE) ? 0 : v & CH_TWO_CP;
    *f = (uint8_t)(v >> CH_TWO_FL_SHIFT & 0x7F);
    return 1;
}

chorus_rc chorus_normalizer_new(chorus_ctx *ctx, const chorus_text_opts *o,
                                chorus_normalizer **out)
{
    *out = NULL;
    chorus_text_opts d;
    if (!o) {
        chorus_text_defaults(&d);
        o = &d;
    }
    if (o->max_bytes == 0 || o->max_bytes > ((size_t)1 << 30))
        return ch_error(ctx, CHORUS_EUSAGE, "text max_bytes must be 1 byte to 1 GiB, not %zu",
                        o->max_bytes);
    if ((unsigned)o->urls > CHORUS_TEXT_URL_KEEP)
        return ch_error(ctx, CHORUS_EUSAGE, "unknown text url handling %d", (int)o->urls);
    chorus_normalizer *n = ch_calloc(ctx, sizeof *n);
    if (!n)
        return ch_nomem(ctx);
    n->ctx = ctx;
    n->o = *o;
    n->out_cap = 2 * o->max_bytes + 64;
    for (uint32_t b = 0; b < 128; b++) {
        uint32_t e = ch_fold_entry(b);
        n->ascii_cp[b] = (e & CH_FOLD_MAP) ? ch_fold_pool[(e >> CH_FOLD_POOL_SHIFT) + 1] : b;
        n->ascii_fl[b] = ch_text_flags(ch_fold_entry(n->ascii_cp[b])) |
                         (ch_text_flags(e) & CH_T_UPPER) | ch_text_extra(n->ascii_cp[b]);
        n->ascii_letter[b] = (n->ascii_fl[b] & CH_T_LETTER) ? (uint8_t)n->ascii_cp[b] : 0;
    }
    ch_text_ascii_init(n);
    for (uint32_t cp = 0x80; cp < 0x800; cp++)
        n->two[cp - 0x80] = two_entry(cp);
    *out = n;
    return CHORUS_OK;
}

void chorus_normalizer_free(chorus_normalizer *n)
{
    if (!n)
        return;
    chorus_ctx *ctx = n->ctx;
    if (n->s.cp)
        ch_free(ctx, n->s.cp, n->s.cap * 9);
    ch_free(ctx, n, sizeof *n);
}

/* The canonical composite of a + b, or 0 (Hangul by arithmetic). */
static uint32_t compose_pair(uint32_t a, uint32_t b)
{
    if (b - 0x1161u < 21 && a - 0x1100u < 19)
        return 0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28;
    if (b - 0x11A8u < 27 && a - 0xAC00u < 11172 && (a - 0xAC00) % 28 == 0)
        return a + (b - 0x11A7);
    uint64_t key = (uint64_t)a << 21 | b;
    size_t lo = 0, hi = ch_fold_npairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t k = ch_fold_pairs[mid] >> 21;
        if (k == key)
            return (uint32_t)(ch_fold_pairs[mid] & 0x1FFFFF);
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* State of the first pass: the last starter and the marks after it. */
typedef struct fold_st {
    ch_cps *o;
    size_t starter; /* SIZE_MAX: none yet (marks at the very start) */
    size_t seg;     /* index of the first mark after the starter */
    size_t marks;
    int piece; /* the stream's piece ends here (ascii_run) */
    uint8_t ccc[MAX_MARKS];
} fold_st;

/* Composes the pending marks into the starter where not blocked, keeping
 * the rest in order. Offsets stay with positions, so they never decrease. */
static void compose_tail(fold_st *st)
{
    ch_cps *o = st->o;
    if (st->starter != SIZE_MAX) {
        size_t w = st->seg;
        int last = -1;
        uint32_t *s = &o->cp[st->starter];
        for (size_t i = st->seg; i < o->n; i++) {
            int c = st->ccc[i - st->seg];
            uint32_t x = last < c && (o->fl[i] & CH_T_COMP2) ? compose_pair(*s, o->cp[i]) : 0;
            if (x) {
                *s = x;
                uint8_t up = o->fl[st->starter] & CH_T_UPPER;
                o->fl[st->starter] = ch_text_flags(ch_fold_entry(x)) | up;
                continue;
            }
            last = c;
            o->cp[w] = o->cp[i];
            o->fl[w] = o->fl[i];
            o->off[w] = o->off[i];
            w++;
        }
        o->n = w;
    }
    st->marks = 0;
}

/* Appends a combining mark in canonical order among the pending ones. */
static void put_mark(fold_st *st, uint32_t cp, uint32_t off, uint8_t fl, uint8_t ccc)
{
    ch_cps *o = st->o;
    if (st->marks == 0)
        st->seg = o->n;
    if (st->marks == MAX_MARKS)
        return;
    size_t i = o->n++, k = st->marks++;
    o->off[i] = off;
    while (k > 0 && st->ccc[k - 1] > ccc) {
        st->ccc[k] = st->ccc[k - 1];
        o->cp[i] = o->cp[i - 1];
        o->fl[i] = o->fl[i - 1];
        i--, k--;
    }
    st->ccc[k] = ccc;
    o->cp[i] = cp;
    o->fl[i] = fl;
}

/* Appends a starter: composes what is pending, then joins it to the last
 * starter when the two compose (Hangul LV + T and a few others). */
static void put_starter(fold_st *st, uint32_t cp, uint32_t off, uint8_t fl)
{
    ch_cps *o = st->o;
    if (st->marks)
        compose_tail(st);
    if (cp == ' ' && (o->n == 0 || o->cp[o->n - 1] == ' '))
        return;
    if ((fl & CH_T_COMP2) && st->starter != SIZE_MAX && st->starter + 1 == o->n) {
        uint32_t x = compose_pair(o->cp[st->starter], cp);
        if (x) {
            uint8_t up = o->fl[st->starter] & CH_T_UPPER;
            o->cp[st->starter] = x;
            o->fl[st->starter] = ch_text_flags(ch_fold_entry(x)) | up;
            return;
        }
    }
    size_t j = o->n++;
    o->cp[j] = cp;
    o->off[j] = off;
    o->fl[j] = fl;
    st->starter = j;
}

/* One folded code point c (entry e) from the source character at off. */
static void put_cp(fold_st *st, uint32_t c, uint32_t e, uint32_t off, uint8_t upper)
{
    uint8_t fl = (uint8_t)((ch_text_flags(e) & ~CH_T_UPPER) | upper | (c < 0x80 ? ch_text_extra(c) : 0));
    uint8_t ccc = (uint8_t)(e & CH_FOLD_CCC);
    if (ccc)
        put_mark(st, c, off, fl, ccc);
    else
        put_starter(st, c, off, fl);
}

/* The non-ASCII character at s[i]: its expansion through the table.
 * Returns the bytes consumed, or 0 when the output cap is reached. */
static size_t fold_one(chorus_normalizer *n, fold_st *st, const unsigned char *s, size_t len,
                       size_t i, chorus_rc *rc)
{
    size_t k = ch_utf8_seq(s + i, len - i);
    uint32_t cp = k ? ch_text_decode(s + i, k) : 0xFFFD;
    k = k ? k : 1;
    uint32_t e = ch_fold_entry(cp);
    if (e & CH_FOLD_DELETE)
        return k;
    const uint32_t *seq = &cp;
    uint32_t m = 1;
    if (e & CH_FOLD_MAP) {
        seq = ch_fold_pool + (e >> CH_FOLD_POOL_SHIFT);
        m = *seq++;
    }
    ch_cps *o = st->o;
    if (n->s_base + o->n + m > n->out_cap) {
        n->truncated = n->fold_cut = 1;
        return 0;
    }
    if (o->n + m + (len - i) + MAX_MARKS > o->cap &&
        (*rc = cps_reserve(n->ctx, o, o->n + m + (len - i) + MAX_MARKS)) != CHORUS_OK)
        return 0;
    uint8_t upper = (e & CH_FOLD_UPPER) ? CH_T_UPPER : 0;
    for (uint32_t j = 0; j < m; j++)
        put_cp(st, seq[j], seq == &cp ? e : ch_fold_entry(seq[j]), (uint32_t)i, upper);
    return k;
}

/* ASCII from s[i] on, folded by the normaliser's 128-entry copy of the
 * table. The run's end is found eight bytes at a time first, so the copy
 * loop has no exit to test. A long run ends the stream's piece where
 * ch_text_piece_end allows (*piece is set). */
CH_TEXT_LOOP static size_t ascii_run(const chorus_normalizer *n, const unsigned char *restrict s,
                                     size_t i, size_t len, uint32_t *restrict cp,
                                     uint32_t *restrict off, uint8_t *restrict fl, int *piece)
{
    size_t e = ch_text_ascii_end(s, i, len);
    for (size_t q = i + 1; q + CH_TEXT_MIN_RUN <= e; q++)
        if (ch_text_piece_end(n, s, q)) {
            e = q, *piece = 1;
            break;
        }
    const uint32_t *restrict acp = n->ascii_cp;
    const uint8_t *restrict afl = n->ascii_fl;
    for (size_t k = 0; i + k < e; k++) {
        unsigned b = s[i + k];
        cp[k] = acp[b];
        off[k] = (uint32_t)(i + k);
        fl[k] = afl[b];
    }
    return e;
}

/* A run of plain starters from s[i], with the stream in locals (the byte
 * stores would otherwise make the compiler reload it for each character).
 * Spaces are not collapsed here: the second pass writes one for a run.
 * Returns where the run ends. */
static size_t fold_run(const chorus_normalizer *n, fold_st *st, const unsigned char *s,
                       size_t len, size_t i)
{
    ch_cps *o = st->o;
    uint32_t c;
    uint8_t f = 0;
    size_t adv;
    if (st->marks) { /* a starter ends the pending marks; a deleted character does not */
        for (;; i += adv)
            if (i >= len || !simple_cp(n, s, len, i, &c, &f, &adv))
                return i;
            else if (c)
                break;
        compose_tail(st);
    }
    uint32_t *restrict cp = o->cp, *restrict off = o->off;
    uint8_t *restrict fl = o->fl;
    const uint32_t *restrict acp = n->ascii_cp;
    const uint8_t *restrict afl = n->ascii_fl;
    size_t k = o->n;
    for (;; i += adv) {
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            if (i + 1 < len && s[i + 1] >= 0x80) { /* one: a space between words */
                cp[k] = acp[s[i]], off[k] = (uint32_t)i, fl[k++] = afl[s[i]];
                i++;
            } else {
                size_t j = ascii_run(n, s, i, len, cp + k, off + k, fl + k, &st->piece);
                k += j - i, i = j;
                if (st->piece)
                    break;
            }
        }
        if (i >= len || !simple_cp(n, s, len, i, &c, &f, &adv))
            break;
        if (c) {
            cp[k] = c;
            off[k] = (uint32_t)i;
            fl[k++] = f;
        }
    }
    if (k > o->n)
        st->starter = k - 1;
    o->n = k;
    return i;
}

chorus_rc ch_text_cps_reserve(chorus_normalizer *n, size_t need)
{
    return cps_reserve(n->ctx, &n->s, need);
}

/* First pass from s[i] into n->s, up to the end of the input s[0..len)
 * or of the piece (ascii_run), which *end gets. The capacity always
 * covers one code point per remaining input byte, so the fast loops need
 * no check. A space the text ends with is dropped. */
chorus_rc ch_text_fold(chorus_normalizer *n, const unsigned char *s, size_t i, size_t len,
                       size_t *end)
{
    ch_cps *o = &n->s;
    fold_st st = {o, SIZE_MAX, 0, 0, 0, {0}};
    o->n = 0;
    chorus_rc rc = cps_reserve(n->ctx, o, len - i + MAX_MARKS + 1);
    while (!rc && i < len && !st.piece) {
        size_t run = fold_run(n, &st, s, len, i);
        if (run > i) {
            i = run;
            continue;
        }
        size_t k = fold_one(n, &st, s, len, i, &rc);
        if (k == 0)
            break;
        i += k;
    }
    *end = st.piece ? i : len;
    if (rc)
        return rc;
    if (st.marks)
        compose_tail(&st);
    if ((!st.piece || n->fold_cut) && o->n && o->cp[o->n - 1] == ' ')
        o->n--;
    return CHORUS_OK;
}

/* Cuts len to max_bytes at a character boundary. */
static size_t cap_input(chorus_normalizer *n, const unsigned char *s, size_t len)
{
    if (len <= n->o.max_bytes)
        return len;
    n->truncated = 1;
    size_t use = n->o.max_bytes;
    for (int back = 0; back < 3 && use > 0 && (s[use] & 0xC0) == 0x80; back++)
        use--;
    if ((s[use] & 0xC0) == 0x80)
        use = n->o.max_bytes; /* not a sequence anyway: each byte is U+FFFD */
    return use;
}

chorus_rc chorus_normalize(chorus_normalizer *n, const char *s, size_t len, chorus_text_buf *out)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    n->truncated = 0;
    len = s ? cap_input(n, u, len) : 0;
    n->in_len = (uint32_t)len;
    out->len = 0;
    out->words = 0;
    chorus_rc rc = ch_text_write(n, u, len, out);
    out->truncated = n->truncated;
    if (rc) {
        out->len = 0;
        out->words = 0;
        if (out->text)
            out->text[0] = 0, out->src_off[0] = 0;
    }
    return rc;
}

chorus_rc chorus_text_compact(const chorus_text_buf *in, chorus_text_buf *out)
{
    out->len = 0;
    if (ch_text_buf_reserve(out, in->len))
        return CHORUS_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < in->len; i++)
        if (in->text[i] != ' ') {
            out->text[k] = in->text[i];
            out->src_off[k++] = in->src_off[i];
        }
    out->text[k] = 0;
    out->src_off[k] = in->len ? in->src_off[in->len] : 0;
    out->len = k;
    out->words = in->words;
    out->truncated = in->truncated;
    return CHORUS_OK;
}

/* Whether the token t[0..n) holds a letter or digit. */
static int has_alnum(const unsigned char *t, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = t[i] < 0x80 ? 1 : ch_utf8_seq(t + i, n - i);
        if (k == 0)
            k = 1;
        else {
            uint32_t cp = k == 1 ? t[i] : ch_text_decode(t + i, k);
            if (ch_fold_entry(cp) & (CH_FOLD_LETTER | CH_FOLD_DIGIT))
                return 1;
        }
        i += k;
    }
    return 0;
}

size_t chorus_text_word_count(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t words = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && u[j] != ' ')
            j++;
        int tag = u[i] == '@' || (j - i >= 4 && !memcmp(u + i, "<url", 4));
        if (j > i && !tag && has_alnum(u + i, j - i))
            words++;
        i = j + 1;
    }
    return words;
}

uint64_t chorus_text_hash(const char *s, size_t len)
{
    return ch_hash64(s, len, 0x6368746578743031ULL); /* "chtext01" */
}
