/*
 * text.c - what the simulated posts say: an invented, neutral vocabulary
 * in English, Persian and Arabic (markets, ferries, festivals, weather),
 * popular hashtags and links, outlets' headlines, fans' cheers, and the
 * campaigns' renditions of the narrative catalogue with the perturbations
 * that copy-pasta shows in real takedowns (see perturb.c).
 */
#include "io/time_parse.h"
#include "sim/model.h"

#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[sim_below((r), NELEM(a))])

/* Index skewed to the front: popular items first, a long tail after. */
static size_t zipf_like(sim_rng *r, size_t n)
{
    double u = sim_unit(r);
    return (size_t)((double)n * u * u * u);
}

static const char *const en_open[] = {
    "", "", "", "Just saw that ", "Anyone else think ", "Honestly, ", "Good morning! ",
    "Update: ", "So ", "Reminder: ", "Can't believe ", "Heard that ",
};
static const char *const en_subject[] = {
    "the Kelmor ferry", "the new bakery on Harbour Street", "the Sarnoth derby",
    "the morning market", "the river festival", "the library in Illmarch", "the harvest fair",
    "my neighbour's dog", "the weather", "the night train to Paloria", "the Norvel marathon",
    "the lantern parade", "the tram line to Brindlemoor", "the orchestra at Casmeer hall",
    "the cheese stall at the market", "our school's science week", "the bridge repairs",
    "the first snow in Arvast", "the Kestrelby lighthouse tour", "the spring book sale",
};
static const char *const en_pred[] = {
    "was packed again", "is running late", "looks amazing this year", "starts at noon",
    "got cancelled because of the rain", "was better than expected", "needs more volunteers",
    "is back after two years", "made my whole week", "is trending for some reason",
    "finally has a website", "sold out in an hour", "smells like fresh bread",
    "is the best thing about this town", "could use better signs",
};
static const char *const en_tail[] = {
    ".", ".", "!", "!!", " \xF0\x9F\x98\x82", "?", ". Who's going?", ". Photos soon.",
    " \xF0\x9F\x8C\x8A", ". Ten out of ten.", " \xE2\x9D\xA4\xEF\xB8\x8F", ", again.",
};
static const char *const fa_subject[] = {
    "بازار صبح", "جشنواره رودخانه", "قطار شب", "کتابخانه شهر", "پل قدیمی", "باران امروز",
    "نانوایی محله", "مسابقه فوتبال", "کنسرت دیشب", "کشتی کلمور",
};
static const char *const fa_pred[] = {
    "دوباره شلوغ بود", "امروز تعطیل است", "خیلی زیبا شده", "به خاطر باران لغو شد",
    "بهتر از انتظارم بود", "بالاخره باز شد", "حال همه را خوب کرد", "دیر شروع شد",
    "می" "\xE2\x80\x8C" "خواهد داوطلب بگیرد",
};
static const char *const ar_subject[] = {
    "سوق الصباح", "مهرجان النهر", "قطار الليل", "مكتبة المدينة", "الجسر القديم",
    "مطر اليوم", "مباراة الأمس", "الحديقة العامة",
};
static const char *const ar_pred[] = {
    "كان مزدحما مرة أخرى", "مغلق اليوم", "جميل جدا هذا العام", "ألغي بسبب المطر",
    "أفضل مما توقعت", "عاد بعد عامين",
};
static const char *const tags_en[] = {
    "MorningMarket", "RiverFestival", "KelmorRain", "SarnothDerby", "HarvestFair",
    "LanternParade", "NorvelMarathon", "BookSale", "FerryNews", "WeekendVibes", "FoodieFriday",
    "TramWatch", "SnowDay", "LocalMusic", "PhotoOfTheDay", "QuellportEats", "CasmeerNights",
    "ScienceWeek", "BridgeRepairs", "StormWatch",
};
static const char *const tags_fa[] = {
    "باران_صبح", "جشنواره_رود", "بازار_آرواست", "کتاب", "فوتبال", "عکس_روز",
};
static const char *const tags_ar[] = {"أخبار_اليوم", "مهرجان_النهر", "صباح_الخير", "زهرون"};
static const char *const popular_links[] = {
    "https://video.example/watch?v=Lq3x9", "https://video.example/watch?v=Ab77k",
    "https://quellport-herald.example/weather/storm-season-guide",
    "https://photos.example/album/kelmor-harvest", "https://music.example/track/moonrise",
    "https://video.example/watch?v=ZZt40", "https://recipes.example/sourdough-basics",
    "https://ostravin-daily.example/sport/derby-report", "https://maps.example/tram-lines",
    "https://blog.example/p/river-walks", "https://shop.example/lanterns",
    "https://video.example/watch?v=Qm2e8", "https://events.example/norvel-marathon",
    "https://tavira-courier.example/culture/book-sale", "https://podcast.example/ep/112",
};
static const char *const reply_en[] = {
    "Totally agree", "Not sure about that", "Source?", "This is great news", "Ha, same here",
    "Thanks for sharing", "Wait, really?", "Love this", "I was there too!", "Hope it gets better",
};
static const char *const reply_fa[] = {"موافقم", "منبع؟", "چه خبر خوبی", "ممنون", "واقعا؟"};
static const char *const reply_ar[] = {"أتفق تماما", "المصدر؟", "خبر رائع", "شكرا", "حقا؟"};
static const char *const quote_en[] = {
    "This.", "Worth reading", "Interesting thread", "Can confirm", "Big if true",
    "Exactly what I said last week", "Look at this",
};

