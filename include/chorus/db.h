/*
 * db.h - the SQLite output of a run: corpus, ingest statistics, input
 * problems, and tables later stages add by SQL (schema: docs/schema.md).
 * Built in a temporary file renamed onto its path only on commit, so a
 * failed run never leaves a half-written database. A chorus_db, like its
 * context, must be used by one thread at a time.
 */
#ifndef CHORUS_DB_H
#define CHORUS_DB_H

#include <chorus/actions.h>
#include <chorus/attach.h>
#include <chorus/corpus.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the schema written (meta.schema_version). */
#define CHORUS_DB_SCHEMA_VERSION 1

typedef struct chorus_db chorus_db;

/* Creates a new database that will replace `path` on commit. It is written
 * to a temporary file beside it (path + ".tmp-<pid>"); an existing file at
 * path is not touched until chorus_db_commit. Creates the schema and opens
 * a transaction. On success *out is owned by the caller and must be
 * released with chorus_db_commit or chorus_db_abort; on error *out is NULL,
 * nothing is left on disk and the message is on ctx. path is copied. */
chorus_rc chorus_db_create(chorus_ctx *ctx, const char *path, chorus_db **out);

/* Writes every account, post, hashtag/url/mention item, object column
 * value and input file of the corpus, then the ingest statistics (stats may
 * be NULL: no statistics rows), then the indexes. Call it once per
 * database. The corpus and stats are only read; the caller keeps them.
 * On error the database should be aborted. */
chorus_rc chorus_db_write_corpus(chorus_db *db, const chorus_corpus *c,
                                 const chorus_ingest_stats *stats);

/* Records one input problem (file, member, line, column, reason name,
 * detail) in ingest_problems. p and its strings are only read during the
 * call, so this can be called straight from a chorus_problem_fn. */
chorus_rc chorus_db_add_problem(chorus_db *db, const chorus_problem *p);

/* Writes one signal's co-action pairs into the edges table and their
 * co-actions into the evidence table (both created on first use; accounts
 * as account_idx, a < b by index). stats: similarity and p_value are set.
 * objects gives the evidence's object labels. */
chorus_rc chorus_db_add_pairs(chorus_db *db, const char *signal, const chorus_copairs *cp, int stats,
                              const chorus_actions *objects);

/* Writes one account's group and evidence into group_members; att (may
 * be NULL) when the account was attached to the group (attach.h). */
chorus_rc chorus_db_add_member(chorus_db *db, uint32_t account, uint32_t group, double score,
                               uint32_t edges, uint64_t strength, const chorus_attached *att);

/* A value of one column for chorus_db_table_row. TEXT binds the exact
 * bytes of s (s must outlive the call only); NULL binds SQL NULL. */
typedef enum { CHORUS_DB_NULL, CHORUS_DB_INT, CHORUS_DB_REAL, CHORUS_DB_TEXT } chorus_db_kind;
typedef struct chorus_db_value {
    chorus_db_kind kind;
    int64_t i;
    double d;
    chorus_str s;
} chorus_db_value;

static inline chorus_db_value chorus_db_int(int64_t v)
{
    chorus_db_value x = {CHORUS_DB_INT, v, 0, {0, 0}};
    return x;
}
static inline chorus_db_value chorus_db_real(double v)
{
    chorus_db_value x = {CHORUS_DB_REAL, 0, v, {0, 0}};
    return x;
}
static inline chorus_db_value chorus_db_text(chorus_str v)
{
    chorus_db_value x = {CHORUS_DB_TEXT, 0, 0, v};
    return x;
}
static inline chorus_db_value chorus_db_null(void)
{
    chorus_db_value x = {CHORUS_DB_NULL, 0, 0, {0, 0}};
    return x;
}

/* A table a later stage fills row by row (near-duplicate clusters,
 * matches, provenance...). */
typedef struct chorus_db_table chorus_db_table;

/* Runs create_sql (e.g. "CREATE TABLE t(a INTEGER, b TEXT)"; may hold
 * CREATE INDEX statements too) and prepares an insert of n_columns values
 * into `table`. On success *out belongs to the caller, who must release
 * it with chorus_db_table_close before committing or aborting the
 * database. */
chorus_rc chorus_db_table_open(chorus_db *db, const char *create_sql, const char *table,
                               int n_columns, chorus_db_table **out);

/* Inserts one row: values[0..n_columns-1], only read during the call. */
chorus_rc chorus_db_table_row(chorus_db_table *t, const chorus_db_value *values);

/* Releases the insert. Safe with NULL. */
void chorus_db_table_close(chorus_db_table *t);

/* Executes SQL (one or more statements) inside the database's open
 * transaction, for later stages that add their own tables. The SQL must
 * not BEGIN, COMMIT or ROLLBACK. */
chorus_rc chorus_db_exec(chorus_db *db, const char *sql);

/* Commits, closes, flushes the temporary file to disk and renames it
 * atomically onto the path given to chorus_db_create. db is freed in every
 * case; on error the temporary file is removed and the old file at path (if
 * any) is left as it was. */
chorus_rc chorus_db_commit(chorus_db *db);

/* Discards the database: closes it and removes the temporary file; the
 * file at path is left as it was. db is freed. Safe with NULL. */
void chorus_db_abort(chorus_db *db);

#ifdef __cplusplus
}
#endif
#endif
