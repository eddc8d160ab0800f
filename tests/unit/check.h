/*
 * check.h - the unit-test harness: CHECK macros count failures inside a
 * test function; RUN counts the function as passed or failed. Each test
 * program ends with the line "name: N passed, N failed".
 */
#ifndef CHORUS_CHECK_H
#define CHORUS_CHECK_H

#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures, tests_passed, tests_failed;

#define CHECK(c)                                                                   \
    do {                                                                           \
        if (!(c)) {                                                                \
            check_failures++;                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
        }                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                 \
    do {                                                                                \
        long long a_ = (long long)(a), b_ = (long long)(b);                             \
        if (a_ != b_) {                                                                 \
            check_failures++;                                                           \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, \
                    a_, b_);                                                            \
        }                                                                               \
    } while (0)

/* Compares a (ptr,len) string with a C string. */
#define CHECK_STRN(p, n, s)                                                              \
    do {                                                                                 \
        const char *p_ = (p), *s_ = (s);                                                 \
        size_t n_ = (n);                                                                 \
        if (n_ != strlen(s_) || (n_ && memcmp(p_, s_, n_) != 0)) {                       \
            check_failures++;                                                            \
            fprintf(stderr, "%s:%d: %s == \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, \
                    #p, (int)n_, p_ ? p_ : "", s_);                                      \
        }                                                                                \
    } while (0)

#define CHECK_STR(a, b) CHECK_STRN((a), strlen(a), (b))

#define RUN(fn)                                                   \
    do {                                                          \
        int before_ = check_failures;                             \
        fn();                                                     \
        if (check_failures == before_)                            \
            tests_passed++;                                       \
        else {                                                    \
            tests_failed++;                                       \
            fprintf(stderr, "FAIL %s\n", #fn);                    \
        }                                                         \
    } while (0)

/* An allocator (chorus_alloc_fn) that fails once check_alloc_budget
 * allocations have been made: for out-of-memory paths (threads too). */
static _Atomic long check_alloc_budget;
static inline void *check_failing_alloc(void *ud, void *p, size_t os, size_t ns)
{
    (void)ud;
    (void)os;
    if (ns == 0) {
        free(p);
        return NULL;
    }
    if (atomic_fetch_sub(&check_alloc_budget, 1) <= 0)
        return NULL;
    return realloc(p, ns);
}

#define TEST_END(name)                                                             \
    do {                                                                           \
        printf("%s: %d passed, %d failed\n", (name), tests_passed, tests_failed); \
        return tests_failed ? 1 : 0;                                               \
    } while (0)

#endif