void sim_content_clear(sim_content *c, const char *lang)
{
    c->len = 0;
    c->text[0] = 0;
    c->url_used = 0;
    c->n_urls = c->n_tags = c->n_mentions = 0;
    c->narrative = -1;
    c->lang = lang;
}

void sim_content_copy(sim_content *dst, const sim_content *src)
{
    memcpy(dst->text, src->text, (size_t)src->len + 1);
    memcpy(dst->urlbuf, src->urlbuf, src->url_used);
    dst->len = src->len;
    dst->url_used = src->url_used;
    memcpy(dst->url_off, src->url_off, sizeof dst->url_off);
    memcpy(dst->tags, src->tags, sizeof dst->tags);
    memcpy(dst->mentions, src->mentions, sizeof dst->mentions);
    dst->n_urls = src->n_urls;
    dst->n_tags = src->n_tags;
    dst->n_mentions = src->n_mentions;
    dst->narrative = src->narrative;
    dst->lang = src->lang;
}

void sim_content_put(sim_content *c, const char *s, size_t n)
{
    if ((size_t)c->len + n >= SIM_TEXT_MAX)
        return; /* never reached by our texts; a piece is never split */
    memcpy(c->text + c->len, s, n);
    c->len = (uint16_t)(c->len + n);
    c->text[c->len] = 0;
}

void sim_content_puts(sim_content *c, const char *s) { sim_content_put(c, s, strlen(s)); }

void sim_content_tag(sim_content *c, const char *tag)
{
    if (c->n_tags >= SIM_MAX_TAGS)
        return;
    if (c->len)
        sim_content_put(c, " ", 1);
    sim_content_put(c, "#", 1);
    sim_content_puts(c, tag);
    c->tags[c->n_tags++] = tag;
}

void sim_content_url(sim_content *c, const char *url, size_t n)
{
    if (c->n_urls >= SIM_MAX_URLS || (size_t)c->url_used + n + 1 > SIM_URLBUF)
        return;
    memcpy(c->urlbuf + c->url_used, url, n);
    c->urlbuf[c->url_used + n] = 0;
    c->url_off[c->n_urls++] = c->url_used;
    c->url_used = (uint16_t)(c->url_used + n + 1);
    if (c->len)
        sim_content_put(c, " ", 1);
    sim_content_put(c, url, n);
}

const char *sim_content_url_at(const sim_content *c, unsigned i) { return c->urlbuf + c->url_off[i]; }

static void en_sentence(sim_content *c, sim_rng *r)
{
    const char *open = PICK(r, en_open);
    size_t start = c->len;
    sim_content_puts(c, open);
    sim_content_puts(c, PICK(r, en_subject));
    sim_content_put(c, " ", 1);
    sim_content_puts(c, PICK(r, en_pred));
    sim_content_puts(c, PICK(r, en_tail));
    char *first = c->text + start;
    if (*first >= 'a' && *first <= 'z')
        *first = (char)(*first - 32);
}

static void rtl_sentence(sim_content *c, sim_rng *r, int persian)
{
    if (persian) {
        sim_content_puts(c, PICK(r, fa_subject));
        sim_content_put(c, " ", 1);
        sim_content_puts(c, PICK(r, fa_pred));
    } else {
        sim_content_puts(c, PICK(r, ar_subject));
        sim_content_put(c, " ", 1);
        sim_content_puts(c, PICK(r, ar_pred));
    }
    sim_content_puts(c, sim_below(r, 4) ? "." : "!");
}

