/*
 * world.c - the simulated world before any post: what each difficulty
 * turns up or down, the five invented countries (time zones, languages),
 * the campaigns (strategy teams, narratives, shared client, shortener) and
 * the benign coordinated groups (news desks, fan communities, quote bots),
 * with the clock rates that make the expected post counts add up.
 */
#include "sim/model.h"

#include <math.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const sim_zone sim_zones[SIM_ZONES] = {
    {210, 0.28, "fa", "en", "Veldrane", 1}, {60, 0.22, "en", "fa", "Ostravin", 0},
    {-300, 0.20, "en", "en", "Tavira", 0},  {180, 0.16, "ar", "en", "Dunmere", 1},
    {480, 0.14, "en", "en", "Quellport", 0},
};

const char *sim_difficulty_name(chorus_sim_difficulty d)
{
    return d == CHORUS_SIM_EASY ? "easy" : d == CHORUS_SIM_HARD ? "hard" : "medium";
}

void sim_knobs_for(chorus_sim_difficulty d, sim_knobs *k)
{
    static const sim_knobs table[3] = {
        {.camo = 0.3, .ring_median_s = 15, .ring_shape = 3.0, .ring_join = 0.9, .cross_retweet = 0.6,
         .pasta_window_s = 300, .perturb = 0.15, .shared_client = 0.9, .burst_created = 0.9,
         .sleepers = 0.2, .exposed = 0.6, .campaign_share = 0.06, .cascade_share = 0.04,
         .cascade_fast = 0.3, .cascade_median_s = 1800, .fan_share = 0.01, .talking_point = 0.0005,
         .campaign_link = 0.0003, .fan_groups = 1, .news_families = 2, .quote_bots = 1,
         .strat_weight = {0, 4, 2, 1.5, 1.5, 0.3}},
        {.camo = 1.5, .ring_median_s = 45, .ring_shape = 2.0, .ring_join = 0.75, .cross_retweet = 0.1,
         .pasta_window_s = 1800, .perturb = 0.4, .shared_client = 0.6, .burst_created = 0.7,
         .sleepers = 0.3, .exposed = 0.45, .campaign_share = 0.04, .cascade_share = 0.05,
         .cascade_fast = 0.3, .cascade_median_s = 1200, .fan_share = 0.02, .talking_point = 0.002,
         .campaign_link = 0.001, .fan_groups = 3, .news_families = 4, .quote_bots = 3,
         .strat_weight = {0, 3, 2, 2, 1.5, 1.5}},
        {.camo = 4.0, .ring_median_s = 150, .ring_shape = 1.4, .ring_join = 0.55, .cross_retweet = 0.0,
         .pasta_window_s = 10800, .perturb = 0.8, .shared_client = 0.3, .burst_created = 0.45,
         .sleepers = 0.4, .exposed = 0.3, .campaign_share = 0.03, .cascade_share = 0.08,
         .cascade_fast = 0.3, .cascade_median_s = 900, .fan_share = 0.06, .talking_point = 0.006,
         .campaign_link = 0.003, .fan_groups = 6, .news_families = 8, .quote_bots = 6,
         .strat_weight = {0, 2.5, 2, 2, 1.5, 2.5}},
    };
    *k = table[d <= CHORUS_SIM_HARD ? d : CHORUS_SIM_MEDIUM];
}

static const char *const campaign_clients[] = {
    "PostPilot 2.3", "Amplifyr", "QueueCast", "Broadcastly Pro", "Sendwave Desk", "TweetRelay",
};
static const char *const shorteners[] = {"shrt.example", "lnk.example", "t1p.example",
                                         "qik.example"};
static const char *const campaign_tags[] = {"WakeUp", "TruthNow", "StandUp", "NoMoreLies",
                                            "PeopleFirst", "SpeakOut"};
