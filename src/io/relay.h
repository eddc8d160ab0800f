/*
 * relay.h - one input read on two threads: a second thread reads,
 * decompresses and parses; the calling thread receives the rows, problems
 * and progress reports in the order one thread would have made them, so
 * the results do not depend on the thread count.
 */
#ifndef CH_RELAY_H
#define CH_RELAY_H

#include "io/reader.h"

/* ch_read_source with the reading on a second thread: r->sink, the hooks
 * and r->ctx's callbacks are called on this thread only, in the same
 * order and with the same records, counts and errors as ch_read_source.
 * Posts carry hints (record.h). Falls back to ch_read_source when no
 * thread can be started. r->ctx's allocator must be thread-safe. */
chorus_rc ch_read_source_relayed(ch_reader *r, const ch_source_hooks *hooks);

#endif
