/*
 * graph.h - the coordination network for Gephi and other graph tools:
 * GEXF 1.3 and GraphML files with node and edge attributes. A pair that
 * co-acted on several signals is one edge carrying every signal's evidence.
 */
#ifndef CHORUS_GRAPH_H
#define CHORUS_GRAPH_H

#include <chorus/corpus.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One account pair on one signal (as in edges.csv). */
typedef struct chorus_graph_edge {
    uint32_t a, b;      /* account indexes */
    const char *signal; /* signal name; the caller keeps it alive */
    uint32_t objects;
    uint64_t coactions;
    double median_delay_s;
    double p_value;           /* 1 when not tested */
    int64_t first_ms, last_ms;
} chorus_graph_edge;

/* Writes the network to gexf_path and graphml_path (either may be NULL),
 * each through a temporary file renamed on success. Edges of the same
 * pair are merged: weight = objects summed over signals, "signals" lists
 * them. Nodes are the accounts in at least one edge, with their id,
 * screen name, post count and creation date. Strings are escaped for
 * XML; characters XML 1.0 cannot hold are replaced by U+FFFD. */
chorus_rc chorus_graph_write(chorus_ctx *ctx, const chorus_corpus *c, const chorus_graph_edge *edges,
                             size_t n, const char *gexf_path, const char *graphml_path);

#ifdef __cplusplus
}
#endif
#endif
