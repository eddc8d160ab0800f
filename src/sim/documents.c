/*
 * documents.c - news articles from fictional outlets (documents.csv) and
 * their ground truth (truth_docs.csv, truth_laundering.csv). Most articles
 * are ordinary news built from templates; some launder a campaign
 * narrative 1-10 days after its first use on social media: the sentence
 * verbatim, lightly edited (synonyms, a typo, sentences swapped), or
 * paraphrased, buried inside an otherwise ordinary article. Articles are
 * planned first (a small record each), sorted by publication time, then
 * rendered and streamed one by one from their own random stream.
 */
#include "sim/sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sim_stream purpose ("docplan"): the articles draw apart from the posts. */
#define DOC_STREAM_PLAN 0x646f63706c616eULL

#define DOC_MIN_WORDS 80
#define DOC_MAX_WORDS 400
#define DOC_MIN_COUNT 20
#define DAY_MS 86400000LL
#define TEXT_CAP 16384 /* 400 words of the longest templates fit with room */

typedef enum doc_relation { REL_NONE = 0, REL_VERBATIM, REL_EDITED, REL_PARAPHRASE } doc_relation;

static const char *const relation_names[] = {"none", "verbatim", "edited", "paraphrase"};

typedef struct outlet {
    const char *name, *domain;
    int launders; /* small, less careful outlets carry most laundered text */
} outlet;

static const outlet outlets[] = {
    {"Veldrane Morning Ledger", "morning-ledger.example", 0},
    {"Quellport Courier", "quellport-courier.example", 0},
    {"Dunmere Evening Post", "dunmere-post.example", 0},
    {"The Tavira Gazette", "tavira-gazette.example", 0},
    {"Ostravin Wire", "ostravin-wire.example", 0},
    {"Harbour Observer", "harbour-observer.example", 1},
    {"Northreach Times", "northreach-times.example", 1},
    {"Meridian Daily", "meridian-daily.example", 1},
    {"Valley Chronicle", "valley-chronicle.example", 0},
    {"Coastline Review", "coastline-review.example", 1},
};
#define N_OUTLETS (sizeof outlets / sizeof outlets[0])

#define LIST(a) a, sizeof a / sizeof a[0]
static const char *const countries[] = {"Veldrane", "Ostravin", "Tavira", "Quellport",
                                        "Dunmere"};
static const char *const cities[] = {"Arlen",       "Corvath", "Selmar Bay",   "Norrick",
                                     "Pellham",     "Brenmouth", "Hadlow Cross", "Ivory Bridge",
                                     "Saltmere",    "Kestwick"};
static const char *const people[] = {
    "Minister Aldo Varenne", "Senator Ilsa Morrow",      "Mayor Teodor Brisk",
    "Dr. Hanne Solvik",      "Judge Ferran Ocles",       "Commissioner Lira Dane",
    "Professor Emil Castaro", "Director Mara Quint",     "Councillor Beno Artz"};
static const char *const parties[] = {"the Civic Harbour Party", "the Renewal Front",
                                      "the Farmers' League", "the Unity Bloc",
                                      "the Dunmere Labour Council"};
static const char *const companies[] = {"Marrowgate Shipping", "Kestrel Grid Holdings",
                                        "Sunfallow Agritech",  "Orvane Pharmaceuticals",
                                        "Brightwell Telecom",  "Halden Rail",
                                        "Corvath Steelworks",  "Lumen Bay Foods"};
static const char *const weekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};
static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

/* Templates. Slots: {C} country, {K} another country, {T} city, {U}
 * another city, {P} person, {Y} party, {O} company, {N} number, {R}
 * percentage, {D} weekday, {M} month, {S} match score. */
typedef struct topic {
    const char *titles[3];
    const char *body[10];
} topic;

