/*
 * model.h - the running generator behind `chorus simulate`, shared by its
 * modules: difficulty knobs, the world (accounts, campaigns, benign groups,
 * alias tables), post content, the event queue and the run state that
 * emits posts in time order. sim.h holds the types other modules rely on.
 */
#ifndef CH_SIM_MODEL_H
#define CH_SIM_MODEL_H

#include "sim/sim.h"

/* The same bytes on every machine: no fused multiply-add where the target
 * has one (GCC in ISO C mode never contracts; clang does unless told). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define SIM_TWEPOCH_MS 1288834974657LL /* Twitter snowflake epoch */
#define SIM_MINUTE_MS 60000LL
#define SIM_HOUR_MS 3600000LL
#define SIM_DAY_MS 86400000LL
#define SIM_TEXT_MAX 768   /* a post's text; the longest we build is far below */
#define SIM_URLBUF 400     /* a post's URLs, NUL-terminated one after another */
#define SIM_ZONES 5        /* time zones of the invented countries */
#define SIM_POOL 2048      /* recent originals that organic accounts share */
#define SIM_BURST_MAX 512  /* most steps in one planned burst */
#define SIM_NO_ACCOUNT UINT32_MAX

/* ---- deterministic numbers (dist.c): only +, -, *, / and sqrt, so every
 * IEEE-754 machine computes the same bits (no libm exp/log/pow) ---- */

double sim_log(double x);              /* natural log, x > 0 */
double sim_exp(double x);              /* e^x, |x| < 700 */
double sim_pow(double x, double y);    /* x^y, x > 0 */
double sim_exponential(sim_rng *r, double mean);
double sim_pareto(sim_rng *r, double xmin, double alpha);
/* Log-logistic: median m, shape b (larger = tighter); heavy right tail. */
double sim_loglogistic(sim_rng *r, double median, double shape);
double sim_loglogistic_inv(double u, double median, double shape);
/* Draw n from a Poisson-like count with mean x: floor(x + u). */
uint64_t sim_dither(sim_rng *r, double x);

/* Walker/Vose alias table: O(1) weighted draws. item maps a slot to an
 * account (or any index); NULL item means slot i is item i. */
typedef struct sim_alias_slot {
    uint32_t thr, alias, item; /* one cache line holds a draw */
} sim_alias_slot;

typedef struct sim_alias {
    uint32_t n;
    sim_alias_slot *slot;
    double total; /* sum of the weights */
} sim_alias;

/* Builds t from n weights (item may be NULL). Owns its arrays; free with
 * sim_alias_free. n may be 0: then every draw returns SIM_NO_ACCOUNT. */
chorus_rc sim_alias_build(chorus_ctx *ctx, sim_alias *t, const double *w, const uint32_t *item,
                          uint32_t n);
uint32_t sim_alias_draw(const sim_alias *t, sim_rng *r);
void sim_alias_free(chorus_ctx *ctx, sim_alias *t);

/* ---- difficulty (world.c) ---- */

typedef struct sim_knobs {
    double camo;            /* organic-looking actions per campaign action */
    double ring_median_s;   /* retweet ring jitter: log-logistic median, seconds */
    double ring_shape;      /* ... and shape (larger = tighter) */
    double ring_join;       /* share of a ring that joins one seed */
    double cross_retweet;   /* text operations where members also retweet the first post */
    double pasta_window_s;  /* copy-pasta / hashtag sequences spread over this */
    double perturb;         /* chance of each perturbation of copied text */
    double shared_client;   /* campaign accounts on their campaign's client */
    double burst_created;   /* campaign accounts created in bursts */
    double sleepers;        /* campaign accounts that wake during the span */
    double exposed;         /* campaign accounts taken down */
    double campaign_share;  /* posts that are campaign actions */
    double cascade_share;   /* posts that are viral-cascade retweets */
    double cascade_fast;    /* cascade retweets drawn from the heavy retweeters */
    double cascade_median_s; /* half of a cascade's retweets come within this */
    double fan_share;       /* accounts in fan communities */
    double talking_point;   /* organic originals that repeat a talking point */
    double campaign_link;   /* organic originals that share a campaign link */
    uint32_t fan_groups, news_families, quote_bots;
    double strat_weight[SIM_STRAT_COUNT];
} sim_knobs;

