/*
 * coord_rows.c - the rows of edges.csv and evidence.csv, the bulk of a
 * large `chorus coord` run's output (millions of rows). Rows are built in
 * a large buffer with the printf-free writers of output.h and each
 * account's id cell made once; the bytes are those printf wrote.
 */
#include "cli.h"

#include <chorus/actions.h>
#include <chorus/coord.h>
#include <chorus/output.h>
#include <stdlib.h>
#include <string.h>

#define BUF_BYTES ((size_t)1 << 20)

/* A FILE with a large buffer in front: rows are written in place. */
typedef struct row_buf {
    FILE *f;
    char *p;
    size_t len, cap;
    int failed;
} row_buf;

struct coord_rows {
    const chorus_corpus *c;
    row_buf edges, evidence;
    char *cells;     /* every account's id as a CSV cell, one after another */
    size_t *off;     /* account k's cell: cells[off[k] .. off[k + 1]) */
    uint32_t *rank;  /* account k's place in the order of ids bytewise */
};

static void rb_flush(row_buf *b)
{
    if (b->len && fwrite(b->p, 1, b->len, b->f) != b->len)
        b->failed = 1;
    b->len = 0;
}

/* Room for need more bytes at b->p + b->len; NULL when out of memory. */
static char *rb_room(row_buf *b, size_t need)
{
    if (b->len + need <= b->cap)
        return b->p + b->len;
    rb_flush(b);
    if (need > b->cap) {
        char *q = realloc(b->p, need);
        if (!q)
            return b->failed = 1, NULL;
        b->p = q, b->cap = need;
    }
    return b->p;
}

/* An account id, for sorting the ids. */
typedef struct id_ref {
    const char *p;
    size_t n;
    uint32_t k;
} id_ref;

