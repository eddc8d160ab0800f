/*
 * export_actions.c - dumps one signal's actions as CSV for reference
 * implementations outside chorus (the SQL self-join of
 * bench/coord_bench.sh): `account,object,time_ms`, one row per action,
 * account = the corpus account index, object = the signal's dense object
 * id, time_ms = the action time in UTC milliseconds (snowflake-refined),
 * exactly the actions `chorus coord` pairs (docs/coordination.md).
 * With --labels FILE it also writes `object,label` (the post id, canonical
 * URL, hashtag sequence...), and with --accounts FILE `account,id`.
 * With --pairs it then runs chorus_copairs_compute on the same actions in
 * process (--window S, --min-weight N, --max-object-actions N; default 60,
 * 2 and 0 = no bound, the raw semantics) and reports the pair count and the
 * time of that call alone: the co-action kernel without ingest or output.
 * With --actions FILE it reads such an `account,object,time_ms` file
 * instead of ingesting posts (the kernel alone, again and again), and with
 * --dump FILE it writes every field of the kernel's result as text
 * (--evidence keeps the co-actions, --weight-coactions weighs by them), so
 * two builds of the kernel can be compared with cmp.
 * Timings and counts go to stderr.
 */
#include <chorus/actions.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char usage[] =
    "usage: export_actions INPUT... --signal NAME [--out FILE] [--labels FILE]\n"
    "                      [--accounts FILE] [--fast S] [--min-hashtags N] [--link-level url|domain]\n"
    "Writes the actions of signal NAME (retweet, reply, link, hashtags, fastretweet)\n"
    "                      [--pairs [--window S] [--min-weight N] [--max-object-actions N]]\n"
    "                      [--evidence] [--weight-coactions] [--dump FILE]]\n"
    "       export_actions --actions FILE --pairs ... (the kernel on an actions CSV)\n"
    "as CSV account,object,time_ms to --out (default stdout; --out - skips it with\n"
    "--pairs). --pairs also times chorus_copairs_compute on the same actions.\n";

typedef struct args {
    const char *inputs[16];
    int n_inputs;
    const char *out, *labels, *accounts, *actions, *dump;
    chorus_signal sig;
    chorus_action_opts aopt;
    int pairs;
    chorus_copair_opts popt;
} args;

/* Bytes the library holds now and at most since the last reset: the
 * kernel's own peak memory, apart from the corpus and the actions. */
typedef struct heap {
    size_t now, peak;
} heap;

static void *heap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    heap *h = ud;
    if (!nsize) {
        free(ptr);
        h->now -= ptr ? osize : 0;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p) {
        h->now += nsize - (ptr ? osize : 0);
        h->peak = h->now > h->peak ? h->now : h->peak;
    }
    return p;
}

static heap the_heap;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    a->sig = CHORUS_SIG_COUNT;
    chorus_action_defaults(&a->aopt);
    chorus_copair_defaults(&a->popt);
    a->popt.window_ms = 60000;
    a->popt.min_weight = 2;
    a->popt.max_object_actions = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(s, "--signal") && more) {
            int k = chorus_signal_from_name(argv[++i]);
            if (k < 0)
                return -1;
            a->sig = (chorus_signal)k;
        } else if (!strcmp(s, "--out") && more)
            a->out = argv[++i];
        else if (!strcmp(s, "--labels") && more)
            a->labels = argv[++i];
        else if (!strcmp(s, "--accounts") && more)
            a->accounts = argv[++i];
        else if (!strcmp(s, "--actions") && more)
            a->actions = argv[++i];
        else if (!strcmp(s, "--dump") && more)
            a->dump = argv[++i];
        else if (!strcmp(s, "--pairs"))
            a->pairs = 1;
        else if (!strcmp(s, "--evidence"))
            a->popt.keep_evidence = 1;
        else if (!strcmp(s, "--weight-coactions"))
            a->popt.weight_coactions = 1;
        else if (!strcmp(s, "--window") && more)
            a->popt.window_ms = strtoll(argv[++i], NULL, 10) * 1000;
        else if (!strcmp(s, "--min-weight") && more)
            a->popt.min_weight = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(s, "--max-object-actions") && more)
            a->popt.max_object_actions = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(s, "--fast") && more)
            a->aopt.fast_ms = strtoll(argv[++i], NULL, 10) * 1000;
        else if (!strcmp(s, "--min-hashtags") && more)
            a->aopt.min_hashtags = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(s, "--link-level") && more) {
            const char *l = argv[++i];
            if (strcmp(l, "url") && strcmp(l, "domain"))
                return -1;
            a->aopt.link_domain = !strcmp(l, "domain");
        } else if (s[0] == '-' && s[1])
            return -1;
        else if (a->n_inputs < 16)
            a->inputs[a->n_inputs++] = s;
        else
            return -1;
    }
    if (a->popt.window_ms < 0 || a->popt.min_weight < 1)
        return -1;
    if (a->actions)
        return a->pairs && !a->n_inputs ? 0 : -1;
    return a->n_inputs && a->sig != CHORUS_SIG_COUNT ? 0 : -1;
}

