/*
 * parallel.h - fork and join: one function over an array of work items,
 * item 0 on the calling thread and the others each on a thread of its
 * own, all done on return. The items hold their own results and errors.
 */
#ifndef CH_PARALLEL_H
#define CH_PARALLEL_H

#include <stddef.h>

#define CH_PARALLEL_MAX 64

/* Runs fn(items + t * size) for t in [0, n), n <= CH_PARALLEL_MAX: items
 * 1 .. n-1 on new threads, item 0 here; an item whose thread could not
 * start runs here afterwards, so every item runs once whatever the system
 * allows. fn must not touch another item. */
void ch_parallel(void *(*fn)(void *), void *items, size_t size, unsigned n);

#endif
