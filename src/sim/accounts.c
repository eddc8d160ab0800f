/*
 * accounts.c - one simulated account: invented names and handles
 * (name-plus-digits for campaign accounts), numeric ids that follow the
 * creation time as real user ids do, base64 pseudonyms of 41-44 characters
 * for accounts under 5,000 followers (as the IO archive hashes them),
 * heavy-tailed follower counts, fictional places and bios.
 */
#include "sim/model.h"
#include "core/hash.h"

#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define RANGE_START_MS 1230768000000LL /* 2009-01-01 */

static const char *const first_names[] = {
    "Mira", "Tovan", "Elsa", "Daren", "Liesel", "Kasimir", "Noor", "Arvid", "Selka", "Orin",
    "Talia", "Brenn", "Ysolde", "Femi", "Jorund", "Leya", "Castor", "Imre", "Anouk", "Pell",
    "Saskia", "Teodor", "Viveka", "Rasmus", "Odile", "Halvar", "Junia", "Mattis", "Sorrel", "Edda",
    "Bastien", "Nerys", "Quill", "Rhosyn", "Aurel", "Dagny", "Lucan", "Maren", "Tobiah", "Wren",
};
static const char *const last_names[] = {
    "Varga", "Holloway", "Ostrander", "Kellin", "Marsh", "Dovrin", "Aslan", "Brightwater",
    "Tamsin", "Corvale", "Lindqvist", "Maro", "Pellerin", "Rusk", "Sablewood", "Threnn",
    "Ulver", "Vance", "Wickham", "Ydris", "Zorell", "Fenwick", "Galloway", "Hestor",
};
static const char *const fa_names[] = {
    "سارا", "آرش", "نگار", "بهرام", "مهسا", "کاوه", "لیلا", "سینا", "پریسا", "امید",
    "شیرین", "داریوش", "رها", "نیما", "ترانه", "بابک",
};
static const char *const ar_names[] = {
    "سلمى", "كريم", "ليلى", "يوسف", "هدى", "سامي", "نور", "عمر", "رنا", "زياد",
};

/* Cities of the five invented countries, by zone (see sim_zones). */
static const char *const places[SIM_ZONES][4] = {
    {"Arvast", "Kelmor", "Nareh", "Veldrane"},
    {"Brindlemoor", "Sarnoth", "Marrowfen", "Ostravin"},
    {"Casmeer", "Illmarch", "Kestrelby", "Tavira"},
    {"Paloria", "Zahrun", "Meddal", "Dunmere"},
    {"Quellport City", "Norvel", "Harrowgate", "Quellport"},
};
static const char *const places_fa[] = {"ولدرین", "آرواست", "کلمور"};