/* The knobs of difficulty d, written to k; the difficulty's name (static). */
void sim_knobs_for(chorus_sim_difficulty d, sim_knobs *k);
const char *sim_difficulty_name(chorus_sim_difficulty d);

/* ---- the world (world.c, accounts.c) ---- */

typedef struct sim_zone {
    int16_t tz_minutes;
    double share;      /* of organic accounts */
    const char *lang;  /* main language */
    const char *lang2; /* second language (a minority writes in it) */
    const char *place; /* country */
    uint8_t fri_sat;   /* weekend on Friday and Saturday (else Saturday and Sunday) */
} sim_zone;

extern const sim_zone sim_zones[SIM_ZONES];

/* A campaign or a benign group: members are world->members[first, first+n). */
typedef struct sim_group {
    uint8_t role;            /* sim_role */
    uint8_t zone;
    uint32_t first, n;
    uint32_t team_first[SIM_STRAT_COUNT], team_n[SIM_STRAT_COUNT]; /* campaigns */
    uint32_t leader;         /* outlet, idol or the bot itself; SIM_NO_ACCOUNT */
    const char *client;      /* shared or scheduling client */
    uint16_t narr[4];
    uint8_t n_narr;
    const char *tags[4];     /* fan parties, campaign extra tags */
    uint8_t n_tags;
    const char *name;        /* outlet, idol or bot name; campaign label */
    const char *domain;      /* outlet's web domain */
    const char *shortener;   /* campaign's link shortener host */
    double rate;             /* clock events per millisecond */
    double rate2;            /* second clock (fan hashtag parties) */
    double member_posts;     /* campaigns: expected campaign actions per member */
    int64_t wake_ms;         /* sleepers of a campaign wake at this time */
    sim_rng rng;             /* the group's own stream */
} sim_group;

typedef struct sim_world {
    chorus_ctx *ctx;
    const chorus_sim_opts *opts;
    sim_knobs k;
    int64_t start_ms, end_ms;
    sim_account *acc;
    uint32_t n_acc;
    int64_t *active_from;   /* per account: first moment it may post */
    uint32_t *members;
    uint32_t n_members;
    sim_group *groups;      /* campaigns first: groups[0, n_campaigns) */
    uint32_t n_groups, n_campaigns;
    uint32_t n_campaign_acc, n_benign_acc;
    sim_alias zone_actor[SIM_ZONES]; /* organic-looking actions, per zone */
    sim_alias retweeter, fast_retweeter, star; /* cascades: who retweets, who goes viral */
    const sim_narrative *narr;
    size_t n_narr;
    /* budgets (expected posts) the clocks were sized for */
    double organic_share;   /* share of posts the minute tick must produce */
    double cascade_rate;    /* cascades per millisecond */
    double cascade_kmin, cascade_kmax, cascade_alpha;
} sim_world;

/* Lays the planned groups out over the account table (roster.c). */
chorus_rc sim_roster_build(sim_world *w);

/* Accounts when opts->accounts is 0: posts/40, at least 100 and at least
 * 24 per campaign (simulate.c). */
uint64_t sim_default_accounts(const chorus_sim_opts *o);

/* Builds accounts, groups and alias tables for opts. Free with sim_world_free. */
chorus_rc sim_world_build(chorus_ctx *ctx, const chorus_sim_opts *opts, sim_world *w);
void sim_world_free(sim_world *w);

/* Fills one account (accounts.c). kind selects the naming and numbers. */
typedef enum sim_persona {
    SIM_P_PERSON = 0, /* organic person */
    SIM_P_OUTLET,     /* news outlet main account */
    SIM_P_DESK,       /* an outlet's desk account */
    SIM_P_IDOL,       /* a singer or athlete */
    SIM_P_FAN,
    SIM_P_BOT,        /* quote bot */
    SIM_P_OPERATIVE   /* campaign account */
} sim_persona;

/* Fills a's names, ids and numbers for persona p; the caller has set
 * lang and tz_minutes. name (or NULL) is the display name of outlets,
 * desks, idols and bots; created_ms 0 draws a creation time. */
void sim_account_make(sim_account *a, sim_rng *r, sim_persona p, const char *name,
                      int64_t created_ms, int64_t start_ms);
/* Makes every id and screen name unique (redraws collisions). */
chorus_rc sim_accounts_unique(chorus_ctx *ctx, sim_account *a, uint32_t n, uint64_t seed);
/* A mainstream client, drawn as real usage is spread. */
const char *sim_common_client(sim_rng *r);

