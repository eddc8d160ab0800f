/*
 * mapped_csv.c - any CSV read through a column mapping ("account=author,
 * time=published,..."): other platforms, news articles, and CooRTweet-style
 * action tables whose object columns (url_id, hashtag_id, ...) become the
 * corpus's generic object columns. Rows without an id column get a stable
 * id "<file>:<line>".
 */
#include "csv_input.h"
#include "io/fields.h"
#include "io/time_parse.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct map_field {
    const char *name;
    size_t offset; /* of the const char * in chorus_column_map */
} map_field;

#define MF(f) {#f, offsetof(chorus_column_map, f)}
static const map_field map_fields[] = {
    MF(id), MF(account), MF(time), MF(text), MF(url), MF(source), MF(title), MF(kind),
    MF(ref_post), MF(ref_account), MF(hashtags), MF(mentions), MF(lang), MF(client),
    MF(account_name),
};
#define N_MAP_FIELDS (sizeof map_fields / sizeof map_fields[0])

static const char **map_slot(chorus_column_map *m, size_t i)
{
    return (const char **)((char *)m + map_fields[i].offset);
}

static chorus_rc map_pair(chorus_ctx *ctx, chorus_column_map *map, char *key, char *col)
{
    if (strcmp(key, "object") == 0 || strncmp(key, "object.", 7) == 0) {
        if (map->n_object == 8)
            return ch_error(ctx, CHORUS_EUSAGE, "--map: at most 8 object columns");
        map->object[map->n_object] = col;
        map->object_name[map->n_object++] = key[6] == '.' ? key + 7 : col;
        return CHORUS_OK;
    }
    if (strcmp(key, "urls") == 0)
        key = "url";
    for (size_t i = 0; i < N_MAP_FIELDS; i++)
        if (strcmp(key, map_fields[i].name) == 0) {
            *map_slot(map, i) = col;
            return CHORUS_OK;
        }
    return ch_error(ctx, CHORUS_EUSAGE,
                    "--map: unknown field \"%s\" (known: id account time text url source title "
                    "kind ref_post ref_account hashtags mentions lang client account_name object)",
                    key);
}

chorus_rc chorus_column_map_parse(chorus_ctx *ctx, char *spec, chorus_column_map *map)
{
    memset(map, 0, sizeof *map);
    char *save = NULL;
    for (char *tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return ch_error(ctx, CHORUS_EUSAGE, "--map: expected field=column, got \"%s\"", tok);
        *eq = 0;
        chorus_rc rc = map_pair(ctx, map, tok, eq + 1);
        if (rc)
            return rc;
    }
    if (!map->account || !map->time)
        return ch_error(ctx, CHORUS_EUSAGE, "--map: account= and time= are required");
    return CHORUS_OK;
}

typedef struct mapped {
    int col[N_MAP_FIELDS];
    int obj[8];
    int n_obj;
    chorus_str tags[CH_MAX_LIST], urls[CH_MAX_LIST], mentions[CH_MAX_LIST], objs[8];
    char idbuf[1100];
} mapped;

enum { F_ID, F_ACCOUNT, F_TIME, F_TEXT, F_URL, F_SOURCE, F_TITLE, F_KIND, F_REF_POST,
       F_REF_ACCOUNT, F_HASHTAGS, F_MENTIONS, F_LANG, F_CLIENT, F_ACCOUNT_NAME };

/* A list cell: a bracketed list, or items separated by spaces or commas. */
static int split_items(chorus_str f, chorus_str *items, uint32_t *n, int strip_hash)
{
    f = ch_trim(f);
    if (f.len && f.ptr[0] == '[') {
        uint32_t total;
        if (ch_parse_list((char *)f.ptr, f.len, items, CH_MAX_LIST, &total))
            return -1;
        *n = total > CH_MAX_LIST ? CH_MAX_LIST : total;
        return 0;
    }
    *n = 0;
    size_t i = 0;
    while (i < f.len) {
        while (i < f.len && (f.ptr[i] == ' ' || f.ptr[i] == ',' || f.ptr[i] == '|'))
            i++;
        size_t s = i;
        while (i < f.len && f.ptr[i] != ' ' && f.ptr[i] != ',' && f.ptr[i] != '|')
            i++;
        if (i > s && *n < CH_MAX_LIST) {
            size_t skip = strip_hash && f.ptr[s] == '#' ? 1 : 0;
            items[(*n)++] = (chorus_str){f.ptr + s + skip, i - s - skip};
        }
    }
    return 0;
}

static chorus_post_kind parse_kind(chorus_str k, int has_ref)
{
    k = ch_trim(k);
    if (k.len == 0)
        return has_ref ? CHORUS_KIND_RETWEET : CHORUS_KIND_POST;
    static const struct { const char *w; chorus_post_kind kind; } words[] = {
        {"retweet", CHORUS_KIND_RETWEET}, {"rt", CHORUS_KIND_RETWEET},
        {"repost", CHORUS_KIND_RETWEET},  {"share", CHORUS_KIND_RETWEET},
        {"forward", CHORUS_KIND_RETWEET}, {"reply", CHORUS_KIND_REPLY},
        {"comment", CHORUS_KIND_REPLY},   {"quote", CHORUS_KIND_QUOTE},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i].w) == k.len && strncasecmp(words[i].w, k.ptr, k.len) == 0)
            return words[i].kind;
    return CHORUS_KIND_POST;
}

