/*
 * text.h - the match form of a text: one normalised spelling under which
 * copies of the same message compare equal whatever keyboard, client or
 * evasion trick produced them (NFKC, case, Arabic and Persian letter
 * variants, invisibles, diacritics, links, retweet prefixes), with a map
 * back to the original bytes; and the tweet signal built on it.
 * The rules, one by one, are in docs/text.md.
 */
#ifndef CHORUS_TEXT_H
#define CHORUS_TEXT_H

#include <chorus/actions.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What becomes of links. */
typedef enum chorus_text_urls {
    CHORUS_TEXT_URL_DOMAIN = 0, /* a token "<url:example.com>" (the default) */
    CHORUS_TEXT_URL_DROP,       /* removed */
    CHORUS_TEXT_URL_KEEP        /* left as text (folded like any other text) */
} chorus_text_urls;

typedef struct chorus_text_opts {
    int strip_rt;            /* remove leading "RT @name:" prefixes (default 1) */
    chorus_text_urls urls;   /* default CHORUS_TEXT_URL_DOMAIN */
    int keep_mentions;       /* 1: "@name" stays as a token; 0: removed (default 1) */
    int strip_lead_mentions; /* remove the mentions a text starts with (default 0) */
    int hashtags;            /* 1: "#Tag_Name" becomes "#tagname tag name" (default 1) */
    int join_affixes;        /* 1: Persian می/نمی and ها/های/تر/ترین join their word (default 1) */
    uint32_t max_repeat;     /* letters repeated more are cut to this many (default 2; 0 = off) */
    size_t max_bytes;        /* longer inputs are truncated (default 1 MiB; at most 1 GiB) */
} chorus_text_opts;

/* Fills o with the defaults above. */
void chorus_text_defaults(chorus_text_opts *o);

/* The default minimum word count of the tweet signal. */
#define CHORUS_TEXT_MIN_WORDS 5

/* A caller-owned, reusable output buffer. After chorus_normalize:
 * text[0..len) is the match form (NUL-terminated); src_off has len + 1
 * entries: src_off[i] is the offset in the input of the character that
 * output byte i came from, non-decreasing, and src_off[len] is the number
 * of input bytes read. A match [i, j) of the match form therefore covers
 * the input bytes [src_off[i], src_off[j]). */
typedef struct chorus_text_buf {
    char *text;
    size_t len;
    uint32_t *src_off;
    uint32_t words;  /* words of the text: see chorus_normalize */
    int truncated;   /* the input (or the output) was cut at max_bytes */
    chorus_ctx *ctx; /* private from here on */
    size_t cap;
} chorus_text_buf;

/* Prepares an empty buffer whose memory will come from ctx. */
void chorus_text_buf_init(chorus_text_buf *b, chorus_ctx *ctx);

/* Frees the buffer's memory (the struct itself is the caller's). */
void chorus_text_buf_free(chorus_text_buf *b);

typedef struct chorus_normalizer chorus_normalizer;

/* Creates a normaliser with options o (NULL for the defaults); *out is the
 * caller's, to free with chorus_normalizer_free. It holds scratch memory
 * reused between calls, so use one per thread. CHORUS_EUSAGE when
 * max_bytes is 0 or over 1 GiB, CHORUS_ENOMEM when out of memory. */
chorus_rc chorus_normalizer_new(chorus_ctx *ctx, const chorus_text_opts *o,
                                chorus_normalizer **out);

void chorus_normalizer_free(chorus_normalizer *n);

/* Writes the match form of s[0..len) (any bytes: invalid UTF-8 becomes
 * U+FFFD) into out, replacing what it held. Input past max_bytes is
 * ignored, and output past twice max_bytes dropped; out->truncated says
 * so. out->words counts the tokens that hold a letter or digit, except
 * link tokens, mentions and the parts added after a hashtag.
 * CHORUS_ENOMEM on allocation failure (out is then empty). */
chorus_rc chorus_normalize(chorus_normalizer *n, const char *s, size_t len, chorus_text_buf *out);

/* The compact form: in's match form without its spaces (offsets kept),
 * under which a word written joined, with a space or with a ZWNJ is the
 * same (for character shingles). in and out must differ. */
chorus_rc chorus_text_compact(const chorus_text_buf *in, chorus_text_buf *out);

/* Words of a match form: space-separated tokens that hold a letter or a
 * digit, except link tokens ("<url...>") and mentions ("@..."). Unlike
 * out->words it cannot tell hashtag parts from words, and counts them. */
size_t chorus_text_word_count(const char *s, size_t len);

/* 64-bit hash (XXH3, fixed seed: stable across runs) of a match form. */
uint64_t chorus_text_hash(const char *s, size_t len);

/* The tweet signal: one action per post that is not a retweet (originals,
 * replies and quotes: copy-pasted text is posted as all three, while a
 * retweet's text is the retweeted post's), whose object is the match form
 * of its text under options o (NULL for the defaults), at the post's time.
 * A reply's text is read with strip_lead_mentions on: the mentions a reply
 * starts with name whom it answers, not what it says.
 * Posts with fewer than min_words words (out->words) are left out. Labels
 * are the match form, or for one over 256 bytes its first 200 bytes, "…"
 * and the hash in hex (U+2026 never occurs in a match form). *out is the
 * caller's, to free with chorus_actions_free. */
chorus_rc chorus_text_tweet_actions(chorus_ctx *ctx, const chorus_corpus *c,
                                    const chorus_text_opts *o, uint32_t min_words,
                                    chorus_actions **out);

/* The same on up to `threads` threads, this one included: helpers
 * normalise chunks of posts ahead while this thread adds the actions in
 * post order, so the set does not depend on the thread count. */
chorus_rc chorus_text_tweet_actions_threads(chorus_ctx *ctx, const chorus_corpus *c,
                                            const chorus_text_opts *o, uint32_t min_words,
                                            uint32_t threads, chorus_actions **out);

#ifdef __cplusplus
}
#endif
#endif
