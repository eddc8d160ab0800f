/*
 * record.h - what a reader hands on for each input row: a post record and
 * the author's account record, as borrowed strings. Readers know nothing
 * of the corpus; they push records into a ch_sink that a higher layer
 * implements. Strings are valid only during the sink call.
 */
#ifndef CH_RECORD_H
#define CH_RECORD_H

#include <chorus/corpus.h>

#define CH_TIME_UNKNOWN INT64_MIN
#define CH_COUNT_UNKNOWN (-1)
#define CH_MAX_LIST 256 /* items kept per list column; more are counted, dropped */

typedef struct ch_account_rec {
    chorus_str id, display_name, screen_name, location, description, url, lang;
    int64_t followers, following; /* CH_COUNT_UNKNOWN when absent */
    int64_t created_ms;           /* CH_TIME_UNKNOWN when absent */
} ch_account_rec;

typedef struct ch_post_rec {
    chorus_str id, account;
    int64_t time_ms;
    chorus_time_res time_res;
    chorus_post_kind kind;
    chorus_str text, ref_post, ref_account, title, client, lang, source;
    const chorus_str *hashtags, *urls, *mentions;
    uint32_t n_hashtags, n_urls, n_mentions;
    const chorus_str *objects; /* generic object columns, n_objects of them */
    uint32_t n_objects;
    const struct ch_post_hints *hints; /* NULL unless a reading thread did them */
} ch_post_rec;

/* Work a reading thread does ahead for the thread that adds the post
 * (src/io/relay.c): the intern hashes (ch_intern_hash) of the strings the
 * corpus interns, and the text's UTF-8 check. */
typedef struct ch_post_hints {
    uint64_t account, ref_account, client, lang, source, title;
    const uint64_t *lists; /* hashtags, then urls, then mentions */
    uint64_t id_num, ref_num; /* the post ids as decimal numbers without
                                 leading zeros; UINT64_MAX when not */
    int text_valid;
} ch_post_hints;

typedef struct ch_sink {
    void *ud;
    /* A post and, when the row carries one, its author's profile. */
    chorus_rc (*post)(void *ud, const ch_post_rec *p, const ch_account_rec *author);
    /* An account row (users files, API user objects, referenced authors). */
    chorus_rc (*account)(void *ud, const ch_account_rec *a);
    /* Names of the generic object columns, once per mapped CSV member. */
    chorus_rc (*object_columns)(void *ud, const char *const *names, uint32_t n);
} ch_sink;

/* Sets every field of a to "unknown". */
void ch_account_rec_init(ch_account_rec *a);

/* Sets every field of p to empty/unknown (kind post). */
void ch_post_rec_init(ch_post_rec *p);

#endif