static const char *const bios_en[] = {
    "Coffee, trains and the Quellport ferries.",
    "Teacher. Gardener. Opinions my own.",
    "Photographer of harbours and small boats",
    "Dad, runner, bad at chess",
    "Weather nerd \xF0\x9F\x8C\xA7\xEF\xB8\x8F Kelmor valley",
    "Nurse on night shifts, \"sleep is a rumour\"",
    "Reading everything about rivers, bridges and maps",
    "Football on weekends, code on weekdays",
    "Baker in Sarnoth\nsourdough every morning",
    "Student of history at Illmarch college",
    "Local news, festivals and the occasional cat",
    "Music first. Lirians forever \xE2\x9C\xA8",
};
static const char *const bios_fa[] = {
    "عاشق کتاب و باران", "معلم، باغبان، مسافر", "عکاس دریا و کوه",
    "دانشجوی تاریخ", "موسیقی و قهوه \xE2\x98\x95", "زندگی در آرواست",
};
static const char *const bios_ar[] = {
    "أحب القراءة والبحر", "مهندس ومصور", "أخبار المدينة والرياضة", "طالب في جامعة زهرون",
};
static const char *const bios_operative[] = {
    "Proud of my country. Truth first.", "Independent voice. No masters.",
    "Patriot, father, believer in fair elections", "Ask questions. Share the answers.",
    "Citizen journalist \xF0\x9F\x93\xA2", "Standing with the workers of the coast",
};
static const char *const bios_fa_operative[] = {
    "میهن" "\xE2\x80\x8C" "دوست و آزاده", "صدای مستقل مردم", "حقیقت را بگویید",
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *sim_common_client(sim_rng *r)
{
    static const char *const clients[] = {
        "Twitter for Android", "Twitter for iPhone", "Twitter Web App", "Twitter Web Client",
        "TweetDeck", "Twitter for iPad",
    };
    static const uint8_t cum[] = {42, 72, 88, 94, 98, 100};
    uint64_t x = sim_below(r, 100);
    for (size_t i = 0; i < NELEM(cum); i++)
        if (x < cum[i])
            return clients[i];
    return clients[0];
}

static void make_pseudonym(sim_account *a, sim_rng *r)
{
    unsigned n = 41 + (unsigned)sim_below(r, 4), pad = sim_below(r, 2) == 0;
    for (unsigned i = 0; i < n; i++)
        a->id[i] = i + 1 == n && pad ? '=' : b64[sim_next(r) & 63];
    a->id[n] = 0;
    a->id_len = (uint8_t)n;
    memcpy(a->screen_name, a->id, n + 1);
    memcpy(a->display_name, a->id, n + 1);
    a->screen_len = a->display_len = (uint8_t)n;
}

/* Real user ids: sequential numbers until 2013, snowflakes after. */
static void make_numeric_id(sim_account *a, sim_rng *r)
{
    uint64_t id;
    if (a->created_ms >= 1370044800000LL) /* 2013-06-01 */
        id = ((uint64_t)(a->created_ms - SIM_TWEPOCH_MS) << 22) | sim_below(r, 1u << 22);
    else
        id = 10000000u + (uint64_t)((a->created_ms - RANGE_START_MS) / 30000) * 47 +
             sim_below(r, 47);
    a->id_len = (uint8_t)snprintf(a->id, sizeof a->id, "%llu", (unsigned long long)id);
}

/* Display name -> handle: spaces dropped, at most 30 bytes. */
static void handle_from(sim_account *a, const char *name, const char *suffix)
{
    size_t n = 0;
    for (const char *p = name; *p && n < 30; p++)
        if (*p != ' ' && *p != '\'' && *p != '.')
            a->screen_name[n++] = *p;
    if (suffix)
        for (const char *p = suffix; *p && n < 40; p++)
            a->screen_name[n++] = *p;
    a->screen_name[n] = 0;
    a->screen_len = (uint8_t)n;
}

static void set_display(sim_account *a, const char *s)
{
    size_t n = strlen(s);
    if (n >= sizeof a->display_name)
        n = sizeof a->display_name - 1;
    memcpy(a->display_name, s, n);
    a->display_name[n] = 0;
    a->display_len = (uint8_t)n;
}

/* "Mira Varga" / "mira_varga", "miravarga7", or for campaign accounts
 * the name-plus-digits handles of mass-registered accounts: "mira48213". */
static void make_person_name(sim_account *a, sim_rng *r, int operative)
{
    const char *f = first_names[sim_below(r, NELEM(first_names))];
    const char *l = last_names[sim_below(r, NELEM(last_names))];
    char buf[64];
    if (!strcmp(a->lang, "fa") && sim_below(r, 3))
        snprintf(buf, sizeof buf, "%s", fa_names[sim_below(r, NELEM(fa_names))]);
    else if (!strcmp(a->lang, "ar") && sim_below(r, 3))
        snprintf(buf, sizeof buf, "%s", ar_names[sim_below(r, NELEM(ar_names))]);
    else if (operative && sim_below(r, 2))
        snprintf(buf, sizeof buf, "%s", f);
    else
        snprintf(buf, sizeof buf, "%s %s", f, l);
    set_display(a, buf);
    char digits[16];
    if (operative) {
        snprintf(digits, sizeof digits, "%llu",
                 (unsigned long long)(1000 + sim_below(r, 99999000)));
        snprintf(buf, sizeof buf, "%s%s", f, digits);
        buf[0] = (char)(buf[0] | 0x20);
    } else {
        unsigned style = (unsigned)sim_below(r, 4);
        snprintf(digits, sizeof digits, "%u", (unsigned)sim_below(r, 100));
        snprintf(buf, sizeof buf, "%s%s%s%s", style == 3 ? (char[2]){f[0], 0} : f,
                 style == 1 ? "_" : "", l, style == 2 ? digits : "");
    }
    handle_from(a, buf, NULL);
}

static uint32_t draw_followers(sim_rng *r, sim_persona p)
{
    double x;
    switch (p) {
    case SIM_P_OUTLET: x = sim_pareto(r, 40000, 1.0); break;
    case SIM_P_DESK: x = sim_pareto(r, 6000, 1.3); break;
    case SIM_P_IDOL: x = sim_pareto(r, 300000, 1.0); break;
    case SIM_P_FAN: x = sim_pareto(r, 15, 0.9); break;
    case SIM_P_BOT: x = sim_pareto(r, 600, 1.0); break;
    case SIM_P_OPERATIVE:
        x = sim_below(r, 100) < 12 ? 5000 + sim_pareto(r, 200, 0.8) : sim_pareto(r, 10, 1.0);
        break;
    default: x = sim_pareto(r, 25, 0.62); break;
    }
    return x > 9e6 ? 9000000u : (uint32_t)x;
}

static uint32_t draw_following(sim_rng *r, sim_persona p)
{
    if (p == SIM_P_OPERATIVE) /* follow-back rings follow many */
        return 300 + (uint32_t)sim_below(r, 4500);
    if (p == SIM_P_OUTLET || p == SIM_P_DESK || p == SIM_P_IDOL)
        return 5 + (uint32_t)sim_below(r, 600);
    double x = sim_pareto(r, 40, 1.1);
    return x > 5000 ? 5000u : (uint32_t)x;
}

/* Creation time in [from, start - 30 days), uniform. */
static int64_t draw_created(sim_rng *r, sim_persona p, int64_t start_ms)
{
    int64_t from = RANGE_START_MS, to = start_ms - 30 * SIM_DAY_MS;
    if (p == SIM_P_OUTLET || p == SIM_P_IDOL)
        to = from + 4 * 365 * SIM_DAY_MS;
    else if (p == SIM_P_BOT)
        from += 5 * 365 * SIM_DAY_MS;
    if (to <= from)
        to = from + SIM_DAY_MS;
    return from + (int64_t)sim_below(r, (uint64_t)(to - from));
}

static const char *draw_location(sim_rng *r, const sim_account *a)
{
    unsigned z = 0;
    while (z + 1 < SIM_ZONES && sim_zones[z].tz_minutes != a->tz_minutes)
        z++;
    uint64_t x = sim_below(r, 100);
    if (x < 40)
        return "";
    if (x < 50 && !strcmp(a->lang, "fa"))
        return places_fa[sim_below(r, NELEM(places_fa))];
    if (x < 58) /* a comma inside: the CSV must quote it */
        return z == 0 ? "Arvast, Veldrane" : z == 1 ? "Sarnoth, Ostravin" : "Casmeer, Tavira";
    return places[z][sim_below(r, 4)];
}

static const char *draw_bio(sim_rng *r, const sim_account *a, sim_persona p)
{
    if (sim_below(r, 100) < 35)
        return "";
    int fa = !strcmp(a->lang, "fa"), ar = !strcmp(a->lang, "ar");
    if (p == SIM_P_OPERATIVE)
        return fa ? bios_fa_operative[sim_below(r, NELEM(bios_fa_operative))]
                  : bios_operative[sim_below(r, NELEM(bios_operative))];
    if (fa)
        return bios_fa[sim_below(r, NELEM(bios_fa))];
    if (ar)
        return bios_ar[sim_below(r, NELEM(bios_ar))];
    return bios_en[sim_below(r, NELEM(bios_en))];
}

static void make_names(sim_account *a, sim_rng *r, sim_persona p, const char *name)
{
    if (a->pseudonymised) {
        make_pseudonym(a, r);
        return;
    }
    make_numeric_id(a, r);
    if (!name) {
        make_person_name(a, r, p == SIM_P_OPERATIVE);
        return;
    }
    set_display(a, name);
    handle_from(a, name, p == SIM_P_IDOL ? "Official" : NULL);
}

void sim_account_make(sim_account *a, sim_rng *r, sim_persona p, const char *name,
                      int64_t created_ms, int64_t start_ms)
{
    a->followers = draw_followers(r, p);
    a->following = draw_following(r, p);
    a->pseudonymised = a->followers < 5000;
    a->created_ms = created_ms ? created_ms : draw_created(r, p, start_ms);
    make_names(a, r, p, name);
    a->location = p == SIM_P_BOT ? "" : draw_location(r, a);
    a->description = p == SIM_P_OUTLET || p == SIM_P_DESK ? "News, every hour. Tips: desk@"
                     : p == SIM_P_BOT                  ? "Automated digest. Not monitored."
                                                      : draw_bio(r, a, p);
}

/* Open-addressing set of 64-bit hashes (0 marks an empty slot). */
static int set_add(uint64_t *set, size_t mask, uint64_t h)
{
    h |= 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (set[i] == h)
            return 0;
        if (!set[i]) {
            set[i] = h;
            return 1;
        }
    }
}

