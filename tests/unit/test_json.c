/*
 * test_json.c - the JSON lines reader (src/io/json_reader.c): Twitter API
 * v1.1 and v2 shapes, exact 64-bit ids, bad lines, strict mode, the record
 * limit, blank lines, BOM, gzip. Inputs are written to files under a
 * mkdtemp folder; JSON is written with ' for " to keep it readable.
 */
#include "check.h"
#include "io/reader.h"
#include "io/source.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

/* ---- what the sink received, copied ---- */

typedef struct tstr {
    char s[256];
    size_t n;    /* stored bytes (at most 255) */
    size_t full; /* length as received */
} tstr;

typedef struct tacc {
    tstr id, name, sn, loc, desc, url, lang;
    int64_t followers, following, created;
} tacc;

typedef struct tpost {
    tstr id, account, text, ref_post, ref_account, client, lang;
    int64_t time_ms;
    int res, kind, n_tags, n_urls, n_ments, has_author;
    tstr tags[8], urls[8], ments[8];
    tacc author;
} tpost;

typedef struct tprob {
    uint64_t line;
    int reason;
    char column[64], detail[256];
} tprob;

typedef struct got {
    tpost posts[16];
    int n_posts;
    tacc accts[16];
    int n_accts;
    tprob probs[32];
    int n_probs;
    int fail_at; /* post number (1-based) whose sink call fails; 0 never */
    char err[1024];
} got;

static got G;
static char tmpdir[64];

static void cp(tstr *d, chorus_str s)
{
    d->full = s.len;
    d->n = s.len < sizeof d->s ? s.len : sizeof d->s - 1;
    if (d->n)
        memcpy(d->s, s.ptr, d->n);
    d->s[d->n] = 0;
}

static void cp_acc(tacc *d, const ch_account_rec *a)
{
    cp(&d->id, a->id);
    cp(&d->name, a->display_name);
    cp(&d->sn, a->screen_name);
    cp(&d->loc, a->location);
    cp(&d->desc, a->description);
    cp(&d->url, a->url);
    cp(&d->lang, a->lang);
    d->followers = a->followers;
    d->following = a->following;
    d->created = a->created_ms;
}

static void cp_list(tstr *d, int *n, const chorus_str *s, uint32_t k)
{
    *n = (int)k;
    for (uint32_t i = 0; i < k && i < 8; i++)
        cp(&d[i], s[i]);
}

static chorus_rc t_post(void *ud, const ch_post_rec *p, const ch_account_rec *a)
{
    got *g = ud;
    if (g->fail_at && g->n_posts + 1 == g->fail_at)
        return CHORUS_EDB;
    if (g->n_posts >= 16)
        return CHORUS_OK;
    tpost *t = &g->posts[g->n_posts++];
    cp(&t->id, p->id);
    cp(&t->account, p->account);
    cp(&t->text, p->text);
    cp(&t->ref_post, p->ref_post);
    cp(&t->ref_account, p->ref_account);
    cp(&t->client, p->client);
    cp(&t->lang, p->lang);
    t->time_ms = p->time_ms;
    t->res = (int)p->time_res;
    t->kind = (int)p->kind;
    cp_list(t->tags, &t->n_tags, p->hashtags, p->n_hashtags);
    cp_list(t->urls, &t->n_urls, p->urls, p->n_urls);
    cp_list(t->ments, &t->n_ments, p->mentions, p->n_mentions);
    t->has_author = a != NULL;
    if (a)
        cp_acc(&t->author, a);
    return CHORUS_OK;
}

static chorus_rc t_account(void *ud, const ch_account_rec *a)
{
    got *g = ud;
    if (g->n_accts < 16)
        cp_acc(&g->accts[g->n_accts++], a);
    return CHORUS_OK;
}

static void t_problem(void *ud, const chorus_problem *p)
{
    got *g = ud;
    if (g->n_probs >= 32)
        return;
    tprob *t = &g->probs[g->n_probs++];
    t->line = p->line;
    t->reason = p->reason;
    snprintf(t->column, sizeof t->column, "%s", p->column ? p->column : "");
    snprintf(t->detail, sizeof t->detail, "%s", p->detail);
}

