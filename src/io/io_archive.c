/*
 * io_archive.c - rows of the Twitter/X Information Operations archive:
 * the 31-column tweets files and the 10-column users files. Columns are
 * found by name (the 2018 releases swap the reply columns), booleans and
 * counts accept every dialect of the real releases, and times take the
 * snowflake id's milliseconds when the id agrees with tweet_time.
 */
#include "csv_input.h"
#include "io/fields.h"
#include "io/time_parse.h"

#include <stdio.h>

enum {
    C_TWEETID, C_USERID, C_DISPLAY, C_SCREEN, C_LOCATION, C_DESCRIPTION, C_PROFILE_URL,
    C_FOLLOWERS, C_FOLLOWING, C_CREATED, C_ACCOUNT_LANG, C_TWEET_LANG, C_TEXT, C_TIME,
    C_CLIENT, C_REPLY_USER, C_REPLY_TWEET, C_QUOTED, C_IS_RT, C_RT_USER, C_RT_TWEET,
    C_HASHTAGS, C_URLS, C_MENTIONS, C_NCOLS
};

static const char *const col_names[C_NCOLS] = {
    "tweetid", "userid", "user_display_name", "user_screen_name", "user_reported_location",
    "user_profile_description", "user_profile_url", "follower_count", "following_count",
    "account_creation_date", "account_language", "tweet_language", "tweet_text", "tweet_time",
    "tweet_client_name", "in_reply_to_userid", "in_reply_to_tweetid", "quoted_tweet_tweetid",
    "is_retweet", "retweet_userid", "retweet_tweetid", "hashtags", "urls", "user_mentions",
};

typedef struct io_row {
    int col[C_NCOLS];
    chorus_str tags[CH_MAX_LIST], urls[CH_MAX_LIST], mentions[CH_MAX_LIST];
} io_row;

#define FIELD(csv, row, c) ch_row_field((csv), (row)->col[(c)])
#define PROBLEM(c, reason, ...) \
    ch_reader_problem(r, ch_csv_line(csv), col_names[c], (reason), __VA_ARGS__)

static void map_columns(io_row *row, const ch_header *h)
{
    for (int c = 0; c < C_NCOLS; c++)
        row->col[c] = ch_header_find(h, col_names[c]);
}

/* Reads the profile columns shared by the tweets and users files.
 * Returns 1 when the row was reported as bad (*rc says whether to stop). */
static int read_account(ch_reader *r, ch_csv *csv, const io_row *row, ch_account_rec *a,
                        chorus_rc *rc)
{
    ch_account_rec_init(a);
    a->id = ch_trim(FIELD(csv, row, C_USERID));
    a->display_name = FIELD(csv, row, C_DISPLAY);
    a->screen_name = FIELD(csv, row, C_SCREEN);
    a->location = FIELD(csv, row, C_LOCATION);
    a->description = FIELD(csv, row, C_DESCRIPTION);
    a->url = FIELD(csv, row, C_PROFILE_URL);
    a->lang = FIELD(csv, row, C_ACCOUNT_LANG);
    chorus_str f = FIELD(csv, row, C_FOLLOWERS);
    if (ch_parse_count(f.ptr, f.len, &a->followers))
        return (*rc = PROBLEM(C_FOLLOWERS, CHORUS_SKIP_BAD_NUMBER, "not a count: \"%.*s\"",
                              (int)(f.len > 40 ? 40 : f.len), f.ptr)), 1;
    f = FIELD(csv, row, C_FOLLOWING);
    if (ch_parse_count(f.ptr, f.len, &a->following))
        return (*rc = PROBLEM(C_FOLLOWING, CHORUS_SKIP_BAD_NUMBER, "not a count: \"%.*s\"",
                              (int)(f.len > 40 ? 40 : f.len), f.ptr)), 1;
    f = ch_trim(FIELD(csv, row, C_CREATED));
    chorus_time_res res;
    if (f.len && ch_parse_time(f.ptr, f.len, &a->created_ms, &res))
        return (*rc = PROBLEM(C_CREATED, CHORUS_SKIP_BAD_TIME, "not a date: \"%.*s\"",
                              (int)(f.len > 40 ? 40 : f.len), f.ptr)), 1;
    if (a->id.len == 0)
        return (*rc = PROBLEM(C_USERID, CHORUS_SKIP_MISSING, "empty account id")), 1;
    return 0;
}

/* Post time: tweet_time, refined to milliseconds by the snowflake id when
 * the id's time falls inside the column's minute (or second). */
static int read_time(ch_reader *r, ch_csv *csv, const io_row *row, uint64_t id, ch_post_rec *p,
                     chorus_rc *rc)
{
    chorus_str t = FIELD(csv, row, C_TIME);
    int64_t snow = chorus_snowflake_ms(id);
    if (t.len == 0 && row->col[C_TIME] < 0 && snow != INT64_MIN) {
        p->time_ms = snow;
        p->time_res = CHORUS_TIME_MS;
        return 0;
    }
    if (ch_parse_time(t.ptr, t.len, &p->time_ms, &p->time_res))
        return (*rc = PROBLEM(C_TIME, CHORUS_SKIP_BAD_TIME, "not a time: \"%.*s\"",
                              (int)(t.len > 40 ? 40 : t.len), t.ptr)), 1;
    int64_t span = p->time_res == CHORUS_TIME_MINUTE ? 60000 : 1000;
    if (p->time_res != CHORUS_TIME_MS && snow >= p->time_ms && snow < p->time_ms + span) {
        p->time_ms = snow;
        p->time_res = CHORUS_TIME_MS;
    }
    return 0;
}