static const char *const outlets[][2] = {
    {"Veldrane Herald", "veldrane-herald.example"}, {"Ostravin Daily", "ostravin-daily.example"},
    {"Tavira Courier", "tavira-courier.example"},   {"Dunmere Post", "dunmere-post.example"},
    {"Quellport Herald", "quellport-herald.example"}, {"Kelmor Evening", "kelmor-evening.example"},
    {"Sarnoth Gazette", "sarnoth-gazette.example"}, {"Norvel Wire", "norvel-wire.example"},
};
static const char *const idols[][4] = {
    {"Lira Vance", "LiraVanceDay", "StreamMoonrise", "Lirians"},
    {"Teo Marlow", "TeoMarlowLive", "MarlowTour", "Tidemakers"},
    {"Sable Rin", "SableRinNight", "VoteSable", "RinForever"},
    {"Juno Okaro", "JunoComeback", "OkaroArmy", "GoldenJuno"},
    {"Kestrel Five", "KestrelFive", "K5Anniversary", "Fivers"},
    {"Maris Dell", "MarisDellDay", "DellDebut", "Marisians"},
};
static const char *const bot_names[] = {
    "Kelmor Tide Bot", "Ostravin Transit Digest", "Quellport Market Watch", "Tavira Weather Bot",
    "Dunmere Headlines Bot", "Norvel Sports Ticker",
};

/* Distinct strategies for a campaign, weighted by the difficulty. */
static unsigned pick_strategies(sim_rng *r, const sim_knobs *k, uint8_t *out)
{
    unsigned want = 2 + (unsigned)sim_below(r, 3), n = 0;
    double w[SIM_STRAT_COUNT];
    memcpy(w, k->strat_weight, sizeof w);
    while (n < want) {
        double total = 0;
        for (int s = 1; s < SIM_STRAT_COUNT; s++)
            total += w[s];
        if (total <= 0)
            break;
        double x = sim_unit(r) * total;
        int s = 1;
        while (s < SIM_STRAT_COUNT - 1 && (x -= w[s]) >= 0)
            s++;
        out[n++] = (uint8_t)s;
        w[s] = 0;
    }
    return n;
}

/* Splits a campaign's n members into strategy teams (each at least 2). */
static void plan_teams(sim_group *g, sim_rng *r, const sim_knobs *k)
{
    uint8_t strat[SIM_STRAT_COUNT];
    unsigned ns = pick_strategies(r, k, strat);
    while (ns > 1 && g->n < 3 * ns)
        ns--;
    double w[SIM_STRAT_COUNT], total = 0;
    for (unsigned i = 0; i < ns; i++)
        total += (w[i] = 0.5 + sim_unit(r));
    uint32_t left = g->n, at = g->first;
    for (unsigned i = 0; i < ns; i++) {
        uint32_t take = i + 1 == ns ? left : (uint32_t)((double)g->n * w[i] / total);
        if (take < 2)
            take = 2;
        if (take > left - 2 * (ns - 1 - i))
            take = left - 2 * (ns - 1 - i);
        g->team_first[strat[i]] = at;
        g->team_n[strat[i]] = take;
        at += take;
        left -= take;
    }
}

static void plan_campaign(sim_world *w, sim_group *g, uint32_t c, sim_rng *r)
{
    /* the first campaigns cover the countries in turn (so Persian copy-pasta
     * is always there), later ones anywhere */
    static const uint8_t rotation[6] = {0, 1, 0, 2, 3, 4};
    static const double zone_w[SIM_ZONES] = {0.35, 0.25, 0.15, 0.15, 0.10};
    double x = sim_unit(r);
    unsigned z = 0;
    while (z + 1 < SIM_ZONES && (x -= zone_w[z]) >= 0)
        z++;
    if (c < 6)
        z = rotation[c];
    g->role = SIM_CAMPAIGN;
    g->zone = (uint8_t)z;
    g->client = campaign_clients[sim_below(r, NELEM(campaign_clients))];
    g->shortener = shorteners[sim_below(r, NELEM(shorteners))];
    g->n_narr = (uint8_t)(w->n_narr < 2 ? w->n_narr : 2 + sim_below(r, 2));
    for (unsigned i = 0; i < g->n_narr; i++)
        g->narr[i] = (uint16_t)((c * 3 + i * 5 + sim_below(r, 2)) % w->n_narr);
    g->n_tags = (uint8_t)(1 + sim_below(r, 3));
    for (unsigned i = 0; i < g->n_tags; i++)
        g->tags[i] = campaign_tags[(c + i * 2) % NELEM(campaign_tags)];
    g->wake_ms = w->start_ms + (int64_t)((0.15 + 0.5 * sim_unit(r)) *
                                         (double)(w->end_ms - w->start_ms));
    plan_teams(g, r, &w->k);
}

