/*
 * minhash.c - shingle sets and their MinHash signatures. A set holds the
 * 64-bit hashes of a match form's character 5-grams (spaces removed, so a
 * word written joined, split or with a ZWNJ shingles alike) or word
 * 3-grams, and packs to their top 32 bits for keeping and comparing; the
 * signature is one-permutation hashing with optimal densification (one
 * hash per shingle instead of 128), cut into bands.
 */
#include "text/dedup_impl.h"

#include "core/hash.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CHAR_GRAM 5
#define WORD_GRAM 3
#define SHINGLE_SEED 0x6368736869676c65ULL /* "chshigle" */
#define DENSIFY_SEED 0x6368646e73667931ULL
#define BAND_SEED 0x636862616e643031ULL
#define MAX_PROBES 4096
#define MAX_BITS 12 /* buckets of the shingle sort: 16 kB of counts on the stack */

_Static_assert(CH_MH_BANDS * CH_MH_ROWS <= CH_MH_K, "bands use the signature's values");

void ch_shingles_init(ch_shingles *s, chorus_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
}

void ch_shingles_free(ch_shingles *s)
{
    ch_free(s->ctx, s->h, s->cap * sizeof *s->h);
    ch_free(s->ctx, s->pos, s->pos_cap * sizeof *s->pos);
    ch_free(s->ctx, s->v, s->vcap * sizeof *s->v);
    ch_shingles_init(s, s->ctx);
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Quicksort, median of three, the smaller side first so the stack stays
 * logarithmic; shingle hashes are uniform, so no adversarial inputs. */
static void sort_u64(uint64_t *a, size_t n)
{
    while (n > 24) {
        uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
        uint64_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i++] = a[j];
            a[j--] = t;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_u64(a, left);
            a += left;
            n -= left;
        } else {
            sort_u64(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

/* Sorts a[0..n) with tmp (n more) as scratch: the hashes are uniform, so
 * one counting pass on the top bits leaves tiny runs that an insertion
 * sort finishes in about linear time. */
static void sort_hashes(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n < 32 || n > ((size_t)1 << 16)) {
        sort_u64(a, n); /* small, or an article: the general sort */
        return;
    }
    unsigned bits = 5;
    while (((size_t)1 << bits) < n && bits < MAX_BITS)
        bits++;
    uint32_t count[(1 << MAX_BITS) + 1];
    memset(count, 0, ((size_t)1 << bits) * sizeof *count + sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(a[i] >> (64 - bits)) + 1]++;
    for (size_t b = 1; b <= ((size_t)1 << bits); b++)
        count[b] += count[b - 1];
    for (size_t i = 0; i < n; i++)
        tmp[count[a[i] >> (64 - bits)]++] = a[i];
    memcpy(a, tmp, n * sizeof *a);
    insertion_sort(a, n);
}

/* Sorts and removes repeats (s->h has room for twice the shingles). */
static void make_set(ch_shingles *s)
{
    sort_hashes(s->h, s->h + s->n, s->n);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (k == 0 || s->h[i] != s->h[k - 1])
            s->h[k++] = s->h[i];
    s->n = k;
}

/* The characters of t without spaces, each as its UTF-8 bytes packed in
 * 32 bits (a match form is valid UTF-8: at most 4 bytes; longer runs of
 * stray bytes are folded), into s->pos; their number. */
static size_t char_codes(ch_shingles *s, const char *t, size_t n)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t nc = 0;
    for (size_t i = 0; i < n;) {
        if (u[i] == ' ') {
            i++;
            continue;
        }
        uint32_t code = u[i++];
        for (unsigned k = 8; i < n && (u[i] & 0xC0) == 0x80; i++, k += 8)
            code = k < 32 ? code | (uint32_t)u[i] << k : code * 0x01000193u ^ u[i];
        s->pos[nc++] = code;
    }
    return nc;
}

/* Character 5-grams: five packed characters mixed into 64 bits (cheaper
 * than hashing their bytes, and as good for uniform hashes). */
static void char_shingles(ch_shingles *s, const char *t, size_t n)
{
    size_t nc = char_codes(s, t, n);
    const uint32_t *c = s->pos;
    if (nc == 0)
        return;
    if (nc < CHAR_GRAM) {
        uint64_t h = SHINGLE_SEED + nc;
        for (size_t i = 0; i < nc; i++)
            h = ch_mix64(h ^ c[i]);
        s->h[s->n++] = h;
        return;
    }
    for (size_t i = 0; i + CHAR_GRAM <= nc; i++) {
        uint64_t x = (uint64_t)c[i] << 32 | c[i + 1], y = (uint64_t)c[i + 2] << 32 | c[i + 3];
        s->h[s->n++] = ch_mix64(x ^ ch_mix64(y ^ ch_mix64(c[i + 4] ^ SHINGLE_SEED)));
    }
}

/* Word 3-grams: each token hashed once, three hashes combined in order. */
static void word_shingles(ch_shingles *s, const char *t, size_t n)
{
    size_t nt = 0;
    uint64_t *th = s->h + n + 1; /* token hashes after the room for shingles */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j] != ' ')
            j++;
        if (j > i)
            th[nt++] = ch_hash64(t + i, j - i, SHINGLE_SEED);
        i = j + 1;
    }
    if (nt == 0)
        return;
    if (nt < WORD_GRAM) {
        uint64_t h = th[0];
        for (size_t i = 1; i < nt; i++)
            h = ch_mix64(h * 0x9E3779B97F4A7C15ULL + th[i]);
        s->h[s->n++] = h;
        return;
    }
    for (size_t i = 0; i + WORD_GRAM <= nt; i++)
        s->h[s->n++] = ch_mix64(ch_mix64(th[i] * 0x9E3779B97F4A7C15ULL + th[i + 1]) + th[i + 2]);
}

