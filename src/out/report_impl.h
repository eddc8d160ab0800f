/*
 * report_impl.h - what the report's page writer (report.c) and its data
 * writer (report_data.c) share: the open database, the output and the
 * time buckets of the timelines.
 */
#ifndef CHORUS_OUT_REPORT_IMPL_H
#define CHORUS_OUT_REPORT_IMPL_H

#include <chorus/report.h>
#include <sqlite3.h>

typedef struct rep {
    chorus_ctx *ctx;
    sqlite3 *db;
    FILE *o;
    chorus_report_info info; /* defaults filled in */
    chorus_report_summary sum;
    int64_t t0, t1;    /* time span of the posts, UTC ms */
    int64_t bucket_ms; /* timeline bucket */
    uint32_t buckets;
} rep;

/* 1 when the database has a table of that name. */
int rep_has_table(rep *r, const char *name);

/* Prepares sql; NULL when it fails (a stage's table lacks a column). */
sqlite3_stmt *rep_prepare(rep *r, const char *sql);

/* Number from a one-value query, or -1. */
int64_t rep_count(rep *r, const char *sql);

/* Writes the run's data as one JSON object (the page's script reads it). */
chorus_rc rep_write_data(rep *r);

#endif