static void plan_benign(sim_group *g, sim_role role, uint32_t i, sim_rng *r)
{
    g->role = (uint8_t)role;
    g->zone = (uint8_t)(i % SIM_ZONES);
    if (role == SIM_BENIGN_NEWS) {
        g->name = outlets[i % NELEM(outlets)][0];
        g->domain = outlets[i % NELEM(outlets)][1];
        g->client = sim_below(r, 2) ? "SocialCue Scheduler" : "Buffered";
    } else if (role == SIM_BENIGN_FAN) {
        g->name = idols[i % NELEM(idols)][0];
        g->n_tags = 3;
        for (int t = 0; t < 3; t++)
            g->tags[t] = idols[i % NELEM(idols)][t + 1];
    } else {
        g->name = bot_names[i % NELEM(bot_names)];
        g->client = "QuoteLoop";
    }
}

/* Relative size of campaign c, in [0.5, 1.5). */
static double campaign_weight(uint64_t seed, uint32_t c)
{
    sim_rng r = sim_stream(seed, 0x73697a65ULL + c);
    return 0.5 + sim_unit(&r);
}

/* How many groups of each kind, and the accounts campaigns and fans take. */
typedef struct group_plan {
    uint32_t campaigns, news, fans, bots, camp_accounts, fan_accounts;
} group_plan;

static group_plan count_groups(const sim_world *w)
{
    const sim_knobs *k = &w->k;
    uint32_t n = w->n_acc;
    group_plan p = {w->opts->campaigns, k->news_families < n / 60 ? k->news_families : n / 60,
                    k->fan_groups < n / 60 ? k->fan_groups : n / 60,
                    k->quote_bots < n / 100 ? k->quote_bots : n / 100, 0, 0};
    p.camp_accounts = (uint32_t)((double)n * 0.04);
    if (p.camp_accounts < p.campaigns * 6)
        p.camp_accounts = p.campaigns * 6;
    if (p.camp_accounts > n / 4)
        p.camp_accounts = n / 4;
    p.fan_accounts = (uint32_t)((double)n * k->fan_share);
    if (p.fans && p.fan_accounts < p.fans * 8)
        p.fan_accounts = p.fans * 8;
    if (p.fan_accounts > n / 8)
        p.fan_accounts = n / 8;
    return p;
}

/* Group g's size, then its plan (campaign or benign group). */
static void plan_group(sim_world *w, const group_plan *p, uint32_t g, double total, sim_rng *r)
{
    sim_group *grp = &w->groups[g];
    uint32_t nc = p->campaigns, news = nc + p->news, fans = news + p->fans;
    grp->leader = SIM_NO_ACCOUNT;
    if (g < nc)
        grp->n = (uint32_t)((double)p->camp_accounts * campaign_weight(w->opts->seed, g) / total);
    else if (g < news)
        grp->n = 2 + (uint32_t)sim_below(r, 5);
    else if (g < fans)
        grp->n = p->fan_accounts / p->fans;
    else
        grp->n = 1;
    if (g < nc && grp->n < 6)
        grp->n = 6;
    grp->rng = sim_stream(w->opts->seed, 0x67726f7570ULL + g);
    if (g < nc)
        plan_campaign(w, grp, g, r);
    else if (g < news)
        plan_benign(grp, SIM_BENIGN_NEWS, g - nc, r);
    else if (g < fans)
        plan_benign(grp, SIM_BENIGN_FAN, g - news, r);
    else
        plan_benign(grp, SIM_BENIGN_QUOTEBOT, g - fans, r);
}

/* Every group, laid out campaigns first, each group's members contiguous
 * and, inside campaigns, each team's. */
static chorus_rc plan_groups(sim_world *w, sim_rng *r)
{
    group_plan p = count_groups(w);
    w->n_groups = p.campaigns + p.news + p.fans + p.bots;
    w->n_campaigns = p.campaigns;
    w->groups = ch_calloc(w->ctx, (size_t)(w->n_groups ? w->n_groups : 1) * sizeof *w->groups);
    if (!w->groups)
        return ch_nomem(w->ctx);
    double total = 0;
    for (uint32_t c = 0; c < p.campaigns; c++)
        total += campaign_weight(w->opts->seed, c);
    uint32_t at = 0;
    for (uint32_t g = 0; g < w->n_groups; g++) {
        w->groups[g].first = at;
        plan_group(w, &p, g, total, r);
        at += w->groups[g].n;
    }
    w->n_members = at;
    return CHORUS_OK;
}