static const topic topics[] = {
    {{"{O} revenue rises {R} percent", "Prices in {C} edge up in {M}",
      "{O} plans new plant near {T}"},
     {"{O} reported quarterly revenue of {N} million crowns, up {R} percent on the same period "
       "last year.",
      "Analysts in {T} said the figures were broadly in line with expectations.",
      "The {C} statistics office said consumer prices rose {R} percent in {M}, driven mainly by "
       "transport and housing costs.",
      "Trade between {C} and {K} has grown steadily since the customs agreement took effect.",
      "Shares of {O} closed {R} percent higher on {D} after the company confirmed plans for a new "
       "plant near {T}.",
      "Economists cautioned that a single month of data says little about the longer trend.",
      "Retailers in {T} reported a busy weekend, helped by mild weather and the start of the "
       "spring sales.",
      "The central bank is expected to leave interest rates unchanged at its meeting in {M}.",
      "{O} said it would hire about {N} new staff over the coming year.",
      "Small businesses in {U} said rent remained their largest single cost."}},
    {{"Storm warning for the {C} coast", "Heavy rain expected in {T}", "Mild week ahead for {U}"},
     {"Forecasters expect heavy rain across the coast of {C} through {D}, with gusts of up to {N} "
       "kilometres per hour.",
      "The {T} harbour authority postponed several sailings as a precaution.",
      "Farmers in the eastern valleys welcomed the rain after a dry spring.",
      "Temperatures are set to climb to around {N} degrees by the weekend in {U}.",
      "The weather service advised drivers to allow extra time on mountain roads.",
      "Flood barriers along the river in {T} were tested on {D} and worked as planned.",
      "Ski resorts in the northern hills reported fresh snow for the first time in weeks.",
      "Fishing crews in {U} said they would stay in port until the wind eased.",
      "Meteorologists said the season had so far been slightly warmer than average.",
      "Residents of low-lying streets in {T} were given sandbags by the council."}},
    {{"{T} Rovers win {S}", "Record entry for the {T} marathon", "{U} Athletic name new coach"},
     {"{T} Rovers beat {U} Athletic {S} on {D} in front of a crowd of {N} thousand.",
      "The coach praised the defence and said the squad would rest key players before the cup "
       "match.",
      "Organisers of the {T} marathon said more than {N}00 runners had registered, a record for "
       "the event.",
      "The national cycling team will hold a training camp in the hills above {U} in {M}.",
      "Tickets for the derby went on sale on {D} and were gone within an hour.",
      "The club's new stadium in {T} is due to open at the start of next season.",
      "A late goal from the substitute sealed the win after a goalless first half.",
      "The {C} swimming federation named a young squad for the regional championships.",
      "Fans gathered in the main square of {U} to welcome the team home.",
      "The league said it would review the refereeing decision from the weekend."}},
    {{"{T} film festival opens", "New museum show in {T}", "Sold-out concerts in {U}"},
     {"The {T} film festival opens on {D} with a restored print of a silent comedy from the "
       "national archive.",
      "Tickets for the opening concert sold out within hours, the organisers said.",
      "A new exhibition at the {T} museum traces three centuries of shipbuilding on the {C} coast.",
      "The city orchestra of {U} will tour {K} in {M} for the first time in a decade.",
      "Local authors will read from their new books at the library on {D} evening.",
      "The theatre in {T} reopened after a two-year restoration of its painted ceiling.",
      "Curators said the collection had been assembled from {N} private donors.",
      "A street food fair will fill the old market hall in {U} over the weekend.",
      "The festival jury is chaired by a documentary maker from {K}.",
      "Entry to the gallery will be free for students throughout {M}."}},
    {{"Ring road in {T} nears completion", "{O} wins rail contract", "New cycle lanes for {U}"},
     {"Work on the {T} ring road is expected to finish {N} weeks ahead of schedule, according to "
       "the transport ministry.",
      "{O} won the contract to upgrade signalling on the line between {T} and {U}.",
      "Residents said the roadworks had made the morning commute slower but welcomed the new cycle "
       "lanes.",
      "The port of {U} will add two cranes to handle a rise in container traffic.",
      "Engineers will inspect the old bridge in {T} on {D} before deciding on repairs.",
      "The new tram line is expected to carry about {N} thousand passengers a day.",
      "{P} said the project had stayed within its budget so far.",
      "Night trains between {C} and {K} will run again from {M}.",
      "The airport in {T} opened a second runway for small aircraft.",
      "Council officials in {U} asked residents to comment on the plans by the end of {M}."}},
    {{"Budget debate to resume on {D}", "{Y} names new spokesperson",
      "Committee report due in {M}"},
     {"{P} told reporters in {T} that the budget debate would resume on {D}.",
      "Members of {Y} said they would study the proposal before deciding how to vote.",
      "The committee is expected to publish its findings before the end of {M}.",
      "The parliament of {C} approved a bill on library funding by a wide margin.",
      "{Y} named a new spokesperson for regional affairs at a meeting in {U}.",
      "Delegations from {C} and {K} met in {T} to discuss fishing quotas.",
      "The session ran late as members debated amendments to the planning law.",
      "{P} thanked the outgoing chair for eight years of service.",
      "Opinion surveys suggest voters care most about housing and transport.",
      "Officials said the next round of talks would take place in {M}."}},
    {{"New beds for {T} children's ward", "{T} study looks at coastal erosion",
      "Clinic opens in {U}"},
     {"Researchers at the University of {T} published a study on coastal erosion in the journal "
       "Northern Geography.",
      "{P} said the hospital in {T} would add {N} beds to its children's ward next year.",
      "A new community clinic in {U} will open on weekdays from eight until six.",
      "The study found that dunes planted with grass held their shape far better during storms.",
      "Health officials reminded residents that the seasonal flu clinics open in {M}.",
      "Students from {U} won a national prize for a project on clean river water.",
      "The observatory near {T} will hold open evenings for the meteor shower in {M}.",
      "Scientists from {C} and {K} will share data from their ocean buoys.",
      "The hospital said waiting times had fallen by {R} percent since the spring.",
      "Volunteers helped count seabirds on the islands off {U} for the annual survey."}},
    {{"Volunteers plant trees in {T}", "{T} library extends hours",
      "Old bridge in {U} closes for repairs"},
     {"Volunteers planted {N}0 trees along the river in {T} over the weekend.",
      "The {T} library will extend its opening hours during the exam season.",
      "Police in {U} asked drivers to avoid the old bridge while repairs continue.",
      "The farmers' market in {T} moves to the cathedral square from {D}.",
      "A local bakery in {U} celebrated its hundredth year with free bread for neighbours.",
      "The council will decide in {M} whether to pedestrianise the high street.",
      "Residents of {T} raised {N} thousand crowns for a new playground.",
      "The ferry to the islands will run an extra service on {D} mornings.",
      "Schoolchildren in {U} painted a mural on the wall of the old station.",
      "The annual lantern parade in {T} drew families from across {C}."}},
};
#define N_TOPICS (sizeof topics / sizeof topics[0])