/* ---- building inputs ---- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

/* Appends s with every ' turned into ", then a newline. */
static void line(buf *b, const char *s)
{
    size_t at = b->n;
    add(b, s, strlen(s));
    for (size_t i = at; i < b->n; i++)
        if (b->p[i] == '\'')
            b->p[i] = '"';
    add(b, "\n", 1);
}

/* A minimal v1.1 tweet with extra members (already in ' form). */
static void v1(buf *b, const char *id, const char *extra)
{
    char t[2048];
    snprintf(t, sizeof t,
             "{'id_str':'%s','created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'user':{'id_str':'42','screen_name':'alice'}%s%s}",
             id, *extra ? "," : "", extra);
    line(b, t);
}

static void write_path(char *path, size_t cap, const char *name)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
}

static void write_plain(const char *path, const buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (b->n)
        fwrite(b->p, 1, b->n, f);
    fclose(f);
}

static void write_gz(const char *path, const buf *b)
{
    gzFile f = gzopen(path, "wb");
    if (!f)
        abort();
    gzwrite(f, b->p, (unsigned)b->n);
    gzclose(f);
}

typedef struct opts {
    int strict, gz;
    size_t limit;
} opts;

/* Writes b to a file, reads it with ch_read_jsonl into G and st. */
static chorus_rc run(buf *b, opts o, chorus_ingest_stats *st)
{
    char path[128];
    write_path(path, sizeof path, o.gz ? "in.jsonl.gz" : "in.jsonl");
    if (o.gz)
        write_gz(path, b);
    else
        write_plain(path, b);
    int fail_at = G.fail_at;
    memset(&G, 0, sizeof G);
    G.fail_at = fail_at;
    memset(st, 0, sizeof *st);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    chorus_set_problem_handler(ctx, t_problem, &G);
    if (o.limit)
        chorus_set_record_limit(ctx, o.limit);
    ch_source *src = NULL;
    chorus_rc rc = ch_source_open(ctx, path, &src);
    int more = 0;
    if (!rc)
        rc = ch_source_next_member(src, &more);
    chorus_ingest_opts io = {CHORUS_FMT_JSONL, NULL, o.strict, 0};
    ch_sink sink = {&G, t_post, t_account, NULL};
    ch_reader r = {ctx, src, path, NULL, &io, &sink, st};
    if (!rc && more)
        rc = ch_read_jsonl(&r);
    snprintf(G.err, sizeof G.err, "%s", chorus_errmsg(ctx));
    ch_source_close(src);
    chorus_ctx_free(ctx);
    unlink(path);
    free(b->p);
    memset(b, 0, sizeof *b);
    return rc;
}

static const opts DEF = {0, 0, 0};

/* ---- v1.1 ---- */

