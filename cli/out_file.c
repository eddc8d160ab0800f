/*
 * out_file.c - the CSV files the commands write into their output folder.
 * Each is written as DIR/NAME.tmp-PID and renamed onto DIR/NAME only when
 * every file of the run reached the disk and the command succeeded, so a
 * run that fails (disk full, a file-size limit, a later stage's error)
 * leaves the previous run's files whole instead of truncated or mixed.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_out_open(cli_out *o, const char *dir, const char *name, const char *header)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= (int)sizeof o->path ||
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld", o->path, (long)getpid()) >= (int)sizeof o->tmp) {
        cli_error("%s/%s: path too long", dir, name);
        return -1;
    }
    if (!(o->f = fopen(o->tmp, "w"))) {
        cli_error("%s: cannot create %s: %s", o->path, o->tmp, strerror(errno));
        return -1;
    }
    o->open = 1;
    fputs(header, o->f);
    return 0;
}

int cli_out_finish(cli_out *o)
{
    if (!o->f)
        return 0;
    /* errno after a failed write long ago may belong to another call */
    int failed = ferror(o->f) != 0, err = 0;
    if (fclose(o->f) != 0 && !failed)
        failed = 1, err = errno;
    o->f = NULL;
    if (failed)
        cli_error("%s: %s (the previous file, if any, is left as it was)", o->path,
                  err ? strerror(err) : "a write failed");
    return failed ? -1 : 0;
}

int cli_out_commit(cli_out *o, int n, int commit)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (!o[i].open)
            continue;
        if (commit && !bad && rename(o[i].tmp, o[i].path) != 0) {
            cli_error("%s: cannot rename %s onto it: %s", o[i].path, o[i].tmp, strerror(errno));
            bad = -1;
        }
        if (!commit || bad)
            remove(o[i].tmp);
        o[i].open = 0;
    }
    return bad;
}

int cli_out_close(cli_out *o, int n, int commit)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad |= cli_out_finish(&o[i]);
    return cli_out_commit(o, n, commit && !bad) | bad;
}