static const char *const generic[] = {
    "The ministry did not respond to a request for comment.",
    "More details are expected later this week.",
    "{P} is due to speak at a press conference on {D}.",
    "Local residents gave the news a mixed reception.",
    "A spokesperson said the figures would be reviewed in {M}.",
    "Similar plans were discussed in {K} last year.",
    "The announcement was made at a short briefing in {T}.",
    "Officials said further updates would follow on the council website.",
    "Some residents of {U} said they had heard little about the plans.",
    "The decision will be reviewed at the end of the year.",
    "Observers in {K} are following the matter closely.",
    "It was not immediately clear how many people would be affected.",
};
#define N_GENERIC (sizeof generic / sizeof generic[0])

/* Light edits: a word swapped for a near synonym (lower case; the first
 * letter's case is kept). */
static const char *const synonyms[][2] = {
    {"foreign", "overseas"},   {"jobs", "work"},        {"refuses", "declines"},
    {"publish", "release"},    {"families", "households"}, {"quietly", "secretly"},
    {"secret", "hidden"},      {"money", "cash"},       {"ministry", "department"},
    {"website", "site"},       {"vanished", "disappeared"}, {"cut", "reduced"},
    {"accident", "disaster"},  {"executives", "bosses"}, {"soldiers", "troops"},
    {"silent", "quiet"},       {"reporters", "journalists"}, {"savers", "depositors"},
    {"pensions", "savings"},   {"warned", "cautioned"}, {"friends", "allies"},
    {"plans", "intends"},      {"consulted", "asked"},  {"rose", "climbed"},
    {"newspapers", "papers"},  {"bought", "acquired"},  {"every", "each"},
    {"single", "lone"},        {"hands", "gives"},      {"coast", "shoreline"},
    {"ballots", "votes"},      {"phone", "handset"},    {"voted", "agreed"},
    {"engineers", "experts"},  {"close", "shut"},       {"double", "soar"},
    {"installing", "putting"}, {"diverting", "redirecting"}, {"early", "quickly"},
};
#define N_SYNONYMS (sizeof synonyms / sizeof synonyms[0])

/* ---- a bounded text buffer (never overflows; articles are far below it) ---- */

typedef struct tbuf {
    char *p;
    size_t n, cap;
} tbuf;

