#!/usr/bin/env python3
"""mutate.py - a hostile copy of a CSV file for tests/smoke/run.sh: the
header kept, then 1 to 40 damaging edits of the rows drawn from SEED
(bytes flipped, rows cut short or repeated up to 300 times, an opened
quote, bidi overrides and spreadsheet formulas appended, random binary
rows, odd field values). The same SEED gives the same bytes.

Usage: mutate.py SEED < IN.csv > OUT.csv
"""
import random
import sys

ODD_FIELDS = [b"", b"-1", b"99999999999999999999", b"2019-03-01 00:00", b"\xff\xfe",
              b'"a""b"', b"true", b"['#a','#b','#c']", b"=cmd|' /C calc'!A0"]


def damage(rows, rng):
    i = rng.randrange(len(rows))
    r = rows[i]
    k = rng.randrange(8)
    if k == 0 and r:
        r = bytearray(r)
        for _ in range(rng.randint(1, 5)):
            r[rng.randrange(len(r))] = rng.randrange(256)
        rows[i] = bytes(r)
    elif k == 1:
        rows[i] = r[:rng.randrange(len(r) + 1)]
    elif k == 2:
        rows.insert(i, rows[rng.randrange(len(rows))])
    elif k == 3:
        rows[i:i] = [r] * rng.randint(10, 300)
    elif k == 4:
        rows[i] = r.replace(b",", b',"', 1)
    elif k == 5:
        rows[i] = r + b'\xe2\x80\xae=HYPERLINK("x")' * rng.randint(1, 50)
    elif k == 6:
        rows[i] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))
    else:
        f = r.split(b",")
        if len(f) > 5:
            f[rng.randrange(len(f))] = rng.choice(ODD_FIELDS)
            rows[i] = b",".join(f)


def main():
    rng = random.Random(int(sys.argv[1]))
    lines = sys.stdin.buffer.read().split(b"\n")
    header, rows = lines[0], lines[1:] or [b""]
    for _ in range(rng.randint(1, 40)):
        damage(rows, rng)
    sys.stdout.buffer.write(header + b"\n" + b"\n".join(rows))


if __name__ == "__main__":
    main()
