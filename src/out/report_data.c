/*
 * report_data.c - the data of report.html as one JSON object, read from
 * the run's database: groups, the network with positions (layout.c),
 * evidence, timelines, narratives, laundering chains and the tables of
 * other stages. Optional tables are looked up by name and queried by
 * column name, so a stage that did not run (or added columns) only
 * changes what is shown. Every string goes through chorus_html_json_string.
 */
#include "out/report_impl.h"

#include "core/ctx.h"
#include "out/layout.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A text cell of the page shows at most this many bytes (the database and
 * the CSV files keep it whole): a 50 MB post must not make a 50 MB page. */
#define CELL_CAP 2000
#define WHOLE SIZE_MAX

/* A text longer than cap, cut at a character boundary, with the bytes
 * left out said at its end. */
static void json_text_capped(FILE *o, const char *p, size_t n, size_t cap)
{
    if (n <= cap) {
        chorus_html_json_string(o, p, n);
        return;
    }
    size_t cut = cap;
    while (cut > 0 && ((unsigned char)p[cut] & 0xC0) == 0x80)
        cut--;
    char tail[64];
    int t = snprintf(tail, sizeof tail, " \xE2\x80\xA6 [%zu more bytes in the database]", n - cut);
    char *buf = malloc(cut + (size_t)t);
    if (!buf) {
        chorus_html_json_string(o, p, cut);
        return;
    }
    memcpy(buf, p, cut);
    memcpy(buf + cut, tail, (size_t)t);
    chorus_html_json_string(o, buf, cut + (size_t)t);
    free(buf);
}

/* One column of the current row as a JSON value, texts cut at cap bytes. */
static void jval(FILE *o, sqlite3_stmt *st, int i, size_t cap)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: fprintf(o, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        if (isfinite(d))
            fprintf(o, "%.6g", d);
        else
            fputs("null", o);
        break;
    }
    case SQLITE_NULL: fputs("null", o); break;
    default:
        json_text_capped(o, (const char *)sqlite3_column_text(st, i),
                         (size_t)sqlite3_column_bytes(st, i), cap);
    }
}

/* Writes every row of st as an array of columns [first, first+n), texts
 * cut at cap bytes. Returns the number of rows, or -1 on a database error
 * (the statement is finalized either way). */
static int64_t emit_rows(rep *r, sqlite3_stmt *st, int first, int n, size_t cap)
{
    int64_t rows = 0;
    int rc;
    putc('[', r->o);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fputs(rows++ ? ",\n[" : "\n[", r->o);
        for (int i = first; i < first + n; i++) {
            if (i > first)
                putc(',', r->o);
            jval(r->o, st, i, cap);
        }
        putc(']', r->o);
    }
    putc(']', r->o);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? rows : -1;
}

/* Rows keyed by column 0 (ordered by it): {"key": [[col1..coln], ...]}. */
static int64_t emit_keyed(rep *r, sqlite3_stmt *st, int n)
{
    int64_t rows = 0;
    int rc, open = 0;
    char key[64] = "";
    putc('{', r->o);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        k = k ? k : "";
        if (!open || strncmp(k, key, sizeof key - 1) != 0) {
            fputs(open ? "],\n" : "\n", r->o);
            chorus_html_json_string(r->o, k, strlen(k));
            fputs(":[", r->o);
            snprintf(key, sizeof key, "%s", k);
            open = 1;
        } else
            putc(',', r->o);
        putc('[', r->o);
        for (int i = 1; i <= n; i++) {
            if (i > 1)
                putc(',', r->o);
            jval(r->o, st, i, CELL_CAP);
        }
        putc(']', r->o);
        rows++;
    }
    fputs(open ? "]}" : "}", r->o);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? rows : -1;
}

static void bind_time(rep *r, sqlite3_stmt *st)
{
    sqlite3_bind_int64(st, 1, r->t0);
    sqlite3_bind_int64(st, 2, r->bucket_ms);
}

/* Writes "key": followed by the keyed series of sql, or null. */
static void series(rep *r, const char *key, const char *sql, int sep)
{
    sqlite3_stmt *st = sql ? rep_prepare(r, sql) : NULL;
    fprintf(r->o, "%s\"%s\":", sep ? "," : "", key);
    if (!st) {
        fputs("null", r->o);
        return;
    }
    bind_time(r, st);
    emit_keyed(r, st, 2);
}