/* ---- content (text.c) ---- */

typedef struct sim_content {
    /* small fields first: a reader touches one cache line before the text */
    uint16_t len;
    uint16_t url_used;
    uint8_t n_urls, n_tags, n_mentions;
    int16_t narrative;              /* catalogue index, -1 when none */
    const char *lang;
    uint16_t url_off[SIM_MAX_URLS];
    uint32_t mentions[SIM_MAX_MENTIONS];
    const char *tags[SIM_MAX_TAGS]; /* static strings (tables, catalogue) */
    char text[SIM_TEXT_MAX];
    char urlbuf[SIM_URLBUF];
} sim_content;

/* A post others may retweet, reply to or quote. */
typedef struct sim_original {
    uint64_t id;
    int64_t t;
    uint32_t author;
    float weight;                   /* popularity in the pool, (0, 1] */
    sim_content c;
} sim_original;

/* Empties c for a post in lang ("en" or "fa", a static string). */
void sim_content_clear(sim_content *c, const char *lang);
/* Copies the used part of src (cheaper than the whole struct). */
void sim_content_copy(sim_content *dst, const sim_content *src);
void sim_content_put(sim_content *c, const char *s, size_t n);
void sim_content_puts(sim_content *c, const char *s);
void sim_content_tag(sim_content *c, const char *tag);      /* adds " #tag" and the entity */
void sim_content_url(sim_content *c, const char *url, size_t n); /* adds " url" and the entity */
const char *sim_content_url_at(const sim_content *c, unsigned i);

/* Text of an organic original by author (topic words, popular tags, links). */
void sim_text_organic(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author);
/* A reply to parent, starting "@name ". */
void sim_text_reply(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author,
                    const sim_original *parent);
/* A quote of parent: a comment and the status link. */
void sim_text_quote(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author,
                    const sim_original *parent, const char *intro);
/* An outlet's headline with its article link. */
void sim_text_headline(sim_content *c, sim_rng *r, const sim_group *g, int64_t t);
/* A fan's post: the idol's name, cheers, and the party's identical tags. */
void sim_text_fan(sim_content *c, sim_rng *r, const sim_group *g, int party);
/* A narrative (English or Persian) with its tags, perturbed with chance p. */
void sim_text_narrative(sim_content *c, sim_rng *r, const sim_narrative *n, int16_t idx,
                        int persian, double p, int with_tags);
/* A short intro and one link to the narrative's front domain (slug from
 * article), through shortener host when short, with tracking parameters
 * with chance p. */
void sim_text_link(sim_content *c, sim_rng *r, const sim_narrative *n, int16_t idx,
                   uint32_t article, const char *shortener, int short_link, double p,
                   const char *lang);
/* A short slogan then the identical hashtag sequence tags[0..n). */
void sim_text_tagseq(sim_content *c, sim_rng *r, const char *const *tags, unsigned n,
                     const char *lang, int16_t idx);

/* Perturbations of copied text (perturb.c), each with chance p: case and
 * typos in Latin words (in place, same length); Arabic yeh and kaf for the
 * Persian letters and dropped or spaced ZWNJ (returns the new length). */
void sim_perturb_latin(char *s, size_t n, sim_rng *r, double p);
size_t sim_perturb_persian(char *s, size_t n, sim_rng *r, double p);
void sim_shuffle(const char **a, unsigned n, sim_rng *r);
/* Appends utm_* tracking parameters to url[0..n) (cap bytes); new length. */
size_t sim_track_url(char *url, size_t n, size_t cap, sim_rng *r);

/* ---- the event queue (scheduler.c): a min-heap on (time, insertion) ---- */

typedef enum sim_event_type {
    SIM_EV_MINUTE = 0, /* organic background: the next minute's actions */
    SIM_EV_ORGANIC,    /* one organic-looking action; arg = account */
    SIM_EV_PROC,       /* the next step of a process; arg = process slot */
    SIM_EV_CASCADES,   /* starts a viral cascade */
    SIM_EV_CAMPAIGN,   /* a campaign launches an operation; arg = group */
    SIM_EV_NEWS,       /* an outlet family posts a headline; arg = group */
    SIM_EV_IDOL,       /* an idol posts, the fans retweet; arg = group */
    SIM_EV_PARTY,      /* a fan hashtag party; arg = group */
    SIM_EV_QUOTEBOT    /* a quote bot's scheduled quote; arg = group */
} sim_event_type;