static void test_v1_plain(void)
{
    buf b = {0};
    line(&b, "{'id_str':'1212092628029698048','id':1212092628029698000,"
             "'created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'full_text':'hello #a #b http://t.co/x @bob','lang':'en',"
             "'source':'<a href=\\'http://twitter.com/download/android\\' "
             "rel=\\'nofollow\\'>Twitter for Android</a>',"
             "'in_reply_to_status_id_str':null,'quoted_status_id_str':null,"
             "'user':{'id_str':'42','id':42,'screen_name':'alice','name':'Alice A',"
             "'location':'Paris','description':'hi there','url':'https://t.co/u',"
             "'entities':{'url':{'urls':[{'url':'https://t.co/u',"
             "'expanded_url':'https://alice.example'}]}},"
             "'followers_count':10,'friends_count':20,"
             "'created_at':'Mon Jan 01 00:00:00 +0000 2018','lang':'fr'},"
             "'entities':{'hashtags':[{'text':'b','indices':[9,11]},{'text':'a','indices':[6,8]}],"
             "'urls':[{'url':'http://t.co/x','expanded_url':'http://example.com/x'},"
             "{'url':'http://t.co/y','expanded_url':null}],"
             "'user_mentions':[{'id_str':'7','screen_name':'bob'},{'id':8}]}}");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 1);
    tpost *p = &G.posts[0];
    CHECK_STRN(p->id.s, p->id.n, "1212092628029698048");
    CHECK_STRN(p->account.s, p->account.n, "42");
    CHECK_INT(p->time_ms, 1539202764000LL);
    CHECK_INT(p->res, CHORUS_TIME_SECOND);
    CHECK_INT(p->kind, CHORUS_KIND_POST);
    CHECK_STRN(p->text.s, p->text.n, "hello #a #b http://t.co/x @bob");
    CHECK_STRN(p->client.s, p->client.n, "Twitter for Android");
    CHECK_STRN(p->lang.s, p->lang.n, "en");
    CHECK_INT(p->ref_post.n, 0);
    CHECK_INT(p->n_tags, 2);
    CHECK_STRN(p->tags[0].s, p->tags[0].n, "a");
    CHECK_STRN(p->tags[1].s, p->tags[1].n, "b");
    CHECK_INT(p->n_urls, 2);
    CHECK_STRN(p->urls[0].s, p->urls[0].n, "http://example.com/x");
    CHECK_STRN(p->urls[1].s, p->urls[1].n, "http://t.co/y");
    CHECK_INT(p->n_ments, 2);
    CHECK_STRN(p->ments[0].s, p->ments[0].n, "7");
    CHECK_STRN(p->ments[1].s, p->ments[1].n, "8");
    CHECK(p->has_author);
    tacc *a = &p->author;
    CHECK_STRN(a->id.s, a->id.n, "42");
    CHECK_STRN(a->sn.s, a->sn.n, "alice");
    CHECK_STRN(a->name.s, a->name.n, "Alice A");
    CHECK_STRN(a->loc.s, a->loc.n, "Paris");
    CHECK_STRN(a->desc.s, a->desc.n, "hi there");
    CHECK_STRN(a->url.s, a->url.n, "https://alice.example");
    CHECK_STRN(a->lang.s, a->lang.n, "fr");
    CHECK_INT(a->followers, 10);
    CHECK_INT(a->following, 20);
    CHECK_INT(a->created, 1514764800000LL);
    CHECK_INT(G.n_accts, 0);
    CHECK_INT(st.rows_read, 1);
    CHECK_INT(st.rows_kept, 1);
    CHECK_INT(st.rows_skipped, 0);
}

static void test_v1_retweet(void)
{
    buf b = {0};
    line(&b, "{'id_str':'200','created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'full_text':'RT @carol: the whole orig...','user':{'id_str':'42'},"
             "'entities':{'hashtags':[{'text':'rtonly','indices':[0,1]}],"
             "'user_mentions':[{'id_str':'43'}]},"
             "'retweeted_status':{'id_str':'100','text':'the whole orig...','truncated':true,"
             "'created_at':'Wed Oct 10 20:00:00 +0000 2018',"
             "'user':{'id_str':'43','screen_name':'carol','followers_count':5},"
             "'entities':{'hashtags':[{'text':'short','indices':[0,1]}]},"
             "'extended_tweet':{'full_text':'the whole original #x #y',"
             "'entities':{'hashtags':[{'text':'y','indices':[22,24]},"
             "{'text':'x','indices':[19,21]}],"
             "'urls':[{'url':'https://t.co/o','expanded_url':'http://orig.example'}],"
             "'user_mentions':[]}}}}");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 1);
    tpost *p = &G.posts[0];
    CHECK_INT(p->kind, CHORUS_KIND_RETWEET);
    CHECK_STRN(p->id.s, p->id.n, "200");
    CHECK_STRN(p->ref_post.s, p->ref_post.n, "100");
    CHECK_STRN(p->ref_account.s, p->ref_account.n, "43");
    CHECK_STRN(p->text.s, p->text.n, "the whole original #x #y");
    CHECK_INT(p->n_tags, 2);
    CHECK_STRN(p->tags[0].s, p->tags[0].n, "x");
    CHECK_STRN(p->tags[1].s, p->tags[1].n, "y");
    CHECK_INT(p->n_urls, 1);
    CHECK_STRN(p->urls[0].s, p->urls[0].n, "http://orig.example");
    CHECK_INT(p->n_ments, 0);
    CHECK_INT(G.n_accts, 1);
    CHECK_STRN(G.accts[0].id.s, G.accts[0].id.n, "43");
    CHECK_STRN(G.accts[0].sn.s, G.accts[0].sn.n, "carol");
    CHECK_INT(G.accts[0].followers, 5);
    CHECK_INT(G.accts[0].following, -1);
    CHECK_INT(st.rows_kept, 1);
}

