/*
 * sim.h - `chorus simulate`: synthetic social-media and news data with
 * ground truth (planted campaigns, benign coordinated groups, laundered
 * articles). Deterministic: the same options give the same bytes on any
 * machine. All content is fictional.
 */
#ifndef CHORUS_SIM_H
#define CHORUS_SIM_H

#include <chorus/chorus.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chorus_sim_difficulty {
    CHORUS_SIM_EASY = 0,
    CHORUS_SIM_MEDIUM = 1,
    CHORUS_SIM_HARD = 2
} chorus_sim_difficulty;

typedef enum chorus_sim_format {
    CHORUS_SIM_IO = 0, /* Twitter IO archive tweets.csv (31 columns) */
    CHORUS_SIM_V1 = 1, /* Twitter API v1.1 JSON lines: tweets.jsonl */
    CHORUS_SIM_V2 = 2  /* Twitter API v2 JSON lines (one page per line): tweets.jsonl */
} chorus_sim_format;

typedef struct chorus_sim_opts {
    const char *out_dir;   /* created if missing; files in it are replaced */
    uint64_t seed;
    uint64_t posts;        /* social-media posts to write (approximately: +-1%) */
    uint32_t accounts;     /* accounts in total; 0 = posts / 40 */
    uint32_t campaigns;    /* planted campaigns */
    uint32_t days;         /* time span */
    chorus_sim_difficulty difficulty;
    int second_resolution; /* tweet_time with seconds (default: minutes, as real releases) */
    chorus_sim_format format;
    int64_t start_ms;      /* first day, UTC ms (default 2019-03-01) */
} chorus_sim_opts;

/* What was written (also in manifest.json). */
typedef struct chorus_sim_counts {
    uint64_t posts, retweets, replies, quotes, accounts, campaign_accounts, benign_accounts;
    uint64_t campaign_posts, documents, laundered_documents, narratives, exposed_accounts;
} chorus_sim_counts;

/* Fills opts with the defaults: seed 1, 100,000 posts, 6 campaigns, 30
 * days, medium, minute resolution, IO format, start 2019-03-01. */
void chorus_sim_defaults(chorus_sim_opts *opts);

/* Writes the data set into opts->out_dir. Streams: memory stays bounded
 * whatever opts->posts is. counts may be NULL. Errors name the file. */
chorus_rc chorus_simulate(chorus_ctx *ctx, const chorus_sim_opts *opts, chorus_sim_counts *counts);

#ifdef __cplusplus
}
#endif
#endif
