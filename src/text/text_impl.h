/*
 * text_impl.h - inside the normaliser: the folded code-point stream the
 * first pass (normalize.c: decode, table, reorder, compose) hands to the
 * second (tokens.c: links, mentions, hashtags, affixes, output bytes),
 * which writes plain ASCII without it.
 */
#ifndef CH_TEXT_IMPL_H
#define CH_TEXT_IMPL_H

#include <chorus/text.h>

#include "core/ctx.h"
#include "text/fold_table.h"

#include <string.h>

/* For the few helpers of the per-character loops that must be inlined. */
#if defined(__GNUC__)
#define CH_TEXT_INLINE static inline __attribute__((always_inline))
#else
#define CH_TEXT_INLINE static inline
#endif

/* For the per-character loops, kept out of their callers so that they get
 * the registers to themselves. */
#if defined(__GNUC__)
#define CH_TEXT_LOOP __attribute__((noinline))
#else
#define CH_TEXT_LOOP
#endif

/* Per-code-point flags of the folded stream. */
#define CH_T_LETTER 1u
#define CH_T_MARK 2u
#define CH_T_DIGIT 4u
#define CH_T_UPPER 8u /* came from an upper-case letter */
#define CH_T_COMP2 16u
#define CH_T_WORD (CH_T_LETTER | CH_T_MARK | CH_T_DIGIT)
#define CH_T_TAG 32u    /* '#', '@', '<', 'h', 'w': may start a social token */
#define CH_T_USCORE 64u /* '_', a word character of names and hashtags */

/* Stream flags from a table entry: the same five bits, in the same order
 * (CH_FOLD_LETTER is 1 << 8 ... CH_FOLD_COMP2 is 16 << 8). */
static inline uint8_t ch_text_flags(uint32_t e) { return (uint8_t)((e >> 8) & 0x1F); }

/* The bits of a folded code point that the table does not hold. */
static inline uint8_t ch_text_extra(uint32_t c)
{
    if (c == '#' || c == '@' || c == '<' || c == 'h' || c == 'w')
        return CH_T_TAG;
    return c == '_' ? CH_T_USCORE : 0;
}

/* The folded stream: code point, offset of its source in the input, flags. */
typedef struct ch_cps {
    uint32_t *cp, *off;
    uint8_t *fl;
    size_t n, cap;
} ch_cps;

struct chorus_normalizer {
    chorus_ctx *ctx;
    chorus_text_opts o;
    ch_cps s;
    size_t out_cap;   /* the most output bytes (and stream code points) */
    size_t s_base;    /* stream code points of the input before n->s */
    uint32_t in_len;  /* input bytes read */
    int truncated;
    int fold_cut;     /* the first pass stopped at out_cap code points */
    uint32_t ascii_cp[128];
    uint8_t ascii_fl[128];
    uint8_t ascii_letter[128]; /* the folded letter, 0 for anything else */
    uint8_t ascii_handle[128]; /* a character of an account name */
    /* U+0080-U+07FF (two UTF-8 bytes: Latin, Greek, Cyrillic, Arabic
     * script) in one lookup: the folded code point and its stream flags
     * (CH_TWO_*), or whether it is deleted or needs the general path. */
    uint32_t two[0x800 - 0x80];
};

#define CH_TWO_CP 0x1FFFFFu
#define CH_TWO_FL_SHIFT 21 /* 7 bits of stream flags */
#define CH_TWO_DELETE (1u << 28)
#define CH_TWO_SLOW (1u << 29)

/* Writes the match form of s[0..len) into out: plain ASCII directly,
 * the rest through the folded stream (ch_text_fold) a piece at a time. */
chorus_rc ch_text_write(chorus_normalizer *n, const unsigned char *s, size_t len,
                        chorus_text_buf *out);

/* First pass from s[i] of the input s[0..len) into n->s, whose first
 * code point is the s_base-th of the whole text, up to len or to the end
 * of the piece (*end): see ch_text_piece_end. */
chorus_rc ch_text_fold(chorus_normalizer *n, const unsigned char *s, size_t i, size_t len,
                       size_t *end);

/* The stream's piece ends before a long run of ASCII, which tokens.c
 * writes without the stream... */
#define CH_TEXT_MIN_RUN 16

/* ...at s[q], after a space and before ASCII that is neither a space
 * nor '@' (s[q - 1 .. q + 1] are ASCII): nothing in the second pass looks
 * across a space but a retweet prefix, which wants spaces and '@'. */
static inline int ch_text_piece_end(const chorus_normalizer *n, const unsigned char *s, size_t q)
{
    return s[q - 1] == ' ' && s[q] != '@' && n->ascii_cp[s[q]] != ' ';
}

/* Where the ASCII bytes from s[i] end. */
static inline size_t ch_text_ascii_end(const unsigned char *s, size_t i, size_t len)
{
    for (uint64_t x; i + 8 <= len; i += 8) {
        memcpy(&x, s + i, 8);
        if (x & 0x8080808080808080ull)
            break;
    }
    while (i < len && s[i] < 0x80)
        i++;
    return i;
}

/* Fills the normaliser's ASCII tables that tokens.c owns (after
 * ascii_cp and ascii_fl). */
void ch_text_ascii_init(chorus_normalizer *n);

/* Makes room for need code points in n->s. */
chorus_rc ch_text_cps_reserve(chorus_normalizer *n, size_t need);

/* Makes room for need output bytes (and need + 1 offsets) in b. */
chorus_rc ch_text_buf_reserve(chorus_text_buf *b, size_t need);

/* Encodes cp as UTF-8 into p (4 bytes of room); returns the length. */
static inline size_t ch_text_utf8(uint32_t cp, char *p)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (char)(0xC0 | cp >> 6);
        p[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (char)(0xE0 | cp >> 12);
        p[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (char)(0xF0 | cp >> 18);
    p[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    p[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the valid sequence of k bytes (ch_utf8_seq) at p. */
static inline uint32_t ch_text_decode(const unsigned char *p, size_t k)
{
    switch (k) {
    case 2: return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    case 3: return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    default:
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
               (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    }
}

#endif