#define CASCADE_REACH 0.03
#define CASCADE_MIN 20 /* retweets: the least a cascade may reach */
#define WORK_FRACTION (15.0 / 24.0) /* campaigns work 08:00-23:00 local */

/* Clock rates (events per ms) sized so each source writes its share of
 * opts->posts; the organic minute tick fills the rest and corrects drift. */
static void plan_rates(sim_world *w)
{
    const sim_knobs *k = &w->k;
    double t = (double)w->opts->posts, span = (double)(w->end_ms - w->start_ms), used = 0;
    uint32_t camp = 0, fan_groups = 0;
    for (uint32_t g = 0; g < w->n_groups; g++) {
        camp += w->groups[g].role == SIM_CAMPAIGN ? w->groups[g].n : 0;
        fan_groups += w->groups[g].role == SIM_BENIGN_FAN;
    }
    for (uint32_t i = 0; i < w->n_groups; i++) {
        sim_group *g = &w->groups[i];
        double budget;
        if (g->role == SIM_CAMPAIGN) {
            budget = t * k->campaign_share * g->n / camp;
            g->member_posts = budget / g->n;
            g->rate = budget / (sim_campaign_op_posts(w, g) * span * WORK_FRACTION);
        } else if (g->role == SIM_BENIGN_NEWS) {
            budget = t * 0.006;
            g->rate = budget / ((1.0 + g->n) * span * WORK_FRACTION);
        } else if (g->role == SIM_BENIGN_FAN) {
            budget = t * k->fan_share * 1.2 / fan_groups;
            g->rate = 0.7 * budget / (span * (1.0 + 0.75 * g->n));
            g->rate2 = 0.3 * budget / (span * 0.7 * g->n);
        } else {
            budget = t * 0.0015;
            g->rate = budget / span;
        }
        used += budget;
    }
    double kmin = t / 2000, alpha = 1.5;
    kmin = kmin < 10 ? 10 : kmin > 150 ? 150 : kmin;
    double kmax = t / 40 < 4 * kmin ? 4 * kmin : t / 40 > 5000 ? 5000 : t / 40;
    /* a cascade reaches a small share of the population, as on a real
     * platform: bigger ones would make every pair of accounts co-retweet */
    if (kmax > w->n_acc * CASCADE_REACH)
        kmax = w->n_acc * CASCADE_REACH;
    if (kmin > kmax / 4)
        kmin = kmax / 4;
    double mean = kmin * alpha / (alpha - 1) -
                  sim_pow(kmin, alpha) * sim_pow(kmax, 1 - alpha) / (alpha - 1);
    w->cascade_kmin = kmin;
    w->cascade_kmax = kmax;
    w->cascade_alpha = alpha;
    /* too few accounts for a cascade worth the name: none */
    int cascades = kmax >= CASCADE_MIN;
    w->cascade_rate = cascades ? t * k->cascade_share / (mean * span) : 0;
    used += cascades ? t * k->cascade_share : 0;
    w->organic_share = 1 - used / t < 0.3 ? 0.3 : 1 - used / t;
}

static unsigned zone_of(const sim_account *a)
{
    for (unsigned z = 0; z < SIM_ZONES; z++)
        if (sim_zones[z].tz_minutes == a->tz_minutes)
            return z;
    return 0;
}

/* Campaign accounts look organic camo times as often as they act for the
 * campaign: their weight in the organic draw is sized from the budgets. */
static void camouflage(sim_world *w)
{
    double others = 0, organic = (double)w->opts->posts * w->organic_share;
    for (uint32_t i = 0; i < w->n_acc; i++)
        others += w->acc[i].role != SIM_CAMPAIGN ? w->acc[i].activity : 0;
    for (uint32_t i = 0; i < w->n_acc; i++) {
        sim_account *a = &w->acc[i];
        if (a->role != SIM_CAMPAIGN)
            continue;
        double per = w->groups[a->group].member_posts * w->k.camo;
        a->activity = organic > 0 ? (float)(per * others / organic) : 0.0f;
    }
}