static void tb_put(tbuf *b, const char *s, size_t n)
{
    if (n > b->cap - 1 - b->n)
        n = b->cap - 1 - b->n;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void tb_str(tbuf *b, const char *s) { tb_put(b, s, strlen(s)); }

static void tb_clear(tbuf *b)
{
    b->n = 0;
    b->p[0] = 0;
}

/* ---- templates ---- */

static const char *pick(sim_rng *r, const char *const *list, size_t n)
{
    return list[sim_below(r, n)];
}

/* The second country or city of a sentence differs from the first. */
static const char *pick_other(sim_rng *r, const char *const *list, size_t n, const char *avoid)
{
    size_t i = (size_t)sim_below(r, n);
    return list[i] == avoid ? list[(i + 1) % n] : list[i];
}

/* Appends one slot's value; *c and *t remember the last {C} and {T}. */
static void put_slot(tbuf *b, char slot, sim_rng *r, const char **c, const char **t)
{
    char num[32];
    switch (slot) {
    case 'C': tb_str(b, *c = pick(r, LIST(countries))); return;
    case 'K': tb_str(b, pick_other(r, LIST(countries), *c)); return;
    case 'T': tb_str(b, *t = pick(r, LIST(cities))); return;
    case 'U': tb_str(b, pick_other(r, LIST(cities), *t)); return;
    case 'P': tb_str(b, pick(r, LIST(people))); return;
    case 'Y': tb_str(b, pick(r, LIST(parties))); return;
    case 'O': tb_str(b, pick(r, LIST(companies))); return;
    case 'D': tb_str(b, pick(r, LIST(weekdays))); return;
    case 'M': tb_str(b, pick(r, LIST(months))); return;
    case 'N': snprintf(num, sizeof num, "%u", (unsigned)(2 + sim_below(r, 98))); break;
    case 'R':
    case 'S': {
        /* One draw per statement: C leaves the order of arguments open. */
        unsigned x = (unsigned)sim_below(r, slot == 'R' ? 12 : 4);
        unsigned y = (unsigned)sim_below(r, slot == 'R' ? 10 : 3);
        snprintf(num, sizeof num, slot == 'R' ? "%u.%u" : "%u-%u", slot == 'R' ? x : x + 1, y);
        break;
    }
    default: num[0] = 0; break;
    }
    tb_str(b, num);
}

/* Appends template tpl with its slots filled, its first letter a capital
 * ("{Y} said" starts "the ..."). */
static void expand(tbuf *b, const char *tpl, sim_rng *r)
{
    const char *c = countries[0], *t = cities[0];
    size_t first = b->n;
    while (*tpl) {
        const char *open = strchr(tpl, '{');
        if (!open) {
            tb_str(b, tpl);
            return;
        }
        tb_put(b, tpl, (size_t)(open - tpl));
        put_slot(b, open[1], r, &c, &t);
        tpl = open + 3;
        if (b->n > first && b->p[first] >= 'a' && b->p[first] <= 'z')
            b->p[first] = (char)(b->p[first] - 'a' + 'A');
    }
}

static unsigned count_words(const char *s, size_t n)
{
    unsigned w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
        w += !sp && !in;
        in = !sp;
    }
    return w;
}

/* ---- light edits of a narrative (relation "edited") ---- */

#define MAX_EDIT_WORDS 64

typedef struct word_list {
    char w[MAX_EDIT_WORDS][48];
    unsigned n;
} word_list;

static size_t letters_len(const char *w)
{
    size_t k = 0;
    while ((w[k] >= 'a' && w[k] <= 'z') || (w[k] >= 'A' && w[k] <= 'Z'))
        k++;
    return k;
}

/* ASCII case-insensitive equality of n bytes (strncasecmp follows the locale). */
static int ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y)
            return 0;
    }
    return 1;
}

static void split_words(const char *s, word_list *ws)
{
    ws->n = 0;
    while (ws->n < MAX_EDIT_WORDS) {
        s += strspn(s, " ");
        size_t k = strcspn(s, " ");
        if (!k)
            return;
        size_t keep = k < sizeof ws->w[0] - 1 ? k : sizeof ws->w[0] - 1;
        memcpy(ws->w[ws->n], s, keep);
        ws->w[ws->n++][keep] = 0;
        s += k;
    }
}

/* Replaces the letters at the start of word i by a synonym, keeping its
 * punctuation and the case of its first letter. 1 when replaced. */