static void test_v1_extended(void)
{
    buf b = {0};
    v1(&b, "300", "'text':'full text he...','truncated':true,"
                  "'extended_tweet':{'full_text':'full text here #long',"
                  "'entities':{'hashtags':[{'text':'long','indices':[15,20]}]}},"
                  "'entities':{'hashtags':[]}");
    v1(&b, "301", "'text':'only text'");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[0].text.s, G.posts[0].text.n, "full text here #long");
    CHECK_INT(G.posts[0].n_tags, 1);
    CHECK_STRN(G.posts[0].tags[0].s, G.posts[0].tags[0].n, "long");
    CHECK_STRN(G.posts[1].text.s, G.posts[1].text.n, "only text");
    CHECK_INT(G.posts[1].n_tags, 0);
}

static void test_v1_reply_quote(void)
{
    buf b = {0};
    v1(&b, "400", "'in_reply_to_status_id_str':'390','in_reply_to_user_id_str':'44'");
    v1(&b, "401", "'in_reply_to_status_id_str':null,'in_reply_to_status_id':391,"
                  "'in_reply_to_user_id':45");
    v1(&b, "402", "'quoted_status_id_str':'500','is_quote_status':true,"
                  "'quoted_status':{'id_str':'500','user':{'id_str':'46','screen_name':'dave'}}");
    /* A reply that quotes is a quote. */
    v1(&b, "403", "'in_reply_to_status_id_str':'392','in_reply_to_user_id_str':'47',"
                  "'quoted_status_id_str':'501'");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 4);
    CHECK_INT(G.posts[0].kind, CHORUS_KIND_REPLY);
    CHECK_STRN(G.posts[0].ref_post.s, G.posts[0].ref_post.n, "390");
    CHECK_STRN(G.posts[0].ref_account.s, G.posts[0].ref_account.n, "44");
    CHECK_INT(G.posts[1].kind, CHORUS_KIND_REPLY);
    CHECK_STRN(G.posts[1].ref_post.s, G.posts[1].ref_post.n, "391");
    CHECK_STRN(G.posts[1].ref_account.s, G.posts[1].ref_account.n, "45");
    CHECK_INT(G.posts[2].kind, CHORUS_KIND_QUOTE);
    CHECK_STRN(G.posts[2].ref_post.s, G.posts[2].ref_post.n, "500");
    CHECK_STRN(G.posts[2].ref_account.s, G.posts[2].ref_account.n, "46");
    CHECK_INT(G.posts[3].kind, CHORUS_KIND_QUOTE);
    CHECK_STRN(G.posts[3].ref_post.s, G.posts[3].ref_post.n, "501");
    CHECK_INT(G.posts[3].ref_account.n, 0);
    CHECK_INT(G.n_accts, 1);
    CHECK_STRN(G.accts[0].sn.s, G.accts[0].sn.n, "dave");
}

static void test_ids_exact(void)
{
    buf b = {0};
    /* 2^53 + 1 and 2^53 + 3: a double would round both to even. */
    line(&b, "{'id':9007199254740993,'created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'user':{'id':9007199254740995}}");
    line(&b, "{'id':18446744073709551615,'created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'user':{'id_str':'1212092628029698048','id':1212092628029698000}}");
    line(&b, "{'id':-5,'created_at':'Wed Oct 10 20:19:24 +0000 2018','user':{'id':1}}");
    line(&b, "{'id':1.5e18,'created_at':'Wed Oct 10 20:19:24 +0000 2018','user':{'id':1}}");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[0].id.s, G.posts[0].id.n, "9007199254740993");
    CHECK_STRN(G.posts[0].account.s, G.posts[0].account.n, "9007199254740995");
    CHECK_STRN(G.posts[0].author.id.s, G.posts[0].author.id.n, "9007199254740995");
    CHECK_STRN(G.posts[1].id.s, G.posts[1].id.n, "18446744073709551615");
    CHECK_STRN(G.posts[1].account.s, G.posts[1].account.n, "1212092628029698048");
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_ID], 2);
    CHECK_INT(G.n_probs, 2);
    CHECK_INT(G.probs[0].line, 3);
    CHECK_STR(G.probs[0].column, "id_str");
}

/* ---- v2 ---- */

