/*
 * corpus.h - ingest of input files into a corpus of posts and accounts.
 * A corpus holds every post (columnar arrays, interned strings) and every
 * account seen as author or as referenced account. Readers stream: no file
 * is ever loaded whole. The corpus owns all memory behind the views it gives.
 */
#ifndef CHORUS_CORPUS_H
#define CHORUS_CORPUS_H

#include <chorus/chorus.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A string with its length; not NUL-terminated unless said so. */
typedef struct chorus_str {
    const char *ptr;
    size_t len;
} chorus_str;

typedef enum chorus_format {
    CHORUS_FMT_AUTO = 0,  /* from the first bytes and the CSV header */
    CHORUS_FMT_IO_TWEETS, /* Twitter IO archive tweets CSV (31 columns) */
    CHORUS_FMT_IO_USERS,  /* Twitter IO archive users CSV (10 columns) */
    CHORUS_FMT_JSONL,     /* Twitter API v1.1 or v2 JSON lines (per line) */
    CHORUS_FMT_CSV_MAP    /* any CSV with a column mapping */
} chorus_format;

typedef enum chorus_post_kind {
    CHORUS_KIND_POST = 0,
    CHORUS_KIND_RETWEET = 1,
    CHORUS_KIND_REPLY = 2,
    CHORUS_KIND_QUOTE = 3
} chorus_post_kind;

/* Resolution of a post's time: what the input really told us. */
typedef enum chorus_time_res {
    CHORUS_TIME_MS = 0,
    CHORUS_TIME_SECOND = 1,
    CHORUS_TIME_MINUTE = 2
} chorus_time_res;

/* Why a row was skipped (or, in strict mode, stopped the run). */
typedef enum chorus_skip_reason {
    CHORUS_SKIP_FIELD_COUNT = 0, /* row has a different number of fields */
    CHORUS_SKIP_MISSING,         /* a required field is empty */
    CHORUS_SKIP_BAD_TIME,        /* time not in an accepted format */
    CHORUS_SKIP_BAD_ID,          /* id not usable */
    CHORUS_SKIP_BAD_NUMBER,      /* count or flag not a number/boolean */
    CHORUS_SKIP_BAD_LIST,        /* list column not a list */
    CHORUS_SKIP_BAD_JSON,        /* JSON line not parseable or wrong shape */
    CHORUS_SKIP_TOO_LARGE,       /* record over the record limit */
    CHORUS_SKIP_BAD_QUOTE,       /* CSV quote error */
    CHORUS_SKIP_REASONS          /* count */
} chorus_skip_reason;

/* Short, stable name of a skip reason ("bad_time", ...). */
const char *chorus_skip_reason_name(int reason);

/* Column mapping for CHORUS_FMT_CSV_MAP: each member names the CSV column
 * that holds that field, or is NULL. time and account are required unless
 * the input has an object column only (then object+account+time). */
typedef struct chorus_column_map {
    const char *id, *account, *time, *text, *url, *source, *title, *kind, *ref_post,
        *ref_account, *hashtags, *mentions, *lang, *client, *account_name;
    const char *object[8]; /* generic object columns (CooRTweet-style) */
    const char *object_name[8];
    int n_object;
} chorus_column_map;

/* Parses "field=column,field=column" into map (strings point into spec,
 * which must outlive the map). Returns CHORUS_EUSAGE on an unknown field. */
chorus_rc chorus_column_map_parse(chorus_ctx *ctx, char *spec, chorus_column_map *map);

typedef struct chorus_ingest_opts {
    chorus_format format;      /* CHORUS_FMT_AUTO by default */
    const chorus_column_map *map; /* required for CHORUS_FMT_CSV_MAP */
    int strict;                /* stop at the first bad row */
    char delimiter;            /* CSV delimiter, 0 = ',' */
} chorus_ingest_opts;

/* Counts for one ingest call (added to, so one struct can sum many). */
typedef struct chorus_ingest_stats {
    uint64_t files, bytes, rows_read, rows_kept, rows_skipped;
    uint64_t skipped_by_reason[CHORUS_SKIP_REASONS];
    uint64_t posts;        /* distinct posts added to the corpus */
    uint64_t posts_by_kind[4]; /* of those, by chorus_post_kind */
    uint64_t duplicates;   /* rows whose post id the corpus already held (kept once) */
    uint64_t accounts_rows; /* account rows (users files, API user objects) */
    uint64_t invalid_utf8; /* texts with invalid UTF-8 (kept as bytes) */
} chorus_ingest_stats;

typedef struct chorus_corpus chorus_corpus;

/* Creates an empty corpus bound to ctx. */
chorus_corpus *chorus_corpus_new(chorus_ctx *ctx);

/* Frees the corpus and everything it owns. */
void chorus_corpus_free(chorus_corpus *c);