typedef struct sim_event {
    int64_t t;
    uint64_t seq; /* insertion order: equal times pop first-in first-out */
    uint32_t arg;
    uint32_t type;
} sim_event;

/* One planned action of a burst. */
typedef enum sim_step_kind {
    SIM_STEP_SEED = 0, /* post the burst's base content (others retweet it) */
    SIM_STEP_RETWEET,  /* retweet the seed */
    SIM_STEP_VARIANT   /* post a variant of the base content */
} sim_step_kind;

typedef struct sim_step {
    int64_t t;
    uint32_t account;
    uint32_t kind;
} sim_step;

typedef enum sim_variant {
    SIM_VAR_SAME = 0,  /* the base content verbatim (news desks) */
    SIM_VAR_PASTA,     /* the narrative, perturbed */
    SIM_VAR_LINK,      /* the article link, shortened or tracked */
    SIM_VAR_TAGSEQ,    /* a slogan and the identical tag sequence */
    SIM_VAR_FAN        /* a fan's cheer with the party's tags */
} sim_variant;

/* A process: a burst of planned steps or a viral cascade. Emits one post
 * per firing, in time order, then reschedules itself or ends. */
typedef struct sim_proc {
    uint8_t cascade;        /* 1: a viral cascade; 0: a burst */
    uint8_t variant;        /* sim_variant of the burst's variant steps */
    uint8_t campaign;       /* 1: steps are campaign actions */
    uint8_t has_seed;       /* orig holds the emitted seed */
    uint8_t persian;
    float seed_weight;      /* popularity of the seed in the pool */
    uint32_t group;
    uint64_t seed;          /* content of variant i from (seed, i) */
    uint32_t article;
    sim_step *steps;
    uint32_t n_steps, cap_steps, next;
    /* cascade: sorted uniform order statistics, lazily */
    uint32_t k_total, k_done;
    double u;
    uint32_t *seen;         /* accounts that already retweeted (open addressing) */
    uint32_t pending;       /* who makes the next retweet (drawn early: prefetched) */
    uint32_t seen_cap;
    sim_rng rng;
    sim_original orig;      /* the seed or the cascade's original */
    sim_content base;       /* the burst's base content */
} sim_proc;

typedef struct sim_sched {
    chorus_ctx *ctx;
    sim_event *heap;
    size_t n, cap, peak;
    uint64_t seq;
    sim_proc **procs;       /* by slot; NULL when free */
    uint32_t *free_slots;
    size_t n_procs, cap_procs, n_free, cap_free, live, peak_live;
} sim_sched;

/* An empty schedule allocating through ctx. */
void sim_sched_init(sim_sched *s, chorus_ctx *ctx);
/* Adds an event of type and arg at time t; CHORUS_ENOMEM. */
chorus_rc sim_sched_push(sim_sched *s, int64_t t, uint32_t type, uint32_t arg);
/* Pops the earliest event into ev; 0 when empty. */
int sim_sched_pop(sim_sched *s, sim_event *ev);
/* A new zeroed process; *slot is its handle for SIM_EV_PROC. */
chorus_rc sim_proc_new(sim_sched *s, sim_proc **p, uint32_t *slot);
void sim_proc_end(sim_sched *s, uint32_t slot);
void sim_sched_free(sim_sched *s);

/* ---- the run (simulate.c): emission in time order ---- */

typedef struct sim_pool_meta {
    int64_t t;
    uint32_t author;
    float weight;
} sim_pool_meta;

typedef struct sim_tally {
    uint64_t posts, by_kind[4], campaign_posts, campaign_actions, cascade_retweets;
    uint64_t benign_actions, organic_actions, talking_points;
} sim_tally;

typedef struct sim_run {
    chorus_ctx *ctx;
    sim_world *w;
    sim_output out;
    sim_sched sched;
    sim_tally tally;
    int64_t last_ms;
    uint32_t seq_in_ms;
    uint32_t *n_posts;       /* per account */
    sim_original *pool;      /* ring of recent originals (SIM_POOL) */
    sim_pool_meta *pool_meta; /* what a pick looks at, compact (stays in cache) */
    uint32_t pool_head, pool_fill;
    sim_use *uses;           /* first campaign use of each narrative */
    uint8_t *used;
    size_t n_uses;
    sim_rng org, casc, misc;
    double minute_w_total;   /* sum of the minute weights over the span */
    double minute_w_done;
    double pool_insert;      /* chance that an original enters the pool */
    uint64_t cascades;       /* cascades started */
    uint64_t users;          /* rows of users.csv */
    uint64_t next_progress;
    char rt_text[SIM_TEXT_MAX + 128];
    sim_content scratch;
} sim_run;

