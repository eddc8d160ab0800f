/*
 * sim.h - the generator's internal model, shared by its modules: the
 * random source, accounts, posts as they are emitted, the narrative
 * catalogue, the output writers (IO CSV, API v1.1 and v2 JSON lines) and
 * the news-article writer that launders campaign text into outlets.
 */
#ifndef CH_SIM_H
#define CH_SIM_H

#include "core/ctx.h"
#include <chorus/corpus.h>
#include <chorus/sim.h>

#include <stdio.h>

/* ---- randomness: splitmix64, one stream per purpose, never rand() ---- */

typedef struct sim_rng {
    uint64_t s;
} sim_rng;

static inline uint64_t sim_next(sim_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0). */
static inline uint64_t sim_below(sim_rng *r, uint64_t n) { return sim_next(r) % n; }

/* Uniform in [0, 1), from the top 53 bits (exact and portable). */
static inline double sim_unit(sim_rng *r) { return (double)(sim_next(r) >> 11) * 0x1.0p-53; }

/* A stream derived from a seed and a purpose label, so adding a draw in
 * one part of the generator does not shift every other part. */
static inline sim_rng sim_stream(uint64_t seed, uint64_t purpose)
{
    sim_rng r = {seed ^ (purpose * 0xd1342543de82ef95ULL)};
    sim_next(&r);
    return r;
}

/* ---- accounts ---- */

typedef enum sim_role {
    SIM_ORGANIC = 0,
    SIM_CAMPAIGN,        /* planted: campaign_id >= 0, strategy set */
    SIM_BENIGN_NEWS,     /* an outlet's account family (scheduled, same headline) */
    SIM_BENIGN_FAN,      /* a fan community (mass retweets, hashtag parties) */
    SIM_BENIGN_QUOTEBOT, /* a scheduled quote bot */
    SIM_OUTLET           /* the outlet's own main account (organic) */
} sim_role;

typedef enum sim_strategy {
    SIM_STRAT_NONE = 0,
    SIM_STRAT_RETWEET_RING, /* members retweet each other's seeds with jittered delays */
    SIM_STRAT_COPYPASTA,    /* members post a narrative's text with perturbations */
    SIM_STRAT_LINK_PUSH,    /* members push links through shorteners and front domains */
    SIM_STRAT_HASHTAG_SEQ,  /* members post identical hashtag sequences */
    SIM_STRAT_SLOW,         /* small teams, the same content spread over hours or days */
    SIM_STRAT_COUNT
} sim_strategy;

/* Names used in truth_accounts.csv ("retweet_ring", ...). */
const char *sim_strategy_name(sim_strategy s);
/* "benign:news_family", "benign:fan_community", "benign:quote_bot", or "". */
const char *sim_role_truth(sim_role r);

typedef struct sim_account {
    char id[48];          /* numeric id, or a base64 pseudonym of 41-44 chars */
    char screen_name[48]; /* handle (the pseudonym when pseudonymised) */
    char display_name[64];
    uint8_t id_len, screen_len, display_len;
    uint8_t pseudonymised; /* followers < 5000, as in the IO archive */
    int64_t created_ms;
    uint32_t followers, following;
    const char *lang;        /* "en", "fa", "ar" */
    const char *location;    /* fictional place or "" */
    const char *description; /* fictional bio or "" */
    const char *client;      /* usual client */
    int16_t tz_minutes;      /* UTC offset of the daily rhythm */
    uint8_t role;            /* sim_role */
    uint8_t strategy;        /* sim_strategy (campaign accounts) */
    int16_t group;           /* campaign id, or benign group id, or -1 */
    float activity;          /* relative posting rate (heavy-tailed) */
} sim_account;

/* ---- posts, as handed to an output writer (in time order) ---- */

#define SIM_MAX_TAGS 8
#define SIM_MAX_URLS 4
#define SIM_MAX_MENTIONS 4

typedef struct sim_post {
    uint64_t id;         /* snowflake: ((time_ms - 1288834974657) << 22) | sequence */
    int64_t time_ms;
    uint32_t account;    /* index into the accounts array */
    chorus_post_kind kind;
    uint64_t ref_id;     /* retweeted / quoted / replied-to post, 0 when none */
    int64_t ref_time_ms; /* its time */
    int64_t ref_account; /* its author (account index), -1 when none */
    const char *text;    /* full text; a retweet's is "RT @name: original" */
    size_t text_len;
    const char *hashtags[SIM_MAX_TAGS]; /* without '#', in order of appearance */
    uint8_t n_hashtags;
    const char *urls[SIM_MAX_URLS]; /* expanded URLs */
    uint8_t n_urls;
    uint32_t mentions[SIM_MAX_MENTIONS]; /* account indexes */
    uint8_t n_mentions;
    const char *client;
    const char *lang;
} sim_post;

/* ---- output writers: one per format, the same calls ---- */

typedef struct sim_output sim_output;
struct sim_output {
    chorus_ctx *ctx;
    FILE *f;
    const char *path;
    const sim_account *accounts; /* the whole table, for authors and mentions */
    size_t n_accounts;
    int second_resolution;
    void *state;
    chorus_rc (*post)(sim_output *o, const sim_post *p);
    chorus_rc (*finish)(sim_output *o); /* flushes; does not close f */
};

/* Prepares o to write in format fmt to o->f (already open); the caller
 * sets ctx, f, path, accounts, n_accounts, second_resolution first. */
chorus_rc sim_output_init(sim_output *o, chorus_sim_format fmt);

/* The JSON writers (output_json.c), called by sim_output_init for
 * CHORUS_SIM_V1 and CHORUS_SIM_V2. */
chorus_rc sim_output_json_init(sim_output *o, chorus_sim_format fmt);

/* Writes s as a CSV cell (RFC 4180 quoting when needed) to f. */
void sim_csv_cell(FILE *f, const char *s, size_t n);

/* ---- the narrative catalogue (fictional talking points) ---- */

typedef struct sim_narrative {
    const char *id;      /* "N01" ... */
    const char *label;   /* short English label */
    const char *text;    /* English talking point, one or two sentences */
    const char *text_fa; /* Persian version, or NULL */
    const char *hashtags[3]; /* the campaign hashtags pushed with it */
    const char *domain;  /* the campaign's front domain for its links */
    const char *paraphrase; /* the same claim in other words (paraphrase laundering) */
} sim_narrative;

/* The fixed catalogue (read-only data). */
const sim_narrative *sim_narratives(size_t *n);

/* The first campaign post that used each narrative (verbatim or
 * perturbed), collected while posts are generated; documents launder
 * from these. */
typedef struct sim_use {
    uint32_t narrative;
    uint64_t post_id;
    int64_t time_ms;
    uint32_t account;
} sim_use;

/* Writes documents.csv, truth_docs.csv and truth_laundering.csv into dir:
 * news articles from fictional outlets over the simulated days; some
 * reuse a narrative after its first campaign use (verbatim, edited, or
 * paraphrased), the rest are unrelated. Returns counts through docs and
 * laundered. */
chorus_rc sim_write_documents(chorus_ctx *ctx, const chorus_sim_opts *opts, const char *dir,
                              const sim_use *uses, size_t n_uses, uint64_t *docs,
                              uint64_t *laundered);

/* Writes narratives.csv (narrative_id,label,text; a second row with the
 * Persian text where there is one). */
chorus_rc sim_write_narratives(chorus_ctx *ctx, const char *dir, uint64_t *rows);

#endif