static void organic_tags(sim_content *c, sim_rng *r, int lang)
{
    uint64_t x = sim_below(r, 100);
    unsigned n = x < 55 ? 0 : x < 85 ? 1 : x < 96 ? 2 : 3;
    for (unsigned i = 0; i < n; i++) {
        const char *t = lang == 1 && sim_below(r, 2) ? tags_fa[zipf_like(r, NELEM(tags_fa))]
                        : lang == 2 && sim_below(r, 2) ? tags_ar[zipf_like(r, NELEM(tags_ar))]
                                                       : tags_en[zipf_like(r, NELEM(tags_en))];
        int dup = 0;
        for (unsigned k = 0; k < c->n_tags; k++)
            dup |= c->tags[k] == t;
        if (!dup)
            sim_content_tag(c, t);
    }
}

/* A popular link (the same few shared by many) or a one-off page. */
static void organic_link(sim_content *c, sim_rng *r)
{
    if (sim_below(r, 3)) {
        const char *u = popular_links[zipf_like(r, NELEM(popular_links))];
        sim_content_url(c, u, strlen(u));
        return;
    }
    char buf[80];
    int n = snprintf(buf, sizeof buf, "https://blog.example/p/%llu",
                     (unsigned long long)sim_below(r, 1000000000));
    sim_content_url(c, buf, (size_t)n);
}

static void mention_star(sim_content *c, sim_rng *r, const sim_world *w)
{
    uint32_t m = sim_alias_draw(&w->star, r);
    if (m == SIM_NO_ACCOUNT || c->n_mentions >= SIM_MAX_MENTIONS)
        return;
    if (c->len)
        sim_content_put(c, " ", 1);
    sim_content_put(c, "@", 1);
    sim_content_put(c, w->acc[m].screen_name, w->acc[m].screen_len);
    c->mentions[c->n_mentions++] = m;
}

static int lang_code(const char *lang) { return lang[0] == 'f' ? 1 : lang[0] == 'a' ? 2 : 0; }

/* Organic users now and then repeat a talking point (often verbatim) or
 * share a campaign's link: hard negatives for text and link detectors. */
static int organic_echo(sim_content *c, sim_rng *r, const sim_world *w, int lang)
{
    double x = sim_unit(r);
    if (x >= w->k.talking_point + w->k.campaign_link || w->n_narr == 0)
        return 0;
    int16_t idx = (int16_t)sim_below(r, w->n_narr);
    const sim_narrative *n = &w->narr[idx];
    if (x < w->k.talking_point)
        sim_text_narrative(c, r, n, idx, lang == 1 && n->text_fa, 0.3, sim_below(r, 2) == 0);
    else
        sim_text_link(c, r, n, idx, (uint32_t)sim_below(r, 40), NULL, 0, 0.5,
                      lang == 1 ? "fa" : "en");
    c->narrative = -1; /* an organic echo is not a campaign's use */
    return 1;
}

void sim_text_organic(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author)
{
    const sim_account *a = &w->acc[author];
    int lang = lang_code(a->lang);
    if (lang && sim_below(r, 8) == 0)
        lang = 0; /* bilingual users write in English sometimes */
    sim_content_clear(c, lang == 1 ? "fa" : lang == 2 ? "ar" : "en");
    if (organic_echo(c, r, w, lang))
        return;
    if (sim_below(r, 100) < 5)
        mention_star(c, r, w);
    if (c->len)
        sim_content_put(c, " ", 1);
    int sentences = sim_below(r, 100) < 30 ? 2 : 1;
    for (int i = 0; i < sentences; i++) {
        if (i)
            sim_content_put(c, " ", 1);
        if (lang)
            rtl_sentence(c, r, lang == 1);
        else
            en_sentence(c, r);
    }
    organic_tags(c, r, lang);
    if (sim_below(r, 100) < 22)
        organic_link(c, r);
}

void sim_text_reply(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author,
                    const sim_original *parent)
{
    const sim_account *p = &w->acc[parent->author];
    int lang = lang_code(w->acc[author].lang);
    sim_content_clear(c, lang == 1 ? "fa" : lang == 2 ? "ar" : "en");
    sim_content_put(c, "@", 1);
    sim_content_put(c, p->screen_name, p->screen_len);
    sim_content_put(c, " ", 1);
    c->mentions[c->n_mentions++] = parent->author;
    sim_content_puts(c, lang == 1 ? PICK(r, reply_fa) : lang == 2 ? PICK(r, reply_ar)
                                                                 : PICK(r, reply_en));
    if (sim_below(r, 3) == 0) {
        sim_content_put(c, " ", 1);
        if (lang)
            rtl_sentence(c, r, lang == 1);
        else
            en_sentence(c, r);
    }
}