static int substitute(word_list *ws, unsigned i)
{
    char *w = ws->w[i];
    size_t k = letters_len(w);
    for (size_t s = 0; s < N_SYNONYMS; s++) {
        const char *from = synonyms[s][0], *to = synonyms[s][1];
        if (strlen(from) != k || !ascii_ieq(w, from, k))
            continue;
        char rest[48];
        snprintf(rest, sizeof rest, "%s", w + k);
        int cap = w[0] >= 'A' && w[0] <= 'Z';
        snprintf(w, sizeof ws->w[0], "%s%s", to, rest);
        if (cap)
            w[0] = (char)(w[0] - 'a' + 'A');
        return 1;
    }
    return 0;
}

/* Swaps two adjacent inner letters of a long word, as a hurried typist does. */
static int typo(word_list *ws, sim_rng *r)
{
    for (unsigned tries = 0; tries < 4 * ws->n; tries++) {
        char *w = ws->w[sim_below(r, ws->n)];
        size_t k = letters_len(w);
        if (k < 5)
            continue;
        size_t j = 1 + (size_t)sim_below(r, k - 3);
        if (w[j] == w[j + 1])
            continue;
        char c = w[j];
        w[j] = w[j + 1];
        w[j + 1] = c;
        return 1;
    }
    return 0;
}

/* "A. B." becomes "B. A.": the same sentences, reordered. */
static int swap_sentences(word_list *ws)
{
    for (unsigned i = 0; i + 1 < ws->n; i++) {
        size_t len = strlen(ws->w[i]);
        if (len == 0 || ws->w[i][len - 1] != '.')
            continue;
        word_list tmp = *ws;
        unsigned m = 0;
        for (unsigned j = i + 1; j < ws->n; j++)
            memcpy(ws->w[m++], tmp.w[j], sizeof tmp.w[j]);
        for (unsigned j = 0; j <= i; j++)
            memcpy(ws->w[m++], tmp.w[j], sizeof tmp.w[j]);
        return 1;
    }
    return 0;
}

/* The narrative with one to three words changed: one or two synonyms
 * and/or a typo, sometimes its two sentences swapped. Never identical. */
static void edit_narrative(tbuf *out, const char *text, sim_rng *r, word_list *ws)
{
    split_words(text, ws);
    if (sim_unit(r) < 0.5)
        swap_sentences(ws);
    unsigned want = 1 + (unsigned)sim_below(r, 2), subs = 0;
    unsigned start = (unsigned)sim_below(r, ws->n);
    for (unsigned i = 0; i < ws->n && subs < want; i++)
        subs += (unsigned)substitute(ws, (start + i) % ws->n);
    if (subs == 0 || sim_unit(r) < 0.4)
        typo(ws, r);
    tb_clear(out);
    for (unsigned i = 0; i < ws->n; i++) {
        if (i)
            tb_put(out, " ", 1);
        tb_str(out, ws->w[i]);
    }
}

/* ---- one article ---- */

/* A random template index not used yet in this article (mask of used
 * ones, reset when all are used), so sentences rarely repeat. */
static unsigned pick_fresh(sim_rng *r, uint32_t *mask, unsigned n)
{
    uint32_t all = (uint32_t)((1ULL << n) - 1);
    if ((*mask & all) == all)
        *mask = 0;
    unsigned left = 0;
    for (unsigned i = 0; i < n; i++)
        left += !(*mask & (1u << i));
    unsigned k = (unsigned)sim_below(r, left);
    for (unsigned i = 0; i < n; i++)
        if (!(*mask & (1u << i)) && k-- == 0) {
            *mask |= 1u << i;
            return i;
        }
    return 0;
}

/* Appends the separator before a sentence: a space, or a paragraph break
 * every two to four sentences. */
static void sep(tbuf *out, sim_rng *r, unsigned *para)
{
    if (out->n == 0)
        return;
    if (--*para == 0) {
        tb_put(out, "\n\n", 2);
        *para = 2 + (unsigned)sim_below(r, 3);
    } else {
        tb_put(out, " ", 1);
    }
}

/* The body: DOC_MIN_WORDS..DOC_MAX_WORDS words in all, with ins (when not
 * empty) placed whole after the first one to four sentences. */
