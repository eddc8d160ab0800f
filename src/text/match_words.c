/*
 * match_words.c - the units catalogue matching counts in a match form:
 * words (runs of letters, marks and digits, mentions and link tokens left
 * out, stopwords flagged) and the character 4-grams of a run of words
 * joined by single spaces; plus the small hash map both indexes use and
 * the stopword list (English and Persian function words).
 */
#include "text/match_impl.h"

#include "core/hash.h"
#include "core/pages.h"
#include "core/utf8.h"
#include "text/fold_table.h"

#include <string.h>

/* Function words: they carry no talking point, so they count neither for
 * BM25 nor for the minimum length, but they stay in the 4-gram stream,
 * where they hold the word order. Written as typed; they are brought to
 * their match form when the map is built. */
static const char *const stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "d", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "ll", "m", "me", "more", "most", "my", "myself", "no", "nor", "not", "now",
    "o", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
    "over", "own", "re", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "ve", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours", "yourself", "yourselves", "rt", "via", "amp",
    /* Persian */
    "و", "در", "به", "از", "که", "را", "این", "آن", "با", "است", "برای", "تا", "بر", "هم",
    "یا", "اما", "اگر", "نیز", "هر", "ما", "من", "تو", "او", "شما", "آنها", "ایشان", "خود",
    "بود", "شد", "شود", "می", "نمی", "هست", "نیست", "کرد", "کند", "کرده", "شده", "باید", "چه",
    "چون", "پس", "همه", "دیگر", "یک", "روی", "زیر", "وی", "ها", "های", "ای", "ی", "دارد",
    "بودند", "هستند", "کنند", "کردند", "خواهد", "خواهند", "مى", "آیا", "ولی", "هیچ",
};

uint64_t ch_mword_hash(const char *p, size_t n)
{
    return ch_hash64(p, n, 0x6d61746368776f72ULL) | 1; /* never 0: 0 marks an empty slot */
}

/* ---- map ---- */

chorus_rc ch_mmap_init(chorus_ctx *ctx, ch_mmap *m, size_t n)
{
    size_t slots = 64;
    while (slots < n * 2 + 2)
        slots *= 2;
    m->slots = ch_calloc(ctx, slots * sizeof *m->slots);
    if (!m->slots) {
        m->mask = 0;
        return ch_nomem(ctx);
    }
    ch_hint_hugepages(m->slots, slots * sizeof *m->slots);
    m->mask = slots - 1;
    return CHORUS_OK;
}

void ch_mmap_free(chorus_ctx *ctx, ch_mmap *m)
{
    if (m->slots)
        ch_free(ctx, m->slots, (m->mask + 1) * sizeof *m->slots);
    memset(m, 0, sizeof *m);
}

void ch_mmap_put(ch_mmap *m, uint64_t key, uint32_t val)
{
    size_t i = (size_t)(key ^ key >> 29) & m->mask;
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    m->slots[i] = (ch_mslot){key, val, 0};
}

chorus_rc ch_match_stopwords(chorus_ctx *ctx, ch_mmap *m)
{
    size_t n = sizeof stopwords / sizeof stopwords[0];
    chorus_normalizer *norm;
    chorus_rc rc = chorus_normalizer_new(ctx, NULL, &norm);
    if (rc)
        return rc;
    chorus_text_buf b;
    chorus_text_buf_init(&b, ctx);
    rc = ch_mmap_init(ctx, m, n);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = chorus_normalize(norm, stopwords[i], strlen(stopwords[i]), &b);
        if (!rc && b.len)
            ch_mmap_put(m, ch_mword_hash(b.text, b.len), 1);
    }
    chorus_text_buf_free(&b);
    chorus_normalizer_free(norm);
    return rc;
}

/* ---- words ---- */

void ch_mtext_init(ch_mtext *t, chorus_ctx *ctx)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
}

void ch_mtext_free(ch_mtext *t)
{
    ch_free(t->ctx, t->w, t->cap * sizeof *t->w);
    ch_free(t->ctx, t->cp, t->cpcap * sizeof *t->cp);
    ch_mtext_init(t, t->ctx);
}

static int is_word_cp(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return c < 0x110000 &&
           (ch_fold_entry(c) & (CH_FOLD_LETTER | CH_FOLD_MARK | CH_FOLD_DIGIT)) != 0;
}

/* The code point at p (n bytes left) and its length in *k. The match
 * form is valid UTF-8; a stray byte would read as U+FFFD, no letter. */
