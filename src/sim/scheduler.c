/*
 * scheduler.c - the generator's time-ordered event queue: a binary
 * min-heap on (time, insertion order), and the slots of live processes
 * (bursts, cascades). Memory follows what is pending, never the posts
 * written: this is what keeps `chorus simulate` bounded at any size.
 */
#include "sim/model.h"

#include <string.h>

void sim_sched_init(sim_sched *s, chorus_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
}

static int before(const sim_event *a, const sim_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

chorus_rc sim_sched_push(sim_sched *s, int64_t t, uint32_t type, uint32_t arg)
{
    if (s->n == s->cap && ch_grow(s->ctx, (void **)&s->heap, &s->cap, s->n + 1, sizeof *s->heap))
        return CHORUS_ENOMEM;
    sim_event ev = {t, s->seq++, arg, type};
    size_t i = s->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&ev, &s->heap[parent]))
            break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = ev;
    if (s->n > s->peak)
        s->peak = s->n;
    return CHORUS_OK;
}

int sim_sched_pop(sim_sched *s, sim_event *ev)
{
    if (s->n == 0)
        return 0;
    *ev = s->heap[0];
    sim_event last = s->heap[--s->n];
    size_t i = 0, n = s->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!before(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return 1;
}

chorus_rc sim_proc_new(sim_sched *s, sim_proc **p, uint32_t *slot)
{
    sim_proc *q = ch_calloc(s->ctx, sizeof *q);
    if (!q)
        return ch_nomem(s->ctx);
    if (s->n_free) {
        *slot = s->free_slots[--s->n_free];
    } else {
        if (ch_grow(s->ctx, (void **)&s->procs, &s->cap_procs, s->n_procs + 1, sizeof *s->procs) ||
            ch_grow(s->ctx, (void **)&s->free_slots, &s->cap_free, s->n_procs + 1,
                    sizeof *s->free_slots)) {
            ch_free(s->ctx, q, sizeof *q);
            return CHORUS_ENOMEM;
        }
        *slot = (uint32_t)s->n_procs++;
    }
    s->procs[*slot] = q;
    if (++s->live > s->peak_live)
        s->peak_live = s->live;
    *p = q;
    return CHORUS_OK;
}

/* Frees the process and what it owns; the slot is reused. */
void sim_proc_end(sim_sched *s, uint32_t slot)
{
    sim_proc *p = s->procs[slot];
    if (!p)
        return;
    ch_free(s->ctx, p->steps, (size_t)p->cap_steps * sizeof *p->steps);
    ch_free(s->ctx, p->seen, (size_t)p->seen_cap * sizeof *p->seen);
    ch_free(s->ctx, p, sizeof *p);
    s->procs[slot] = NULL;
    s->free_slots[s->n_free++] = slot; /* cap_free >= n_procs: always fits */
    s->live--;
}

void sim_sched_free(sim_sched *s)
{
    for (size_t i = 0; i < s->n_procs; i++)
        if (s->procs[i])
            sim_proc_end(s, (uint32_t)i);
    ch_free(s->ctx, s->heap, s->cap * sizeof *s->heap);
    ch_free(s->ctx, s->procs, s->cap_procs * sizeof *s->procs);
    ch_free(s->ctx, s->free_slots, s->cap_free * sizeof *s->free_slots);
    memset(s, 0, sizeof *s);
}
