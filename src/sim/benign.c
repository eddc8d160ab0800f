/*
 * benign.c - the hard negatives that coordinate for harmless reasons and
 * are labelled benign in the truth: outlet families whose desks post the
 * same headline and link within a minute through a scheduling client, fan
 * communities that mass-retweet their idol and hold hashtag parties with
 * identical tag lists, and quote bots that post on a fixed schedule.
 */
#include "sim/model.h"

#include <string.h>

#define FAN_RT_CAP_MS (6 * SIM_HOUR_MS)
#define PARTY_MS (15 * SIM_MINUTE_MS)

static int64_t next_clock(sim_group *g, int64_t t, double rate)
{
    return sim_working_time(&g->rng, t, rate, sim_zones[g->zone].tz_minutes);
}

/* Parties are announced for a full local hour. */
static int64_t on_the_hour(int64_t t, int16_t tz_minutes)
{
    int64_t off = (int64_t)tz_minutes * SIM_MINUTE_MS, local = t + off;
    return (local / SIM_HOUR_MS + 1) * SIM_HOUR_MS - off;
}

/* A quote bot's period: whole minutes, at least ten. */
static int64_t bot_period(const sim_group *g)
{
    double p = g->rate > 0 ? 1 / g->rate : 1e18;
    int64_t m = p > 1e15 ? INT64_MAX / 4 : (int64_t)(p / SIM_MINUTE_MS);
    return (m < 10 ? 10 : m) * SIM_MINUTE_MS;
}

static chorus_rc push_before_end(sim_run *r, int64_t t, uint32_t type, uint32_t gi)
{
    return t < r->w->end_ms ? sim_sched_push(&r->sched, t, type, gi) : CHORUS_OK;
}

chorus_rc sim_benign_start(sim_run *r)
{
    chorus_rc rc = CHORUS_OK;
    int64_t start = r->w->start_ms;
    for (uint32_t gi = r->w->n_campaigns; gi < r->w->n_groups && !rc; gi++) {
        sim_group *g = &r->w->groups[gi];
        if (g->role == SIM_BENIGN_NEWS) {
            rc = push_before_end(r, next_clock(g, start, g->rate), SIM_EV_NEWS, gi);
        } else if (g->role == SIM_BENIGN_FAN) {
            rc = push_before_end(r, next_clock(g, start, g->rate), SIM_EV_IDOL, gi);
            int64_t party = next_clock(g, start, g->rate2);
            if (!rc && party < r->w->end_ms)
                rc = push_before_end(r, on_the_hour(party, sim_zones[g->zone].tz_minutes),
                                     SIM_EV_PARTY, gi);
        } else {
            int64_t first = start + (int64_t)sim_below(&g->rng, (uint64_t)bot_period(g) / 60000) *
                                        SIM_MINUTE_MS;
            rc = push_before_end(r, first + 1000 + (int64_t)sim_below(&g->rng, 4000),
                                 SIM_EV_QUOTEBOT, gi);
        }
    }
    return rc;
}

/* The outlet posts a headline; each desk posts it verbatim within a minute. */
static chorus_rc news(sim_run *r, sim_group *g, int64_t t, uint32_t gi)
{
    sim_proc *p;
    uint32_t slot;
    chorus_rc rc = sim_burst_new(r, g->n + 1, &p, &slot);
    if (rc)
        return rc;
    p->group = gi;
    p->variant = SIM_VAR_SAME;
    p->seed_weight = 0.9f;
    sim_text_headline(&p->base, &g->rng, g, t);
    p->steps[p->n_steps++] = (sim_step){t, g->leader, SIM_STEP_SEED};
    for (uint32_t i = 0; i < g->n && p->n_steps < p->cap_steps; i++)
        if (sim_below(&g->rng, 10))
            p->steps[p->n_steps++] = (sim_step){t + 2000 + (int64_t)sim_below(&g->rng, 53000),
                                                r->w->members[g->first + i], SIM_STEP_VARIANT};
    return sim_burst_launch(r, p, slot);
}