void sim_text_quote(sim_content *c, sim_rng *r, const sim_world *w, uint32_t author,
                    const sim_original *parent, const char *intro)
{
    const sim_account *p = &w->acc[parent->author];
    sim_content_clear(c, w->acc[author].lang);
    if (!intro && lang_code(w->acc[author].lang) == 0)
        intro = PICK(r, quote_en);
    if (intro)
        sim_content_puts(c, intro);
    else
        rtl_sentence(c, r, lang_code(w->acc[author].lang) == 1);
    char url[160];
    int n = snprintf(url, sizeof url, "https://twitter.com/%.*s/status/%llu", p->screen_len,
                     p->screen_name, (unsigned long long)parent->id);
    sim_content_url(c, url, (size_t)n);
}

static const char *const head_subject[] = {
    "Ostravin council", "Tavira rail workers", "Quellport harbour authority",
    "Dunmere weather office", "Veldrane football league", "Kelmor hospital",
    "Norvel university", "Sarnoth museum", "Casmeer city hall", "Illmarch farmers' market",
    "Paloria transit board", "Arvast library",
};
static const char *const head_verb[] = {
    "approves", "announces", "delays", "celebrates", "reviews", "opens", "postpones",
    "expands", "publishes", "welcomes",
};
static const char *const head_object[] = {
    "new ferry timetable", "plans for a second bridge", "record harvest figures",
    "the spring festival programme", "a storm warning for coastal districts",
    "cheaper tram fares", "its annual report", "a new children's wing",
    "repairs to the old dam road", "the school holiday calendar", "a weekend night market",
    "extended opening hours",
};

/* "the spring festival" -> "the-spring-festival" (ASCII only). */
static size_t slugify(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z')
            out[n++] = (char)(ch + 32);
        else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[n++] = ch;
        else if (n && out[n - 1] != '-')
            out[n++] = '-';
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = 0;
    return n;
}

void sim_text_headline(sim_content *c, sim_rng *r, const sim_group *g, int64_t t)
{
    char head[160], slug[160], url[256];
    /* one draw per statement: the order of function arguments is unspecified */
    const char *subject = PICK(r, head_subject);
    const char *verb = PICK(r, head_verb);
    const char *object = PICK(r, head_object);
    snprintf(head, sizeof head, "%s %s %s", subject, verb, object);
    slugify(slug, sizeof slug, head);
    int64_t y;
    unsigned m, d;
    ch_civil_from_days(t / SIM_DAY_MS, &y, &m, &d);
    int n = snprintf(url, sizeof url, "https://%s/%04d/%02u/%02u/%s-%06u", g->domain, (int)y, m, d,
                     slug, (unsigned)sim_below(r, 1000000));
    sim_content_clear(c, "en");
    sim_content_puts(c, head);
    sim_content_url(c, url, (size_t)n);
}

static const char *const idol_lines[] = {
    "New song out at midnight!", "Thank you Paloria, what a night",
    "Rehearsals all week, see you Saturday", "The video is finally here",
    "Backstage with the best crew in the world", "Tickets for the autumn tour are live",
};
static const char *const fan_lines[] = {
    "We love you", "So proud of you", "Streaming all night for", "Happy anniversary",
    "Best voice in the world:", "Sending love to", "Never stop shining",
};
static const char *const emoji[] = {
    "\xE2\x9D\xA4\xEF\xB8\x8F", "\xE2\x9C\xA8", "\xF0\x9F\x94\xA5", "\xF0\x9F\x92\x9C",
    "\xF0\x9F\x8E\xB6", "\xF0\x9F\x91\x8F",
};

void sim_text_fan(sim_content *c, sim_rng *r, const sim_group *g, int party)
{
    sim_content_clear(c, "en");
    if (!party) {
        sim_content_puts(c, PICK(r, idol_lines));
        sim_content_put(c, " ", 1);
        sim_content_puts(c, PICK(r, emoji));
        if (g->n_tags)
            sim_content_tag(c, g->tags[0]);
        return;
    }
    sim_content_puts(c, PICK(r, fan_lines));
    sim_content_put(c, " ", 1);
    sim_content_puts(c, g->name);
    sim_content_put(c, " ", 1);
    for (unsigned i = 0, k = 1 + (unsigned)sim_below(r, 3); i < k; i++)
        sim_content_puts(c, PICK(r, emoji));
    for (unsigned i = 0; i < g->n_tags; i++) /* a party: the identical list, in order */
        sim_content_tag(c, g->tags[i]);
}

static const char *const emoji_campaign[] = {
    "\xF0\x9F\x93\xA2", "\xE2\x9A\xA0\xEF\xB8\x8F", "\xE2\x80\xBC\xEF\xB8\x8F", "\xF0\x9F\x91\x89",
    "\xF0\x9F\x94\xB4", "\xF0\x9F\x98\xA1",
};