static void timelines(rep *r)
{
    fprintf(r->o, ",\n\"t0\":%" PRId64 ",\"bucket_ms\":%" PRId64 ",\"buckets\":%u,\"series\":{",
            r->t0, r->bucket_ms, r->buckets);
    series(r, "all",
           "SELECT 'all', (time_ms - ?1) / ?2 b, count(*) FROM posts WHERE time_ms IS NOT NULL "
           "GROUP BY b ORDER BY b", 0);
    series(r, "groups",
           rep_has_table(r, "group_members")
               ? "SELECT m.group_id, (p.time_ms - ?1) / ?2 b, count(*) FROM posts p JOIN group_members m "
                 "ON m.account_idx = p.account_idx WHERE p.time_ms IS NOT NULL "
                 "GROUP BY m.group_id, b ORDER BY m.group_id, b"
               : NULL, 1);
    series(r, "narratives",
           rep_has_table(r, "matches")
               ? "SELECT m.narrative_id, (p.time_ms - ?1) / ?2 b, count(*) FROM matches m JOIN posts p "
                 "ON p.post_id = m.doc_id WHERE p.time_ms IS NOT NULL "
                 "GROUP BY m.narrative_id, b ORDER BY m.narrative_id, b"
               : NULL, 1);
    putc('}', r->o);
}

/* Per group: size, pairs, co-actions, signals, time span, summed score,
 * the most common creation month and client with their shares. */
static const char groups_sql[] =
    "WITH m AS (SELECT account_idx a, group_id g, score s FROM group_members),"
    " sz AS (SELECT g, count(*) n, sum(s) score FROM m GROUP BY g),"
    " ie AS (SELECT ma.g g, count(DISTINCT e.account_a * 4294967296 + e.account_b) pairs,"
    "  sum(e.coactions) co, group_concat(DISTINCT e.signal) sig, min(e.first_time_ms) t1,"
    "  max(e.last_time_ms) t2 FROM edges e JOIN m ma ON ma.a = e.account_a"
    "  JOIN m mb ON mb.a = e.account_b AND mb.g = ma.g GROUP BY ma.g),"
    " cm AS (SELECT g, v, c, row_number() OVER (PARTITION BY g ORDER BY c DESC, v) r,"
    "  sum(c) OVER (PARTITION BY g) tot FROM (SELECT m.g g, substr(ac.created_at, 1, 7) v,"
    "  count(*) c FROM m JOIN accounts ac ON ac.account_idx = m.a"
    "  WHERE ac.created_at IS NOT NULL GROUP BY 1, 2)),"
    " cl AS (SELECT g, v, c, row_number() OVER (PARTITION BY g ORDER BY c DESC, v) r,"
    "  sum(c) OVER (PARTITION BY g) tot FROM (SELECT m.g g, p.client v, count(*) c FROM m"
    "  JOIN posts p ON p.account_idx = m.a WHERE p.client IS NOT NULL GROUP BY 1, 2))"
    " SELECT sz.g, sz.n, coalesce(ie.pairs, 0), coalesce(ie.co, 0), ie.sig, ie.t1, ie.t2, sz.score,"
    "  cm.v, cm.c * 1.0 / cm.tot, cl.v, cl.c * 1.0 / cl.tot FROM sz LEFT JOIN ie ON ie.g = sz.g"
    "  LEFT JOIN cm ON cm.g = sz.g AND cm.r = 1 LEFT JOIN cl ON cl.g = sz.g AND cl.r = 1"
    " ORDER BY sz.g";

static chorus_rc groups(rep *r)
{
    sqlite3_stmt *st = rep_prepare(r, groups_sql);
    if (!st)
        return ch_error(r->ctx, CHORUS_EINPUT, "report: cannot read the groups: %s", sqlite3_errmsg(r->db));
    fputs(",\n\"groups\":{\"rows\":", r->o);
    r->sum.groups = emit_rows(r, st, 0, 12, CELL_CAP);
    putc('}', r->o);
    return r->sum.groups < 0 ? ch_error(r->ctx, CHORUS_EIO, "report: %s", sqlite3_errmsg(r->db)) : CHORUS_OK;
}

/* The network in memory: nodes (group members, by group then account)
 * and intra-group links (node indexes, summed co-actions). */
