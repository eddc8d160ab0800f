/*
 * perturb.c - the small edits that copy-pasta campaigns make so copies do
 * not match byte for byte: a word in capitals, swapped or dropped letters,
 * shuffled hashtags, tracking parameters on links, and in Persian text the
 * Arabic yeh (U+064A) and kaf (U+0643) for the Persian letters (U+06CC,
 * U+06A9) and a dropped or spaced zero-width non-joiner (U+200C).
 */
#include "sim/model.h"

#include <stdio.h>
#include <string.h>

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }

/* Start and length of a random Latin word of at least min letters. */
static int pick_word(const char *s, size_t n, sim_rng *r, size_t min, size_t *at, size_t *len)
{
    for (int tries = 0; tries < 8; tries++) {
        size_t i = (size_t)sim_below(r, n);
        while (i > 0 && is_alpha(s[i - 1]))
            i--;
        size_t j = i;
        while (j < n && is_alpha(s[j]))
            j++;
        if (j - i >= min) {
            *at = i;
            *len = j - i;
            return 1;
        }
    }
    return 0;
}

void sim_perturb_latin(char *s, size_t n, sim_rng *r, double p)
{
    size_t at, len;
    if (n == 0)
        return;
    if (sim_unit(r) < p && pick_word(s, n, r, 4, &at, &len)) /* SHOUTING one word */
        for (size_t i = at; i < at + len; i++)
            if (is_lower(s[i]))
                s[i] = (char)(s[i] - 32);
    if (sim_unit(r) < p && pick_word(s, n, r, 5, &at, &len)) { /* a typo: swapped letters */
        size_t i = at + 1 + (size_t)sim_below(r, len - 2);
        char t = s[i];
        s[i] = s[i + 1];
        s[i + 1] = t;
    }
    if (sim_unit(r) < p / 2 && s[0] >= 'A' && s[0] <= 'Z') /* lazy lower-case start */
        s[0] = (char)(s[0] + 32);
}

/* ی (DB 8C) -> ي (D9 8A), ک (DA A9) -> ك (D9 83): same length in UTF-8. */
static void arabic_letters(char *s, size_t n, sim_rng *r, int yeh, int kaf)
{
    int all = sim_below(r, 2) == 0;
    for (size_t i = 0; i + 1 < n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)s[i + 1];
        int hit = (yeh && a == 0xDB && b == 0x8C) || (kaf && a == 0xDA && b == 0xA9);
        if (!hit || (!all && sim_below(r, 3) == 0))
            continue;
        s[i] = (char)0xD9;
        s[i + 1] = (char)(a == 0xDB ? 0x8A : 0x83);
        i++;
    }
}

/* ZWNJ (E2 80 8C) dropped, or replaced by a space. */
static size_t zwnj(char *s, size_t n, int space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x8C) {
            if (space)
                s[o++] = ' ';
            i += 2;
            continue;
        }
        s[o++] = s[i];
    }
    return o;
}

size_t sim_perturb_persian(char *s, size_t n, sim_rng *r, double p)
{
    int yeh = sim_unit(r) < p, kaf = sim_unit(r) < p;
    if (yeh || kaf)
        arabic_letters(s, n, r, yeh, kaf);
    if (sim_unit(r) < p)
        n = zwnj(s, n, sim_below(r, 2) == 0);
    return n;
}

void sim_shuffle(const char **a, unsigned n, sim_rng *r)
{
    for (unsigned i = n; i > 1; i--) {
        unsigned j = (unsigned)sim_below(r, i);
        const char *t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

size_t sim_track_url(char *url, size_t n, size_t cap, sim_rng *r)
{
    static const char *const sources[] = {"tw", "twitter", "share", "social", "m", "bot7"};
    static const char *const names[] = {"spring", "truth", "coast", "wave2", "x19", "alert"};
    /* one draw per statement: the order of function arguments is unspecified */
    const char *source = sources[sim_below(r, 6)];
    const char *name = names[sim_below(r, 6)];
    unsigned number = (unsigned)sim_below(r, 100);
    int k = snprintf(url + n, cap - n, "%cutm_source=%s&utm_medium=social&utm_campaign=%s%u",
                     memchr(url, '?', n) ? '&' : '?', source, name, number);
    return k > 0 && (size_t)k < cap - n ? n + (size_t)k : n;
}
