/*
 * sqlite_db.c - the SQLite output layer: schema, bulk writing of a corpus
 * through prepared statements in large transactions, ingest problems, and
 * the commit that builds the database in a temporary file and renames it
 * onto its path only when everything succeeded, so a failed run never
 * leaves a half-written database nor destroys an existing one.
 */
#include "core/ctx.h"
#include "io/time_parse.h"

#include <chorus/actions.h>
#include <chorus/db.h>

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Rows per transaction. With the journal off a commit only hands the dirty
 * pages to the OS, so this bounds SQLite's memory rather than adding work. */
#define CHUNK_ROWS 500000
/* Posts between progress callbacks. */
#define PROGRESS_POSTS 65536

#define STR_(x) #x
#define STR(x) STR_(x)

struct chorus_db {
    chorus_ctx *ctx;
    sqlite3 *sql;
    sqlite3_stmt *problem; /* ingest_problems insert, prepared once */
    sqlite3_stmt *edge, *evidence, *member; /* network inserts, prepared on first use */
    char *path, *tmp;      /* final path; temporary file beside it */
    size_t path_size, tmp_size;
    uint64_t rows; /* rows inserted since the last commit */
};

/* The journal is off and writes are not synced: the file is renamed onto
 * its path only after a successful commit and an fsync, so a crash leaves
 * a stray temporary file, never a damaged database. page_size must come
 * before the first table; 64 KiB pages suit long scans of big tables. */
static const char pragmas_sql[] = "PRAGMA page_size=65536;"
                                  "PRAGMA journal_mode=OFF;"
                                  "PRAGMA synchronous=OFF;"
                                  "PRAGMA locking_mode=EXCLUSIVE;"
                                  "PRAGMA cache_size=-65536;";

/* Documented column by column in docs/schema.md; keep the two in step. */
static const char schema_sql[] =
    "BEGIN;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE input_files(file_idx INTEGER PRIMARY KEY, path TEXT NOT NULL);"
    "CREATE TABLE accounts(account_idx INTEGER PRIMARY KEY, account_id TEXT NOT NULL UNIQUE,"
    " display_name TEXT, screen_name TEXT, location TEXT, description TEXT, url TEXT,"
    " lang TEXT, followers INTEGER, following INTEGER, created_at TEXT,"
    " n_posts INTEGER NOT NULL, pseudonymised INTEGER NOT NULL);"
    "CREATE TABLE posts(post_idx INTEGER PRIMARY KEY, post_id TEXT NOT NULL,"
    " account_idx INTEGER NOT NULL REFERENCES accounts(account_idx), time TEXT,"
    " time_ms INTEGER, time_resolution TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,"
    " ref_post_id TEXT, ref_account_idx INTEGER REFERENCES accounts(account_idx),"
    " client TEXT, lang TEXT, source TEXT, title TEXT,"
    " file_idx INTEGER NOT NULL REFERENCES input_files(file_idx));"
    "CREATE TABLE post_hashtags(post_idx INTEGER NOT NULL REFERENCES posts(post_idx),"
    " position INTEGER NOT NULL, hashtag TEXT NOT NULL, PRIMARY KEY(post_idx, position))"
    " WITHOUT ROWID;"
    "CREATE TABLE post_urls(post_idx INTEGER NOT NULL REFERENCES posts(post_idx),"
    " position INTEGER NOT NULL, url TEXT NOT NULL, PRIMARY KEY(post_idx, position))"
    " WITHOUT ROWID;"
    "CREATE TABLE post_mentions(post_idx INTEGER NOT NULL REFERENCES posts(post_idx),"
    " position INTEGER NOT NULL, mention TEXT NOT NULL, PRIMARY KEY(post_idx, position))"
    " WITHOUT ROWID;"
    "CREATE TABLE post_objects(post_idx INTEGER NOT NULL REFERENCES posts(post_idx),"
    " column_name TEXT NOT NULL, object TEXT NOT NULL, PRIMARY KEY(post_idx, column_name))"
    " WITHOUT ROWID;"
    "CREATE TABLE ingest_stats(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE ingest_problems(file TEXT, member TEXT, line INTEGER, column_name TEXT,"
    " reason TEXT NOT NULL, detail TEXT);"
    "INSERT INTO meta VALUES('chorus_version', '" CHORUS_VERSION "'),"
    " ('schema_version', '" STR(CHORUS_DB_SCHEMA_VERSION) "');";

