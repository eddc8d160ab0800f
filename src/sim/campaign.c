/*
 * campaign.c - the planted campaigns. Each campaign's clock fires during
 * its working hours and launches one operation of one strategy team:
 * a retweet ring around a seed, copy-pasta of a narrative, link pushing
 * through shorteners and the front domain, an identical hashtag sequence,
 * or a slow team spreading the same content over hours or days.
 */
#include "sim/model.h"

#include <string.h>

#define WORK_OPEN_MS (8 * SIM_HOUR_MS)
#define WORK_CLOSE_MS (23 * SIM_HOUR_MS)
#define TEXT_JOIN 0.8
#define RING_CAP_MS (6 * SIM_HOUR_MS)

static uint32_t capped(uint32_t n) { return n < SIM_BURST_MAX - 1 ? n : SIM_BURST_MAX - 1; }

double sim_campaign_op_posts(const sim_world *w, const sim_group *g)
{
    double e = 0;
    for (int s = 1; s < SIM_STRAT_COUNT; s++) {
        double n = capped(g->team_n[s]), share = (double)g->team_n[s] / g->n, per;
        if (s == SIM_STRAT_RETWEET_RING)
            per = 1 + w->k.ring_join * (n - 1);
        else if (s == SIM_STRAT_SLOW)
            per = (n < 4 ? n : 4) * 1.5;
        else
            per = TEXT_JOIN * n;
        e += share * per;
    }
    return e > 0.5 ? e : 0.5;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

int64_t sim_working_time(sim_rng *rng, int64_t t, double rate, int16_t tz_minutes)
{
    if (rate <= 0)
        return INT64_MAX;
    double need = sim_exponential(rng, 1 / rate);
    if (need > 3650.0 * SIM_DAY_MS)
        return INT64_MAX;
    int64_t off = (int64_t)tz_minutes * SIM_MINUTE_MS;
    for (;;) {
        int64_t local = t + off, day0 = floor_div(local, SIM_DAY_MS) * SIM_DAY_MS;
        if (local < day0 + WORK_OPEN_MS) {
            t = day0 + WORK_OPEN_MS - off;
            continue;
        }
        if (local >= day0 + WORK_CLOSE_MS) {
            t = day0 + SIM_DAY_MS + WORK_OPEN_MS - off;
            continue;
        }
        double room = (double)(day0 + WORK_CLOSE_MS - local);
        if (need <= room)
            return t + (int64_t)need;
        need -= room;
        t = day0 + SIM_DAY_MS + WORK_OPEN_MS - off;
    }
}

static chorus_rc schedule(sim_run *r, uint32_t gi, int64_t after)
{
    sim_group *g = &r->w->groups[gi];
    int64_t t = sim_working_time(&g->rng, after, g->rate, sim_zones[g->zone].tz_minutes);
    return t < r->w->end_ms ? sim_sched_push(&r->sched, t + 1, SIM_EV_CAMPAIGN, gi) : CHORUS_OK;
}

chorus_rc sim_campaigns_start(sim_run *r)
{
    chorus_rc rc = CHORUS_OK;
    for (uint32_t g = 0; g < r->w->n_campaigns && !rc; g++)
        rc = schedule(r, g, r->w->start_ms);
    return rc;
}

/* Members of team s awake at t, joining each with chance join, at most
 * cap; returns how many were written to out. */
static uint32_t awake(const sim_run *r, const sim_group *g, int s, int64_t t, double join,
                      sim_rng *rng, uint32_t *out, uint32_t cap)
{
    uint32_t n = 0, size = g->team_n[s];
    uint32_t from = size ? (uint32_t)sim_below(rng, size) : 0; /* big teams: a fair share each */
    for (uint32_t i = 0; i < size && n < cap; i++) {
        uint32_t a = r->w->members[g->team_first[s] + (from + i) % size];
        if (r->w->active_from[a] <= t && sim_unit(rng) < join)
            out[n++] = a;
    }
    return n;
}

static int persian_for(const sim_group *g, const sim_narrative *n)
{
    return sim_zones[g->zone].lang[0] == 'f' && n->text_fa != NULL;
}

/* A seed by one ring member, retweeted by the others after jittered delays
 * (seconds when easy, minutes when hard). */
static chorus_rc plan_ring(sim_run *r, sim_proc *p, const sim_group *g, int64_t t, sim_rng *rng)
{
    const sim_world *w = r->w;
    uint32_t who[SIM_BURST_MAX];
    uint32_t n = awake(r, g, SIM_STRAT_RETWEET_RING, t, 1.0, rng, who, p->cap_steps);
    if (n < 2)
        return CHORUS_OK;
    uint32_t seed = (uint32_t)sim_below(rng, n);
    int16_t idx = p->base.narrative;
    if (sim_below(rng, 2))
        sim_text_narrative(&p->base, rng, &w->narr[idx], idx, p->persian, w->k.perturb / 2, 1);
    else
        sim_text_link(&p->base, rng, &w->narr[idx], idx, p->article, g->shortener,
                      (int)sim_below(rng, 2), w->k.perturb, p->persian ? "fa" : "en");
    p->steps[p->n_steps++] = (sim_step){t, who[seed], SIM_STEP_SEED};
    for (uint32_t i = 0; i < n; i++) {
        if (i == seed || sim_unit(rng) >= w->k.ring_join)
            continue;
        double d = sim_loglogistic(rng, w->k.ring_median_s * 1000, w->k.ring_shape);
        int64_t delay = 1000 + (int64_t)(d < RING_CAP_MS ? d : RING_CAP_MS);
        p->steps[p->n_steps++] = (sim_step){t + delay, who[i], SIM_STEP_RETWEET};
    }
    p->seed_weight = 0.3f;
    return CHORUS_OK;
}

/* Tight campaigns also amplify their own text: the earliest post becomes
 * a seed that the other members retweet, seconds or minutes later. */
static void cross_retweets(sim_proc *p, const sim_world *w, const uint32_t *who, uint32_t k,
                           sim_rng *rng)
{
    uint32_t first = 0;
    for (uint32_t i = 1; i < k; i++)
        if (p->steps[i].t < p->steps[first].t)
            first = i;
    sim_step *seed = &p->steps[first];
    seed->kind = SIM_STEP_SEED;
    for (uint32_t i = 0; i < k && p->n_steps < p->cap_steps; i++) {
        if (i == first || sim_unit(rng) >= w->k.ring_join)
            continue;
        double d = sim_loglogistic(rng, w->k.ring_median_s * 1000, w->k.ring_shape);
        p->steps[p->n_steps++] = (sim_step){seed->t + 1000 + (int64_t)d, who[i], SIM_STEP_RETWEET};
    }
}

/* Copy-pasta, link pushing or a hashtag sequence: members post variants
 * of one content within the difficulty's window. */
static void plan_text(sim_run *r, sim_proc *p, const sim_group *g, int s, int64_t t, sim_rng *rng)
{
    const sim_world *w = r->w;
    const sim_narrative *n = &w->narr[p->base.narrative];
    uint32_t who[SIM_BURST_MAX];
    uint32_t k = awake(r, g, s, t, TEXT_JOIN, rng, who, p->cap_steps / 2);
    double window = w->k.pasta_window_s * 1000 * (s == SIM_STRAT_HASHTAG_SEQ ? 0.5 : 1.0);
    p->variant = s == SIM_STRAT_COPYPASTA ? SIM_VAR_PASTA
                 : s == SIM_STRAT_LINK_PUSH ? SIM_VAR_LINK : SIM_VAR_TAGSEQ;
    if (s == SIM_STRAT_HASHTAG_SEQ) { /* one order for the whole operation */
        const char *tags[SIM_MAX_TAGS];
        unsigned nt = 0;
        for (unsigned i = 0; i < 3; i++)
            if (n->hashtags[i])
                tags[nt++] = n->hashtags[i];
        for (unsigned i = 0; i < g->n_tags && nt < 6; i++)
            tags[nt++] = g->tags[i];
        sim_shuffle(tags, nt, rng);
        for (unsigned i = 0; i < nt; i++)
            p->base.tags[i] = tags[i];
        p->base.n_tags = (uint8_t)nt;
    }
    for (uint32_t i = 0; i < k; i++)
        p->steps[p->n_steps++] = (sim_step){t + (int64_t)(sim_unit(rng) * window), who[i],
                                            SIM_STEP_VARIANT};
    p->seed_weight = 0.2f;
    if (k > 1 && sim_unit(rng) < w->k.cross_retweet)
        cross_retweets(p, w, who, k, rng);
}

/* A small team posts the same content once or twice each, spread over
 * hours or days: nothing co-occurs within minutes. */
static void plan_slow(sim_run *r, sim_proc *p, const sim_group *g, int64_t t, sim_rng *rng)
{
    uint32_t who[SIM_BURST_MAX];
    uint32_t n = awake(r, g, SIM_STRAT_SLOW, t, 1.0, rng, who, p->cap_steps / 2);
    uint32_t team = 3 + (uint32_t)sim_below(rng, 3);
    double span = (6 + (double)sim_below(rng, 67)) * SIM_HOUR_MS;
    p->variant = sim_below(rng, 2) ? SIM_VAR_PASTA : SIM_VAR_LINK;
    for (uint32_t i = 0; i < n && i < team; i++) {
        uint32_t j = i + (uint32_t)sim_below(rng, n - i), a = who[j];
        who[j] = who[i];
        for (uint32_t k = 1 + (uint32_t)sim_below(rng, 2); k > 0; k--)
            p->steps[p->n_steps++] = (sim_step){t + (int64_t)(sim_unit(rng) * span), a,
                                                SIM_STEP_VARIANT};
    }
    p->seed_weight = 0.2f;
}

/* Picks a team by size, a narrative, and plans the operation. */
chorus_rc sim_campaign_op(sim_run *r, int64_t t, uint32_t gi)
{
    sim_group *g = &r->w->groups[gi];
    sim_rng *rng = &g->rng;
    chorus_rc rc = schedule(r, gi, t);
    uint64_t x = sim_below(rng, g->n);
    int s = 1;
    while (s < SIM_STRAT_COUNT - 1 && x >= g->team_n[s]) {
        x -= g->team_n[s];
        s++;
    }
    if (rc || g->team_n[s] == 0 || g->n_narr == 0)
        return rc;
    sim_proc *p;
    uint32_t slot;
    uint32_t cap = capped(g->team_n[s]) * (s == SIM_STRAT_RETWEET_RING ? 1 : 2) + 1;
    if ((rc = sim_burst_new(r, cap, &p, &slot)))
        return rc;
    int16_t idx = (int16_t)g->narr[sim_below(rng, g->n_narr)];
    p->campaign = 1;
    p->group = gi;
    p->seed = sim_next(rng);
    p->article = (uint32_t)sim_below(rng, 100000);
    p->persian = (uint8_t)persian_for(g, &r->w->narr[idx]);
    sim_content_clear(&p->base, p->persian ? "fa" : "en");
    p->base.narrative = idx;
    if (s == SIM_STRAT_RETWEET_RING)
        rc = plan_ring(r, p, g, t, rng);
    else if (s == SIM_STRAT_SLOW)
        plan_slow(r, p, g, t, rng);
    else
        plan_text(r, p, g, s, t, rng);
    return rc ? rc : sim_burst_launch(r, p, slot);
}