typedef struct net {
    uint32_t n, drawn, *acct, *group; /* nodes [0, drawn) are laid out and drawn */
    uint64_t *by_acct; /* account << 32 | node, sorted */
    size_t m, cap;
    uint32_t *pair, *weight;
    float *xy;
} net;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint32_t node_of(const net *g, uint32_t acct)
{
    size_t lo = 0, hi = g->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((g->by_acct[mid] >> 32) < acct)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n && (g->by_acct[lo] >> 32) == acct ? (uint32_t)g->by_acct[lo] : UINT32_MAX;
}

static chorus_rc load_nodes(rep *r, net *g)
{
    int64_t n = rep_count(r, "SELECT count(*) FROM group_members");
    if (n < 0 || n > UINT32_MAX - 1)
        return ch_error(r->ctx, CHORUS_EINPUT, "report: cannot count group members");
    g->n = (uint32_t)n;
    size_t k = g->n ? g->n : 1;
    g->acct = ch_alloc(r->ctx, k * sizeof *g->acct);
    g->group = ch_alloc(r->ctx, k * sizeof *g->group);
    g->by_acct = ch_alloc(r->ctx, k * sizeof *g->by_acct);
    g->xy = ch_calloc(r->ctx, 2 * k * sizeof *g->xy);
    if (!g->acct || !g->group || !g->by_acct || !g->xy)
        return ch_nomem(r->ctx);
    sqlite3_stmt *st = rep_prepare(r, "SELECT account_idx, group_id FROM group_members ORDER BY group_id, account_idx");
    uint32_t i = 0;
    while (st && i < g->n && sqlite3_step(st) == SQLITE_ROW) {
        g->acct[i] = (uint32_t)sqlite3_column_int64(st, 0);
        g->group[i] = (uint32_t)sqlite3_column_int64(st, 1);
        g->by_acct[i] = (uint64_t)g->acct[i] << 32 | i;
        i++;
    }
    sqlite3_finalize(st);
    g->n = i;
    qsort(g->by_acct, g->n, sizeof *g->by_acct, cmp_u64);
    /* Draw whole groups (largest first, as numbered) up to max_nodes. */
    g->drawn = g->n;
    if (g->n > r->info.max_nodes) {
        g->drawn = r->info.max_nodes;
        while (g->drawn > 0 && g->group[g->drawn] == g->group[g->drawn - 1])
            g->drawn--;
        if (!g->drawn)
            g->drawn = r->info.max_nodes;
    }
    return CHORUS_OK;
}

static chorus_rc push_link(rep *r, net *g, uint32_t a, uint32_t b, uint32_t w)
{
    if (g->m == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 1024;
        uint32_t *p = ch_alloc(r->ctx, 2 * cap * sizeof *p), *q = ch_alloc(r->ctx, cap * sizeof *q);
        if (!p || !q) {
            ch_free(r->ctx, p, 2 * cap * sizeof *p);
            ch_free(r->ctx, q, cap * sizeof *q);
            return ch_nomem(r->ctx);
        }
        if (g->m) {
            memcpy(p, g->pair, 2 * g->m * sizeof *p);
            memcpy(q, g->weight, g->m * sizeof *q);
        }
        ch_free(r->ctx, g->pair, 2 * g->cap * sizeof *p);
        ch_free(r->ctx, g->weight, g->cap * sizeof *q);
        g->pair = p, g->weight = q, g->cap = cap;
    }
    g->pair[2 * g->m] = a, g->pair[2 * g->m + 1] = b, g->weight[g->m++] = w;
    return CHORUS_OK;
}

/* Intra-group pairs over all signals, ordered by group (as layout wants). */
static chorus_rc load_links(rep *r, net *g)
{
    sqlite3_stmt *st = rep_prepare(r,
        "SELECT e.account_a, e.account_b, sum(e.coactions), ma.group_id FROM edges e"
        " JOIN group_members ma ON ma.account_idx = e.account_a"
        " JOIN group_members mb ON mb.account_idx = e.account_b AND mb.group_id = ma.group_id"
        " GROUP BY ma.group_id, e.account_a, e.account_b ORDER BY ma.group_id, e.account_a, e.account_b");
    if (!st)
        return CHORUS_OK; /* no edges table: nodes without links */
    chorus_rc rc = CHORUS_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        uint32_t a = node_of(g, (uint32_t)sqlite3_column_int64(st, 0));
        uint32_t b = node_of(g, (uint32_t)sqlite3_column_int64(st, 1));
        int64_t w = sqlite3_column_int64(st, 2);
        if (a < g->drawn && b < g->drawn && a != b && g->group[a] == g->group[b])
            rc = push_link(r, g, a, b, (uint32_t)(w < 0 ? 0 : w > UINT32_MAX ? UINT32_MAX : w));
    }
    sqlite3_finalize(st);
    return rc;
}

