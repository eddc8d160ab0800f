/*
 * url.c - canonical URLs for the link signal (see actions.h): the same
 * link pushed with different tracking parameters, case, "www." or a
 * fragment must be one object. Only what is certain to be equivalent is
 * folded; paths are kept byte for byte.
 */
#include <chorus/actions.h>

#include <stdlib.h>
#include <string.h>

typedef struct span {
    const char *p;
    size_t n;
} span;

static int starts_ci(span s, const char *prefix)
{
    size_t k = strlen(prefix);
    if (s.n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s.p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != prefix[i])
            return 0;
    }
    return 1;
}

static int is_tracking(span key)
{
    static const char *const exact[] = {"fbclid", "gclid",  "dclid",  "msclkid", "yclid",
                                        "igshid", "ref",    "ref_src", "ref_url", "mc_cid",
                                        "mc_eid", "_ga",    "_gl",     "spm",     "utm"};
    if (starts_ci(key, "utm_"))
        return 1;
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (key.n == strlen(exact[i]) && starts_ci(key, exact[i]))
            return 1;
    return 0;
}

/* Output buffer with an overflow flag. */
typedef struct out {
    char *p;
    size_t n, cap;
    int full;
} out;

static void put(out *o, const char *s, size_t n, int lower)
{
    if (o->n + n > o->cap) {
        o->full = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        o->p[o->n++] = (char)(lower && s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
}

static int cmp_span(const void *x, const void *y)
{
    const span *a = x, *b = y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->p, b->p, n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* The host without userinfo, "www." and a default port. */
static span host_of(span auth, span scheme)
{
    const char *at = memchr(auth.p, '@', auth.n);
    if (at) {
        auth.n -= (size_t)(at + 1 - auth.p);
        auth.p = at + 1;
    }
    if (starts_ci(auth, "www."))
        auth.p += 4, auth.n -= 4;
    const char *colon = auth.n ? memchr(auth.p, ':', auth.n) : NULL;
    if (colon) {
        span port = {colon + 1, (size_t)(auth.p + auth.n - colon - 1)};
        if ((port.n == 2 && !memcmp(port.p, "80", 2) && starts_ci(scheme, "http") && scheme.n == 4) ||
            (port.n == 3 && !memcmp(port.p, "443", 3) && starts_ci(scheme, "https")) || port.n == 0)
            auth.n = (size_t)(colon - auth.p);
    }
    return auth;
}

/* Query parameters without tracking ones, sorted, joined with '&'. */
static void put_query(out *o, span q)
{
    span params[64];
    size_t np = 0;
    const char *p = q.p, *end = q.p + q.n;
    while (p < end && np < 64) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        span prm = {p, (size_t)(e - p)};
        const char *eq = prm.n ? memchr(prm.p, '=', prm.n) : NULL;
        span key = {prm.p, eq ? (size_t)(eq - prm.p) : prm.n};
        if (prm.n && !is_tracking(key))
            params[np++] = prm;
        p = amp ? amp + 1 : end;
    }
    qsort(params, np, sizeof *params, cmp_span);
    for (size_t i = 0; i < np; i++) {
        put(o, i ? "&" : "?", 1, 0);
        put(o, params[i].p, params[i].n, 0);
    }
}

/* Where "://" ends a scheme of letters, digits, '+', '-', '.'; or NULL. */
static const char *scheme_end(span u)
{
    size_t i = 0;
    while (i < u.n && i < 32 &&
           ((u.p[i] >= 'a' && u.p[i] <= 'z') || (u.p[i] >= 'A' && u.p[i] <= 'Z') ||
            (u.p[i] >= '0' && u.p[i] <= '9') || u.p[i] == '+' || u.p[i] == '-' || u.p[i] == '.'))
        i++;
    return i > 0 && i + 3 <= u.n && memcmp(u.p + i, "://", 3) == 0 ? u.p + i : NULL;
}

size_t chorus_url_canonical(const char *url, size_t len, int domain_only, char *buf, size_t cap)
{
    span u = {url, len};
    while (u.n && (*u.p == ' ' || *u.p == '\t'))
        u.p++, u.n--;
    while (u.n && (u.p[u.n - 1] == ' ' || u.p[u.n - 1] == '\t'))
        u.n--;
    const char *sep = scheme_end(u);
    span scheme = sep ? (span){u.p, (size_t)(sep - u.p)} : (span){"http", 4};
    span rest = sep ? (span){sep + 3, (size_t)(u.p + u.n - sep - 3)} : u;
    const char *hash = rest.n ? memchr(rest.p, '#', rest.n) : NULL;
    if (hash)
        rest.n = (size_t)(hash - rest.p);
    size_t a = 0;
    while (a < rest.n && rest.p[a] != '/' && rest.p[a] != '?')
        a++;
    span host = host_of((span){rest.p, a}, scheme);
    if (host.n == 0 || !memchr(host.p, '.', host.n) || scheme.n == 0)
        return 0;
    out o = {buf, 0, cap, 0};
    if (!domain_only) {
        put(&o, scheme.p, scheme.n, 1);
        put(&o, "://", 3, 0);
    }
    put(&o, host.p, host.n, 1);
    if (!domain_only) {
        const char *qm = memchr(rest.p + a, '?', rest.n - a);
        span path = {rest.p + a, qm ? (size_t)(qm - rest.p - a) : rest.n - a};
        put(&o, path.n ? path.p : "/", path.n ? path.n : 1, 0);
        if (qm)
            put_query(&o, (span){qm + 1, (size_t)(rest.p + rest.n - qm - 1)});
    }
    return o.full ? 0 : o.n;
}