static void test_v2_page(void)
{
    buf b = {0};
    line(&b,
         "{'data':["
         "{'id':'1000','author_id':'2000','created_at':'2020-01-01T00:00:00.000Z',"
         "'text':'RT @u2: full orig...','lang':'en','source':'Twitter Web App',"
         "'referenced_tweets':[{'type':'retweeted','id':'999'}],"
         "'entities':{'hashtags':[{'start':0,'end':3,'tag':'trunc'}],"
         "'mentions':[{'start':3,'end':6,'username':'u2','id':'2001'}]}},"
         "{'id':'1001','author_id':'2001','created_at':'2020-01-01T00:00:01.000Z',"
         "'text':'reply #h','referenced_tweets':[{'type':'replied_to','id':'998'}],"
         "'in_reply_to_user_id':'2002','entities':{'hashtags':[{'start':6,'end':8,'tag':'h'}],"
         "'urls':[{'url':'https://t.co/z','expanded_url':'https://e.example/z',"
         "'unwound_url':'https://final.example/z'}]}},"
         "{'id':'1002','author_id':'2003','created_at':'2020-01-01T00:00:02Z',"
         "'text':'quote reply','referenced_tweets':[{'type':'replied_to','id':'998'},"
         "{'type':'quoted','id':'997'}]}],"
         "'includes':{'users':[{'id':'2000','username':'u0','name':'User Zero',"
         "'created_at':'2019-01-01T00:00:00.000Z','description':'d0','location':'l0',"
         "'public_metrics':{'followers_count':7,'following_count':8}},"
         "{'id':'2001','username':'u2'},{'id':'2000','username':'dup'}],"
         "'tweets':[{'id':'999','author_id':'2001','text':'full original #orig https://t.co/o',"
         "'entities':{'hashtags':[{'start':14,'end':19,'tag':'orig'}],"
         "'urls':[{'url':'https://t.co/o','expanded_url':'https://o.example'}]}},"
         "{'id':'998','author_id':'2002','text':'parent'}]},"
         "'meta':{'result_count':3}}");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_accts, 2);
    CHECK_STRN(G.accts[0].id.s, G.accts[0].id.n, "2000");
    CHECK_STRN(G.accts[0].sn.s, G.accts[0].sn.n, "u0");
    CHECK_STRN(G.accts[1].id.s, G.accts[1].id.n, "2001");
    CHECK_INT(G.n_posts, 3);
    tpost *p = &G.posts[0];
    CHECK_STRN(p->id.s, p->id.n, "1000");
    CHECK_STRN(p->account.s, p->account.n, "2000");
    CHECK_INT(p->time_ms, 1577836800000LL);
    CHECK_INT(p->res, CHORUS_TIME_MS);
    CHECK_INT(p->kind, CHORUS_KIND_RETWEET);
    CHECK_STRN(p->ref_post.s, p->ref_post.n, "999");
    CHECK_STRN(p->ref_account.s, p->ref_account.n, "2001");
    CHECK_STRN(p->text.s, p->text.n, "full original #orig https://t.co/o");
    CHECK_INT(p->n_tags, 1);
    CHECK_STRN(p->tags[0].s, p->tags[0].n, "orig");
    CHECK_INT(p->n_urls, 1);
    CHECK_STRN(p->urls[0].s, p->urls[0].n, "https://o.example");
    CHECK_STRN(p->client.s, p->client.n, "Twitter Web App");
    CHECK_STRN(p->lang.s, p->lang.n, "en");
    CHECK(p->has_author);
    CHECK_STRN(p->author.sn.s, p->author.sn.n, "u0");
    CHECK_STRN(p->author.name.s, p->author.name.n, "User Zero");
    CHECK_STRN(p->author.desc.s, p->author.desc.n, "d0");
    CHECK_STRN(p->author.loc.s, p->author.loc.n, "l0");
    CHECK_INT(p->author.followers, 7);
    CHECK_INT(p->author.following, 8);
    CHECK_INT(p->author.created, 1546300800000LL);
    p = &G.posts[1];
    CHECK_INT(p->kind, CHORUS_KIND_REPLY);
    CHECK_STRN(p->ref_post.s, p->ref_post.n, "998");
    CHECK_STRN(p->ref_account.s, p->ref_account.n, "2002");
    CHECK_STRN(p->text.s, p->text.n, "reply #h");
    CHECK_INT(p->n_urls, 1);
    CHECK_STRN(p->urls[0].s, p->urls[0].n, "https://e.example/z");
    CHECK(p->has_author);
    CHECK_STRN(p->author.sn.s, p->author.sn.n, "u2");
    CHECK_INT(p->author.followers, -1);
    p = &G.posts[2];
    CHECK_INT(p->kind, CHORUS_KIND_QUOTE);
    CHECK_STRN(p->ref_post.s, p->ref_post.n, "997");
    CHECK_INT(p->ref_account.n, 0);
    CHECK_INT(p->res, CHORUS_TIME_SECOND);
    CHECK(!p->has_author);
    CHECK_INT(st.rows_read, 3);
    CHECK_INT(st.rows_kept, 3);
}