static void compose_body(tbuf *out, tbuf *s, sim_rng *r, const topic *tp, const tbuf *ins)
{
    unsigned extra = count_words(ins->p, ins->n);
    unsigned target = DOC_MIN_WORDS + (unsigned)sim_below(r, DOC_MAX_WORDS - DOC_MIN_WORDS + 1);
    unsigned body_target = target > extra ? target - extra : 0, body_max = DOC_MAX_WORDS - extra;
    unsigned at = 1 + (unsigned)sim_below(r, 4), words = 0, sent = 0;
    unsigned para = 2 + (unsigned)sim_below(r, 3);
    uint32_t used_topic = 0, used_generic = 0;
    int placed = ins->n == 0;
    tb_clear(out);
    while (words < body_target) {
        if (!placed && sent == at) {
            sep(out, r, &para);
            tb_put(out, ins->p, ins->n);
            placed = 1;
            continue;
        }
        tb_clear(s);
        if (sim_unit(r) < 0.7)
            expand(s, tp->body[pick_fresh(r, &used_topic, 10)], r);
        else
            expand(s, generic[pick_fresh(r, &used_generic, N_GENERIC)], r);
        unsigned w = count_words(s->p, s->n);
        if (words + w > body_max)
            break;
        sep(out, r, &para);
        tb_put(out, s->p, s->n);
        words += w;
        sent++;
    }
    if (!placed) {
        sep(out, r, &para);
        tb_put(out, ins->p, ins->n);
    }
}

/* ---- the plan: what each article is, before any text is written ---- */

typedef struct doc_plan {
    int64_t time_ms;  /* publication, whole seconds */
    uint64_t seed;    /* the article's own random stream */
    uint32_t order;   /* planning order: the tie-break that keeps sorting deterministic */
    int32_t use;      /* index into uses, -1 for an ordinary article */
    uint8_t relation; /* doc_relation */
    uint8_t outlet;
} doc_plan;