static void free_net(rep *r, net *g)
{
    size_t k = g->n ? g->n : 1;
    ch_free(r->ctx, g->acct, k * sizeof *g->acct);
    ch_free(r->ctx, g->group, k * sizeof *g->group);
    ch_free(r->ctx, g->by_acct, k * sizeof *g->by_acct);
    ch_free(r->ctx, g->xy, 2 * k * sizeof *g->xy);
    ch_free(r->ctx, g->pair, 2 * g->cap * sizeof *g->pair);
    ch_free(r->ctx, g->weight, g->cap * sizeof *g->weight);
}

/* nodes: [account_idx, label, group, score, x, y, posts, created_at]. */
static chorus_rc emit_nodes(rep *r, net *g)
{
    sqlite3_stmt *st = rep_prepare(r,
        "SELECT m.account_idx, coalesce(a.screen_name, a.account_id), m.group_id, m.score,"
        " a.n_posts, a.created_at FROM group_members m LEFT JOIN accounts a ON a.account_idx = m.account_idx"
        " ORDER BY m.group_id, m.account_idx");
    if (!st)
        return ch_error(r->ctx, CHORUS_EINPUT, "report: cannot read the accounts: %s", sqlite3_errmsg(r->db));
    fputs(",\n\"nodes\":{\"rows\":[", r->o);
    for (uint32_t i = 0; i < g->n && sqlite3_step(st) == SQLITE_ROW; i++) {
        fputs(i ? ",\n[" : "\n[", r->o);
        for (int c = 0; c < 4; c++, putc(',', r->o))
            jval(r->o, st, c, CELL_CAP);
        if (i < g->drawn)
            fprintf(r->o, "%.4f,%.4f,", g->xy[2 * i], g->xy[2 * i + 1]);
        else
            fputs("null,null,", r->o);
        jval(r->o, st, 4, CELL_CAP);
        putc(',', r->o);
        jval(r->o, st, 5, CELL_CAP);
        putc(']', r->o);
    }
    fputs("]}", r->o);
    sqlite3_finalize(st);
    r->sum.grouped_accounts = g->n;
    r->sum.drawn = g->drawn;
    return CHORUS_OK;
}

/* Marks in keep[] the max_links links of most co-actions (ties: the
 * earlier in group order), so a capped network keeps its strongest ties. */
static chorus_rc strongest_links(rep *r, const net *g, size_t max, uint8_t *keep)
{
    uint64_t *key = ch_alloc(r->ctx, g->m * sizeof *key);
    if (!key)
        return ch_nomem(r->ctx);
    for (size_t k = 0; k < g->m; k++)
        key[k] = (uint64_t)g->weight[k] << 32 | (UINT32_MAX - (uint32_t)k);
    qsort(key, g->m, sizeof *key, cmp_u64);
    for (size_t k = g->m - max; k < g->m; k++)
        keep[UINT32_MAX - (uint32_t)key[k]] = 1;
    ch_free(r->ctx, key, g->m * sizeof *key);
    return CHORUS_OK;
}

/* links: [node a, node b, co-actions] in group order; over max_links,
 * only the strongest max_links of them. */
static chorus_rc emit_links(rep *r, const net *g)
{
    size_t max = r->info.max_links, m = g->m < max ? g->m : max;
    uint8_t *keep = NULL;
    if (g->m > max) {
        if (!(keep = ch_calloc(r->ctx, g->m)))
            return ch_nomem(r->ctx);
        chorus_rc rc = strongest_links(r, g, max, keep);
        if (rc) {
            ch_free(r->ctx, keep, g->m);
            return rc;
        }
    }
    fprintf(r->o, ",\n\"links_total\":%zu,\"links\":[", g->m);
    for (size_t k = 0, out = 0; k < g->m; k++) {
        if (keep && !keep[k])
            continue;
        fprintf(r->o, "%s[%u,%u,%u]", out ? (out % 8 ? "," : ",\n") : "", g->pair[2 * k],
                g->pair[2 * k + 1], g->weight[k]);
        out++;
    }
    putc(']', r->o);
    ch_free(r->ctx, keep, keep ? g->m : 0);
    r->sum.links = (int64_t)m;
    return CHORUS_OK;
}

