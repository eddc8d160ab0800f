/*
 * fuzz_time.c - libFuzzer target for ch_parse_time and ch_format_time.
 * Whatever parses must format to text that parses back to the same
 * milliseconds, with a valid resolution; abort() otherwise. The input is
 * copied to a heap buffer of exactly its size so ASan sees any overread.
 */
#include "io/time_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    if (size)
        memcpy(p, data, size);
    int64_t ms, back;
    chorus_time_res res, res2;
    if (ch_parse_time(p, size, &ms, &res) == 0) {
        if (res != CHORUS_TIME_MS && res != CHORUS_TIME_SECOND && res != CHORUS_TIME_MINUTE)
            abort();
        char out[32];
        size_t n = ch_format_time(ms, out);
        if (n >= sizeof out || ch_parse_time(out, n, &back, &res2) != 0 || back != ms)
            abort();
    }
    free(p);
    return 0;
}
