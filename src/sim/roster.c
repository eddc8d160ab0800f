/*
 * roster.c - who is who: turns the planned groups into accounts. Roles are
 * laid out in order, then scattered over the account table by a random
 * permutation so that neither ids nor file order reveal a campaign.
 * Campaign accounts get clustered creation dates (sleepers registered in
 * bursts), a shared client, and for some a late wake-up time.
 */
#include "sim/model.h"

#include <string.h>

typedef struct slot {
    uint8_t persona, role, strategy;
    uint32_t group; /* UINT32_MAX: none */
} slot;

static const char *const desk_names[] = {" Sport", " Business", " Culture", " Live",
                                         " Weather", " Regions"};

/* Role of slot j: campaigns, then each group's leader and members. */
static void lay_out(const sim_world *w, slot *s)
{
    uint32_t j = 0;
    for (uint32_t g = 0; g < w->n_groups; g++) {
        const sim_group *grp = &w->groups[g];
        if (grp->role == SIM_BENIGN_NEWS)
            s[j++] = (slot){SIM_P_OUTLET, SIM_OUTLET, 0, g};
        else if (grp->role == SIM_BENIGN_FAN)
            s[j++] = (slot){SIM_P_IDOL, SIM_ORGANIC, 0, g};
        for (uint32_t m = grp->first; m < grp->first + grp->n; m++) {
            slot x = {SIM_P_OPERATIVE, grp->role, 0, g};
            if (grp->role == SIM_CAMPAIGN)
                for (int st = 1; st < SIM_STRAT_COUNT; st++)
                    if (m >= grp->team_first[st] && m < grp->team_first[st] + grp->team_n[st])
                        x.strategy = (uint8_t)st;
            x.persona = grp->role == SIM_CAMPAIGN      ? SIM_P_OPERATIVE
                        : grp->role == SIM_BENIGN_NEWS ? SIM_P_DESK
                        : grp->role == SIM_BENIGN_FAN  ? SIM_P_FAN
                                                       : SIM_P_BOT;
            s[j++] = x;
        }
    }
    for (; j < w->n_acc; j++)
        s[j] = (slot){SIM_P_PERSON, SIM_ORGANIC, 0, UINT32_MAX};
}

static unsigned draw_zone(sim_rng *r)
{
    double x = sim_unit(r);
    unsigned z = 0;
    while (z + 1 < SIM_ZONES && (x -= sim_zones[z].share) >= 0)
        z++;
    return z;
}

/* Campaign accounts: most registered in one of the campaign's bursts of a
 * few days, months before the span; sleepers stay silent until wake_ms. */
static int64_t operative_created(const sim_world *w, const sim_group *g, uint32_t gi,
                                 sim_rng *r, int64_t *active_from)
{
    if (sim_unit(r) >= w->k.burst_created)
        return 0;
    sim_rng br = sim_stream(w->opts->seed, 0x6275727374ULL + gi);
    unsigned bursts = 2 + (unsigned)sim_below(&br, 2), b = (unsigned)sim_below(r, bursts);
    int64_t center = 0;
    for (unsigned i = 0; i <= b; i++)
        center = w->start_ms - (int64_t)(20 + sim_below(&br, 700)) * SIM_DAY_MS;
    if (sim_unit(r) < w->k.sleepers)
        *active_from = g->wake_ms;
    return center + (int64_t)sim_below(r, 4 * SIM_DAY_MS) - 2 * SIM_DAY_MS;
}

static double person_activity(sim_rng *r, double scale)
{
    double a = sim_pareto(r, 1.0, 1.3);
    return (a > 200 ? 200 : a) * scale;
}