/* Decimal digits of v into buf (backwards from end); returns the start. */
static char *put_u64(char *end, uint64_t v)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

static int write_actions(const chorus_action *acts, size_t n, const char *path)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f)
        return -1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fputs("account,object,time_ms\n", f);
    char line[80];
    for (size_t i = 0; i < n; i++) {
        char *end = line + sizeof line, *p = end;
        *--p = '\n';
        int64_t t = acts[i].time_ms;
        p = put_u64(p, t < 0 ? (uint64_t)-t : (uint64_t)t);
        if (t < 0)
            *--p = '-';
        *--p = ',';
        p = put_u64(p, acts[i].object);
        *--p = ',';
        p = put_u64(p, acts[i].account);
        fwrite(p, 1, (size_t)(end - p), f);
    }
    int bad = ferror(f);
    if (path)
        bad |= fclose(f) != 0;
    else
        bad |= fflush(f) != 0;
    return bad ? -1 : 0;
}

/* A CSV field, quoted when it needs to be. */
static void put_field(FILE *f, const char *s, size_t len)
{
    if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
        !memchr(s, '\r', len)) {
        fwrite(s, 1, len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static int write_labels(const chorus_actions *s, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("object,label\n", f);
    uint32_t n = chorus_actions_objects(s);
    for (uint32_t o = 0; o < n; o++) {
        chorus_str l = chorus_actions_label(s, o);
        fprintf(f, "%" PRIu32 ",", o);
        put_field(f, l.ptr, l.len);
        fputc('\n', f);
    }
    return fclose(f) ? -1 : 0;
}

static int write_accounts(const chorus_corpus *c, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("account,id\n", f);
    uint32_t n = chorus_corpus_account_count(c);
    for (uint32_t i = 0; i < n; i++) {
        chorus_account_view v;
        chorus_corpus_account(c, i, &v);
        fprintf(f, "%" PRIu32 ",", i);
        put_field(f, v.id.ptr, v.id.len);
        fputc('\n', f);
    }
    return fclose(f) ? -1 : 0;
}

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Every field of p as text, one line a pair, skipped object and co-action. */
static int dump_pairs(const chorus_copairs *p, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "coactions_seen %" PRIu64 " pairs_seen %" PRIu64 " n %zu skipped %zu evidence %zu\n",
            p->coactions_seen, p->pairs_seen, p->n, p->n_skipped, p->n_evidence);
    for (size_t i = 0; i < p->n; i++) {
        const chorus_copair *q = &p->pairs[i];
        fprintf(f, "p %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRId64 " %" PRId64
                " %" PRId64 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
                q->a, q->b, q->objects, q->coactions, q->first_ms, q->last_ms,
                q->median_delay_ms, q->part_a, q->part_b, q->actions_a, q->actions_b);
    }
    for (size_t i = 0; i < p->n_skipped; i++)
        fprintf(f, "s %" PRIu32 " %" PRIu32 "\n", p->skipped[i].object, p->skipped[i].actions);
    for (size_t i = 0; i < p->n_evidence; i++) {
        const chorus_coaction *e = &p->evidence[i];
        fprintf(f, "e %" PRIu32 " %" PRIu32 " %" PRId64 " %" PRId64 "\n", e->pair, e->object,
                e->time_a, e->time_b);
    }
    return fclose(f) ? -1 : 0;
}

/* User and system CPU seconds of the process so far. */
static void usage_s(double *user, double *sys)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    *user = (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6;
    *sys = (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

/* The co-action kernel alone on acts (reordered), timed; its result
 * written to dump when that is not NULL. */
static int run_pairs(chorus_ctx *ctx, chorus_action *acts, size_t n, const chorus_copair_opts *o,
                     const char *dump)
{
    chorus_copairs p;
    the_heap.peak = the_heap.now;
    size_t before = the_heap.now;
    double u0, s0, u1, s1;
    usage_s(&u0, &s0);
    double w0 = now_s(), c0 = cpu_s();
    if (chorus_copairs_compute(ctx, acts, n, o, &p))
        return fprintf(stderr, "export_actions: %s\n", chorus_errmsg(ctx)), 2;
    double w1 = now_s(), c1 = cpu_s();
    usage_s(&u1, &s1);
    uint64_t weight = 0;
    for (size_t i = 0; i < p.n; i++)
        weight += p.pairs[i].objects;
    fprintf(stderr, "export_actions: pairs %zu weight_sum %" PRIu64 " coactions_seen %" PRIu64 " pairs_seen %" PRIu64
           " set_aside %zu kernel_wall_s %.3f kernel_cpu_s %.3f (user %.3f sys %.3f)"
           " kernel_peak_mb %.1f\n",
           p.n, weight, p.coactions_seen, p.pairs_seen, p.n_skipped, w1 - w0, c1 - c0, u1 - u0,
           s1 - s0, (double)(the_heap.peak - before) / (1 << 20));
    int bad = dump && dump_pairs(&p, dump);
    if (bad)
        fprintf(stderr, "export_actions: cannot write %s\n", dump);
    chorus_copairs_free(ctx, &p);
    return bad;
}

/* The actions of an `account,object,time_ms` file (header first), in a
 * malloc'd array; NULL when the file cannot be read or a row is bad. */
static chorus_action *read_actions(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (!f || !fgets(line, sizeof line, f)) {
        if (f)
            fclose(f);
        return NULL;
    }
    size_t cap = 1 << 16;
    chorus_action *a = malloc(cap * sizeof *a);
    *n = 0;
    while (a && fgets(line, sizeof line, f)) {
        char *p = line, *end;
        unsigned long long acc = strtoull(p, &end, 10), obj = 0;
        long long t = 0;
        int ok = *end == ',';
        if (ok)
            obj = strtoull(p = end + 1, &end, 10), ok = *end == ',';
        if (ok)
            t = strtoll(p = end + 1, &end, 10), ok = *end == '\n' || !*end;
        if (!ok || acc > UINT32_MAX || obj > UINT32_MAX) {
            free(a);
            a = NULL;
            break;
        }
        if (*n == cap) {
            chorus_action *g = realloc(a, 2 * cap * sizeof *a);
            if (!g) {
                free(a);
                a = NULL;
                break;
            }
            a = g, cap *= 2;
        }
        a[(*n)++] = (chorus_action){(uint32_t)acc, (uint32_t)obj, (int64_t)t};
    }
    fclose(f);
    return a;
}

/* --actions: the kernel on the actions of a file. */
static int run_file(chorus_ctx *ctx, const args *a)
{
    size_t n = 0;
    chorus_action *acts = read_actions(a->actions, &n);
    if (!acts)
        return fprintf(stderr, "export_actions: cannot read %s\n", a->actions), 1;
    fprintf(stderr, "export_actions: %zu actions from %s\n", n, a->actions);
    int rc = run_pairs(ctx, acts, n, &a->popt, a->dump);
    free(acts);
    return rc;
}

static int run(chorus_ctx *ctx, chorus_corpus *c, const args *a)
{
    double t0 = now_s();
    for (int i = 0; i < a->n_inputs; i++)
        if (chorus_ingest(c, a->inputs[i], NULL, NULL))
            return fprintf(stderr, "export_actions: %s\n", chorus_errmsg(ctx)), 1;
    double t1 = now_s();
    chorus_actions *s = NULL;
    if (chorus_actions_build(ctx, c, a->sig, &a->aopt, &s))
        return fprintf(stderr, "export_actions: %s\n", chorus_errmsg(ctx)), 1;
    size_t n;
    chorus_action *acts = chorus_actions_data(s, &n);
    double t2 = now_s();
    int rc = 0;
    int skip = a->pairs && a->out && !strcmp(a->out, "-");
    if ((!skip && write_actions(acts, n, a->out)) || (a->labels && write_labels(s, a->labels)) ||
        (a->accounts && write_accounts(c, a->accounts))) {
        fprintf(stderr, "export_actions: cannot write the output\n");
        rc = 1;
    }
    double t3 = now_s();
    fprintf(stderr,
            "export_actions: %s: %zu actions, %" PRIu32 " objects, %" PRIu32
            " accounts; ingest %.2f s, build %.2f s, write %.2f s\n",
            chorus_signal_name(a->sig), n, chorus_actions_objects(s),
            chorus_corpus_account_count(c), t1 - t0, t2 - t1, t3 - t2);
    if (!rc && a->pairs)
        rc = run_pairs(ctx, acts, n, &a->popt, a->dump);
    chorus_actions_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    args a;
    if (parse_args(argc, argv, &a)) {
        fputs(usage, stderr);
        return 1;
    }
    chorus_ctx *ctx = chorus_ctx_new(heap_alloc, &the_heap);
    if (ctx && a.actions) {
        int rc = run_file(ctx, &a);
        chorus_ctx_free(ctx);
        return rc;
    }
    chorus_corpus *c = ctx ? chorus_corpus_new(ctx) : NULL;
    int rc = c ? run(ctx, c, &a) : 2;
    chorus_corpus_free(c);
    chorus_ctx_free(ctx);
    return rc;
}
