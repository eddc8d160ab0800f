/*
 * fields.c - field value parsers (see fields.h). All are strict: a value
 * either has exactly the expected shape or the caller reports the row.
 * List items are unescaped in place, so no allocation is needed.
 */
#include "fields.h"

#include <string.h>

int ch_parse_u64(const char *p, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return -1;
        /* Only a 20-digit number can overflow: check its last step alone. */
        if (i == 19 && v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int ch_parse_count(const char *p, size_t n, int64_t *out)
{
    if (n == 0) {
        *out = -1;
        return 0;
    }
    size_t i = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    uint64_t v;
    if (i == 0 || i > 18 || ch_parse_u64(p, i, &v))
        return -1;
    if (i < n) { /* "12.0" style: the fraction must be zeros */
        if (p[i] != '.' || i + 1 == n)
            return -1;
        for (size_t j = i + 1; j < n; j++)
            if (p[j] != '0')
                return -1;
    }
    *out = (int64_t)v;
    return 0;
}

int ch_parse_bool(const char *p, size_t n, bool *out)
{
    if (n == 0 || (n == 1 && *p == '0')) {
        *out = false;
        return 0;
    }
    if (n == 1 && *p == '1') {
        *out = true;
        return 0;
    }
    char low[6];
    if (n > 5)
        return -1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    if (n == 4 && memcmp(low, "true", 4) == 0) {
        *out = true;
        return 0;
    }
    if (n == 5 && memcmp(low, "false", 5) == 0) {
        *out = false;
        return 0;
    }
    return -1;
}

/* Reads a Python-repr quoted item at *pp (opening quote q); unescapes in
 * place and stores it. Returns -1 when unterminated. */
static int quoted_item(char *p, size_t len, size_t *pp, chorus_str *item)
{
    char q = p[*pp];
    size_t i = *pp + 1, w = i;
    while (i < len && p[i] != q) {
        if (p[i] == '\\' && i + 1 < len) {
            char c = p[i + 1];
            p[w++] = c == 'n' ? '\n' : c == 't' ? '\t' : c;
            i += 2;
            continue;
        }
        p[w++] = p[i++];
    }
    if (i >= len)
        return -1;
    item->ptr = p + *pp + 1;
    item->len = w - (*pp + 1);
    *pp = i + 1;
    return 0;
}

int ch_parse_list(char *p, size_t len, chorus_str *items, uint32_t cap, uint32_t *n)
{
    *n = 0;
    chorus_str all = ch_trim((chorus_str){p, len});
    if (all.len == 0)
        return 0;
    if (all.len < 2 || all.ptr[0] != '[' || all.ptr[all.len - 1] != ']')
        return -1;
    size_t start = (size_t)(all.ptr - p) + 1, end = start + all.len - 2;
    size_t i = start;
    while (i < end) {
        while (i < end && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i >= end)
            break;
        chorus_str item;
        if (p[i] == '\'' || p[i] == '"') {
            if (quoted_item(p, end, &i, &item))
                return -1;
            while (i < end && p[i] == ' ')
                i++;
            if (i < end && p[i] != ',')
                return -1;
        } else {
            size_t s = i;
            while (i < end && p[i] != ',')
                i++;
            item = ch_trim((chorus_str){p + s, i - s});
        }
        if (*n < cap)
            items[*n] = item;
        (*n)++;
        if (i < end)
            i++; /* the comma */
    }
    return 0;
}

bool ch_is_pseudonym(const char *p, size_t n)
{
    if (n < 41 || n > 44)
        return false;
    size_t body = n;
    while (body > 0 && p[body - 1] == '=' && n - body < 2)
        body--;
    if (body < 40)
        return false;
    for (size_t i = 0; i < body; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return true;
}
