/*
 * graph.c - GEXF 1.3 and GraphML output of the coordination network (see
 * graph.h). Edges are merged per account pair with a radix sort of packed
 * pair keys; every string from the data is escaped for XML, and bytes XML
 * 1.0 cannot carry (controls, invalid UTF-8) become U+FFFD.
 */
#include <chorus/graph.h>

#include "core/ctx.h"
#include "core/radix_sort.h"
#include "core/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct merged {
    uint32_t a, b, first, count; /* edges[order[first .. first+count)] */
    uint64_t objects, coactions;
} merged;

typedef struct net {
    const chorus_corpus *c;
    const chorus_graph_edge *e;
    uint32_t *order; /* edge indexes sorted by pair */
    merged *m;
    size_t nm;
    uint8_t *node; /* account is a node */
} net;

static void xml_text(FILE *f, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        unsigned char ch = s[i];
        if (ch < 0x80) {
            if (ch == '&') fputs("&amp;", f);
            else if (ch == '<') fputs("&lt;", f);
            else if (ch == '>') fputs("&gt;", f);
            else if (ch == '"') fputs("&quot;", f);
            else if (ch == '\'') fputs("&apos;", f);
            else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') fputs("\xEF\xBF\xBD", f);
            else putc(ch, f);
            i++;
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        int nonchar = len == 3 && s[i] == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE;
        if (!len || nonchar)
            fputs("\xEF\xBF\xBD", f);
        else
            fwrite(s + i, 1, len, f);
        i += len ? len : 1;
    }
}

static chorus_rc merge(chorus_ctx *ctx, net *g, size_t n, uint32_t n_acc)
{
    uint64_t *keys = ch_alloc(ctx, (n ? n : 1) * sizeof *keys);
    g->order = ch_alloc(ctx, (n ? n : 1) * sizeof *g->order);
    g->m = ch_alloc(ctx, (n ? n : 1) * sizeof *g->m);
    g->node = ch_calloc(ctx, n_acc ? n_acc : 1);
    chorus_rc rc = (!keys || !g->order || !g->m || !g->node) ? ch_nomem(ctx) : CHORUS_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        uint32_t a = g->e[i].a < g->e[i].b ? g->e[i].a : g->e[i].b;
        uint32_t b = g->e[i].a < g->e[i].b ? g->e[i].b : g->e[i].a;
        if (b >= n_acc)
            rc = ch_error(ctx, CHORUS_EUSAGE, "graph edge names account %u of %u", b, n_acc);
        keys[i] = (uint64_t)a << 32 | b;
        g->order[i] = (uint32_t)i;
    }
    if (!rc)
        rc = ch_radix_sort_u64(ctx, keys, g->order, n);
    for (size_t i = 0; !rc && i < n;) {
        merged *m = &g->m[g->nm++];
        *m = (merged){(uint32_t)(keys[i] >> 32), (uint32_t)keys[i], (uint32_t)i, 0, 0, 0};
        for (; i < n && keys[i] == keys[m->first]; i++, m->count++) {
            m->objects += g->e[g->order[i]].objects;
            m->coactions += g->e[g->order[i]].coactions;
        }
        g->node[m->a] = g->node[m->b] = 1;
    }
    ch_free(ctx, keys, (n ? n : 1) * sizeof *keys);
    return rc;
}

static void signals_of(FILE *f, const net *g, const merged *m)
{
    for (uint32_t k = 0; k < m->count; k++) {
        const char *s = g->e[g->order[m->first + k]].signal;
        if (k)
            putc(';', f);
        xml_text(f, s, strlen(s));
    }
}

/* A node's account and creation date, or 0 when the account is no node. */
static int node_info(const net *g, uint32_t i, chorus_account_view *v, char *created)
{
    if (!g->node[i])
        return 0;
    chorus_corpus_account(g->c, i, v);
    created[0] = 0;
    if (v->created_ms != INT64_MIN)
        chorus_format_time_utc(v->created_ms, created);
    return 1;
}

static void gexf_nodes(FILE *f, const net *g, uint32_t n_acc)
{
    fputs("<nodes>\n", f);
    chorus_account_view v;
    char created[32];
    for (uint32_t i = 0; i < n_acc; i++) {
        if (!node_info(g, i, &v, created))
            continue;
        fprintf(f, "<node id=\"n%u\" label=\"", i);
        xml_text(f, v.id.ptr, v.id.len);
        fputs("\"><attvalues><attvalue for=\"0\" value=\"", f);
        xml_text(f, v.screen_name.ptr, v.screen_name.len);
        fprintf(f, "\"/><attvalue for=\"1\" value=\"%u\"/><attvalue for=\"2\" value=\"%s\"/>"
                   "</attvalues></node>\n", v.n_posts, created);
    }
    fputs("</nodes>\n", f);
}