/* Reads one input ("-" for stdin; .gz, .zst and .zip are opened
 * transparently) into the corpus and adds to stats (may be NULL).
 * Returns CHORUS_OK, or an error whose message names file, line and field.
 * A truncated or damaged file is an error; rows read before it stay. */
chorus_rc chorus_ingest(chorus_corpus *c, const char *path, const chorus_ingest_opts *opts,
                        chorus_ingest_stats *stats);

uint32_t chorus_corpus_post_count(const chorus_corpus *c);
uint32_t chorus_corpus_account_count(const chorus_corpus *c);

/* Bytes the corpus holds (arenas, arrays and tables). */
uint64_t chorus_corpus_memory(const chorus_corpus *c);

/* Post as seen through a view. Strings point into the corpus or into the
 * view's own buffers; they live until the corpus is freed or the view is
 * reused. Lists are interned string ids: see chorus_corpus_string. */
typedef struct chorus_post_view {
    chorus_str id;
    uint32_t account;        /* account index */
    int64_t time_ms;         /* UTC milliseconds since the epoch */
    chorus_time_res time_res;
    chorus_post_kind kind;
    chorus_str text;
    chorus_str ref_post;     /* retweeted / replied / quoted post id, or empty */
    int64_t ref_account;     /* account index of the referenced author, or -1 */
    const uint32_t *hashtags, *urls, *mentions;
    uint32_t n_hashtags, n_urls, n_mentions;
    chorus_str client, lang, source, title;
    uint32_t client_sid, lang_sid, source_sid; /* string ids, UINT32_MAX when empty */
    uint32_t file;           /* index of the input file it came from */
    char id_buf[24], ref_buf[24];
} chorus_post_view;

/* Fills v with post i (0 <= i < post_count). */
void chorus_corpus_post(const chorus_corpus *c, uint32_t i, chorus_post_view *v);

/* Post i's account index and client string id (UINT32_MAX when none):
 * what per-post passes over millions of posts need, without a view. */
uint32_t chorus_corpus_post_account(const chorus_corpus *c, uint32_t i);
uint32_t chorus_corpus_post_client(const chorus_corpus *c, uint32_t i);

typedef struct chorus_account_view {
    chorus_str id, display_name, screen_name, location, description, url, lang;
    int64_t followers, following; /* -1 when unknown */
    int64_t created_ms;           /* INT64_MIN when unknown */
    uint32_t n_posts;             /* posts authored in the corpus */
    int pseudonymised;            /* id is an IO-archive base64 pseudonym */
} chorus_account_view;

/* Fills v with account i (0 <= i < account_count). */
void chorus_corpus_account(const chorus_corpus *c, uint32_t i, chorus_account_view *v);

/* Account index for an id, or -1. */
int64_t chorus_corpus_find_account(const chorus_corpus *c, const char *id, size_t len);

/* An interned string (hashtag, URL, mention, client, ...) by id. */
chorus_str chorus_corpus_string(const chorus_corpus *c, uint32_t sid);

/* Stable 64-bit hash of an account id, the same in every run and file
 * order: the key for partitioning work by account. */
uint64_t chorus_corpus_account_hash(const chorus_corpus *c, uint32_t account);

/* Stable 64-bit hash of an interned string (a hashtag, URL, object...),
 * independent of ids and file order: the key for partitioning by object. */
uint64_t chorus_corpus_string_hash(const chorus_corpus *c, uint32_t sid);

/* Input files read so far, by index. */
uint32_t chorus_corpus_file_count(const chorus_corpus *c);
const char *chorus_corpus_file_name(const chorus_corpus *c, uint32_t file);

/* Generic object columns (CSV_MAP with object columns): per post, the
 * object string id for object column k, or UINT32_MAX when empty. */
uint32_t chorus_corpus_object_columns(const chorus_corpus *c);
const char *chorus_corpus_object_column_name(const chorus_corpus *c, uint32_t k);
uint32_t chorus_corpus_post_object(const chorus_corpus *c, uint32_t post, uint32_t k);

/* Time span of the posts (0,0 when empty). */
void chorus_corpus_time_span(const chorus_corpus *c, int64_t *first_ms, int64_t *last_ms);

/* Milliseconds encoded in a snowflake id, or INT64_MIN when id is not a
 * plausible snowflake (before Nov 2010 or far in the future). */
int64_t chorus_snowflake_ms(uint64_t id);

/* Formats UTC milliseconds as ISO 8601 ("2019-06-01T12:30:05.123Z", the
 * fraction only when non-zero) into out (at least 32 bytes). Returns the
 * length. */
size_t chorus_format_time_utc(int64_t ms, char *out);

#ifdef __cplusplus
}
#endif
#endif
