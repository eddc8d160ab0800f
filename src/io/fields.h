/*
 * fields.h - small parsers for single field values shared by the readers:
 * ids, counts ("0", "0.0", ""), booleans ("True", "false"), list columns
 * in both IO-archive dialects (['a', 'b'] and [a, b]), and the base64
 * pseudonyms the IO archive puts in place of small accounts' ids.
 */
#ifndef CH_FIELDS_H
#define CH_FIELDS_H

#include <chorus/corpus.h>
#include <stdbool.h>

/* Decimal digits only, no sign, fits in 64 bits. 0 on success. */
int ch_parse_u64(const char *p, size_t n, uint64_t *out);

/* A count: "", "12", "12.0" (whole floats only). Empty gives -1. 0 on success. */
int ch_parse_count(const char *p, size_t n, int64_t *out);

/* "true"/"false" in any case, "1"/"0", "" (false). 0 on success. */
int ch_parse_bool(const char *p, size_t n, bool *out);

/* Parses a list column in place (the bytes may be rewritten to drop
 * escapes): "[]", "", "['a', 'b']", "[\"a\", 'b']" or "[a, b]". Writes at
 * most cap items to items and the total number of items to *n (which may
 * exceed cap). Returns 0, or -1 when the text is not such a list. */
int ch_parse_list(char *p, size_t len, chorus_str *items, uint32_t cap, uint32_t *n);

/* True when s looks like an IO-archive pseudonym: 41-44 characters of
 * base64 ([A-Za-z0-9+/]) with optional '=' padding at the end. */
bool ch_is_pseudonym(const char *p, size_t n);

/* Trims ASCII spaces and tabs at both ends. */
static inline chorus_str ch_trim(chorus_str s)
{
    while (s.len && (*s.ptr == ' ' || *s.ptr == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

#endif