static chorus_rc network(rep *r)
{
    net g;
    memset(&g, 0, sizeof g);
    chorus_rc rc = load_nodes(r, &g);
    if (!rc)
        rc = load_links(r, &g);
    if (!rc)
        rc = chorus_layout_groups(r->ctx, g.drawn, g.group, g.pair, g.m, g.xy);
    if (!rc)
        rc = emit_nodes(r, &g);
    if (!rc)
        rc = emit_links(r, &g);
    free_net(r, &g);
    return rc;
}

/* Per group its first co-actions in time: both accounts and their times;
 * evidence_per_group each, fewer when many groups would pass max_evidence. */
static void evidence(rep *r)
{
    static const char sql[] =
        "WITH ev AS (SELECT ma.group_id g, e.signal, e.account_a, e.account_b, e.object, e.time_a_ms,"
        "  e.time_b_ms, row_number() OVER (PARTITION BY ma.group_id ORDER BY e.time_a_ms, e.rowid) k,"
        "  count(*) OVER (PARTITION BY ma.group_id) n FROM evidence e"
        "  JOIN group_members ma ON ma.account_idx = e.account_a"
        "  JOIN group_members mb ON mb.account_idx = e.account_b AND mb.group_id = ma.group_id)"
        " SELECT ev.g, ev.n, ev.signal, coalesce(a.screen_name, a.account_id),"
        "  coalesce(b.screen_name, b.account_id), ev.object, ev.time_a_ms, ev.time_b_ms FROM ev"
        " LEFT JOIN accounts a ON a.account_idx = ev.account_a"
        " LEFT JOIN accounts b ON b.account_idx = ev.account_b WHERE ev.k <= ?1 ORDER BY ev.g, ev.k";
    sqlite3_stmt *st = rep_has_table(r, "evidence") ? rep_prepare(r, sql) : NULL;
    fputs(",\n\"evidence\":", r->o);
    if (!st) {
        fputs("{}", r->o);
        r->sum.evidence = 0;
        return;
    }
    int64_t per = r->sum.groups > 0 ? r->info.max_evidence / r->sum.groups : r->info.evidence_per_group;
    per = per < 10 ? 10 : per > r->info.evidence_per_group ? r->info.evidence_per_group : per;
    sqlite3_bind_int64(st, 1, per);
    r->sum.evidence = emit_keyed(r, st, 7);
}

/* Per group the accounts attached to it (docs/coordination.md, "Accounts
 * attached to a group"), strongest first, with the test behind each; {}
 * for a database written before group_members had those columns. */
static void attached(rep *r)
{
    static const char sql[] =
        "SELECT m.group_id, coalesce(a.screen_name, a.account_id), m.attached_p_value,"
        " m.attached_on_held, m.attached_actions, m.attached_objects FROM group_members m"
        " LEFT JOIN accounts a ON a.account_idx = m.account_idx"
        " WHERE m.attached_round IS NOT NULL ORDER BY m.group_id, m.attached_p_value, m.account_idx";
    sqlite3_stmt *st = rep_prepare(r, sql);
    fputs(",\n\"attached\":", r->o);
    if (st)
        emit_keyed(r, st, 5); /* a failed step still closes the object */
    else
        fputs("{}", r->o);
}

/* A stage's table: {"name","total","cols":[[name,type]],"rows"}. Columns
 * declared INTEGER/REAL are numbers; names ending in _ms are times. */
static int64_t emit_table(rep *r, const char *name, const char *sql)
{
    sqlite3_stmt *st = rep_prepare(r, sql);
    char q[160];
    snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\"", name);
    int64_t total = rep_count(r, q);
    if (!st || total < 0) {
        sqlite3_finalize(st);
        fputs("null", r->o);
        return -1;
    }
    sqlite3_bind_int64(st, 1, r->info.max_rows);
    fprintf(r->o, "{\"name\":\"%s\",\"total\":%" PRId64 ",\"cols\":[", name, total);
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *c = sqlite3_column_name(st, i), *t = sqlite3_column_decltype(st, i);
        size_t len = strlen(c);
        const char *type = len > 3 && !strcmp(c + len - 3, "_ms") ? "time"
                           : t && (strstr(t, "INT") || strstr(t, "REAL") || strstr(t, "FLOA") ||
                                   strstr(t, "DOUB") || strstr(t, "NUM")) ? "num" : "text";
        fputs(i ? ",[" : "[", r->o);
        chorus_html_json_string(r->o, c, len);
        fprintf(r->o, ",\"%s\"]", type);
    }
    fputs("],\"rows\":", r->o);
    emit_rows(r, st, 0, n, CELL_CAP);
    putc('}', r->o);
    return total;
}