/* Redraws a colliding id (a new pseudonym or number) or handle (digits). */
static void redraw(sim_account *a, sim_rng *r, int which)
{
    if (a->pseudonymised) {
        make_pseudonym(a, r);
    } else if (which == 0) {
        make_numeric_id(a, r);
    } else {
        char buf[48];
        snprintf(buf, sizeof buf, "%.36s%u", a->screen_name, (unsigned)sim_below(r, 1000));
        handle_from(a, buf, NULL);
    }
}

chorus_rc sim_accounts_unique(chorus_ctx *ctx, sim_account *a, uint32_t n, uint64_t seed)
{
    size_t cap = 16;
    while (cap < (size_t)n * 2)
        cap *= 2;
    uint64_t *set = ch_alloc(ctx, cap * sizeof *set);
    if (!set)
        return ch_nomem(ctx);
    sim_rng r = sim_stream(seed, 0x756e697175ULL);
    for (int which = 0; which < 2; which++) {
        memset(set, 0, cap * sizeof *set);
        for (uint32_t i = 0; i < n; i++) {
            sim_account *x = &a[i];
            while (!set_add(set, cap - 1,
                            which ? ch_hash64(x->screen_name, x->screen_len, 2) ^ 0x5a5a
                                  : ch_hash64(x->id, x->id_len, 1)))
                redraw(x, &r, which);
        }
    }
    ch_free(ctx, set, cap * sizeof *set);
    return CHORUS_OK;
}
