/*
 * organic.c - the organic background and the viral cascades. Every minute
 * the tick draws that minute's actions by the daily rhythm of each time
 * zone and the heavy-tailed activity of accounts, and steers the running
 * total toward the requested count. A cascade is one process that releases
 * hundreds to thousands of retweets by organic accounts, most in minutes.
 */
#include "sim/model.h"

#include <string.h>

#define STEER_MINUTES 360.0   /* the tick closes a count gap over ~6 hours */
#define CASCADE_CAP_MS (48 * SIM_HOUR_MS)
#define FAST_MS (5 * SIM_MINUTE_MS)

/* Activity by local hour (a sleeping night, a morning rise, a long
 * evening peak), mean about 1; linear inside each hour. */
static double sim_rhythm(int64_t m)
{
    static const double hour[25] = {0.55, 0.35, 0.22, 0.15, 0.12, 0.15, 0.3, 0.6, 0.95, 1.1,
                                    1.15, 1.2, 1.3, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.7,
                                    1.8, 1.75, 1.5, 1.0, 0.55};
    int64_t h = m / 60;
    double f = (double)(m % 60) / 60.0;
    return hour[h] + (hour[h + 1] - hour[h]) * f;
}

/* The weight of the minute starting at t, per zone and in total. */
static double minute_weight(const sim_world *w, int64_t t, double *zw)
{
    double total = 0;
    for (unsigned z = 0; z < SIM_ZONES; z++) {
        int64_t local = t + (int64_t)sim_zones[z].tz_minutes * SIM_MINUTE_MS;
        int64_t day = local / SIM_DAY_MS, mod = (local % SIM_DAY_MS) / SIM_MINUTE_MS;
        /* day 0 (1970-01-01) was a Thursday: (day + 3) % 7 is 5 on Saturdays */
        int64_t wd = (day + 3 + sim_zones[z].fri_sat) % 7;
        double weekend = wd >= 5 ? 1.12 : 1.0;
        zw[z] = w->zone_actor[z].total * sim_rhythm(mod) * weekend;
        total += zw[z];
    }
    return total;
}

chorus_rc sim_organic_start(sim_run *r)
{
    const sim_world *w = r->w;
    double zw[SIM_ZONES];
    r->minute_w_total = 0;
    for (int64_t t = w->start_ms; t < w->end_ms; t += SIM_MINUTE_MS)
        r->minute_w_total += minute_weight(w, t, zw);
    chorus_rc rc = sim_sched_push(&r->sched, w->start_ms, SIM_EV_MINUTE, 0);
    if (!rc && w->cascade_rate > 0)
        rc = sim_sched_push(&r->sched,
                            w->start_ms + (int64_t)sim_exponential(&r->casc, 1 / w->cascade_rate),
                            SIM_EV_CASCADES, 0);
    return rc;
}

/* Actions in the minute at t: its share of the organic budget, plus a
 * correction toward the running target of all sources together. */
chorus_rc sim_organic_minute(sim_run *r, int64_t t)
{
    const sim_world *w = r->w;
    double zw[SIM_ZONES], target = (double)w->opts->posts;
    double total = minute_weight(w, t, zw);
    if (r->minute_w_total <= 0 || total <= 0)
        return sim_sched_push(&r->sched, t + SIM_MINUTE_MS, SIM_EV_MINUTE, 0);
    double due = target * r->minute_w_done / r->minute_w_total;
    double left = (double)(w->end_ms - t) / SIM_MINUTE_MS;
    double x = target * w->organic_share * total / r->minute_w_total +
               (due - (double)r->tally.posts) / (left < STEER_MINUTES ? (left < 1 ? 1 : left)
                                                                     : STEER_MINUTES);
    r->minute_w_done += total;
    uint64_t n = sim_dither(&r->org, x);
    for (uint64_t i = 0; i < n; i++) {
        double u = sim_unit(&r->org) * total;
        unsigned z = 0;
        while (z + 1 < SIM_ZONES && (u -= zw[z]) >= 0)
            z++;
        uint32_t a = sim_alias_draw(&w->zone_actor[z], &r->org);
        if (a == SIM_NO_ACCOUNT)
            continue;
        chorus_rc rc = sim_sched_push(&r->sched, t + (int64_t)sim_below(&r->org, SIM_MINUTE_MS),
                                      SIM_EV_ORGANIC, a);
        if (rc)
            return rc;
    }
    return sim_sched_push(&r->sched, t + SIM_MINUTE_MS, SIM_EV_MINUTE, 0);
}