/* Built after the bulk insert: maintaining them row by row costs far more
 * than one sort each at the end. Most posts reference nothing, hence the
 * partial index (an equality lookup still uses it). */
static const char index_sql[] =
    "CREATE INDEX IF NOT EXISTS posts_account ON posts(account_idx);"
    "CREATE INDEX IF NOT EXISTS posts_post_id ON posts(post_id);"
    "CREATE INDEX IF NOT EXISTS posts_ref_post_id ON posts(ref_post_id)"
    " WHERE ref_post_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS posts_time ON posts(time_ms);"
    "CREATE INDEX IF NOT EXISTS post_hashtags_hashtag ON post_hashtags(hashtag);"
    "CREATE INDEX IF NOT EXISTS post_urls_url ON post_urls(url);";

static const char *const kind_names[] = {"post", "retweet", "reply", "quote"};
static const char *const res_names[] = {"ms", "second", "minute"};
static const char *const list_tables[3] = {"post_hashtags", "post_urls", "post_mentions"};

/* ------------------------------------------------------------------ errors */

/* The operating system's refusals are CHORUS_EIO, the rest CHORUS_EDB. */
static chorus_rc rc_of(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_NOMEM: return CHORUS_ENOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM: return CHORUS_EIO;
    default: return CHORUS_EDB;
    }
}

static chorus_rc db_error(chorus_db *db, const char *what)
{
    return ch_error(db->ctx, rc_of(sqlite3_errcode(db->sql)), "%s: %s: %s", db->path, what,
                    sqlite3_errmsg(db->sql));
}

static chorus_rc exec(chorus_db *db, const char *sql, const char *what)
{
    if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_error(db, what);
    return CHORUS_OK;
}

static chorus_rc prepare(chorus_db *db, const char *sql, sqlite3_stmt **st)
{
    *st = NULL;
    if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return db_error(db, "preparing a statement");
    return CHORUS_OK;
}

/* ----------------------------------------------------------------- binding */

/* Binds the exact bytes as TEXT: SQLite does not check UTF-8, so invalid
 * sequences round-trip. The view must outlive the step (SQLITE_STATIC). */
static int bind_str(sqlite3_stmt *st, int i, chorus_str s)
{
    return sqlite3_bind_text64(st, i, s.len ? s.ptr : "", s.len, SQLITE_STATIC, SQLITE_UTF8);
}

/* Empty means unknown: NULL. */
static int bind_opt(sqlite3_stmt *st, int i, chorus_str s)
{
    return s.len ? bind_str(st, i, s) : sqlite3_bind_null(st, i);
}