static void test_v2_flat(void)
{
    buf b = {0};
    line(&b, "{'id':'3000','author_id':'4000','created_at':'2021-05-05T05:05:05.000Z',"
             "'text':'look at this','source':'Bot Client','lang':'de',"
             "'author':{'id':'4000','username':'flat','name':'Flat',"
             "'public_metrics':{'followers_count':1,'following_count':2}},"
             "'referenced_tweets':[{'type':'quoted','id':'3001','text':'quoted text',"
             "'author_id':'4001','author':{'id':'4001','username':'qauthor'}}],"
             "'entities':{'mentions':[{'username':'x','id':'4002'}]},"
             "'__twarc':{'url':'https://api.twitter.com/2/tweets/search/all'}}");
    line(&b, "{'id':'3002','author_id':'4000','created_at':'2021-05-05T05:05:05.000Z',"
             "'text':'RT @q: orig sh...','referenced_tweets':[{'type':'retweeted','id':'3003',"
             "'author_id':'4001','text':'orig short','note_tweet':{'text':'orig long note #n',"
             "'entities':{'hashtags':[{'start':15,'end':17,'tag':'n'}]}}}]}");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    tpost *p = &G.posts[0];
    CHECK_STRN(p->id.s, p->id.n, "3000");
    CHECK_INT(p->time_ms, 1620191105000LL);
    CHECK_INT(p->kind, CHORUS_KIND_QUOTE);
    CHECK_STRN(p->ref_post.s, p->ref_post.n, "3001");
    CHECK_STRN(p->ref_account.s, p->ref_account.n, "4001");
    CHECK_STRN(p->text.s, p->text.n, "look at this");
    CHECK_STRN(p->client.s, p->client.n, "Bot Client");
    CHECK_INT(p->n_ments, 1);
    CHECK_STRN(p->ments[0].s, p->ments[0].n, "4002");
    CHECK(p->has_author);
    CHECK_STRN(p->author.sn.s, p->author.sn.n, "flat");
    CHECK_INT(p->author.following, 2);
    CHECK_INT(G.n_accts, 1);
    CHECK_STRN(G.accts[0].sn.s, G.accts[0].sn.n, "qauthor");
    p = &G.posts[1];
    CHECK_INT(p->kind, CHORUS_KIND_RETWEET);
    CHECK_STRN(p->ref_account.s, p->ref_account.n, "4001");
    CHECK_STRN(p->text.s, p->text.n, "orig long note #n");
    CHECK_INT(p->n_tags, 1);
    CHECK_STRN(p->tags[0].s, p->tags[0].n, "n");
    CHECK(!p->has_author);
    CHECK_INT(st.rows_read, 2);
}

/* ---- bad input, limits, framing ---- */

static void test_bad_lines(void)
{
    buf b = {0};
    v1(&b, "1", "");                                            /* 1 kept */
    line(&b, "{not json");                                      /* 2 */
    line(&b, "[1,2]");                                          /* 3: two rows */
    line(&b, "'str'");                                          /* 4 */
    line(&b, "{'id_str':'5','user':{'id_str':'9'}}");            /* 5: no time */
    line(&b, "{'id_str':'6','user':{'id_str':'9'},'created_at':'yesterday'}");
    line(&b, "{'id_str':{'x':1},'user':{'id_str':'9'},'created_at':'2020-01-01'}");
    line(&b, "{'a':1}");                                        /* 8 */
    line(&b, "{'limit':{'track':5}}");                          /* 9: not a row */
    line(&b, "{} {}");                                          /* 10 */
    line(&b, "12345");                                          /* 11 */
    v1(&b, "12", "");                                           /* 12 kept */
    line(&b, "null");                                           /* 13 */
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[1].id.s, G.posts[1].id.n, "12");
    CHECK_INT(st.rows_read, 13);
    CHECK_INT(st.rows_kept, 2);
    CHECK_INT(st.rows_skipped, 11);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_JSON], 7);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_MISSING], 2);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_TIME], 1);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_ID], 1);
    CHECK_INT(G.n_probs, 11);
    CHECK_INT(G.probs[0].line, 2);
    CHECK_INT(G.probs[0].reason, CHORUS_SKIP_BAD_JSON);
    CHECK_INT(G.probs[4].line, 5);
    CHECK_STR(G.probs[4].column, "created_at");
    CHECK_INT(G.probs[5].line, 6);
    CHECK_INT(G.probs[5].reason, CHORUS_SKIP_BAD_TIME);
    CHECK_INT(G.probs[10].line, 13);
}