static int cmp_id(const void *x, const void *y)
{
    const id_ref *a = x, *b = y;
    int c = memcmp(a->p, b->p, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* Every account's id cell and its rank among the ids (bytewise, shorter
 * first on a common prefix: the order a pair's accounts are written in). */
static int account_cells(coord_rows *w)
{
    uint32_t n = chorus_corpus_account_count(w->c);
    size_t bytes = 1;
    w->off = malloc(((size_t)n + 1) * sizeof *w->off);
    w->rank = malloc(((size_t)n + 1) * sizeof *w->rank);
    id_ref *ids = malloc(((size_t)n + 1) * sizeof *ids);
    for (uint32_t k = 0; ids && k < n; k++) {
        chorus_account_view v;
        chorus_corpus_account(w->c, k, &v);
        ids[k] = (id_ref){v.id.ptr, v.id.len, k};
        bytes += 2 * v.id.len + 3;
    }
    w->cells = malloc(bytes);
    if (!w->off || !w->rank || !ids || !w->cells)
        return free(ids), -1;
    w->off[0] = 0;
    for (uint32_t k = 0; k < n; k++)
        w->off[k + 1] = w->off[k] + chorus_csv_cell(w->cells + w->off[k], ids[k].p, ids[k].n,
                                                     CHORUS_CSV_NEUTRALISE);
    qsort(ids, n, sizeof *ids, cmp_id);
    for (uint32_t k = 0; k < n; k++)
        w->rank[ids[k].k] = k;
    free(ids);
    return 0;
}

coord_rows *coord_rows_new(const chorus_corpus *c, FILE *edges, FILE *evidence)
{
    coord_rows *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->c = c;
    w->edges = (row_buf){edges, malloc(BUF_BYTES), 0, BUF_BYTES, 0};
    w->evidence = (row_buf){evidence, malloc(BUF_BYTES), 0, BUF_BYTES, 0};
    if (!w->edges.p || !w->evidence.p || account_cells(w)) {
        coord_rows_free(w);
        return NULL;
    }
    return w;
}

int coord_rows_free(coord_rows *w)
{
    if (!w)
        return 0;
    rb_flush(&w->edges);
    rb_flush(&w->evidence);
    int bad = w->edges.failed || w->evidence.failed;
    free(w->edges.p), free(w->evidence.p);
    free(w->cells), free(w->off), free(w->rank);
    free(w);
    return bad ? -1 : 0;
}

/* Appends account k's id cell. */
static char *put_account(const coord_rows *w, char *q, uint32_t k)
{
    size_t n = w->off[k + 1] - w->off[k];
    memcpy(q, w->cells + w->off[k], n);
    return q + n;
}

static char *put_str(char *q, const char *s, size_t n)
{
    memcpy(q, s, n);
    return q + n;
}

/* "a,b,signal": a row's first three cells. */
static char *put_pair(const coord_rows *w, char *q, uint32_t a, uint32_t b, const char *signal,
                      size_t sig_len)
{
    q = put_account(w, q, a);
    *q++ = ',';
    q = put_account(w, q, b);
    *q++ = ',';
    return put_str(q, signal, sig_len);
}

/* ",v" for an unsigned count. */
static char *put_u64(char *q, uint64_t v)
{
    *q++ = ',';
    return q + chorus_fmt_u64(q, v);
}

/* The bytes a row can take besides its two id cells and its label cell. */
#define ROW_FIXED (200 + 5 * CHORUS_FMT_MAX)

/* One edges.csv row: the pair with account_a < account_b bytewise. */
static void edge_row(coord_rows *w, const char *signal, size_t sig_len, const chorus_copair *p,
                     int stats)
{
    int swap = w->rank[p->b] < w->rank[p->a];
    uint32_t a = swap ? p->b : p->a, b = swap ? p->a : p->b;
    char *q = rb_room(&w->edges, ROW_FIXED + sig_len + (w->off[a + 1] - w->off[a]) +
                                      (w->off[b + 1] - w->off[b]));
    if (!q)
        return;
    char *start = q;
    q = put_pair(w, q, a, b, signal, sig_len);
    q = put_u64(q, p->objects);
    q = put_u64(q, p->coactions);
    *q++ = ',';
    q += chorus_format_time_utc(p->first_ms, q);
    *q++ = ',';
    q += chorus_format_time_utc(p->last_ms, q);
    *q++ = ',';
    q += chorus_fmt_fixed(q, (double)p->median_delay_ms / 1000.0, 3);
    *q++ = ',';
    if (stats) {
        q += chorus_fmt_fixed(q, p->similarity, 4);
        *q++ = ',';
        q += chorus_fmt_general(q, p->p_value, 3);
    } else
        *q++ = ',';
    q = put_u64(q, swap ? p->actions_b : p->actions_a);
    q = put_u64(q, swap ? p->actions_a : p->actions_b);
    *q++ = ',';
    q += chorus_fmt_fixed(q, chorus_copair_balance(p), 3);
    *q++ = ',';
    if (stats) {
        q += chorus_fmt_u64(q, p->sources);
        q = put_u64(q, p->coshared);
    } else
        *q++ = ',';
    *q++ = '\n';
    w->edges.len += (size_t)(q - start);
}

/* One evidence.csv row: a co-action with both accounts' times. */
static void evidence_row(coord_rows *w, const char *signal, size_t sig_len, const chorus_actions *s,
                         const chorus_copairs *cp, const chorus_coaction *e)
{
    const chorus_copair *p = &cp->pairs[e->pair];
    int swap = w->rank[p->b] < w->rank[p->a];
    uint32_t a = swap ? p->b : p->a, b = swap ? p->a : p->b;
    chorus_str label = chorus_actions_label(s, e->object);
    char *q = rb_room(&w->evidence, ROW_FIXED + sig_len + 2 * label.len + (w->off[a + 1] - w->off[a]) +
                                         (w->off[b + 1] - w->off[b]));
    if (!q)
        return;
    char *start = q;
    q = put_pair(w, q, a, b, signal, sig_len);
    *q++ = ',';
    q += chorus_csv_cell(q, label.ptr, label.len, CHORUS_CSV_NEUTRALISE);
    *q++ = ',';
    q += chorus_format_time_utc(swap ? e->time_b : e->time_a, q);
    *q++ = ',';
    q += chorus_format_time_utc(swap ? e->time_a : e->time_b, q);
    int64_t d = e->time_a - e->time_b;
    d = d < 0 ? -d : d;
    q = put_u64(q, (uint64_t)(d / 1000));
    *q++ = '.';
    *q++ = (char)('0' + d % 1000 / 100);
    *q++ = (char)('0' + d % 100 / 10);
    *q++ = (char)('0' + d % 10);
    *q++ = '\n';
    w->evidence.len += (size_t)(q - start);
}

int coord_rows_signal(coord_rows *w, const char *signal, const chorus_actions *s,
                      const chorus_copairs *cp, int stats)
{
    size_t sig_len = strlen(signal);
    for (size_t i = 0; i < cp->n; i++)
        edge_row(w, signal, sig_len, &cp->pairs[i], stats);
    for (size_t i = 0; i < cp->n_evidence; i++)
        evidence_row(w, signal, sig_len, s, cp, &cp->evidence[i]);
    return w->edges.failed || w->evidence.failed ? -1 : 0;
}