static int read_list(ch_reader *r, ch_csv *csv, const io_row *row, int c, chorus_str *items,
                     uint32_t *n, chorus_rc *rc)
{
    chorus_str f = FIELD(csv, row, c);
    uint32_t total;
    if (ch_parse_list((char *)f.ptr, f.len, items, CH_MAX_LIST, &total))
        return (*rc = PROBLEM(c, CHORUS_SKIP_BAD_LIST, "not a list: \"%.*s\"",
                              (int)(f.len > 40 ? 40 : f.len), f.ptr)), 1;
    *n = total > CH_MAX_LIST ? CH_MAX_LIST : total;
    return 0;
}

/* Kind and referenced post/account; retweet wins over quote over reply. */
static int read_refs(ch_reader *r, ch_csv *csv, const io_row *row, ch_post_rec *p, chorus_rc *rc)
{
    chorus_str f = FIELD(csv, row, C_IS_RT);
    bool is_rt;
    if (ch_parse_bool(f.ptr, f.len, &is_rt))
        return (*rc = PROBLEM(C_IS_RT, CHORUS_SKIP_BAD_NUMBER, "not a boolean: \"%.*s\"",
                              (int)(f.len > 40 ? 40 : f.len), f.ptr)), 1;
    chorus_str rt = ch_trim(FIELD(csv, row, C_RT_TWEET)), q = ch_trim(FIELD(csv, row, C_QUOTED));
    chorus_str rp = ch_trim(FIELD(csv, row, C_REPLY_TWEET));
    if (is_rt || rt.len) {
        p->kind = CHORUS_KIND_RETWEET;
        p->ref_post = rt;
        p->ref_account = ch_trim(FIELD(csv, row, C_RT_USER));
    } else if (q.len) {
        p->kind = CHORUS_KIND_QUOTE;
        p->ref_post = q;
    } else if (rp.len) {
        p->kind = CHORUS_KIND_REPLY;
        p->ref_post = rp;
        p->ref_account = ch_trim(FIELD(csv, row, C_REPLY_USER));
    }
    uint64_t dummy;
    if (p->ref_post.len && ch_parse_u64(p->ref_post.ptr, p->ref_post.len, &dummy)) {
        int c = p->kind == CHORUS_KIND_RETWEET ? C_RT_TWEET
                : p->kind == CHORUS_KIND_QUOTE ? C_QUOTED : C_REPLY_TWEET;
        return (*rc = PROBLEM(c, CHORUS_SKIP_BAD_ID, "not a tweet id: \"%.*s\"",
                              (int)(p->ref_post.len > 40 ? 40 : p->ref_post.len),
                              p->ref_post.ptr)), 1;
    }
    return 0;
}

static chorus_rc tweet_row(ch_reader *r, ch_csv *csv, io_row *row)
{
    ch_post_rec p;
    ch_account_rec a;
    chorus_rc rc = CHORUS_OK;
    ch_post_rec_init(&p);
    p.id = ch_trim(FIELD(csv, row, C_TWEETID));
    uint64_t id;
    if (ch_parse_u64(p.id.ptr, p.id.len, &id))
        return PROBLEM(C_TWEETID, CHORUS_SKIP_BAD_ID, "not a tweet id: \"%.*s\"",
                       (int)(p.id.len > 40 ? 40 : p.id.len), p.id.ptr);
    if (read_account(r, csv, row, &a, &rc) || read_time(r, csv, row, id, &p, &rc) ||
        read_refs(r, csv, row, &p, &rc) ||
        read_list(r, csv, row, C_HASHTAGS, row->tags, &p.n_hashtags, &rc) ||
        read_list(r, csv, row, C_URLS, row->urls, &p.n_urls, &rc) ||
        read_list(r, csv, row, C_MENTIONS, row->mentions, &p.n_mentions, &rc))
        return rc;
    p.account = a.id;
    p.text = FIELD(csv, row, C_TEXT);
    p.lang = FIELD(csv, row, C_TWEET_LANG);
    p.client = FIELD(csv, row, C_CLIENT);
    p.hashtags = row->tags;
    p.urls = row->urls;
    p.mentions = row->mentions;
    if ((rc = r->sink->post(r->sink->ud, &p, &a)))
        return rc;
    r->stats->rows_kept++;
    return CHORUS_OK;
}

static chorus_rc read_rows(ch_reader *r, ch_csv *csv, const ch_header *h, int tweets)
{
    io_row *row = ch_alloc(r->ctx, sizeof *row);
    if (!row)
        return ch_nomem(r->ctx);
    map_columns(row, h);
    chorus_rc rc = CHORUS_OK;
    int need[3] = {C_USERID, tweets ? C_TWEETID : C_USERID, tweets ? C_TIME : C_USERID};
    for (int i = 0; i < 3 && !rc; i++)
        if (row->col[need[i]] < 0)
            rc = ch_reader_fatal(r, 1, "no column %s in the header", col_names[need[i]]);
    int has = 1;
    while (!rc && !(rc = ch_csv_row(r, csv, h, &has)) && has) {
        if (tweets) {
            rc = tweet_row(r, csv, row);
            continue;
        }
        ch_account_rec a;
        if (read_account(r, csv, row, &a, &rc))
            continue;
        if (!(rc = r->sink->account(r->sink->ud, &a)))
            r->stats->rows_kept++;
    }
    ch_free(r->ctx, row, sizeof *row);
    return rc;
}

chorus_rc ch_read_io_tweets(ch_reader *r, ch_csv *csv, const ch_header *h)
{
    return read_rows(r, csv, h, 1);
}

chorus_rc ch_read_io_users(ch_reader *r, ch_csv *csv, const ch_header *h)
{
    return read_rows(r, csv, h, 0);
}
