/*
 * parallel.c - fork and join over work items (parallel.h): the threads
 * of dedup and match start and end here, so that a thread the system
 * refuses only costs time, never a share of the work.
 */
#include "core/parallel.h"

#include <pthread.h>

void ch_parallel(void *(*fn)(void *), void *items, size_t size, unsigned n)
{
    pthread_t tid[CH_PARALLEL_MAX];
    int started[CH_PARALLEL_MAX] = {0};
    char *item = items;
    n = n > CH_PARALLEL_MAX ? CH_PARALLEL_MAX : n;
    for (unsigned t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, item + t * size) == 0;
    if (n)
        fn(item);
    for (unsigned t = 1; t < n; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fn(item + t * size);
}
