/*
 * burst.c - a burst: the planned actions of one group around one piece of
 * content (a campaign operation, an outlet's headline on every desk, fans
 * retweeting their idol or holding a hashtag party). Steps are sorted by
 * time and fired one per event, so a burst holds only its own plan.
 */
#include "sim/model.h"

#include <string.h>

/* Insertion sort for short runs, merge sort above: stable and portable
 * (qsort's order of equal keys is not specified). */
static void merge_sort(sim_step *s, sim_step *tmp, uint32_t n)
{
    if (n <= 16) {
        for (uint32_t i = 1; i < n; i++) {
            sim_step x = s[i];
            uint32_t j = i;
            while (j > 0 && s[j - 1].t > x.t) {
                s[j] = s[j - 1];
                j--;
            }
            s[j] = x;
        }
        return;
    }
    uint32_t h = n / 2, i = 0, j = h, k = 0;
    merge_sort(s, tmp, h);
    merge_sort(s + h, tmp, n - h);
    while (i < h && j < n)
        tmp[k++] = s[j].t < s[i].t ? s[j++] : s[i++];
    while (i < h)
        tmp[k++] = s[i++];
    while (j < n)
        tmp[k++] = s[j++];
    memcpy(s, tmp, (size_t)n * sizeof *s);
}

/* Sorts steps by time (stable) so a burst fires in order. */
static void sim_steps_sort(sim_step *s, uint32_t n)
{
    sim_step tmp[SIM_BURST_MAX];
    merge_sort(s, tmp, n > SIM_BURST_MAX ? SIM_BURST_MAX : n);
}

chorus_rc sim_burst_new(sim_run *r, uint32_t cap, sim_proc **p, uint32_t *slot)
{
    chorus_rc rc = sim_proc_new(&r->sched, p, slot);
    if (rc)
        return rc;
    if (cap > SIM_BURST_MAX)
        cap = SIM_BURST_MAX;
    (*p)->steps = ch_alloc(r->ctx, (size_t)(cap ? cap : 1) * sizeof *(*p)->steps);
    if (!(*p)->steps)
        return ch_nomem(r->ctx); /* the slot is freed with the scheduler */
    (*p)->cap_steps = cap ? cap : 1;
    sim_content_clear(&(*p)->base, "en");
    return CHORUS_OK;
}

chorus_rc sim_burst_launch(sim_run *r, sim_proc *p, uint32_t slot)
{
    if (p->n_steps == 0) {
        sim_proc_end(&r->sched, slot);
        return CHORUS_OK;
    }
    sim_steps_sort(p->steps, p->n_steps);
    p->next = 0;
    return sim_sched_push(&r->sched, p->steps[0].t, SIM_EV_PROC, slot);
}

/* Variant i of the burst's base content, into r->scratch. */
static const sim_content *variant(sim_run *r, sim_proc *p, uint32_t i)
{
    const sim_world *w = r->w;
    const sim_group *g = &w->groups[p->group];
    sim_rng rng = sim_stream(p->seed, i);
    int16_t idx = p->base.narrative;
    const sim_narrative *n = idx >= 0 ? &w->narr[idx] : NULL;
    switch (p->variant) {
    case SIM_VAR_PASTA:
        sim_text_narrative(&r->scratch, &rng, n, idx, p->persian, w->k.perturb, 1);
        break;
    case SIM_VAR_LINK: {
        uint64_t x = sim_below(&rng, 10); /* shared short link, own short link, tracked */
        sim_text_link(&r->scratch, &rng, n, idx, p->article, g->shortener,
                      x < 4 ? 1 : x < 7 ? 2 : 0, w->k.perturb, p->base.lang);
        break;
    }
    case SIM_VAR_TAGSEQ:
        sim_text_tagseq(&r->scratch, &rng, p->base.tags, p->base.n_tags, p->base.lang, idx);
        break;
    case SIM_VAR_FAN: sim_text_fan(&r->scratch, &rng, g, 1); break;
    default: return &p->base;
    }
    return &r->scratch;
}

static chorus_rc fire(sim_run *r, sim_proc *p, const sim_step *s, uint32_t i)
{
    sim_act a = {s->t, s->account, CHORUS_KIND_POST, NULL, NULL, NULL, p->campaign, 0};
    if (s->kind == SIM_STEP_SEED) { /* the base, or (text operations) its variant i */
        a.c = variant(r, p, i);
        a.pool_weight = p->seed_weight;
        chorus_rc rc = sim_emit(r, &a, &p->orig.id);
        if (!rc) {
            p->orig.t = s->t;
            p->orig.author = s->account;
            p->orig.weight = p->seed_weight;
            sim_content_copy(&p->orig.c, a.c);
            p->has_seed = 1;
        }
        return rc;
    }
    if (s->kind == SIM_STEP_RETWEET) {
        if (!p->has_seed || s->account == p->orig.author || s->t <= p->orig.t)
            return CHORUS_OK;
        a.kind = CHORUS_KIND_RETWEET;
        a.ref = &p->orig;
        return sim_emit(r, &a, NULL);
    }
    a.c = variant(r, p, i);
    a.pool_weight = p->seed_weight * 0.5f;
    return sim_emit(r, &a, NULL);
}

chorus_rc sim_burst_step(sim_run *r, int64_t t, uint32_t slot)
{
    sim_proc *p = r->sched.procs[slot];
    uint32_t i = p->next++;
    (void)t;
    chorus_rc rc = fire(r, p, &p->steps[i], i);
    if (rc || p->next >= p->n_steps) {
        sim_proc_end(&r->sched, slot);
        return rc;
    }
    return sim_sched_push(&r->sched, p->steps[p->next].t, SIM_EV_PROC, slot);
}