static void test_strict(void)
{
    buf b = {0};
    v1(&b, "1", "");
    v1(&b, "2", "");
    line(&b, "{'id_str':'3','user':{'id_str':'9'},'created_at':'soon'}");
    v1(&b, "4", "");
    opts o = {1, 0, 0};
    chorus_ingest_stats st;
    CHECK_INT(run(&b, o, &st), CHORUS_EINPUT);
    CHECK_INT(G.n_posts, 2);
    char want[160];
    snprintf(want, sizeof want, "%s/in.jsonl:3", tmpdir);
    CHECK(strstr(G.err, want) != NULL);
    CHECK(strstr(G.err, "created_at") != NULL);
    CHECK_INT(st.rows_skipped, 1);
}

static void test_record_limit(void)
{
    buf b = {0}, big = {0};
    v1(&b, "1", "");
    size_t limit = b.n - 1; /* exactly the first line: it must still fit */
    char extra[1100];
    memcpy(extra, "'text':'", 8);
    memset(extra + 8, 'x', 1000);
    memcpy(extra + 1008, "'", 2);
    v1(&b, "2", extra);
    v1(&b, "3", "");
    line(&b, "{bad");
    v1(&big, "5", extra); /* too large and with no newline at the end */
    add(&b, big.p, big.n - 1);
    free(big.p);
    opts o = {0, 0, limit};
    chorus_ingest_stats st;
    CHECK_INT(run(&b, o, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[0].id.s, G.posts[0].id.n, "1");
    CHECK_STRN(G.posts[1].id.s, G.posts[1].id.n, "3");
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_TOO_LARGE], 2);
    CHECK_INT(st.rows_read, 5);
    CHECK_INT(G.n_probs, 3);
    CHECK_INT(G.probs[0].line, 2);
    CHECK_INT(G.probs[0].reason, CHORUS_SKIP_TOO_LARGE);
    CHECK_INT(G.probs[1].line, 4);
    CHECK_INT(G.probs[2].line, 5);
}

static void test_long_line(void)
{
    buf b = {0};
    size_t n = 300000;
    char *extra = malloc(n + 16);
    if (!extra)
        abort();
    memcpy(extra, "'text':'", 8);
    memset(extra + 8, 'y', n);
    memcpy(extra + 8 + n, "'", 2);
    char *t = malloc(n + 256);
    if (!t)
        abort();
    snprintf(t, n + 256, "{'id_str':'1','created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'user':{'id_str':'42'},%s}", extra);
    line(&b, t);
    v1(&b, "2", "");
    free(t);
    free(extra);
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_INT(G.posts[0].text.full, n);
    CHECK_INT(G.posts[0].text.s[0], 'y');
    CHECK_STRN(G.posts[1].id.s, G.posts[1].id.n, "2");
}

static void test_blank_bom_crlf(void)
{
    buf b = {0}, t = {0};
    add(&b, "\xEF\xBB\xBF", 3);
    v1(&t, "1", "");
    add(&b, t.p, t.n - 1);
    add(&b, "\r\n\r\n   \n\n", 9);
    t.n = 0;
    v1(&t, "2", "'text':'two'");
    add(&b, t.p, t.n - 1);
    add(&b, "\r\n{bad\n\n", 8);
    free(t.p);
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[1].text.s, G.posts[1].text.n, "two");
    CHECK_INT(st.rows_read, 3);
    CHECK_INT(G.n_probs, 1);
    CHECK_INT(G.probs[0].line, 6);
}