void sim_text_narrative(sim_content *c, sim_rng *r, const sim_narrative *n, int16_t idx,
                        int persian, double p, int with_tags)
{
    char buf[SIM_TEXT_MAX];
    const char *src = persian && n->text_fa ? n->text_fa : n->text;
    size_t len = strlen(src);
    if (len > SIM_TEXT_MAX - 200)
        len = SIM_TEXT_MAX - 200;
    memcpy(buf, src, len);
    if (src == n->text_fa)
        len = sim_perturb_persian(buf, len, r, p);
    else
        sim_perturb_latin(buf, len, r, p);
    sim_content_clear(c, src == n->text_fa ? "fa" : "en");
    if (sim_unit(r) < p / 2) {
        sim_content_puts(c, PICK(r, emoji_campaign));
        sim_content_put(c, " ", 1);
    }
    sim_content_put(c, buf, len);
    if (sim_unit(r) < p / 2) {
        sim_content_put(c, " ", 1);
        sim_content_puts(c, PICK(r, emoji_campaign));
    }
    if (with_tags) {
        const char *tags[3];
        unsigned k = 0;
        for (unsigned i = 0; i < 3; i++)
            if (n->hashtags[i])
                tags[k++] = n->hashtags[i];
        if (sim_unit(r) < p)
            sim_shuffle(tags, k, r);
        for (unsigned i = 0; i < k; i++)
            sim_content_tag(c, tags[i]);
    }
    c->narrative = idx;
}

static const char *const link_intro_en[] = {
    "Read this before it's deleted:", "They don't want you to see this", "Important:",
    "Must read", "Share this", "Everyone should know", "The facts:",
};
static const char *const link_intro_fa[] = {
    "این را بخوانید:", "پیش از حذف بخوانید", "مهم:", "همه باید بدانند",
};
static const char b62[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* The article's address: on the front domain, or a short link whose code
 * is shared (short_link 1: the same for every sharer) or one's own (2). */
static size_t campaign_url(char *url, size_t cap, sim_rng *r, const sim_narrative *n,
                           int16_t idx, uint32_t article, const char *shortener, int short_link)
{
    if (shortener && short_link) {
        sim_rng k = sim_stream((uint64_t)idx << 32 | article, 0x73686f7274ULL);
        sim_rng *src = short_link == 1 ? &k : r;
        size_t len = 4 + (size_t)sim_below(src, 3);
        size_t off = (size_t)snprintf(url, cap, "https://%s/", shortener);
        for (size_t i = 0; i < len; i++)
            url[off++] = b62[sim_below(src, 62)];
        url[off] = 0;
        return off;
    }
    char slug[96];
    slugify(slug, sizeof slug, n->label);
    return (size_t)snprintf(url, cap, "https://%s/%s-%u", n->domain, slug, (unsigned)article);
}

void sim_text_link(sim_content *c, sim_rng *r, const sim_narrative *n, int16_t idx,
                   uint32_t article, const char *shortener, int short_link, double p,
                   const char *lang)
{
    char url[SIM_URLBUF];
    sim_content_clear(c, lang);
    sim_content_puts(c, lang[0] == 'f' ? PICK(r, link_intro_fa) : PICK(r, link_intro_en));
    size_t len = campaign_url(url, sizeof url - 96, r, n, idx, article, shortener, short_link);
    if (!(shortener && short_link) && sim_unit(r) < p)
        len = sim_track_url(url, len, sizeof url, r);
    sim_content_url(c, url, len);
    if (n->hashtags[0] && sim_below(r, 2))
        sim_content_tag(c, n->hashtags[0]);
    c->narrative = idx;
}

static const char *const slogans_en[] = {
    "Enough is enough.", "The truth will come out.", "Share before they delete it.",
    "We will not be silent.", "Wake up, people.", "Ask why nobody reports this.",
    "This is our country.", "Retweet if you agree.",
};
static const char *const slogans_fa[] = {
    "بس است.", "حقیقت آشکار می" "\xE2\x80\x8C" "شود.", "ساکت نمی" "\xE2\x80\x8C" "مانیم.",
    "پیش از حذف منتشر کنید.",
};

void sim_text_tagseq(sim_content *c, sim_rng *r, const char *const *tags, unsigned n,
                     const char *lang, int16_t idx)
{
    sim_content_clear(c, lang);
    sim_content_puts(c, lang[0] == 'f' ? PICK(r, slogans_fa) : PICK(r, slogans_en));
    for (unsigned i = 0; i < n; i++)
        sim_content_tag(c, tags[i]);
    c->narrative = idx;
}
