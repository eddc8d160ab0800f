/*
 * corpus_impl.h - the corpus's storage, shared by its modules: posts as
 * columns (struct of arrays), accounts as a table indexed by the account
 * id's intern number, one string table for every repeated value, and a
 * text arena. A post id that is a decimal number is stored as the number.
 */
#ifndef CH_CORPUS_IMPL_H
#define CH_CORPUS_IMPL_H

#include "core/arena.h"
#include "core/intern.h"
#include "io/record.h"

#define CH_NONE UINT32_MAX
#define CH_KEY_STR (1ULL << 63) /* post key holds an interned string id */
#define CH_KEY_NONE UINT64_MAX
#define CH_MAX_OBJECT_COLUMNS 8

typedef struct ch_account {
    chorus_str display_name, screen_name, location, description, url, lang;
    int64_t followers, following, created_ms;
    uint32_t n_posts;
    uint8_t has_profile, pseudonymised;
} ch_account;

struct chorus_corpus {
    chorus_ctx *ctx;
    ch_intern strs;     /* hashtags, urls, mentions, clients, ids that are not numbers */
    ch_intern acct_ids; /* account id -> account index */
    ch_arena text;      /* post texts and account profile strings */
    /* posts */
    size_t np, pcap;
    uint64_t *key, *ref;      /* post id key; referenced post key or CH_KEY_NONE */
    uint32_t *acct, *ref_acct;
    int64_t *time;
    uint8_t *kind, *res;
    uint16_t *file;
    const char **txt;
    uint32_t *txt_len;
    uint32_t *client, *lang, *source, *title;
    uint64_t *list_off; /* into lists: hashtags, then urls, then mentions */
    uint16_t *n_tags, *n_urls, *n_ments;
    uint32_t *lists;
    size_t nl, lcap;
    uint32_t *obj[CH_MAX_OBJECT_COLUMNS];
    char *obj_name[CH_MAX_OBJECT_COLUMNS];
    uint32_t n_objcols;
    uint32_t cur_obj_map[CH_MAX_OBJECT_COLUMNS]; /* member's columns -> corpus columns */
    /* post id keys + 1 (0 = empty), for duplicates; NULL while the keys
     * come in increasing order (corpus.c, has_post) */
    uint64_t *pslots;
    size_t npslots, key_searches;
    /* accounts */
    ch_account *acc;
    size_t acap;
    /* input files */
    char **files;
    size_t nfiles, fcap;
    chorus_ingest_stats *stats; /* of the ingest call in progress */
    int64_t tmin, tmax;
};

/* Sink callbacks used by chorus_ingest (corpus.c). */
chorus_rc ch_corpus_add_post(void *ud, const ch_post_rec *p, const ch_account_rec *author);
chorus_rc ch_corpus_add_account(void *ud, const ch_account_rec *a);
chorus_rc ch_corpus_object_columns(void *ud, const char *const *names, uint32_t n);

/* Account index for an id, creating a stub account when new. CH_NONE on error. */
uint32_t ch_corpus_account_of(chorus_corpus *c, chorus_str id);

/* ch_corpus_account_of with h = ch_intern_hash of the id already computed. */
uint32_t ch_corpus_account_hashed(chorus_corpus *c, chorus_str id, uint64_t h);

/* Hint that post p is added soon: asks the cache for its table slots,
 * then (near) for the strings and the account they point to (when p
 * carries hints; see record.h). */
void ch_corpus_prefetch(void *ud, const ch_post_rec *p, int near);

/* Fills a stub account's profile from a record (no-op once it has one). */
chorus_rc ch_corpus_set_profile(chorus_corpus *c, uint32_t a, const ch_account_rec *rec);

/* Key of a post id (number, or interned string flagged CH_KEY_STR). */
uint64_t ch_corpus_post_key(chorus_corpus *c, chorus_str id, int *err);

/* A post key as text: the interned string, or the number printed into
 * buf (at least 24 bytes); empty for CH_KEY_NONE. */
chorus_str ch_corpus_key_str(const chorus_corpus *c, uint64_t key, char *buf);

/* Registers an input file; returns its index in c->files. */
chorus_rc ch_corpus_add_file(chorus_corpus *c, const char *path, uint32_t *index);

#endif