static uint32_t decode(const unsigned char *p, size_t n, size_t *k)
{
    *k = p[0] < 0x80 ? 1 : ch_utf8_seq(p, n);
    switch (*k) {
    case 1: return p[0];
    case 2: return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    case 3: return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    case 4:
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
               (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    }
    *k = 1;
    return 0xFFFD;
}

/* The end of a token that is no text: a mention or a link token. Returns
 * the offset after it, or i when the token at i is text. */
static size_t skip_token(const char *ms, size_t len, size_t i)
{
    int skip = ms[i] == '@' || (len - i >= 5 && memcmp(ms + i, "<url:", 5) == 0);
    if (!skip)
        return i;
    while (i < len && ms[i] != ' ')
        i++;
    return i;
}

/* Whether p[0..n) holds one of the bytes of set. */
static int memchr_any(const char *p, size_t n, const char *set)
{
    for (; *set; set++)
        if (memchr(p, *set, n))
            return 1;
    return 0;
}

/* A light English stemmer for words of ASCII letters (plurals, -ed,
 * -ing), so that "protesters", "protests" and "protested" share their
 * BM25 term: a tweet rarely words a claim the way the catalogue does.
 * Deliberately timid (short words and "-eed" are left alone); 4-grams,
 * which see the raw letters, cover what it misses. Returns the length. */
static size_t stem(const char *w, size_t n, char *out)
{
    if (n <= 3 || n > CH_M_MAX_WORD_CP)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    memcpy(out, w, n);
    if (n > 4 && !memcmp(out + n - 3, "ies", 3))
        out[n - 3] = 'y', n -= 2;
    else if (!memcmp(out + n - 4, "sses", 4))
        n -= 2;
    else if (out[n - 1] == 's' && !strchr("siu", out[n - 2]))
        n--;
    size_t k = 0;
    if (n > 3 && !memcmp(out + n - 3, "ing", 3))
        k = 3;
    else if (n > 3 && !memcmp(out + n - 2, "ed", 2) && out[n - 3] != 'e')
        k = 2;
    if (k && n - k >= 3 && memchr_any(out, n - k, "aeiouy")) {
        n -= k;
        if (out[n - 1] == out[n - 2] && !strchr("aeiouylsz", out[n - 1]))
            n--; /* running -> run */
    }
    return n;
}

/* Ends the word that started at byte s (code points from cp_first). */
static chorus_rc end_word(ch_mtext *t, const ch_mmap *stop, const char *ms, size_t s, size_t e,
                          size_t cp_first, int mention)
{
    size_t ncp = t->ncp - cp_first;
    if (ncp > CH_M_MAX_WORD_CP) {
        t->ncp = cp_first;
        return CHORUS_OK;
    }
    if (ch_grow(t->ctx, (void **)&t->w, &t->cap, t->n + 1, sizeof *t->w))
        return CHORUS_ENOMEM;
    ch_mword *w = &t->w[t->n++];
    w->hash = ch_mword_hash(ms + s, e - s);
    uint32_t v;
    w->content = !ch_mmap_get(stop, w->hash, &v);
    char st[CH_M_MAX_WORD_CP + 1];
    size_t sn = w->content ? stem(ms + s, e - s, st) : 0;
    if (sn)
        w->hash = ch_mword_hash(st, sn);
    w->ms_start = (uint32_t)s;
    w->ms_end = (uint32_t)e;
    w->cp_first = (uint32_t)cp_first;
    w->cp_len = (uint32_t)ncp;
    w->mention = (uint8_t)mention;
    t->content += w->content && !mention;
    return CHORUS_OK;
}

/* Whether byte p of the match form was an ASCII capital in the input
 * (the match form is lower case; the input, through src_off, is not). */
static int was_upper(const chorus_text_buf *b, const char *src, size_t p)
{
    unsigned char c = (unsigned char)b->text[p], o = (unsigned char)src[b->src_off[p]];
    return c >= 'a' && c <= 'z' && o == c - ('a' - 'A');
}

/* Whether a part of a handle starts at byte p (p - 1 is a letter or a
 * digit of it): camelCase and "2024Now", and "HTMLParser" before "P". */
static int handle_break(const chorus_text_buf *b, const char *src, size_t p, size_t e)
{
    if (!was_upper(b, src, p))
        return 0;
    if (!was_upper(b, src, p - 1))
        return 1;
    unsigned char nx = p + 1 < e ? (unsigned char)b->text[p + 1] : 0;
    return nx >= 'a' && nx <= 'z' && !was_upper(b, src, p + 1);
}

/* Reads the mention ms[i..e) ("@" and the handle) as the words of its
 * handle, split where the input's capitals and '_' split it
 * ("@realDonaldTrump": real donald trump): a handle is most often the
 * name of whom a text is about or is by. The words are flagged, so that
 * they count for no minimum length. */
static chorus_rc mention_words(ch_mtext *t, const ch_mmap *stop, const chorus_text_buf *b,
                               const char *src, size_t i, size_t e, size_t max_words)
{
    const char *ms = b->text;
    size_t start = 0, cp_first = 0;
    int in_word = 0;
    for (size_t p = i + 1, k; p < e && t->n < max_words; p += k) {
        uint32_t c = decode((const unsigned char *)ms + p, e - p, &k);
        int word = is_word_cp(c);
        if (in_word && (!word || handle_break(b, src, p, e))) {
            in_word = 0;
            if (end_word(t, stop, ms, start, p, cp_first, 1))
                return CHORUS_ENOMEM;
        }
        if (!word)
            continue;
        if (!in_word)
            in_word = 1, start = p, cp_first = t->ncp;
        t->cp[t->ncp++] = c;
    }
    if (in_word && t->n < max_words && end_word(t, stop, ms, start, e, cp_first, 1))
        return CHORUS_ENOMEM;
    return CHORUS_OK;
}

chorus_rc ch_mtext_split(ch_mtext *t, const ch_mmap *stop, const chorus_text_buf *b,
                         const char *src, size_t max_words)
{
    const char *ms = b->text;
    size_t len = b->len;
    t->n = t->ncp = 0;
    t->content = 0;
    if (ch_grow(t->ctx, (void **)&t->cp, &t->cpcap, len + 1, sizeof *t->cp))
        return CHORUS_ENOMEM;
    size_t i = 0, start = 0, cp_first = 0;
    int in_word = 0, token_start = 1;
    while (i < len && t->n < max_words) {
        const unsigned char *p = (const unsigned char *)ms + i;
        if (token_start && *p != ' ') {
            size_t j = skip_token(ms, len, i);
            token_start = 0;
            if (j != i) {
                if (*p == '@' && src && mention_words(t, stop, b, src, i, j, max_words))
                    return CHORUS_ENOMEM;
                i = j;
                continue;
            }
        }
        size_t k;
        uint32_t c = decode(p, len - i, &k);
        if (is_word_cp(c)) {
            if (!in_word) {
                in_word = 1;
                start = i;
                cp_first = t->ncp;
            }
            t->cp[t->ncp++] = c;
        } else if (in_word) {
            in_word = 0;
            if (end_word(t, stop, ms, start, i, cp_first, 0))
                return CHORUS_ENOMEM;
        }
        token_start = c == ' ';
        i += k;
    }
    if (in_word && t->n < max_words && end_word(t, stop, ms, start, i, cp_first, 0))
        return CHORUS_ENOMEM;
    return CHORUS_OK;
}

/* ---- 4-grams ---- */

/* The grams of a stream of chars characters. */
static size_t stream_grams(size_t chars) { return chars > 3 ? chars - 3 : 0; }

size_t ch_mtext_max_grams(const ch_mtext *t, size_t a, size_t b)
{
    size_t own = 1, run = 0, n = 0;
    for (size_t k = a; k < b; k++) {
        if (!t->w[k].mention) {
            own += t->w[k].cp_len + 1;
            continue;
        }
        if (!run) /* a run of mention words is a stream of its own */
            run = 1;
        run += t->w[k].cp_len + 1;
        if (k + 1 == b || !t->w[k + 1].mention)
            n += stream_grams(run), run = 0;
    }
    return n + stream_grams(own);
}

static inline uint64_t gram_hash(const uint32_t c[4])
{
    uint64_t k = (uint64_t)c[0] << 42 | (uint64_t)c[1] << 21 | c[2];
    return ch_mix64(ch_mix64(k) ^ c[3]) | 1;
}

/* The sliding window of the last four code points of the stream. */
typedef struct gram_win {
    uint32_t c[4];
    int16_t w[4]; /* word of each (relative to a), -1 for a space */
    size_t have, n;
    uint64_t *hash;
    int16_t (*touch)[2];
} gram_win;

static void push(gram_win *g, uint32_t ch, int16_t w)
{
    if (g->have == 4) {
        memmove(g->c, g->c + 1, 3 * sizeof *g->c);
        memmove(g->w, g->w + 1, 3 * sizeof *g->w);
        g->have = 3;
    }
    g->c[g->have] = ch;
    g->w[g->have++] = w;
    if (g->have < 4)
        return;
    g->hash[g->n] = gram_hash(g->c);
    if (g->touch) {
        /* words are apart by a space, so a gram meets at most two */
        int16_t f = -1, s = -1;
        for (int q = 0; q < 4; q++)
            if (g->w[q] >= 0 && g->w[q] != f) {
                if (f < 0)
                    f = g->w[q];
                else
                    s = g->w[q];
            }
        g->touch[g->n][0] = f;
        g->touch[g->n][1] = s;
    }
    g->n++;
}

/* Pushes word k's characters and the space after it. */
static void push_word(gram_win *g, const ch_mtext *t, size_t a, size_t k)
{
    const uint32_t *cp = t->cp + t->w[k].cp_first;
    for (uint32_t j = 0; j < t->w[k].cp_len; j++)
        push(g, cp[j], (int16_t)(k - a));
    push(g, ' ', -1);
}

/* The words of a mention are a stream after the text's own, one per run
 * of them: inside the text they would cut the grams across the words
 * around them ("the port @x deal"), which a talking point has. */
size_t ch_mtext_grams(const ch_mtext *t, size_t a, size_t b, uint64_t *hash, int16_t (*touch)[2])
{
    gram_win g = {{0}, {-1, -1, -1, -1}, 0, 0, hash, touch};
    push(&g, ' ', -1);
    int mentions = 0;
    for (size_t k = a; k < b; k++) {
        if (t->w[k].mention)
            mentions = 1;
        else
            push_word(&g, t, a, k);
    }
    for (size_t k = a; mentions && k < b; k++) {
        if (!t->w[k].mention)
            continue;
        if (k == a || !t->w[k - 1].mention) {
            g.have = 0; /* a new stream */
            push(&g, ' ', -1);
        }
        push_word(&g, t, a, k);
    }
    return g.n;
}