static void fill_roles(sim_account *a, const slot *s, const sim_group *g, sim_rng *r)
{
    a->role = s->role;
    a->strategy = s->strategy;
    a->group = (int16_t)(s->role == SIM_ORGANIC || s->role == SIM_OUTLET || !g
                             ? -1
                             : (int16_t)(s->group > 32767 ? 32767 : s->group));
    unsigned z = g ? g->zone : draw_zone(r);
    if ((s->persona == SIM_P_OPERATIVE || s->persona == SIM_P_FAN) && sim_below(r, 5) == 0)
        z = draw_zone(r);
    a->tz_minutes = sim_zones[z].tz_minutes;
    int main_lang = s->persona == SIM_P_OPERATIVE ? sim_below(r, 100) < 85 : sim_below(r, 5) > 0;
    a->lang = main_lang ? sim_zones[z].lang : sim_zones[z].lang2;
    if (s->persona == SIM_P_OUTLET || s->persona == SIM_P_DESK || s->persona == SIM_P_BOT ||
        s->persona == SIM_P_IDOL)
        a->lang = "en";
}

/* The account of slot s; g is its group or NULL. */
static void make_one(sim_world *w, sim_account *a, const slot *s, uint32_t index)
{
    sim_group *g = s->group == UINT32_MAX ? NULL : &w->groups[s->group];
    sim_rng r = sim_stream(w->opts->seed ^ ((uint64_t)index << 20), 0x6163636f756e74ULL);
    fill_roles(a, s, g, &r);
    char name[96];
    const char *nm = NULL;
    if (s->persona == SIM_P_OUTLET || s->persona == SIM_P_IDOL || s->persona == SIM_P_BOT)
        nm = g->name;
    else if (s->persona == SIM_P_DESK) {
        snprintf(name, sizeof name, "%s%s", g->name, desk_names[sim_below(&r, 6)]);
        nm = name;
    }
    int64_t created = 0;
    w->active_from[index] = w->start_ms;
    if (s->persona == SIM_P_OPERATIVE)
        created = operative_created(w, g, s->group, &r, &w->active_from[index]);
    sim_account_make(a, &r, (sim_persona)s->persona, nm, created, w->start_ms);
    a->client = s->persona == SIM_P_OPERATIVE && sim_unit(&r) < w->k.shared_client ? g->client
                : g && g->client && s->persona != SIM_P_OPERATIVE              ? g->client
                : s->persona == SIM_P_IDOL ? "Twitter for iPhone"
                                           : sim_common_client(&r);
    a->activity = s->persona == SIM_P_PERSON ? (float)person_activity(&r, 1.0)
                  : s->persona == SIM_P_FAN  ? (float)person_activity(&r, 1.5)
                  : s->persona == SIM_P_IDOL ? 0.3f
                                             : 0.0f; /* operatives: set with the budgets */
}

/* perm[j] = the account index of slot j (Fisher-Yates). */
static void permute(uint32_t *perm, uint32_t n, uint64_t seed)
{
    sim_rng r = sim_stream(seed, 0x7065726dULL);
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)sim_below(&r, i), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

chorus_rc sim_roster_build(sim_world *w)
{
    uint32_t n = w->n_acc;
    slot *s = ch_alloc(w->ctx, (size_t)n * sizeof *s);
    uint32_t *perm = ch_alloc(w->ctx, (size_t)n * sizeof *perm);
    if (!s || !perm) {
        ch_free(w->ctx, s, (size_t)n * sizeof *s);
        ch_free(w->ctx, perm, (size_t)n * sizeof *perm);
        return ch_nomem(w->ctx);
    }
    lay_out(w, s);
    permute(perm, n, w->opts->seed);
    uint32_t m = 0;
    for (uint32_t j = 0; j < n; j++) {
        make_one(w, &w->acc[perm[j]], &s[j], perm[j]);
        sim_group *g = s[j].group == UINT32_MAX ? NULL : &w->groups[s[j].group];
        if (s[j].persona == SIM_P_OUTLET || s[j].persona == SIM_P_IDOL)
            g->leader = perm[j];
        else if (g) {
            w->members[m++] = perm[j];
            if (s[j].persona == SIM_P_BOT)
                g->leader = perm[j];
        }
    }
    ch_free(w->ctx, s, (size_t)n * sizeof *s);
    ch_free(w->ctx, perm, (size_t)n * sizeof *perm);
    return sim_accounts_unique(w->ctx, w->acc, n, w->opts->seed);
}