/* How likely others share an original by a: popular accounts' posts more. */
static float popularity(const sim_account *a)
{
    double p = 0.08 + (double)a->followers / ((double)a->followers + 20000.0);
    return (float)(p > 1 ? 1 : p);
}

chorus_rc sim_organic_action(sim_run *r, int64_t t, uint32_t account)
{
    const sim_world *w = r->w;
    if (t < w->active_from[account])
        return CHORUS_OK; /* a sleeper: silent until its campaign wakes it */
    const sim_account *who = &w->acc[account];
    uint64_t x = sim_below(&r->org, 100);
    /* text-only campaign accounts camouflage with their own posts, not
     * retweets: what they share, they share alone */
    if (who->role == SIM_CAMPAIGN && who->strategy != SIM_STRAT_RETWEET_RING && x < 38 &&
        sim_below(&r->org, 10))
        x = 99;
    sim_act a = {t, account, CHORUS_KIND_POST, &r->scratch, NULL, NULL, 0, 0};
    if (x < 55) {
        const sim_original *ref = sim_pool_pick(r, &r->org, account, t);
        if (ref && x < 38) {
            a.kind = CHORUS_KIND_RETWEET;
            a.ref = ref;
            a.c = NULL;
            return sim_emit(r, &a, NULL);
        }
        if (ref) {
            a.kind = x < 48 ? CHORUS_KIND_REPLY : CHORUS_KIND_QUOTE;
            a.ref = ref;
            if (a.kind == CHORUS_KIND_REPLY)
                sim_text_reply(&r->scratch, &r->org, w, account, ref);
            else
                sim_text_quote(&r->scratch, &r->org, w, account, ref, NULL);
            a.pool_weight = 0.05f;
            return sim_emit(r, &a, NULL);
        }
    }
    sim_text_organic(&r->scratch, &r->org, w, account);
    a.pool_weight = popularity(&w->acc[account]);
    return sim_emit(r, &a, NULL);
}

/* ---- viral cascades ---- */

/* Delays follow a log-logistic law (median a few minutes, heavy tail)
 * cut at 48 hours; the k-th retweet's delay is the k-th of K sorted
 * draws, made one at a time from the previous: u' = 1 - (1-u) v^(1/(K-k)). */
static int64_t cascade_next(sim_proc *p, double median_ms)
{
    double v = sim_unit(&p->rng);
    v = v <= 0 ? 0x1.0p-53 : v;
    p->u = 1 - (1 - p->u) * sim_pow(v, 1.0 / (double)(p->k_total - p->k_done));
    double cap = 1.0 / (1.0 + sim_pow(CASCADE_CAP_MS / median_ms, -1.0));
    double d = sim_loglogistic_inv(p->u * cap, median_ms, 1.0);
    return p->orig.t + 1000 + (int64_t)d;
}

static double cascade_median_ms(const sim_world *w) { return w->k.cascade_median_s * 1000; }

static chorus_rc cascade_init(sim_run *r, sim_proc *p, double kdraw)
{
    uint32_t k = (uint32_t)kdraw;
    p->cascade = 1;
    p->k_total = k < 1 ? 1 : k;
    p->seen_cap = 16;
    while (p->seen_cap < 2 * p->k_total)
        p->seen_cap *= 2;
    p->seen = ch_alloc(r->ctx, (size_t)p->seen_cap * sizeof *p->seen);
    if (!p->seen) {
        p->seen_cap = 0;
        return ch_nomem(r->ctx);
    }
    memset(p->seen, 0xff, (size_t)p->seen_cap * sizeof *p->seen);
    p->rng = sim_stream(r->w->opts->seed, 0x7669726c00000000ULL + r->cascades++);
    return CHORUS_OK;
}

