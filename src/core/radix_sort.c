/*
 * radix_sort.c - LSD radix sort, 8 bits a pass (see radix_sort.h). All
 * eight histograms come from one read of the keys; passes whose histogram
 * puts every key in one bucket are skipped. Short arrays (the co-action
 * kernel sorts one per object and per pair) take an insertion sort in
 * place instead: no allocation, and stable like the radix passes.
 * Records of a key and a payload sort on the key's low bits only, in
 * digits of 8 to 12 bits (by the array's size), in buffers
 * the caller owns: the co-action kernel sorts thousands of buckets.
 */
#include "radix_sort.h"

#include <string.h>

static void scatter(const uint64_t *ks, const uint32_t *vs, uint64_t *kd, uint32_t *vd, size_t n,
                    unsigned shift, size_t *offs)
{
    for (size_t i = 0; i < n; i++) {
        size_t b = (ks[i] >> shift) & 0xff;
        size_t o = offs[b]++;
        kd[o] = ks[i];
        if (vs)
            vd[o] = vs[i];
    }
}

#define SMALL 48 /* below this, insertion sort beats the histograms */

static void insertion_sort(uint64_t *keys, uint32_t *vals, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t k = keys[i];
        uint32_t v = vals ? vals[i] : 0;
        size_t j = i;
        for (; j > 0 && keys[j - 1] > k; j--) {
            keys[j] = keys[j - 1];
            if (vals)
                vals[j] = vals[j - 1];
        }
        keys[j] = k;
        if (vals)
            vals[j] = v;
    }
}

chorus_rc ch_radix_sort_u64(chorus_ctx *ctx, uint64_t *keys, uint32_t *vals, size_t n)
{
    if (n < SMALL) {
        insertion_sort(keys, vals, n);
        return CHORUS_OK;
    }
    size_t (*hist)[256] = ch_calloc(ctx, 8 * sizeof *hist);
    uint64_t *ktmp = ch_alloc(ctx, n * sizeof *ktmp);
    uint32_t *vtmp = vals ? ch_alloc(ctx, n * sizeof *vtmp) : NULL;
    if (!hist || !ktmp || (vals && !vtmp)) {
        ch_free(ctx, hist, 8 * sizeof *hist);
        ch_free(ctx, ktmp, n * sizeof *ktmp);
        ch_free(ctx, vtmp, n * sizeof *vtmp);
        return ch_nomem(ctx);
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned d = 0; d < 8; d++)
            hist[d][(keys[i] >> (8 * d)) & 0xff]++;
    uint64_t *ks = keys, *kd = ktmp;
    uint32_t *vs = vals, *vd = vtmp;
    for (unsigned d = 0; d < 8; d++) {
        if (hist[d][(keys[0] >> (8 * d)) & 0xff] == n)
            continue; /* every key has the same byte here */
        size_t offs[256], sum = 0;
        for (int b = 0; b < 256; b++) {
            offs[b] = sum;
            sum += hist[d][b];
        }
        scatter(ks, vs, kd, vd, n, 8 * d, offs);
        uint64_t *kt = ks; ks = kd; kd = kt;
        uint32_t *vt = vs; vs = vd; vd = vt;
    }
    if (ks != keys) {
        memcpy(keys, ks, n * sizeof *keys);
        if (vals)
            memcpy(vals, vs, n * sizeof *vals);
    }
    ch_free(ctx, hist, 8 * sizeof *hist);
    ch_free(ctx, ktmp, n * sizeof *ktmp);
    ch_free(ctx, vtmp, n * sizeof *vtmp);
    return CHORUS_OK;
}

/* Records whose keys agree on the sorted bits keep their order. */
static void kv_insertion(ch_kv *r, size_t n, uint64_t mask)
{
    for (size_t i = 1; i < n; i++) {
        ch_kv x = r[i];
        size_t j = i;
        for (; j > 0 && (r[j - 1].key & mask) > (x.key & mask); j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

/* One stable pass of r by the digit (key >> shift) & mask into d, from
 * its histogram of nb counts. */
static void kv_scatter(const ch_kv *r, ch_kv *d, size_t n, unsigned shift, uint64_t mask,
                       size_t nb, size_t *count)
{
    size_t sum = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t c = count[b];
        count[b] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        d[count[(r[i].key >> shift) & mask]++] = r[i];
}

ch_kv *ch_radix_sort_kv(ch_kv *r, ch_kv *tmp, size_t n, unsigned bits, size_t *counts)
{
    if (bits > 64)
        bits = 64;
    uint64_t mask = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    if (n < SMALL) {
        kv_insertion(r, n, mask);
        return r;
    }
    /* Histograms no bigger than the array; a cache's worth of records
     * in 12-bit digits, a bigger array in 11 (fewer cache misses). */
    unsigned most = n < ((size_t)1 << 12) ? 8 : n < ((size_t)1 << 18) ? 12 : 11;
    unsigned passes = (bits + most - 1) / most;
    if (!passes)
        return r;
    unsigned width = (bits + passes - 1) / passes;
    /* the top digit may be narrower: bits above `bits` stay unsorted */
    size_t nb = (size_t)1 << width;
    uint64_t dmask[8]; /* 64 bits in digits of 8 or more */
    for (unsigned p = 0; p < passes; p++)
        dmask[p] = (mask >> (p * width)) & (nb - 1);
    memset(counts, 0, passes * nb * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        for (unsigned p = 0; p < passes; p++)
            counts[p * nb + ((r[i].key >> (p * width)) & dmask[p])]++;
    ch_kv *src = r, *dst = tmp;
    for (unsigned p = 0; p < passes; p++) {
        if (counts[p * nb + ((r[0].key >> (p * width)) & dmask[p])] == n)
            continue; /* every key has the same digit here */
        kv_scatter(src, dst, n, p * width, dmask[p], nb, counts + p * nb);
        ch_kv *t = src;
        src = dst, dst = t;
    }
    return src;
}
