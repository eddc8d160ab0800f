/*
 * actions.h - signals: each reduces the corpus to actions (account,
 * object, time) that the co-action algorithm (coord.h) works on. Objects
 * get dense ids within one action set and keep a printable label (the
 * retweeted post id, the canonical URL, the hashtag sequence...).
 */
#ifndef CHORUS_ACTIONS_H
#define CHORUS_ACTIONS_H

#include <chorus/coord.h>
#include <chorus/corpus.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chorus_signal {
    CHORUS_SIG_RETWEET = 0, /* object: the retweeted post */
    CHORUS_SIG_REPLY,       /* object: the post replied to */
    CHORUS_SIG_LINK,        /* object: the canonical URL (or its domain) */
    CHORUS_SIG_HASHTAGS,    /* object: the ordered hashtag sequence (>= min_hashtags) */
    CHORUS_SIG_FASTRETWEET, /* object: the retweeted author, retweets within fast_ms */
    CHORUS_SIG_ACTION,      /* object: a generic object column of a mapped CSV */
    CHORUS_SIG_TWEET,       /* object: the normalised text (built by the text stage) */
    CHORUS_SIG_SIMILAR,     /* object: the near-duplicate cluster (text stage) */
    CHORUS_SIG_COUNT
} chorus_signal;

/* "retweet", "reply", "link", "hashtags", "fastretweet", "action", "tweet", "similar". */
const char *chorus_signal_name(chorus_signal s);

/* Signal by name; -1 when unknown. */
int chorus_signal_from_name(const char *name);

typedef struct chorus_action_opts {
    int link_domain;        /* link signal on domains instead of full URLs */
    uint32_t min_hashtags;  /* hashtags signal: at least this many (default 3) */
    int64_t fast_ms;        /* fastretweet: delay bound (default 10 s) */
    uint32_t object_column; /* action signal: which generic object column */
} chorus_action_opts;

/* Fills o with the defaults above (caller owns o). */
void chorus_action_defaults(chorus_action_opts *o);

typedef struct chorus_actions chorus_actions;

/* An empty action set (for signals built outside the corpus layer). */
chorus_actions *chorus_actions_new(chorus_ctx *ctx);

/* Adds one action whose object is named by label (interned: equal labels
 * are the same object). */
chorus_rc chorus_actions_add(chorus_actions *s, uint32_t account, const char *label, size_t len,
                             int64_t time_ms);

/* Adds one action on an object the set already has (object <
 * chorus_actions_objects(s)): no label to hash, for callers that add many
 * actions on the same objects. CHORUS_EUSAGE for an unknown object. */
chorus_rc chorus_actions_add_object(chorus_actions *s, uint32_t account, uint32_t object,
                                    int64_t time_ms);

/* Builds the action set of signal sig from the corpus (CHORUS_SIG_TWEET
 * and CHORUS_SIG_SIMILAR are built by the text stage with chorus_actions_add
 * and give CHORUS_EUSAGE here). *out is owned by the caller. */
chorus_rc chorus_actions_build(chorus_ctx *ctx, const chorus_corpus *c, chorus_signal sig,
                               const chorus_action_opts *opts, chorus_actions **out);

/* The actions (the array may be reordered by chorus_copairs_compute). */
chorus_action *chorus_actions_data(chorus_actions *s, size_t *n);

/* Per object (chorus_actions_objects entries): the account the object
 * comes from when the signal knows it (the author of a retweeted or
 * replied-to post, the author of fastretweet), UINT32_MAX where it does
 * not; NULL when no object has one. Owned by the set. The significance
 * test takes an object's first actor where no source is known. */
const uint32_t *chorus_actions_sources(const chorus_actions *s);

/* Number of distinct objects, and an object's label. */
uint32_t chorus_actions_objects(const chorus_actions *s);
chorus_str chorus_actions_label(const chorus_actions *s, uint32_t object);

void chorus_actions_free(chorus_actions *s);

/* Canonical form of a URL for the link signal, written to out (cap bytes;
 * returns the length, or 0 when it does not fit or is not a URL):
 * lower-case scheme and host, no "www.", no default port, no fragment,
 * no tracking parameters (utm_*, fbclid, gclid, igshid, ref, ...), query
 * parameters sorted. With domain_only, just the host. */
size_t chorus_url_canonical(const char *url, size_t len, int domain_only, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