static chorus_str cell(const ch_csv *csv, const mapped *m, int f)
{
    return ch_row_field(csv, m->col[f]);
}

static chorus_rc lists(ch_reader *r, ch_csv *csv, mapped *m, ch_post_rec *p, int *bad)
{
    static const int fs[3] = {F_HASHTAGS, F_URL, F_MENTIONS};
    chorus_str *dst[3] = {m->tags, m->urls, m->mentions};
    uint32_t *cnt[3] = {&p->n_hashtags, &p->n_urls, &p->n_mentions};
    for (int i = 0; i < 3; i++)
        if (split_items(cell(csv, m, fs[i]), dst[i], cnt[i], fs[i] == F_HASHTAGS)) {
            *bad = 1;
            return ch_reader_problem(r, ch_csv_line(csv), map_fields[fs[i]].name,
                                     CHORUS_SKIP_BAD_LIST, "not a list");
        }
    p->hashtags = m->tags;
    p->urls = m->urls;
    p->mentions = m->mentions;
    return CHORUS_OK;
}

static chorus_rc mapped_row(ch_reader *r, ch_csv *csv, mapped *m)
{
    ch_post_rec p;
    ch_account_rec a;
    ch_post_rec_init(&p);
    ch_account_rec_init(&a);
    uint64_t line = ch_csv_line(csv);
    p.account = a.id = ch_trim(cell(csv, m, F_ACCOUNT));
    if (p.account.len == 0)
        return ch_reader_problem(r, line, r->opts->map->account, CHORUS_SKIP_MISSING,
                                 "empty account");
    chorus_str t = cell(csv, m, F_TIME);
    if (ch_parse_time(t.ptr, t.len, &p.time_ms, &p.time_res))
        return ch_reader_problem(r, line, r->opts->map->time, CHORUS_SKIP_BAD_TIME,
                                 "not a time: \"%.*s\"", (int)(t.len > 40 ? 40 : t.len), t.ptr);
    if (m->col[F_ID] >= 0) {
        p.id = ch_trim(cell(csv, m, F_ID));
        if (p.id.len == 0)
            return ch_reader_problem(r, line, r->opts->map->id, CHORUS_SKIP_MISSING, "empty id");
    } else {
        int n = snprintf(m->idbuf, sizeof m->idbuf, "%s:%llu", r->member ? r->member : r->path,
                         (unsigned long long)line);
        p.id = (chorus_str){m->idbuf, n < (int)sizeof m->idbuf ? (size_t)n : sizeof m->idbuf - 1};
    }
    int bad = 0;
    chorus_rc rc = lists(r, csv, m, &p, &bad);
    if (rc || bad)
        return rc;
    p.text = cell(csv, m, F_TEXT);
    p.title = cell(csv, m, F_TITLE);
    p.source = cell(csv, m, F_SOURCE);
    p.lang = cell(csv, m, F_LANG);
    p.client = cell(csv, m, F_CLIENT);
    p.ref_post = ch_trim(cell(csv, m, F_REF_POST));
    p.ref_account = ch_trim(cell(csv, m, F_REF_ACCOUNT));
    p.kind = parse_kind(cell(csv, m, F_KIND), p.ref_post.len > 0);
    a.screen_name = cell(csv, m, F_ACCOUNT_NAME);
    for (int k = 0; k < m->n_obj; k++)
        m->objs[k] = ch_trim(ch_row_field(csv, m->obj[k]));
    p.objects = m->objs;
    p.n_objects = (uint32_t)m->n_obj;
    if ((rc = r->sink->post(r->sink->ud, &p, &a)))
        return rc;
    r->stats->rows_kept++;
    return CHORUS_OK;
}

static chorus_rc bind_columns(ch_reader *r, const ch_header *h, mapped *m)
{
    chorus_column_map *map = (chorus_column_map *)r->opts->map;
    for (size_t i = 0; i < N_MAP_FIELDS; i++) {
        const char *col = *map_slot(map, i);
        m->col[i] = col ? ch_header_find(h, col) : -1;
        if (col && m->col[i] < 0)
            return ch_reader_fatal(r, 1, "--map %s=%s: no column \"%s\" in the header",
                                   map_fields[i].name, col, col);
    }
    m->n_obj = map->n_object;
    for (int k = 0; k < map->n_object; k++) {
        m->obj[k] = ch_header_find(h, map->object[k]);
        if (m->obj[k] < 0)
            return ch_reader_fatal(r, 1, "--map object=%s: no column \"%s\" in the header",
                                   map->object[k], map->object[k]);
    }
    if (m->n_obj && r->sink->object_columns)
        return r->sink->object_columns(r->sink->ud, map->object_name, (uint32_t)m->n_obj);
    return CHORUS_OK;
}

chorus_rc ch_read_mapped(ch_reader *r, ch_csv *csv, const ch_header *h)
{
    if (!r->opts || !r->opts->map)
        return ch_error(r->ctx, CHORUS_EUSAGE, "%s: a column mapping is required", r->path);
    mapped *m = ch_alloc(r->ctx, sizeof *m);
    if (!m)
        return ch_nomem(r->ctx);
    chorus_rc rc = bind_columns(r, h, m);
    int has = 1;
    while (!rc && !(rc = ch_csv_row(r, csv, h, &has)) && has)
        rc = mapped_row(r, csv, m);
    ch_free(r->ctx, m, sizeof *m);
    return rc;
}