static chorus_rc build_aliases(sim_world *w, double *wt, uint32_t *item)
{
    chorus_rc rc = CHORUS_OK;
    for (unsigned z = 0; z < SIM_ZONES && !rc; z++) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < w->n_acc; i++)
            if (w->acc[i].activity > 0 && zone_of(&w->acc[i]) == z) {
                item[n] = i;
                wt[n++] = w->acc[i].activity;
            }
        rc = sim_alias_build(w->ctx, &w->zone_actor[z], wt, item, n);
    }
    double camo_rt = 0.1 + w->k.camo / 4 > 1 ? 1 : 0.1 + w->k.camo / 4;
    for (int fast = 0; fast < 2 && !rc; fast++) {
        for (uint32_t i = 0; i < w->n_acc; i++) {
            const sim_account *a = &w->acc[i];
            double f = a->role == SIM_ORGANIC && a->followers < 100000 ? 1.0
                       : a->role == SIM_BENIGN_FAN                     ? 0.8
                       : a->role == SIM_CAMPAIGN ? camo_rt * (a->strategy == SIM_STRAT_RETWEET_RING ? 1 : 0.1)
                                                                       : 0.0;
            wt[i] = f * (fast ? (double)a->activity : sqrt((double)a->activity));
        }
        rc = sim_alias_build(w->ctx, fast ? &w->fast_retweeter : &w->retweeter, wt, NULL, w->n_acc);
    }
    for (uint32_t i = 0; i < w->n_acc && !rc; i++) {
        const sim_account *a = &w->acc[i];
        int star = !a->pseudonymised && (a->role == SIM_ORGANIC || a->role == SIM_OUTLET);
        wt[i] = star ? sqrt((double)a->followers) : 0;
    }
    return rc ? rc : sim_alias_build(w->ctx, &w->star, wt, NULL, w->n_acc);
}

chorus_rc sim_world_build(chorus_ctx *ctx, const chorus_sim_opts *opts, sim_world *w)
{
    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->opts = opts;
    sim_knobs_for(opts->difficulty, &w->k);
    w->start_ms = opts->start_ms;
    w->end_ms = opts->start_ms + (int64_t)opts->days * SIM_DAY_MS;
    w->narr = sim_narratives(&w->n_narr);
    w->n_acc = opts->accounts ? opts->accounts : (uint32_t)sim_default_accounts(opts);
    sim_rng r = sim_stream(opts->seed, 0x776f726c64ULL);
    chorus_rc rc = plan_groups(w, &r);
    if (rc)
        return rc;
    w->acc = ch_calloc(ctx, (size_t)w->n_acc * sizeof *w->acc);
    w->active_from = ch_alloc(ctx, (size_t)w->n_acc * sizeof *w->active_from);
    w->members = ch_alloc(ctx, (size_t)(w->n_members ? w->n_members : 1) * sizeof *w->members);
    double *wt = ch_alloc(ctx, (size_t)w->n_acc * sizeof *wt);
    uint32_t *item = ch_alloc(ctx, (size_t)w->n_acc * sizeof *item);
    if (!w->acc || !w->active_from || !w->members || !wt || !item)
        rc = ch_nomem(ctx);
    if (!rc)
        rc = sim_roster_build(w);
    if (!rc) {
        plan_rates(w);
        camouflage(w);
        rc = build_aliases(w, wt, item);
    }
    ch_free(ctx, wt, (size_t)w->n_acc * sizeof *wt);
    ch_free(ctx, item, (size_t)w->n_acc * sizeof *item);
    for (uint32_t i = 0; i < w->n_acc && !rc; i++)
        w->n_campaign_acc += w->acc[i].role == SIM_CAMPAIGN,
            w->n_benign_acc += *sim_role_truth((sim_role)w->acc[i].role) != 0;
    return rc;
}

void sim_world_free(sim_world *w)
{
    chorus_ctx *ctx = w->ctx;
    if (!ctx)
        return;
    for (unsigned z = 0; z < SIM_ZONES; z++)
        sim_alias_free(ctx, &w->zone_actor[z]);
    sim_alias_free(ctx, &w->retweeter);
    sim_alias_free(ctx, &w->fast_retweeter);
    sim_alias_free(ctx, &w->star);
    ch_free(ctx, w->acc, (size_t)w->n_acc * sizeof *w->acc);
    ch_free(ctx, w->active_from, (size_t)w->n_acc * sizeof *w->active_from);
    ch_free(ctx, w->members, (size_t)(w->n_members ? w->n_members : 1) * sizeof *w->members);
    ch_free(ctx, w->groups, (size_t)(w->n_groups ? w->n_groups : 1) * sizeof *w->groups);
    memset(w, 0, sizeof *w);
}
