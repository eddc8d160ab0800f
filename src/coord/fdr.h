/*
 * fdr.h - Benjamini-Hochberg inside the coord layer, with running out of
 * memory as an error: chorus_fdr_threshold (coord.h) has to answer with a
 * number, so it says "nothing passes" then; the attach step must not.
 */
#ifndef CH_COORD_FDR_H
#define CH_COORD_FDR_H

#include <chorus/chorus.h>

/* *t = the largest p-value threshold that keeps the false discovery rate
 * at q over p[0..n), 0 when nothing passes (a p-value of exactly 0 always
 * passes, so p <= *t selects the discoveries). CHORUS_ENOMEM when the
 * sorted copy cannot be made. */
chorus_rc ch_fdr_threshold(chorus_ctx *ctx, const double *p, size_t n, double q, double *t);

#endif
