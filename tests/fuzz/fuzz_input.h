/*
 * fuzz_input.h - the one temporary file every fuzz target feeds its input
 * through (chorus reads paths, not buffers): named once per process,
 * rewritten for each input, removed at exit.
 */
#ifndef CHORUS_FUZZ_INPUT_H
#define CHORUS_FUZZ_INPUT_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_path[64];

static void fuzz_remove_input(void)
{
    if (fuzz_path[0])
        unlink(fuzz_path);
}

/* Writes data to the temporary file; returns its path, or NULL. */
static const char *fuzz_input_file(const uint8_t *data, size_t size)
{
    if (!fuzz_path[0]) {
        snprintf(fuzz_path, sizeof fuzz_path, "/tmp/chorus-fuzz.XXXXXX");
        int fd = mkstemp(fuzz_path);
        if (fd < 0) {
            fuzz_path[0] = 0;
            return NULL;
        }
        close(fd);
        atexit(fuzz_remove_input);
    }
    int fd = open(fuzz_path, O_WRONLY | O_TRUNC);
    if (fd < 0)
        return NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    return done == size ? fuzz_path : NULL;
}

#endif