chorus_rc ch_shingles_of(ch_shingles *s, const char *t, size_t n, int words)
{
    s->n = 0;
    /* room: one shingle per byte at most, and for words a token hash per byte after it */
    if (ch_grow(s->ctx, (void **)&s->h, &s->cap, 2 * n + 2, sizeof *s->h) ||
        ch_grow(s->ctx, (void **)&s->pos, &s->pos_cap, n + 1, sizeof *s->pos))
        return CHORUS_ENOMEM;
    if (words)
        word_shingles(s, t, n);
    else
        char_shingles(s, t, n);
    make_set(s);
    return CHORUS_OK;
}

chorus_rc ch_shingles_pack(ch_shingles *s)
{
    if (ch_grow(s->ctx, (void **)&s->v, &s->vcap, s->n + 1, sizeof *s->v))
        return CHORUS_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) { /* sorted by the whole hash: by its top half too */
        uint32_t top = (uint32_t)(s->h[i] >> 32);
        if (k == 0 || s->v[k - 1] != top)
            s->v[k++] = top;
    }
    s->vn = k;
    return CHORUS_OK;
}

#if defined(__SSE2__)
/* Four values of a against four of b at once (each a value with b, b
 * rotated by 1, 2 and 3); the block with the smaller last value moves on,
 * as in a merge. Both sets distinct, so a pair meets once: k stays exact.
 * At *i, *j the rest is left to the scalar merge. The constant holds the
 * bit counts of 0..15, four bits each (no popcount instruction needed). */
static size_t common_blocks(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                            size_t need, size_t *i, size_t *j, int *gave_up)
{
    size_t k = 0;
    while (*i + 4 <= na && *j + 4 <= nb) {
        if (k + (na - *i < nb - *j ? na - *i : nb - *j) < need) {
            *gave_up = 1;
            return k;
        }
        __m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + *i));
        __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + *j));
        __m128i e0 = _mm_cmpeq_epi32(va, vb);
        __m128i e1 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(0, 3, 2, 1)));
        __m128i e2 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(1, 0, 3, 2)));
        __m128i e3 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(2, 1, 0, 3)));
        __m128i eq = _mm_or_si128(_mm_or_si128(e0, e1), _mm_or_si128(e2, e3));
        k += (0x4332322132212110ULL >> 4 * _mm_movemask_ps(_mm_castsi128_ps(eq))) & 15;
        uint32_t amax = a[*i + 3], bmax = b[*j + 3];
        *i += (size_t)(amax <= bmax) * 4;
        *j += (size_t)(bmax <= amax) * 4;
    }
    return k;
}
#endif

size_t ch_set_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t need)
{
    size_t i = 0, j = 0, k = 0;
#if defined(__SSE2__)
    int gave_up = 0;
    k = common_blocks(a, na, b, nb, need, &i, &j, &gave_up);
    if (gave_up)
        return k;
#endif
    while (i < na && j < nb) {
        /* every 32 steps: give up once even all the rest could not reach need */
        if (((i + j) & 31) == 0 && k + (na - i < nb - j ? na - i : nb - j) < need)
            return k;
        uint32_t x = a[i], y = b[j];
        k += x == y; /* branch-free: the comparisons are unpredictable */
        i += x <= y;
        j += y <= x;
    }
    return k;
}

void ch_set_similarity(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                       double *jaccard, double *containment)
{
    *jaccard = *containment = 0;
    if (na == 0 || nb == 0)
        return;
    size_t k = ch_set_common(a, na, b, nb, 0);
    *jaccard = (double)k / (double)(na + nb - k);
    *containment = (double)k / (double)(na < nb ? na : nb);
}

void ch_minhash(const ch_shingles *s, uint32_t sig[CH_MH_K])
{
    uint64_t filled[CH_MH_K / 64] = {0};
    for (int k = 0; k < CH_MH_K; k++)
        sig[k] = UINT32_MAX;
    /* the top 7 bits pick the bin, the low 32 are the value: independent bits */
    for (size_t i = 0; i < s->n; i++) {
        unsigned bin = (unsigned)(s->h[i] >> 57);
        uint32_t v = (uint32_t)s->h[i];
        if (v < sig[bin])
            sig[bin] = v;
        filled[bin >> 6] |= 1ULL << (bin & 63);
    }
    /* Optimal densification (Shrivastava 2017): an empty bin copies the
     * first filled bin of its own fixed random probe sequence, the same
     * for every text, so P(sig_a[k] == sig_b[k]) stays the Jaccard. */
    for (unsigned k = 0; k < CH_MH_K && s->n; k++) {
        if (filled[k >> 6] >> (k & 63) & 1)
            continue;
        unsigned j = k;
        for (uint64_t attempt = 1; attempt <= MAX_PROBES; attempt++) {
            j = (unsigned)(ch_mix64(DENSIFY_SEED ^ ((uint64_t)k << 32) ^ attempt) >> 57);
            if (filled[j >> 6] >> (j & 63) & 1)
                break;
        }
        while (!(filled[j >> 6] >> (j & 63) & 1)) /* never in practice: a bounded loop anyway */
            j = (j + 1) % CH_MH_K;
        sig[k] = sig[j];
    }
}

uint32_t ch_minhash_band(const uint32_t sig[CH_MH_K], unsigned b)
{
    const uint32_t *v = sig + b * CH_MH_ROWS;
    uint64_t h = BAND_SEED;
    for (unsigned k = 0; k < CH_MH_ROWS; k++)
        h = ch_mix64(h ^ v[k]);
    return (uint32_t)(h >> 32);
}