static void test_gzip(void)
{
    buf b = {0};
    v1(&b, "1", "'text':'zipped one'");
    v1(&b, "2", "'text':'zipped two'");
    opts o = {0, 1, 0};
    chorus_ingest_stats st;
    CHECK_INT(run(&b, o, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[1].text.s, G.posts[1].text.n, "zipped two");
    CHECK_INT(st.rows_kept, 2);
}

static void test_array_line(void)
{
    buf b = {0};
    line(&b, "[{'id_str':'1','created_at':'Wed Oct 10 20:19:24 +0000 2018',"
             "'user':{'id_str':'42'}},{'id':'2','author_id':'43',"
             "'created_at':'2020-01-01T00:00:00Z','text':'v2 in array'},7]");
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 2);
    CHECK_STRN(G.posts[1].account.s, G.posts[1].account.n, "43");
    CHECK_STRN(G.posts[1].text.s, G.posts[1].text.n, "v2 in array");
    CHECK_INT(st.rows_read, 3);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_JSON], 1);
}

static void test_sink_error(void)
{
    buf b = {0};
    v1(&b, "1", "");
    v1(&b, "2", "");
    v1(&b, "3", "");
    G.fail_at = 2;
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_EDB);
    G.fail_at = 0;
    CHECK_INT(G.n_posts, 1);
    CHECK_INT(st.rows_kept, 1);
}

static void test_nul_and_depth(void)
{
    buf b = {0}, d = {0};
    v1(&b, "1", "'text':'a\\u0000b'");
    for (int i = 0; i < 200; i++)
        add(&d, "[", 1);
    for (int i = 0; i < 200; i++)
        add(&d, "]", 1);
    line(&b, d.p);
    free(d.p);
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 1);
    CHECK_INT(G.posts[0].text.n, 3);
    CHECK(memcmp(G.posts[0].text.s, "a\0b", 3) == 0);
    CHECK_INT(st.skipped_by_reason[CHORUS_SKIP_BAD_JSON], 1);
}

static int stop_progress(void *ud, const char *stage, uint64_t done, uint64_t total,
                         uint64_t rows)
{
    (void)stage;
    (void)done;
    (void)total;
    (void)rows;
    ++*(int *)ud;
    return 1;
}

static void test_progress_stop(void)
{
    char path[128];
    write_path(path, sizeof path, "many.jsonl");
    buf b = {0};
    for (int i = 0; i < 70000; i++)
        add(&b, "\n", 1);
    v1(&b, "1", "");
    write_plain(path, &b);
    free(b.p);
    chorus_ctx *ctx = chorus_ctx_new(NULL, NULL);
    int calls = 0;
    chorus_set_progress(ctx, stop_progress, &calls);
    ch_source *src = NULL;
    int more = 0;
    CHECK_INT(ch_source_open(ctx, path, &src), CHORUS_OK);
    CHECK_INT(ch_source_next_member(src, &more), CHORUS_OK);
    memset(&G, 0, sizeof G);
    chorus_ingest_stats st = {0};
    ch_sink sink = {&G, t_post, t_account, NULL};
    ch_reader r = {ctx, src, path, NULL, NULL, &sink, &st};
    CHECK_INT(ch_read_jsonl(&r), CHORUS_EUSAGE);
    CHECK_INT(calls, 1);
    CHECK_INT(G.n_posts, 0);
    CHECK(strstr(chorus_errmsg(ctx), "interrupted") != NULL);
    ch_source_close(src);
    chorus_ctx_free(ctx);
    unlink(path);
}

static void test_empty_file(void)
{
    buf b = {0};
    chorus_ingest_stats st;
    CHECK_INT(run(&b, DEF, &st), CHORUS_OK);
    CHECK_INT(G.n_posts, 0);
    CHECK_INT(st.rows_read, 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_json.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_v1_plain);
    RUN(test_v1_retweet);
    RUN(test_v1_extended);
    RUN(test_v1_reply_quote);
    RUN(test_ids_exact);
    RUN(test_v2_page);
    RUN(test_v2_flat);
    RUN(test_bad_lines);
    RUN(test_strict);
    RUN(test_record_limit);
    RUN(test_long_line);
    RUN(test_blank_bom_crlf);
    RUN(test_gzip);
    RUN(test_array_line);
    RUN(test_sink_error);
    RUN(test_nul_and_depth);
    RUN(test_empty_file);
    RUN(test_progress_stop);
    rmdir(tmpdir);
    TEST_END("test_json");
}
