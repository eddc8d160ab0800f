/*
 * layout.h - node positions of the report's network, computed in C with
 * igraph so the page only draws: each group laid out on its own
 * (Fruchterman-Reingold, seeded), the groups packed side by side.
 */
#ifndef CHORUS_OUT_LAYOUT_H
#define CHORUS_OUT_LAYOUT_H

#include <chorus/chorus.h>
#include <stddef.h>
#include <stdint.h>

/* Lays out n nodes. group[i] is node i's group; nodes of one group are
 * contiguous (group is non-decreasing). pairs[2k], pairs[2k+1] are the node
 * indexes of edge k, both in the same group, edges sorted by the group of
 * their first node. Writes xy[2i], xy[2i+1] (caller-owned, 2n floats),
 * all within [0, W] x [0, H] for some W, H. Deterministic for ctx's seed.
 * Everything passed in stays the caller's. */
chorus_rc chorus_layout_groups(chorus_ctx *ctx, uint32_t n, const uint32_t *group,
                               const uint32_t *pairs, size_t n_pairs, float *xy);

#endif
