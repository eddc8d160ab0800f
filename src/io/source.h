/*
 * source.h - a byte stream over one input: a plain file, stdin ("-"), or a
 * .gz, .zst or .zip archive, recognised by magic bytes rather than by name.
 * A zip archive yields one member per regular file inside it. Truncated
 * or damaged compressed data is an error naming the file.
 */
#ifndef CH_SOURCE_H
#define CH_SOURCE_H

#include "core/ctx.h"

typedef enum ch_source_kind { CH_SRC_PLAIN, CH_SRC_GZIP, CH_SRC_ZSTD, CH_SRC_ZIP } ch_source_kind;

typedef struct ch_source ch_source;

/* Opens path ("-" for stdin). On error returns the code with the message
 * on ctx and *out == NULL. The caller frees with ch_source_close. */
chorus_rc ch_source_open(chorus_ctx *ctx, const char *path, ch_source **out);

/* Moves to the next member. *more = 0 when there is none. Plain, gzip and
 * zstd inputs have exactly one member, named NULL. */
chorus_rc ch_source_next_member(ch_source *s, int *more);

/* Name of the current member (archive entry) or NULL. */
const char *ch_source_member(const ch_source *s);

/* Reads up to cap bytes of the current member into buf; *got == 0 at its
 * end. A truncated or damaged stream returns CHORUS_EINPUT. */
chorus_rc ch_source_read(ch_source *s, void *buf, size_t cap, size_t *got);

/* Decompressed bytes at the start of the current member (up to 4 KiB,
 * fewer if it is shorter), without consuming them: the next reads return
 * them first. Lets a reader pick the format from the first bytes. */
chorus_rc ch_source_peek(ch_source *s, const char **p, size_t *n);

ch_source_kind ch_source_kind_of(const ch_source *s);

/* Bytes consumed from the underlying file, and its size (0 if unknown). */
uint64_t ch_source_bytes_in(const ch_source *s);
uint64_t ch_source_size(const ch_source *s);

/* Sends the source's errors to ctx from now on (the context of the thread
 * that reads it); returns the one it had. */
chorus_ctx *ch_source_bind(ch_source *s, chorus_ctx *ctx);

/* Path as given. */
const char *ch_source_path(const ch_source *s);

void ch_source_close(ch_source *s);

#endif