static void write_gexf(FILE *f, const net *g, uint32_t n_acc)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n"
               "<meta><creator>chorus %s</creator><description>coordination network: account "
               "pairs that co-acted within the window</description></meta>\n"
               "<graph defaultedgetype=\"undirected\" mode=\"static\">\n"
               "<attributes class=\"node\"><attribute id=\"0\" title=\"screen_name\" type=\"string\"/>"
               "<attribute id=\"1\" title=\"posts\" type=\"integer\"/>"
               "<attribute id=\"2\" title=\"created\" type=\"string\"/></attributes>\n"
               "<attributes class=\"edge\"><attribute id=\"0\" title=\"signals\" type=\"string\"/>"
               "<attribute id=\"1\" title=\"objects\" type=\"long\"/>"
               "<attribute id=\"2\" title=\"coactions\" type=\"long\"/></attributes>\n",
            CHORUS_VERSION);
    gexf_nodes(f, g, n_acc);
    fputs("<edges>\n", f);
    for (size_t i = 0; i < g->nm; i++) {
        const merged *m = &g->m[i];
        fprintf(f, "<edge id=\"e%zu\" source=\"n%u\" target=\"n%u\" weight=\"%" PRIu64 "\">"
                   "<attvalues><attvalue for=\"0\" value=\"", i, m->a, m->b, m->objects);
        signals_of(f, g, m);
        fprintf(f, "\"/><attvalue for=\"1\" value=\"%" PRIu64 "\"/><attvalue for=\"2\" value=\"%"
                   PRIu64 "\"/></attvalues></edge>\n", m->objects, m->coactions);
    }
    fputs("</edges>\n</graph>\n</gexf>\n", f);
}

static void write_graphml(FILE *f, const net *g, uint32_t n_acc)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
          "<key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
          "<key id=\"screen_name\" for=\"node\" attr.name=\"screen_name\" attr.type=\"string\"/>\n"
          "<key id=\"posts\" for=\"node\" attr.name=\"posts\" attr.type=\"long\"/>\n"
          "<key id=\"created\" for=\"node\" attr.name=\"created\" attr.type=\"string\"/>\n"
          "<key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "<key id=\"signals\" for=\"edge\" attr.name=\"signals\" attr.type=\"string\"/>\n"
          "<key id=\"coactions\" for=\"edge\" attr.name=\"coactions\" attr.type=\"long\"/>\n"
          "<graph id=\"chorus\" edgedefault=\"undirected\">\n", f);
    chorus_account_view v;
    char created[32];
    for (uint32_t i = 0; i < n_acc; i++) {
        if (!node_info(g, i, &v, created))
            continue;
        fprintf(f, "<node id=\"n%u\"><data key=\"label\">", i);
        xml_text(f, v.id.ptr, v.id.len);
        fputs("</data><data key=\"screen_name\">", f);
        xml_text(f, v.screen_name.ptr, v.screen_name.len);
        fprintf(f, "</data><data key=\"posts\">%u</data><data key=\"created\">%s</data></node>\n",
                v.n_posts, created);
    }
    for (size_t i = 0; i < g->nm; i++) {
        const merged *m = &g->m[i];
        fprintf(f, "<edge source=\"n%u\" target=\"n%u\"><data key=\"weight\">%" PRIu64
                   "</data><data key=\"signals\">", m->a, m->b, m->objects);
        signals_of(f, g, m);
        fprintf(f, "</data><data key=\"coactions\">%" PRIu64 "</data></edge>\n", m->coactions);
    }
    fputs("</graph>\n</graphml>\n", f);
}

/* Writes through path.tmp-PID, renamed onto path when complete. */
static chorus_rc write_file(chorus_ctx *ctx, const char *path, const net *g, uint32_t n_acc,
                            void (*body)(FILE *, const net *, uint32_t))
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ch_error(ctx, CHORUS_EUSAGE, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    body(f, g, n_acc);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return ch_error(ctx, CHORUS_EIO, "%s: write failed: %s", path, strerror(errno));
    }
    return CHORUS_OK;
}

chorus_rc chorus_graph_write(chorus_ctx *ctx, const chorus_corpus *c, const chorus_graph_edge *edges,
                             size_t n, const char *gexf_path, const char *graphml_path)
{
    uint32_t n_acc = chorus_corpus_account_count(c);
    net g = {c, edges, NULL, NULL, 0, NULL};
    chorus_rc rc = merge(ctx, &g, n, n_acc);
    if (!rc && gexf_path)
        rc = write_file(ctx, gexf_path, &g, n_acc, write_gexf);
    if (!rc && graphml_path)
        rc = write_file(ctx, graphml_path, &g, n_acc, write_graphml);
    ch_free(ctx, g.order, (n ? n : 1) * sizeof *g.order);
    ch_free(ctx, g.m, (n ? n : 1) * sizeof *g.m);
    ch_free(ctx, g.node, n_acc ? n_acc : 1);
    return rc;
}