static void narratives(rep *r)
{
    fputs(",\n\"narratives\":", r->o);
    r->sum.narratives = rep_has_table(r, "narrative_summary")
        ? emit_table(r, "narrative_summary", "SELECT * FROM narrative_summary LIMIT ?1") : (fputs("null", r->o), -1);
    static const char sql[] =
        "SELECT narrative_id, doc_id, label, time_ms, score, passage FROM (SELECT m.narrative_id,"
        " m.doc_id, coalesce(a.screen_name, a.account_id) label, p.time_ms, m.score, m.passage,"
        " row_number() OVER (PARTITION BY m.narrative_id ORDER BY p.time_ms IS NULL, p.time_ms, m.doc_id) k"
        " FROM matches m LEFT JOIN posts p ON p.post_id = m.doc_id"
        " LEFT JOIN accounts a ON a.account_idx = p.account_idx) WHERE k <= 20 ORDER BY narrative_id, k";
    sqlite3_stmt *st = rep_has_table(r, "matches") ? rep_prepare(r, sql) : NULL;
    fputs(",\n\"witnesses\":", r->o);
    if (st)
        emit_keyed(r, st, 5);
    else
        fputs("{}", r->o);
}

static void laundering(rep *r)
{
    fputs(",\n\"laundering\":", r->o);
    if (!rep_has_table(r, "laundering")) {
        fputs("null", r->o);
        r->sum.laundering = -1;
        return;
    }
    r->sum.laundering = emit_table(r, "laundering", "SELECT * FROM laundering LIMIT ?1");
    sqlite3_stmt *st = rep_prepare(r,
        "SELECT po.text, pd.text FROM laundering l LEFT JOIN posts po ON po.post_id = l.origin_post_id"
        " LEFT JOIN posts pd ON pd.post_id = l.outlet_doc_id LIMIT ?1");
    fputs(",\n\"laundering_texts\":", r->o);
    if (st) {
        sqlite3_bind_int64(st, 1, r->info.max_rows);
        emit_rows(r, st, 0, 2, WHOLE); /* the passages' offsets point into them */
    } else
        fputs("[]", r->o);
}

/* Tables of the other stages, shown as they are; absent ones listed. */
static void extra(rep *r)
{
    static const char *const names[] = {"cluster_summary", "clusters", "reuse", "provenance", "tree"};
    static const char *const stages[] = {"matches", "narrative_summary", "laundering"};
    char sql[160];
    int n = 0;
    fputs(",\n\"extra\":[", r->o);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (!rep_has_table(r, names[i]))
            continue;
        fputs(n++ ? ",\n" : "\n", r->o);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" LIMIT ?1", names[i]);
        int64_t t = emit_table(r, names[i], sql);
        if (!strcmp(names[i], "cluster_summary"))
            r->sum.clusters = t;
    }
    fputs("],\n\"missing\":[", r->o);
    n = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!rep_has_table(r, names[i]))
            fprintf(r->o, "%s\"%s\"", n++ ? "," : "", names[i]);
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        if (!rep_has_table(r, stages[i]))
            fprintf(r->o, "%s\"%s\"", n++ ? "," : "", stages[i]);
    putc(']', r->o);
}

chorus_rc rep_write_data(rep *r)
{
    fprintf(r->o, "{\"version\":\"%s\"", CHORUS_VERSION);
    timelines(r);
    chorus_rc rc = CHORUS_OK;
    if (rep_has_table(r, "group_members") && rep_has_table(r, "edges")) {
        rc = groups(r);
        if (!rc)
            rc = network(r);
        if (!rc)
            evidence(r);
        if (!rc)
            attached(r);
    } else
        fputs(",\n\"groups\":null,\"nodes\":{\"rows\":[]},\"links\":[],\"evidence\":{},\"attached\":{}", r->o);
    if (rc)
        return rc;
    narratives(r);
    laundering(r);
    extra(r);
    fputs("}\n", r->o);
    return CHORUS_OK;
}
