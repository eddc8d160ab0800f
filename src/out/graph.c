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

#include <chorus/output.h>

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

/* Output through a large buffer: the files are hundreds of MB at 10 M
 * posts, and one fwrite per MB costs far less than one stdio call a field. */
#define SINK_BYTES ((size_t)1 << 20)

typedef struct sink {
    FILE *f;
    char *p;
    size_t len;
    int failed;
} sink;

static void sink_flush(sink *o)
{
    if (o->len && fwrite(o->p, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

/* Room for n more bytes (n <= SINK_BYTES). */
static char *room(sink *o, size_t n)
{
    if (o->len + n > SINK_BYTES)
        sink_flush(o);
    return o->p + o->len;
}

static void put(sink *o, const char *s, size_t n)
{
    while (n) {
        size_t k = n < SINK_BYTES / 2 ? n : SINK_BYTES / 2;
        memcpy(room(o, k), s, k);
        o->len += k, s += k, n -= k;
    }
}

#define PUT_LIT(o, s) put((o), (s), sizeof(s) - 1)

static void put_u64(sink *o, uint64_t v)
{
    char *q = room(o, 24);
    o->len += chorus_fmt_u64(q, v);
}

static void xml_text(sink *o, const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        char *q = room(o, 8), *q0 = q;
        unsigned char ch = s[i];
        if (ch < 0x80) {
            if (ch == '&') memcpy(q, "&amp;", 5), q += 5;
            else if (ch == '<') memcpy(q, "&lt;", 4), q += 4;
            else if (ch == '>') memcpy(q, "&gt;", 4), q += 4;
            else if (ch == '"') memcpy(q, "&quot;", 6), q += 6;
            else if (ch == '\'') memcpy(q, "&apos;", 6), q += 6;
            else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') memcpy(q, "\xEF\xBF\xBD", 3), q += 3;
            else *q++ = (char)ch;
            o->len += (size_t)(q - q0);
            i++;
            continue;
        }
        size_t len = ch_utf8_seq(s + i, n - i);
        int nonchar = len == 3 && s[i] == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE;
        if (!len || nonchar)
            memcpy(q, "\xEF\xBF\xBD", 3), q += 3;
        else
            memcpy(q, s + i, len), q += len;
        o->len += (size_t)(q - q0);
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

static void signals_of(sink *o, const net *g, const merged *m)
{
    for (uint32_t k = 0; k < m->count; k++) {
        const char *s = g->e[g->order[m->first + k]].signal;
        if (k)
            put(o, ";", 1);
        xml_text(o, s, strlen(s));
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

/* `id="nI"` and the like: a literal, then a number. */
static void put_num(sink *o, const char *lit, size_t n, uint64_t v)
{
    put(o, lit, n);
    put_u64(o, v);
}

#define PUT_NUM(o, lit, v) put_num((o), (lit), sizeof(lit) - 1, (v))

static void gexf_nodes(sink *o, const net *g, uint32_t n_acc)
{
    PUT_LIT(o, "<nodes>\n");
    chorus_account_view v;
    char created[32];
    for (uint32_t i = 0; i < n_acc; i++) {
        if (!node_info(g, i, &v, created))
            continue;
        PUT_NUM(o, "<node id=\"n", i);
        PUT_LIT(o, "\" label=\"");
        xml_text(o, v.id.ptr, v.id.len);
        PUT_LIT(o, "\"><attvalues><attvalue for=\"0\" value=\"");
        xml_text(o, v.screen_name.ptr, v.screen_name.len);
        PUT_NUM(o, "\"/><attvalue for=\"1\" value=\"", v.n_posts);
        PUT_LIT(o, "\"/><attvalue for=\"2\" value=\"");
        put(o, created, strlen(created));
        PUT_LIT(o, "\"/></attvalues></node>\n");
    }
    PUT_LIT(o, "</nodes>\n");
}

static void write_gexf(sink *o, const net *g, uint32_t n_acc)
{
    char head[2048];
    int n = snprintf(head, sizeof head, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
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
    put(o, head, n > 0 && (size_t)n < sizeof head ? (size_t)n : 0);
    gexf_nodes(o, g, n_acc);
    PUT_LIT(o, "<edges>\n");
    for (size_t i = 0; i < g->nm; i++) {
        const merged *m = &g->m[i];
        PUT_NUM(o, "<edge id=\"e", i);
        PUT_NUM(o, "\" source=\"n", m->a);
        PUT_NUM(o, "\" target=\"n", m->b);
        PUT_NUM(o, "\" weight=\"", m->objects);
        PUT_LIT(o, "\"><attvalues><attvalue for=\"0\" value=\"");
        signals_of(o, g, m);
        PUT_NUM(o, "\"/><attvalue for=\"1\" value=\"", m->objects);
        PUT_NUM(o, "\"/><attvalue for=\"2\" value=\"", m->coactions);
        PUT_LIT(o, "\"/></attvalues></edge>\n");
    }
    PUT_LIT(o, "</edges>\n</graph>\n</gexf>\n");
}

static void write_graphml(sink *o, const net *g, uint32_t n_acc)
{
    PUT_LIT(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
          "<key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
          "<key id=\"screen_name\" for=\"node\" attr.name=\"screen_name\" attr.type=\"string\"/>\n"
          "<key id=\"posts\" for=\"node\" attr.name=\"posts\" attr.type=\"long\"/>\n"
          "<key id=\"created\" for=\"node\" attr.name=\"created\" attr.type=\"string\"/>\n"
          "<key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "<key id=\"signals\" for=\"edge\" attr.name=\"signals\" attr.type=\"string\"/>\n"
          "<key id=\"coactions\" for=\"edge\" attr.name=\"coactions\" attr.type=\"long\"/>\n"
          "<graph id=\"chorus\" edgedefault=\"undirected\">\n");
    chorus_account_view v;
    char created[32];
    for (uint32_t i = 0; i < n_acc; i++) {
        if (!node_info(g, i, &v, created))
            continue;
        PUT_NUM(o, "<node id=\"n", i);
        PUT_LIT(o, "\"><data key=\"label\">");
        xml_text(o, v.id.ptr, v.id.len);
        PUT_LIT(o, "</data><data key=\"screen_name\">");
        xml_text(o, v.screen_name.ptr, v.screen_name.len);
        PUT_NUM(o, "</data><data key=\"posts\">", v.n_posts);
        PUT_LIT(o, "</data><data key=\"created\">");
        put(o, created, strlen(created));
        PUT_LIT(o, "</data></node>\n");
    }
    for (size_t i = 0; i < g->nm; i++) {
        const merged *m = &g->m[i];
        PUT_NUM(o, "<edge source=\"n", m->a);
        PUT_NUM(o, "\" target=\"n", m->b);
        PUT_NUM(o, "\"><data key=\"weight\">", m->objects);
        PUT_LIT(o, "</data><data key=\"signals\">");
        signals_of(o, g, m);
        PUT_NUM(o, "</data><data key=\"coactions\">", m->coactions);
        PUT_LIT(o, "</data></edge>\n");
    }
    PUT_LIT(o, "</graph>\n</graphml>\n");
}

/* Writes through path.tmp-PID, renamed onto path when complete. */
static chorus_rc write_file(chorus_ctx *ctx, const char *path, const net *g, uint32_t n_acc,
                            void (*body)(sink *, const net *, uint32_t))
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return ch_error(ctx, CHORUS_EUSAGE, "%s: path too long", path);
    sink o = {NULL, ch_alloc(ctx, SINK_BYTES), 0, 0};
    if (!o.p)
        return ch_nomem(ctx);
    o.f = fopen(tmp, "w");
    if (!o.f) {
        ch_free(ctx, o.p, SINK_BYTES);
        return ch_error(ctx, CHORUS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    }
    body(&o, g, n_acc);
    sink_flush(&o);
    ch_free(ctx, o.p, SINK_BYTES);
    int bad = o.failed || ferror(o.f);
    if (fclose(o.f) != 0 || bad || rename(tmp, path) != 0) {
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