/* One action to emit now. */
typedef struct sim_act {
    int64_t t;
    uint32_t account;
    chorus_post_kind kind;
    const sim_content *c;    /* the post's content; for a retweet, NULL */
    const sim_original *ref; /* retweeted, replied-to or quoted post */
    const char *client;      /* NULL: the account's usual client */
    uint8_t campaign;        /* a campaign action (counts narratives' first use) */
    float pool_weight;       /* > 0: others may share it (popularity) */
} sim_act;

/* Writes the post, counts it; *id gets its snowflake id (may be NULL). */
chorus_rc sim_emit(sim_run *r, const sim_act *a, uint64_t *id);
/* Offers an original to the pool of posts to share later; popular ones
 * (weight near 1) are kept more often. */
void sim_pool_offer(sim_run *r, uint64_t id, int64_t t, uint32_t author, float weight,
                    const sim_content *c);
/* A recent original from before now to share (popular ones more often),
 * not by not_author; NULL when there is none. */
const sim_original *sim_pool_pick(sim_run *r, sim_rng *rng, uint32_t not_author, int64_t now);

/* Organic background and viral cascades (organic.c). */
chorus_rc sim_organic_start(sim_run *r);
chorus_rc sim_organic_minute(sim_run *r, int64_t t);
chorus_rc sim_organic_action(sim_run *r, int64_t t, uint32_t account);
chorus_rc sim_cascade_start(sim_run *r, int64_t t);
chorus_rc sim_cascade_step(sim_run *r, int64_t t, uint32_t slot);

/* Bursts (burst.c): planned steps of a group, shared by campaigns and
 * benign groups. Takes ownership of p (a process from sim_proc_new). */
/* A new burst process with room for cap steps. */
chorus_rc sim_burst_new(sim_run *r, uint32_t cap, sim_proc **p, uint32_t *slot);
chorus_rc sim_burst_launch(sim_run *r, sim_proc *p, uint32_t slot);
chorus_rc sim_burst_step(sim_run *r, int64_t t, uint32_t slot);

/* Campaigns (campaign.c). */
chorus_rc sim_campaigns_start(sim_run *r);
chorus_rc sim_campaign_op(sim_run *r, int64_t t, uint32_t group);
/* Expected posts of one operation of campaign g (to size its clock). */
double sim_campaign_op_posts(const sim_world *w, const sim_group *g);
/* The next working-hours moment after t for a clock of rate per ms in zone. */
int64_t sim_working_time(sim_rng *rng, int64_t t, double rate, int16_t tz_minutes);

/* Benign coordinated groups (benign.c). */
chorus_rc sim_benign_start(sim_run *r);
chorus_rc sim_benign_event(sim_run *r, const sim_event *ev);

/* ---- files (output_io.c, truth.c) ---- */

/* users.csv: every account that posted (n_posts[i] > 0). */
chorus_rc sim_write_users(chorus_ctx *ctx, const char *path, const sim_account *a, uint32_t n,
                          const uint32_t *n_posts, uint64_t *rows);
/* truth_accounts.csv. */
chorus_rc sim_write_truth(chorus_ctx *ctx, const char *path, const sim_world *w);
/* exposed_accounts.txt: the blatant share of campaign accounts. */
chorus_rc sim_write_exposed(chorus_ctx *ctx, const char *path, const sim_world *w,
                            const uint32_t *n_posts, uint64_t *n_exposed);
/* manifest.json. */
chorus_rc sim_write_manifest(chorus_ctx *ctx, const char *path, const chorus_sim_opts *opts,
                             const chorus_sim_counts *c, const sim_run *r);

/* Joins dir and name into buf; CHORUS_EUSAGE when it does not fit. */
chorus_rc sim_path(chorus_ctx *ctx, char *buf, size_t cap, const char *dir, const char *name);
/* Closes f, reporting a write error on it as CHORUS_EIO naming path. */
chorus_rc sim_close(chorus_ctx *ctx, FILE *f, const char *path);

#endif