static int bind_cstr(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Counts below zero mean unknown: NULL. */
static int bind_count(sqlite3_stmt *st, int i, int64_t v)
{
    return v < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

/* Commits every CHUNK_ROWS rows so one huge transaction never holds the
 * whole corpus in SQLite's page cache. */
static chorus_rc row_done(chorus_db *db)
{
    if (++db->rows < CHUNK_ROWS)
        return CHORUS_OK;
    db->rows = 0;
    return exec(db, "COMMIT; BEGIN", "committing a chunk");
}

/* Runs one insert whose parameters are bound; bind_rc is the OR of the
 * bind results (non-zero when one failed). Leaves the statement reset. */
static chorus_rc step(chorus_db *db, sqlite3_stmt *st, int bind_rc, const char *what)
{
    chorus_rc rc = CHORUS_OK;
    if (bind_rc || sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(db, what); /* before the reset, which may clear the message */
    sqlite3_reset(st);
    return rc ? rc : row_done(db);
}

/* ------------------------------------------------------------------ create */

static chorus_rc set_paths(chorus_db *db, const char *path)
{
    db->path_size = strlen(path) + 1;
    db->tmp_size = db->path_size + 32;
    db->path = ch_alloc(db->ctx, db->path_size);
    db->tmp = ch_alloc(db->ctx, db->tmp_size);
    if (!db->path || !db->tmp)
        return ch_nomem(db->ctx);
    memcpy(db->path, path, db->path_size);
    snprintf(db->tmp, db->tmp_size, "%s.tmp-%ld", path, (long)getpid());
    return CHORUS_OK;
}

/* A temporary file with our name can only be left by a crashed run of an
 * earlier process with the same pid: it is garbage, start afresh. */
static chorus_rc open_tmp(chorus_db *db)
{
    if (unlink(db->tmp) != 0 && errno != ENOENT)
        return ch_error(db->ctx, CHORUS_EIO, "%s: cannot remove the stale %s: %s", db->path,
                        db->tmp, strerror(errno));
    /* One thread at a time uses a chorus_db, so SQLite's own locking is waste. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(db->tmp, &db->sql, flags, NULL) != SQLITE_OK)
        return ch_error(db->ctx, CHORUS_EIO, "%s: cannot create %s: %s", db->path, db->tmp,
                        sqlite3_errmsg(db->sql));
    return exec(db, pragmas_sql, "setting up the database");
}

/* Closes and frees everything; removes the temporary file when asked.
 * Never touches the context's error. */
static void destroy(chorus_db *db, int remove_tmp)
{
    sqlite3_finalize(db->problem);
    sqlite3_finalize(db->edge);
    sqlite3_finalize(db->evidence);
    sqlite3_finalize(db->member);
    if (db->sql)
        sqlite3_close_v2(db->sql);
    if (remove_tmp && db->tmp)
        unlink(db->tmp);
    ch_free(db->ctx, db->path, db->path_size);
    ch_free(db->ctx, db->tmp, db->tmp_size);
    ch_free(db->ctx, db, sizeof *db);
}

chorus_rc chorus_db_create(chorus_ctx *ctx, const char *path, chorus_db **out)
{
    *out = NULL;
    if (!path || !*path)
        return ch_error(ctx, CHORUS_EUSAGE, "no database path");
    chorus_db *db = ch_calloc(ctx, sizeof *db);
    if (!db)
        return ch_nomem(ctx);
    db->ctx = ctx;
    chorus_rc rc = set_paths(db, path);
    if (!rc)
        rc = open_tmp(db);
    if (!rc)
        rc = exec(db, schema_sql, "creating the schema");
    if (!rc)
        rc = prepare(db, "INSERT INTO ingest_problems VALUES(?,?,?,?,?,?)", &db->problem);
    if (rc) {
        destroy(db, 1);
        return rc;
    }
    *out = db;
    return CHORUS_OK;
}

/* ---------------------------------------------------------- files, accounts */

static chorus_rc write_files(chorus_db *db, const chorus_corpus *c)
{
    sqlite3_stmt *st;
    chorus_rc rc = prepare(db, "INSERT INTO input_files VALUES(?,?)", &st);
    uint32_t n = chorus_corpus_file_count(c);
    for (uint32_t i = 0; i < n && !rc; i++) {
        int b = sqlite3_bind_int64(st, 1, i) | bind_cstr(st, 2, chorus_corpus_file_name(c, i));
        rc = step(db, st, b, "writing input files");
    }
    sqlite3_finalize(st);
    return rc;
}

static chorus_rc insert_account(chorus_db *db, sqlite3_stmt *st, uint32_t i,
                                const chorus_account_view *a)
{
    char created[48];
    int b = sqlite3_bind_int64(st, 1, i) | bind_str(st, 2, a->id) |
            bind_opt(st, 3, a->display_name) | bind_opt(st, 4, a->screen_name) |
            bind_opt(st, 5, a->location) | bind_opt(st, 6, a->description) |
            bind_opt(st, 7, a->url) | bind_opt(st, 8, a->lang) |
            bind_count(st, 9, a->followers) | bind_count(st, 10, a->following) |
            sqlite3_bind_int64(st, 12, a->n_posts) | sqlite3_bind_int(st, 13, a->pseudonymised);
    if (a->created_ms == INT64_MIN) {
        b |= sqlite3_bind_null(st, 11);
    } else {
        ch_format_time(a->created_ms, created);
        b |= bind_cstr(st, 11, created);
    }
    return step(db, st, b, "writing accounts");
}

static chorus_rc write_accounts(chorus_db *db, const chorus_corpus *c)
{
    sqlite3_stmt *st;
    chorus_rc rc = prepare(db, "INSERT INTO accounts VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", &st);
    uint32_t n = chorus_corpus_account_count(c);
    for (uint32_t i = 0; i < n && !rc; i++) {
        chorus_account_view a;
        chorus_corpus_account(c, i, &a);
        rc = insert_account(db, st, i, &a);
    }
    sqlite3_finalize(st);
    return rc;
}

/* ------------------------------------------------------------------- posts */

typedef struct post_stmts {
    sqlite3_stmt *post, *list[3], *object;
} post_stmts;

static chorus_rc prepare_posts(chorus_db *db, post_stmts *s)
{
    chorus_rc rc = prepare(db, "INSERT INTO posts VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s->post);
    for (int l = 0; l < 3 && !rc; l++) {
        char sql[64];
        snprintf(sql, sizeof sql, "INSERT INTO %s VALUES(?,?,?)", list_tables[l]);
        rc = prepare(db, sql, &s->list[l]);
    }
    if (!rc)
        rc = prepare(db, "INSERT INTO post_objects VALUES(?,?,?)", &s->object);
    return rc;
}

static void finalize_posts(post_stmts *s)
{
    sqlite3_finalize(s->post);
    for (int l = 0; l < 3; l++)
        sqlite3_finalize(s->list[l]);
    sqlite3_finalize(s->object);
}

/* ISO 8601 UTC; milliseconds exactly when the input gave them, so the text
 * never claims more precision than the post's time_resolution. */
static void format_post_time(int64_t ms, chorus_time_res res, char *out, size_t cap)
{
    int64_t frac = ms % 1000;
    if (frac < 0)
        frac += 1000;
    ch_format_time(ms - frac, out); /* whole seconds: no fraction printed */
    size_t n = strlen(out);
    if (res == CHORUS_TIME_MS && n > 0 && n < cap)
        snprintf(out + n - 1, cap - (n - 1), ".%03dZ", (int)frac);
}

static int bind_time(sqlite3_stmt *st, const chorus_post_view *v, char *buf, size_t cap)
{
    if (v->time_ms == INT64_MIN)
        return sqlite3_bind_null(st, 4) | sqlite3_bind_null(st, 5);
    format_post_time(v->time_ms, v->time_res, buf, cap);
    return bind_cstr(st, 4, buf) | sqlite3_bind_int64(st, 5, v->time_ms);
}

static chorus_rc insert_post(chorus_db *db, sqlite3_stmt *st, uint32_t i,
                             const chorus_post_view *v)
{
    char when[64];
    int kind = v->kind <= CHORUS_KIND_QUOTE ? (int)v->kind : 0;
    int res = v->time_res <= CHORUS_TIME_MINUTE ? (int)v->time_res : 0;
    int b = sqlite3_bind_int64(st, 1, i) | bind_str(st, 2, v->id) |
            sqlite3_bind_int64(st, 3, v->account) | bind_time(st, v, when, sizeof when) |
            bind_cstr(st, 6, res_names[res]) | bind_cstr(st, 7, kind_names[kind]) |
            bind_str(st, 8, v->text) | bind_opt(st, 9, v->ref_post) |
            bind_count(st, 10, v->ref_account) | bind_opt(st, 11, v->client) |
            bind_opt(st, 12, v->lang) | bind_opt(st, 13, v->source) |
            bind_opt(st, 14, v->title) | sqlite3_bind_int64(st, 15, v->file);
    return step(db, st, b, "writing posts");
}

static chorus_rc insert_item(chorus_db *db, sqlite3_stmt *st, uint32_t post, uint32_t pos,
                             chorus_str item)
{
    int b = sqlite3_bind_int64(st, 1, post) | sqlite3_bind_int64(st, 2, pos) |
            bind_str(st, 3, item);
    return step(db, st, b, "writing post lists");
}

static chorus_rc insert_objects(chorus_db *db, sqlite3_stmt *st, const chorus_corpus *c,
                                uint32_t post)
{
    chorus_rc rc = CHORUS_OK;
    uint32_t ncols = chorus_corpus_object_columns(c);
    for (uint32_t k = 0; k < ncols && !rc; k++) {
        uint32_t sid = chorus_corpus_post_object(c, post, k);
        if (sid == UINT32_MAX)
            continue;
        int b = sqlite3_bind_int64(st, 1, post) |
                bind_cstr(st, 2, chorus_corpus_object_column_name(c, k)) |
                bind_str(st, 3, chorus_corpus_string(c, sid));
        rc = step(db, st, b, "writing post objects");
    }
    return rc;
}

/* One post with its list items and object values. */
static chorus_rc write_post(chorus_db *db, const post_stmts *s, const chorus_corpus *c,
                            uint32_t i)
{
    chorus_post_view v;
    chorus_corpus_post(c, i, &v);
    chorus_rc rc = insert_post(db, s->post, i, &v);
    const uint32_t *items[3] = {v.hashtags, v.urls, v.mentions};
    uint32_t counts[3] = {v.n_hashtags, v.n_urls, v.n_mentions};
    for (int l = 0; l < 3 && !rc; l++)
        for (uint32_t k = 0; k < counts[l] && !rc; k++)
            rc = insert_item(db, s->list[l], i, k, chorus_corpus_string(c, items[l][k]));
    return rc ? rc : insert_objects(db, s->object, c, i);
}

static chorus_rc write_posts(chorus_db *db, const chorus_corpus *c)
{
    post_stmts s = {0};
    chorus_rc rc = prepare_posts(db, &s);
    uint32_t n = chorus_corpus_post_count(c);
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (i % PROGRESS_POSTS == 0 && ch_progress(db->ctx, "db", i, n, i))
            rc = ch_error(db->ctx, CHORUS_EUSAGE, "%s: interrupted", db->path);
        else
            rc = write_post(db, &s, c, i);
    }
    finalize_posts(&s);
    return rc;
}

/* ------------------------------------------------------------------- stats */

static chorus_rc stat_row(chorus_db *db, sqlite3_stmt *st, const char *key, uint64_t v)
{
    int b = bind_cstr(st, 1, key) | sqlite3_bind_int64(st, 2, (sqlite3_int64)v);
    return step(db, st, b, "writing ingest statistics");
}

static chorus_rc write_stats(chorus_db *db, const chorus_ingest_stats *s)
{
    const struct {
        const char *key;
        uint64_t v;
    } rows[] = {
        {"files", s->files},       {"bytes", s->bytes},           {"rows_read", s->rows_read},
        {"rows_kept", s->rows_kept}, {"rows_skipped", s->rows_skipped}, {"posts", s->posts},
        {"duplicates", s->duplicates}, {"accounts_rows", s->accounts_rows},
        {"invalid_utf8", s->invalid_utf8},
    };
    sqlite3_stmt *st;
    chorus_rc rc = prepare(db, "INSERT INTO ingest_stats VALUES(?,?)", &st);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !rc; i++)
        rc = stat_row(db, st, rows[i].key, rows[i].v);
    for (int r = 0; r < CHORUS_SKIP_REASONS && !rc; r++) {
        char key[64];
        snprintf(key, sizeof key, "skipped_%s", chorus_skip_reason_name(r));
        rc = stat_row(db, st, key, s->skipped_by_reason[r]);
    }
    sqlite3_finalize(st);
    return rc;
}

chorus_rc chorus_db_write_corpus(chorus_db *db, const chorus_corpus *c,
                                 const chorus_ingest_stats *stats)
{
    chorus_rc rc = write_files(db, c);
    if (!rc)
        rc = write_accounts(db, c);
    if (!rc)
        rc = write_posts(db, c);
    if (!rc && stats)
        rc = write_stats(db, stats);
    if (!rc)
        rc = exec(db, index_sql, "creating indexes");
    return rc;
}

/* ------------------------------------------------------- problems, exec, end */

chorus_rc chorus_db_add_problem(chorus_db *db, const chorus_problem *p)
{
    sqlite3_stmt *st = db->problem;
    int b = bind_cstr(st, 1, p->file) | bind_cstr(st, 2, p->member) |
            sqlite3_bind_int64(st, 3, (sqlite3_int64)p->line) | bind_cstr(st, 4, p->column) |
            bind_cstr(st, 5, chorus_skip_reason_name(p->reason)) | bind_cstr(st, 6, p->detail);
    return step(db, st, b, "writing an input problem");
}

/* ------------------------------------------------------------------ network */

static const char network_sql[] =
    "CREATE TABLE IF NOT EXISTS edges(signal TEXT NOT NULL, "
    "account_a INTEGER NOT NULL REFERENCES accounts, account_b INTEGER NOT NULL REFERENCES accounts, "
    "objects INTEGER, coactions INTEGER, first_time_ms INTEGER, last_time_ms INTEGER, "
    "median_delay_s REAL, similarity REAL, p_value REAL, actions_a INTEGER, actions_b INTEGER, "
    "balance REAL, sources INTEGER, coshared INTEGER);"
    "CREATE TABLE IF NOT EXISTS evidence(signal TEXT NOT NULL, account_a INTEGER NOT NULL, "
    "account_b INTEGER NOT NULL, object TEXT, time_a_ms INTEGER, time_b_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS group_members(account_idx INTEGER PRIMARY KEY REFERENCES accounts, "
    "group_id INTEGER NOT NULL, score REAL, edges INTEGER, strength INTEGER, "
    "attached_round INTEGER, attached_p_value REAL, attached_on_held INTEGER, "
    "attached_actions INTEGER, attached_objects TEXT);";

static chorus_rc network_tables(chorus_db *db)
{
    if (db->edge)
        return CHORUS_OK;
    chorus_rc rc = exec(db, network_sql, "creating the network tables");
    if (!rc)
        rc = prepare(db, "INSERT INTO edges VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &db->edge);
    if (!rc)
        rc = prepare(db, "INSERT INTO evidence VALUES(?,?,?,?,?,?)", &db->evidence);
    if (!rc)
        rc = prepare(db, "INSERT INTO group_members VALUES(?,?,?,?,?,?,?,?,?,?)", &db->member);
    return rc;
}

static chorus_rc insert_edge(chorus_db *db, const char *signal, const chorus_copair *p, int stats)
{
    sqlite3_stmt *st = db->edge;
    int b = bind_cstr(st, 1, signal) | sqlite3_bind_int64(st, 2, p->a) |
            sqlite3_bind_int64(st, 3, p->b) | sqlite3_bind_int64(st, 4, p->objects) |
            sqlite3_bind_int64(st, 5, (sqlite3_int64)p->coactions) |
            sqlite3_bind_int64(st, 6, p->first_ms) | sqlite3_bind_int64(st, 7, p->last_ms) |
            sqlite3_bind_double(st, 8, (double)p->median_delay_ms / 1000.0) |
            (stats ? sqlite3_bind_double(st, 9, p->similarity) : sqlite3_bind_null(st, 9)) |
            (stats ? sqlite3_bind_double(st, 10, p->p_value) : sqlite3_bind_null(st, 10)) |
            sqlite3_bind_int64(st, 11, p->actions_a) | sqlite3_bind_int64(st, 12, p->actions_b) |
            sqlite3_bind_double(st, 13, chorus_copair_balance(p)) |
            (stats ? sqlite3_bind_int64(st, 14, p->sources) : sqlite3_bind_null(st, 14)) |
            (stats ? sqlite3_bind_int64(st, 15, p->coshared) : sqlite3_bind_null(st, 15));
    return step(db, st, b, "writing an edge");
}

chorus_rc chorus_db_add_pairs(chorus_db *db, const char *signal, const chorus_copairs *cp, int stats,
                              const chorus_actions *objects)
{
    chorus_rc rc = network_tables(db);
    for (size_t i = 0; !rc && i < cp->n; i++)
        rc = insert_edge(db, signal, &cp->pairs[i], stats);
    for (size_t i = 0; !rc && i < cp->n_evidence; i++) {
        const chorus_coaction *e = &cp->evidence[i];
        sqlite3_stmt *st = db->evidence;
        int b = bind_cstr(st, 1, signal) | sqlite3_bind_int64(st, 2, cp->pairs[e->pair].a) |
                sqlite3_bind_int64(st, 3, cp->pairs[e->pair].b) |
                bind_str(st, 4, chorus_actions_label(objects, e->object)) |
                sqlite3_bind_int64(st, 5, e->time_a) | sqlite3_bind_int64(st, 6, e->time_b);
        rc = step(db, st, b, "writing evidence");
    }
    return rc;
}

chorus_rc chorus_db_add_member(chorus_db *db, uint32_t account, uint32_t group, double score,
                               uint32_t edges, uint64_t strength, const chorus_attached *att)
{
    chorus_rc rc = network_tables(db);
    sqlite3_stmt *st = db->member;
    if (rc)
        return rc;
    sqlite3_clear_bindings(st); /* a member by edges after an attached one: NULLs */
    int b = sqlite3_bind_int64(st, 1, account) | sqlite3_bind_int64(st, 2, group) |
            sqlite3_bind_double(st, 3, score) | sqlite3_bind_int64(st, 4, edges) |
            sqlite3_bind_int64(st, 5, (sqlite3_int64)strength);
    if (att)
        b |= sqlite3_bind_int64(st, 6, att->round) | sqlite3_bind_double(st, 7, att->p_value) |
             sqlite3_bind_int64(st, 8, (sqlite3_int64)att->on_held) |
             sqlite3_bind_int64(st, 9, (sqlite3_int64)att->actions) |
             sqlite3_bind_text(st, 10, att->top.ptr, (int)att->top.len, SQLITE_TRANSIENT);
    return step(db, st, b, "writing a group member");
}

/* ------------------------------------------------------ tables of stages */

struct chorus_db_table {
    chorus_db *db;
    sqlite3_stmt *insert;
    int n_columns;
};

/* "INSERT INTO name VALUES(?,?,...)" in buf; 0 when it does not fit. */
static int insert_sql(char *buf, size_t cap, const char *table, int n)
{
    int len = snprintf(buf, cap, "INSERT INTO %s VALUES(", table);
    for (int i = 0; len > 0 && (size_t)len + 3 < cap && i < n; i++)
        len += snprintf(buf + len, cap - (size_t)len, i ? ",?" : "?");
    if (len <= 0 || (size_t)len + 2 >= cap)
        return 0;
    memcpy(buf + len, ")", 2);
    return 1;
}

chorus_rc chorus_db_table_open(chorus_db *db, const char *create_sql, const char *table,
                               int n_columns, chorus_db_table **out)
{
    char sql[2048];
    *out = NULL;
    if (n_columns < 1 || n_columns > 200 || !insert_sql(sql, sizeof sql, table, n_columns))
        return ch_error(db->ctx, CHORUS_EUSAGE, "%s: bad table %s", db->path, table);
    chorus_rc rc = exec(db, create_sql, "creating a table");
    if (rc)
        return rc;
    chorus_db_table *t = ch_calloc(db->ctx, sizeof *t);
    if (!t)
        return ch_nomem(db->ctx);
    t->db = db;
    t->n_columns = n_columns;
    if ((rc = prepare(db, sql, &t->insert))) {
        ch_free(db->ctx, t, sizeof *t);
        return rc;
    }
    *out = t;
    return CHORUS_OK;
}

static int bind_value(sqlite3_stmt *st, int i, const chorus_db_value *v)
{
    switch (v->kind) {
    case CHORUS_DB_INT: return sqlite3_bind_int64(st, i, v->i);
    case CHORUS_DB_REAL: return sqlite3_bind_double(st, i, v->d);
    case CHORUS_DB_TEXT: return bind_str(st, i, v->s);
    default: return sqlite3_bind_null(st, i);
    }
}

chorus_rc chorus_db_table_row(chorus_db_table *t, const chorus_db_value *values)
{
    int b = 0;
    for (int i = 0; i < t->n_columns; i++)
        b |= bind_value(t->insert, i + 1, &values[i]);
    return step(t->db, t->insert, b, "writing a row");
}

void chorus_db_table_close(chorus_db_table *t)
{
    if (!t)
        return;
    sqlite3_finalize(t->insert);
    ch_free(t->db->ctx, t, sizeof *t);
}

chorus_rc chorus_db_exec(chorus_db *db, const char *sql)
{
    return exec(db, sql, "executing SQL");
}

/* synchronous=OFF never flushed the file; flush it once here so the rename
 * cannot outlive the data it points to after a power cut. */
static chorus_rc sync_tmp(chorus_db *db)
{
    int fd = open(db->tmp, O_RDWR);
    if (fd < 0 || fsync(fd) != 0) {
        chorus_rc rc = ch_error(db->ctx, CHORUS_EIO, "%s: cannot flush %s: %s", db->path,
                                db->tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    close(fd);
    return CHORUS_OK;
}

static chorus_rc close_db(chorus_db *db)
{
    sqlite3_stmt **stmts[] = {&db->problem, &db->edge, &db->evidence, &db->member};
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        sqlite3_finalize(*stmts[i]);
        *stmts[i] = NULL;
    }
    /* Tables of stages left open: their statements go now, the wrappers
     * stay the caller's to free. */
    for (sqlite3_stmt *st; (st = sqlite3_next_stmt(db->sql, NULL)) != NULL;)
        sqlite3_finalize(st);
    if (sqlite3_close(db->sql) != SQLITE_OK)
        return db_error(db, "closing");
    db->sql = NULL;
    return CHORUS_OK;
}

chorus_rc chorus_db_commit(chorus_db *db)
{
    chorus_rc rc = exec(db, "COMMIT", "committing");
    if (!rc)
        rc = close_db(db);
    if (!rc)
        rc = sync_tmp(db);
    if (!rc && rename(db->tmp, db->path) != 0)
        rc = ch_error(db->ctx, CHORUS_EIO, "%s: cannot rename %s onto it: %s", db->path,
                      db->tmp, strerror(errno));
    destroy(db, rc != CHORUS_OK);
    return rc;
}

void chorus_db_abort(chorus_db *db)
{
    if (db)
        destroy(db, 1);
}