static int plan_cmp(const void *a, const void *b)
{
    const doc_plan *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int64_t ceil_second(int64_t t)
{
    int64_t m = ((t % 1000) + 1000) % 1000;
    return m ? t + (1000 - m) : t;
}

/* Harder data launders more by editing and paraphrase than verbatim. */
static doc_relation pick_relation(sim_rng *r, chorus_sim_difficulty d)
{
    static const unsigned weights[3][2] = {{60, 30}, {40, 35}, {25, 40}};
    unsigned di = d <= CHORUS_SIM_HARD ? (unsigned)d : 1;
    unsigned x = (unsigned)sim_below(r, 100);
    if (x < weights[di][0])
        return REL_VERBATIM;
    return x < weights[di][0] + weights[di][1] ? REL_EDITED : REL_PARAPHRASE;
}

/* Laundered articles go mostly (80%) to the few outlets that launder. */
static uint8_t pick_outlet(sim_rng *r, int laundered)
{
    if (!laundered || sim_unit(r) >= 0.8)
        return (uint8_t)sim_below(r, N_OUTLETS);
    unsigned n = 0;
    for (size_t i = 0; i < N_OUTLETS; i++)
        n += (unsigned)outlets[i].launders;
    unsigned k = (unsigned)sim_below(r, n);
    for (size_t i = 0; i < N_OUTLETS; i++)
        if (outlets[i].launders && k-- == 0)
            return (uint8_t)i;
    return 0;
}

/* One article's plan. Laundered ones come 1-10 days after their use. */
static void plan_one(doc_plan *pl, sim_rng *r, const chorus_sim_opts *opts,
                     const sim_use *uses, size_t n_uses, int laundered)
{
    uint32_t days = opts->days ? opts->days : 1;
    pl->seed = sim_next(r);
    pl->use = -1;
    pl->relation = REL_NONE;
    if (laundered) {
        pl->use = (int32_t)sim_below(r, n_uses);
        pl->relation = (uint8_t)pick_relation(r, opts->difficulty);
        /* - 999 so that rounding up to a second stays within 10 days */
        pl->time_ms = uses[pl->use].time_ms + DAY_MS +
                      (int64_t)sim_below(r, (uint64_t)(9 * DAY_MS - 999));
    } else {
        int64_t day = (int64_t)sim_below(r, days);
        int64_t sec = 6 * 3600 + (int64_t)sim_below(r, 16 * 3600); /* 06:00-22:00 */
        pl->time_ms = opts->start_ms + day * DAY_MS + sec * 1000;
    }
    pl->time_ms = ceil_second(pl->time_ms);
    pl->outlet = pick_outlet(r, laundered);
}

/* Plans every article (the first *n_laundered launder) and sorts them by
 * publication time. */
static chorus_rc make_plan(chorus_ctx *ctx, const chorus_sim_opts *opts, const sim_use *uses,
                           size_t n_uses, doc_plan **out, size_t *n_out, size_t *n_laundered)
{
    size_t n = (size_t)(opts->posts / 200);
    if (n < DOC_MIN_COUNT)
        n = DOC_MIN_COUNT;
    doc_plan *plans = ch_alloc(ctx, n * sizeof *plans);
    if (!plans)
        return ch_nomem(ctx);
    sim_rng r = sim_stream(opts->seed, DOC_STREAM_PLAN);
    double frac = 0.10 + 0.15 * sim_unit(&r);
    size_t n_l = n_uses ? (size_t)((double)n * frac + 0.5) : 0;
    for (size_t i = 0; i < n; i++) {
        plans[i].order = (uint32_t)i;
        plan_one(&plans[i], &r, opts, uses, n_uses, i < n_l);
    }
    qsort(plans, n, sizeof *plans, plan_cmp);
    *out = plans;
    *n_out = n;
    *n_laundered = n_l;
    return CHORUS_OK;
}

/* ---- writing ---- */

enum { OUT_DOCS, OUT_TRUTH, OUT_LAUNDERING, N_OUT };

typedef struct doc_writer {
    chorus_ctx *ctx;
    FILE *f[N_OUT];
    char path[N_OUT][4096];
    tbuf title, text, insert, scratch;
    word_list ws;
    const sim_narrative *cat;
    const sim_use *uses;
} doc_writer;

/* Lower-case ASCII words of the title joined by '-', at most 60 bytes. */
static void slug(char *out, size_t cap, const char *title)
{
    size_t n = 0;
    int dash = 0;
    for (const char *p = title; *p && n + 2 < cap && n < 60; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n)
                out[n++] = '-';
            out[n++] = c;
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[n] = 0;
}

/* The narrative text an article carries, as its relation says. */
static void make_insert(doc_writer *w, const doc_plan *pl, sim_rng *r)
{
    tb_clear(&w->insert);
    if (pl->relation == REL_NONE)
        return;
    const sim_narrative *nr = &w->cat[w->uses[pl->use].narrative];
    if (pl->relation == REL_VERBATIM)
        tb_str(&w->insert, nr->text);
    else if (pl->relation == REL_EDITED)
        edit_narrative(&w->insert, nr->text, r, &w->ws);
    else
        tb_str(&w->insert, nr->paraphrase ? nr->paraphrase : nr->text);
}

static void write_truth(doc_writer *w, const char *id, const doc_plan *pl)
{
    FILE *t = w->f[OUT_TRUTH];
    fprintf(t, "%s,document,", id);
    if (pl->relation != REL_NONE)
        fputs(w->cat[w->uses[pl->use].narrative].id, t);
    fprintf(t, ",%s\n", relation_names[pl->relation]);
    if (pl->relation != REL_NONE)
        fprintf(w->f[OUT_LAUNDERING], "%s,%" PRIu64 "\n", id, w->uses[pl->use].post_id);
}

/* Renders article k (0-based, in publication order) and its truth rows. */
static void write_doc(doc_writer *w, size_t k, const doc_plan *pl)
{
    char id[32], when[40], url[256], sl[64];
    static const uint8_t hard_news[3] = {0, 4, 5}; /* economy, infrastructure, politics */
    sim_rng r = {pl->seed};
    const topic *tp = pl->relation == REL_NONE ? &topics[sim_below(&r, N_TOPICS)]
                                               : &topics[hard_news[sim_below(&r, 3)]];
    const outlet *o = &outlets[pl->outlet];
    snprintf(id, sizeof id, "D%06zu", k + 1);
    chorus_format_time_utc(pl->time_ms, when);
    make_insert(w, pl, &r);
    tb_clear(&w->title);
    expand(&w->title, tp->titles[sim_below(&r, 3)], &r);
    compose_body(&w->text, &w->scratch, &r, tp, &w->insert);
    slug(sl, sizeof sl, w->title.p);
    snprintf(url, sizeof url, "https://%s/%.4s/%.2s/%s-%zu", o->domain, when, when + 5, sl, k + 1);
    FILE *f = w->f[OUT_DOCS];
    fprintf(f, "%s,", id);
    sim_csv_cell(f, o->name, strlen(o->name));
    fprintf(f, ",%s,", when);
    sim_csv_cell(f, url, strlen(url));
    putc(',', f);
    sim_csv_cell(f, w->title.p, w->title.n);
    putc(',', f);
    sim_csv_cell(f, w->text.p, w->text.n);
    putc('\n', f);
    write_truth(w, id, pl);
}

static chorus_rc open_all(doc_writer *w, const char *dir)
{
    static const char *const names[N_OUT] = {"documents.csv", "truth_docs.csv",
                                             "truth_laundering.csv"};
    static const char *const headers[N_OUT] = {"doc_id,source,published,url,title,text\n",
                                               "id,kind,narrative_id,relation\n",
                                               "doc_id,origin_post_id\n"};
    for (int i = 0; i < N_OUT; i++) {
        int n = snprintf(w->path[i], sizeof w->path[i], "%s/%s", dir, names[i]);
        if (n < 0 || n >= (int)sizeof w->path[i])
            return ch_error(w->ctx, CHORUS_EUSAGE, "%s/%s: path too long", dir, names[i]);
        w->f[i] = fopen(w->path[i], "wb");
        if (!w->f[i])
            return ch_error(w->ctx, CHORUS_EIO, "%s: cannot create: %s", w->path[i],
                            strerror(errno));
        fputs(headers[i], w->f[i]);
    }
    return CHORUS_OK;
}

/* Closes every file; the first write error becomes the result. */
static chorus_rc close_all(doc_writer *w, chorus_rc rc)
{
    for (int i = 0; i < N_OUT; i++) {
        if (!w->f[i])
            continue;
        int bad = ferror(w->f[i]), err = errno;
        if (fclose(w->f[i]) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        w->f[i] = NULL;
        if (bad && !rc)
            rc = ch_error(w->ctx, CHORUS_EIO, "%s: write failed: %s", w->path[i], strerror(err));
    }
    return rc;
}

static chorus_rc alloc_bufs(doc_writer *w)
{
    tbuf *bufs[4] = {&w->title, &w->text, &w->insert, &w->scratch};
    for (int i = 0; i < 4; i++) {
        bufs[i]->p = ch_alloc(w->ctx, TEXT_CAP);
        if (!bufs[i]->p)
            return ch_nomem(w->ctx);
        bufs[i]->cap = TEXT_CAP;
        tb_clear(bufs[i]);
    }
    return CHORUS_OK;
}

static void free_bufs(doc_writer *w)
{
    tbuf *bufs[4] = {&w->title, &w->text, &w->insert, &w->scratch};
    for (int i = 0; i < 4; i++)
        ch_free(w->ctx, bufs[i]->p, TEXT_CAP);
}

static chorus_rc check_uses(chorus_ctx *ctx, const char *dir, const sim_use *uses, size_t n_uses,
                            size_t n_cat)
{
    for (size_t i = 0; i < n_uses; i++)
        if (uses[i].narrative >= n_cat)
            return ch_error(ctx, CHORUS_EINTERNAL,
                            "%s/documents.csv: use %zu names narrative %u of %zu", dir, i,
                            (unsigned)uses[i].narrative, n_cat);
    return CHORUS_OK;
}

chorus_rc sim_write_documents(chorus_ctx *ctx, const chorus_sim_opts *opts, const char *dir,
                              const sim_use *uses, size_t n_uses, uint64_t *docs,
                              uint64_t *laundered)
{
    size_t n_cat, n = 0, n_l = 0;
    doc_plan *plans = NULL;
    const sim_narrative *cat = sim_narratives(&n_cat);
    chorus_rc rc = check_uses(ctx, dir, uses, n_uses, n_cat);
    if (!rc)
        rc = make_plan(ctx, opts, uses, n_uses, &plans, &n, &n_l);
    if (rc)
        return rc;
    doc_writer *w = ch_calloc(ctx, sizeof *w);
    if (!w) {
        ch_free(ctx, plans, n * sizeof *plans);
        return ch_nomem(ctx);
    }
    w->ctx = ctx;
    w->cat = cat;
    w->uses = uses;
    rc = alloc_bufs(w);
    if (!rc)
        rc = open_all(w, dir);
    for (size_t k = 0; !rc && k < n; k++)
        write_doc(w, k, &plans[k]);
    rc = close_all(w, rc);
    free_bufs(w);
    ch_free(ctx, w, sizeof *w);
    ch_free(ctx, plans, n * sizeof *plans);
    if (!rc && docs)
        *docs = n;
    if (!rc && laundered)
        *laundered = n_l;
    return rc;
}