static chorus_rc cascade_schedule(sim_run *r, sim_proc *p, uint32_t slot, int64_t after);

/* A popular organic account posts; K organic accounts will retweet it. */
chorus_rc sim_cascade_start(sim_run *r, int64_t t)
{
    const sim_world *w = r->w;
    chorus_rc rc = sim_sched_push(
        &r->sched, t + 1 + (int64_t)sim_exponential(&r->casc, 1 / w->cascade_rate),
        SIM_EV_CASCADES, 0);
    uint32_t author = sim_alias_draw(&w->star, &r->casc);
    if (rc || author == SIM_NO_ACCOUNT)
        return rc;
    sim_proc *p;
    uint32_t slot;
    if ((rc = sim_proc_new(&r->sched, &p, &slot)))
        return rc;
    double k = sim_pareto(&r->casc, w->cascade_kmin, w->cascade_alpha);
    if ((rc = cascade_init(r, p, k > w->cascade_kmax ? w->cascade_kmax : k)))
        return rc;
    sim_text_organic(&p->orig.c, &p->rng, w, author);
    /* not offered to the pool: a cascade is its only sharing */
    sim_act a = {t, author, CHORUS_KIND_POST, &p->orig.c, NULL, NULL, 0, 0};
    if ((rc = sim_emit(r, &a, &p->orig.id)))
        return rc;
    p->orig.t = t;
    p->orig.author = author;
    p->orig.weight = 1.0f;
    return cascade_schedule(r, p, slot, t);
}

/* Marks account as having retweeted; 0 when it already had. */
static int seen_add(sim_proc *p, uint32_t account)
{
    uint32_t mask = p->seen_cap - 1;
    for (uint32_t i = (uint32_t)(account * 2654435761u) & mask;; i = (i + 1) & mask) {
        if (p->seen[i] == account)
            return 0;
        if (p->seen[i] == UINT32_MAX) {
            p->seen[i] = account;
            return 1;
        }
    }
}

/* Early retweets come mostly from the heaviest retweeters: the same few
 * accounts meet in the first minutes of many cascades, as in real data. */
static uint32_t cascade_pick(sim_run *r, sim_proc *p, int64_t t)
{
    const sim_world *w = r->w;
    int fast = t - p->orig.t < FAST_MS && sim_unit(&p->rng) < w->k.cascade_fast;
    for (int tries = 0; tries < 8; tries++) {
        uint32_t a = sim_alias_draw(fast ? &w->fast_retweeter : &w->retweeter, &p->rng);
        if (a == SIM_NO_ACCOUNT || a == p->orig.author || t < w->active_from[a])
            continue;
        if (seen_add(p, a))
            return a;
    }
    return SIM_NO_ACCOUNT;
}

/* The next retweet: its time (not before after) and its account. */
static chorus_rc cascade_schedule(sim_run *r, sim_proc *p, uint32_t slot, int64_t after)
{
    int64_t t = cascade_next(p, cascade_median_ms(r->w));
    t = t > after ? t : after;
    p->pending = cascade_pick(r, p, t);
    return sim_sched_push(&r->sched, t, SIM_EV_PROC, slot);
}

chorus_rc sim_cascade_step(sim_run *r, int64_t t, uint32_t slot)
{
    sim_proc *p = r->sched.procs[slot];
    chorus_rc rc = CHORUS_OK;
    if (p->pending != SIM_NO_ACCOUNT) {
        sim_act act = {t, p->pending, CHORUS_KIND_RETWEET, NULL, &p->orig, NULL, 0, 0};
        rc = sim_emit(r, &act, NULL);
        r->tally.cascade_retweets++;
    }
    if (rc || ++p->k_done >= p->k_total) {
        sim_proc_end(&r->sched, slot);
        return rc;
    }
    return cascade_schedule(r, p, slot, t);
}