/* The idol posts; most fans retweet within minutes. */
static chorus_rc idol(sim_run *r, sim_group *g, int64_t t, uint32_t gi)
{
    sim_proc *p;
    uint32_t slot;
    chorus_rc rc = sim_burst_new(r, g->n + 1, &p, &slot);
    if (rc)
        return rc;
    p->group = gi;
    p->seed_weight = 1.0f;
    sim_text_fan(&p->base, &g->rng, g, 0);
    p->steps[p->n_steps++] = (sim_step){t, g->leader, SIM_STEP_SEED};
    for (uint32_t i = 0; i < g->n && p->n_steps < p->cap_steps; i++) {
        if (sim_below(&g->rng, 100) >= 75)
            continue;
        double d = sim_loglogistic(&g->rng, 90000, 1.6);
        p->steps[p->n_steps++] = (sim_step){t + 2000 + (int64_t)(d < FAN_RT_CAP_MS ? d : FAN_RT_CAP_MS),
                                            r->w->members[g->first + i], SIM_STEP_RETWEET};
    }
    return sim_burst_launch(r, p, slot);
}

/* A hashtag party: fans post cheers with the identical tag list. */
static chorus_rc party(sim_run *r, sim_group *g, int64_t t, uint32_t gi)
{
    sim_proc *p;
    uint32_t slot;
    chorus_rc rc = sim_burst_new(r, g->n, &p, &slot);
    if (rc)
        return rc;
    p->group = gi;
    p->variant = SIM_VAR_FAN;
    p->seed = sim_next(&g->rng);
    p->seed_weight = 0.1f;
    for (uint32_t i = 0; i < g->n && p->n_steps < p->cap_steps; i++)
        if (sim_below(&g->rng, 100) < 70)
            p->steps[p->n_steps++] = (sim_step){t + (int64_t)sim_below(&g->rng, PARTY_MS),
                                                r->w->members[g->first + i], SIM_STEP_VARIANT};
    return sim_burst_launch(r, p, slot);
}

/* A quote bot quotes a recent popular post, seconds after the minute. */
static chorus_rc quote_bot(sim_run *r, sim_group *g, int64_t t, uint32_t gi)
{
    int64_t period = bot_period(g);
    int64_t next = t - t % SIM_MINUTE_MS + period + 1000 + (int64_t)sim_below(&g->rng, 4000);
    chorus_rc rc = push_before_end(r, next, SIM_EV_QUOTEBOT, gi);
    const sim_original *ref = sim_pool_pick(r, &g->rng, g->leader, t);
    if (rc || !ref)
        return rc;
    char intro[96];
    snprintf(intro, sizeof intro, "%s: most shared this hour", g->name);
    sim_text_quote(&r->scratch, &g->rng, r->w, g->leader, ref, intro);
    sim_act a = {t, g->leader, CHORUS_KIND_QUOTE, &r->scratch, ref, g->client, 0, 0};
    return sim_emit(r, &a, NULL);
}

chorus_rc sim_benign_event(sim_run *r, const sim_event *ev)
{
    sim_group *g = &r->w->groups[ev->arg];
    chorus_rc rc;
    switch (ev->type) {
    case SIM_EV_NEWS:
        rc = push_before_end(r, next_clock(g, ev->t, g->rate), SIM_EV_NEWS, ev->arg);
        return rc ? rc : news(r, g, ev->t, ev->arg);
    case SIM_EV_IDOL:
        rc = push_before_end(r, next_clock(g, ev->t, g->rate), SIM_EV_IDOL, ev->arg);
        return rc ? rc : idol(r, g, ev->t, ev->arg);
    case SIM_EV_PARTY: {
        int64_t next = next_clock(g, ev->t, g->rate2);
        rc = next < r->w->end_ms
                 ? push_before_end(r, on_the_hour(next, sim_zones[g->zone].tz_minutes),
                                   SIM_EV_PARTY, ev->arg)
                 : CHORUS_OK;
        return rc ? rc : party(r, g, ev->t, ev->arg);
    }
    case SIM_EV_QUOTEBOT: return quote_bot(r, g, ev->t, ev->arg);
    default: return ch_error(r->ctx, CHORUS_EINTERNAL, "simulate: unknown event %u", ev->type);
    }
}
