#!/usr/bin/env python3
"""Differential test of the chorus CSV reader against Python's csv module.

Generates random RFC 4180 documents from fixed seeds, runs csvdump on each
(plain file, stdin, gzip, gzip cut into tiny members, zstd) and compares every
record's fields and physical start line with csv.reader. Prints the first
mismatch per failing document and ends with "diff: N passed, N failed".
To look at one: csv_diff.py CSVDUMP --only N --keep DIR (keeps its files).
"""
import argparse
import csv
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

N_DOCS = 600
BASE_SEED = 20240611
SPECIAL = b',"\r\n'
# Bytes allowed in an unquoted field: everything but the delimiter, quote
# and line ends; used to map random bytes onto that set.
SAFE_ANY = bytes(b if b not in SPECIAL else ord('x') for b in range(256))
SAFE_ASCII = bytes(32 + (b % 95) if (32 + (b % 95)) not in SPECIAL else ord('y')
                   for b in range(256))
SAFE_ALNUM = bytes(b'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36] for b in range(256))

csv.field_size_limit(sys.maxsize)


def field_bytes(rng, maxlen):
    """One field's raw content (before quoting)."""
    r = rng.random()
    n = min(maxlen, int(rng.expovariate(1 / 8))) if rng.random() < 0.9 else rng.randint(0, maxlen)
    if r < 0.12:
        return b''
    if r < 0.45:
        s = rng.randbytes(n).translate(SAFE_ALNUM)
    elif r < 0.65:
        s = rng.randbytes(n).translate(SAFE_ASCII)
    elif r < 0.80:
        s = rng.randbytes(n).translate(SAFE_ANY)  # high bytes, NUL, invalid UTF-8
    else:
        s = bytearray(rng.randbytes(n).translate(SAFE_ASCII))
        for _ in range(rng.randint(1, 4)):  # needs quoting
            ins = rng.choice([b',', b'"', b'""', b'\n', b'\r\n', b'\r', b'"\n"', b'\xe9\xff'])
            at = rng.randint(0, len(s))
            s[at:at] = ins
        s = bytes(s)
    if rng.random() < 0.15:
        s = b' ' * rng.randint(1, 3) + s
    if rng.random() < 0.15:
        s = s + b' ' * rng.randint(1, 3)
    return s


def quote(field, force):
    if force or any(c in field for c in SPECIAL):
        return b'"' + field.replace(b'"', b'""') + b'"'
    return field


def big_field(rng):
    """A field over 4 MiB, so a record crosses the reader's first buffer."""
    n = rng.randint(4 << 20, 9 << 20)
    if rng.random() < 0.5:
        return rng.randbytes(n), True  # every byte value, quotes included
    return rng.randbytes(n).translate(SAFE_ANY), False


class Doc:
    def __init__(self):
        self.data = bytearray()
        self.records = []  # (start offset, [field bytes])


def add_blank_lines(rng, doc, eol):
    if rng.random() < 0.08:
        for _ in range(rng.randint(1, 3)):
            doc.data += rng.choice([b'\n', b'\r\n', eol])


def make_doc(seed, kind):
    rng = random.Random(seed)
    doc = Doc()
    eol_mode = rng.choice(['lf', 'crlf', 'mixed'])
    nrec = {'small': rng.randint(0, 40), 'medium': rng.randint(100, 400),
            'big': rng.randint(1, 6)}[kind]
    maxlen = {'small': 60, 'medium': 3000, 'big': 200}[kind]
    width = rng.randint(1, 12) if rng.random() < 0.7 else 0  # 0: varying
    qprob = rng.choice([0.0, 0.2, 0.6, 1.0])
    big_at = rng.randrange(nrec) if kind == 'big' else -1
    for i in range(nrec):
        eol = {'lf': b'\n', 'crlf': b'\r\n'}.get(eol_mode) or rng.choice([b'\n', b'\r\n'])
        add_blank_lines(rng, doc, eol)
        nf = width or rng.randint(1, 12)
        fields, parts = [], []
        for j in range(nf):
            if i == big_at and j == nf // 2:
                f, force = big_field(rng)
            else:
                f, force = field_bytes(rng, maxlen), rng.random() < qprob
            # A record of one empty unquoted field is a blank line: quote it.
            force = force or (nf == 1 and not f)
            fields.append(f)
            parts.append(quote(f, force))
        doc.records.append((len(doc.data), fields))
        doc.data += b','.join(parts) + eol
    if doc.records and rng.random() < 0.3:
        add_blank_lines(rng, doc, b'\n')
    elif doc.records and rng.random() < 0.4:
        doc.data = doc.data[:-2] if doc.data.endswith(b'\r\n') else doc.data[:-1]
    doc.data = bytes(doc.data)
    return doc


def doc_kind(i):
    if i % 100 == 7:
        return 'big'
    if i % 6 == 3:
        return 'medium'
    return 'small'


def expected(doc, path):
    """Records per csv.reader with the line each starts on (counted from the
    offsets the generator recorded: 1 + newlines before the record)."""
    with open(path, newline='', encoding='latin-1') as fh:
        rows = [r for r in csv.reader(fh) if r]
    gen = [[f.decode('latin-1') for f in fs] for _, fs in doc.records]
    if rows != gen:
        raise RuntimeError('generator and csv.reader disagree (test bug)')
    lines = [doc.data.count(b'\n', 0, off) + 1 for off, _ in doc.records]
    return list(zip(lines, rows))


def run_dump(tool, arg, stdin_path=None):
    """Runs csvdump on arg; with stdin_path, arg is "-" and stdin is that file."""
    if stdin_path is None:
        p = subprocess.run([tool, arg], capture_output=True, timeout=600)
    else:
        with open(stdin_path, 'rb') as fh:
            p = subprocess.run([tool, arg], stdin=fh, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def write_gzip_chunks(path, data, rng):
    """Writes data as many tiny concatenated gzip members. The source ends a
    read at each member's end, so the CSV reader's buffer ends at these
    (seeded, hence reproducible) places: inside quotes, between a quote
    pair, between CR and LF."""
    with open(path, 'wb') as fh:
        pos = 0
        while pos < len(data):
            n = rng.choice([1, 1, 2, 3, 4, 5, 7, 16, 100])
            fh.write(gzip.compress(data[pos:pos + n], compresslevel=1, mtime=0))
            pos += n


def short(s, at=0):
    lo = max(0, at - 20)
    r = repr(s[lo:lo + 60])
    return ('...' if lo else '') + r + ('...' if len(s) > lo + 60 else '')


def compare(exp, rc, out, err):
    """Returns None when the dump matches, else a description of the first mismatch."""
    if rc != 0:
        return 'csvdump exited %d: %s' % (rc, err.decode('latin-1').strip()[:300])
    got = out.decode('ascii').splitlines()
    for k, (line, fields) in enumerate(exp):
        if k >= len(got):
            return 'record %d (line %d): missing; csvdump gave %d records' % (k, line, len(got))
        g = json.loads(got[k])
        if g['status'] != 'ok':
            return 'record %d (line %d): status %s' % (k, line, g['status'])
        if g['line'] != line:
            return 'record %d: line %d, expected %d' % (k, g['line'], line)
        gf = g['fields']
        if len(gf) != len(fields):
            return 'record %d (line %d): %d fields, expected %d' % (k, line, len(gf), len(fields))
        for j, (a, b) in enumerate(zip(gf, fields)):
            if a != b:
                at = next((x for x in range(min(len(a), len(b))) if a[x] != b[x]),
                          min(len(a), len(b)))
                return ('record %d (line %d) field %d: got %s (len %d), expected %s (len %d)'
                        % (k, line, j, short(a, at), len(a), short(b, at), len(b)))
    if len(got) > len(exp):
        return 'extra record %d: %s' % (len(exp), got[len(exp)][:200])
    return None


def variants(i, doc, path, have_zstd):
    """(name, how) pairs to try for document i; how(tool) -> (rc, out, err)."""
    v = [('plain', lambda t: run_dump(t, path))]
    if i % 2 == 1 and len(doc.data) < (64 << 10):
        chunks = path + '.chunks.gz'
        write_gzip_chunks(chunks, doc.data, random.Random(BASE_SEED ^ (i * 7919)))
        v.append(('gz-chunks', lambda t: run_dump(t, chunks)))
    if i % 25 == 0 or doc_kind(i) == 'big':
        gz = path + '.gz'
        cut = random.Random(i).randint(0, len(doc.data))
        with open(gz, 'wb') as fh:  # two members: concatenated .gz must work
            fh.write(gzip.compress(doc.data[:cut], mtime=0))
            fh.write(gzip.compress(doc.data[cut:], mtime=0))
        v.append(('gz', lambda t: run_dump(t, gz)))
        v.append(('gz-stdin', lambda t: run_dump(t, '-', gz)))
        if have_zstd:
            zst = path + '.zst'
            subprocess.run(['zstd', '-q', '-f', '-o', zst, path], check=True)
            v.append(('zst', lambda t: run_dump(t, zst)))
    if i % 10 == 4:
        v.append(('stdin', lambda t: run_dump(t, '-', path)))
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('csvdump')
    ap.add_argument('--only', type=int, help='run one document')
    ap.add_argument('--keep', help='write documents here and keep them')
    ap.add_argument('--docs', type=int, default=N_DOCS)
    a = ap.parse_args()
    have_zstd = shutil.which('zstd') is not None
    if not have_zstd:
        print('note: zstd command not found; zstd variants skipped')
    work = a.keep or tempfile.mkdtemp(prefix='chorus-diff-')
    os.makedirs(work, exist_ok=True)
    passed = failed = 0
    counts = {}
    try:
        for i in range(a.docs) if a.only is None else [a.only]:
            doc = make_doc(BASE_SEED + i, doc_kind(i))
            path = os.path.join(work, 'doc%04d.csv' % i)
            with open(path, 'wb') as fh:
                fh.write(doc.data)
            problem = None
            try:
                exp = expected(doc, path)
                for name, how in variants(i, doc, path, have_zstd):
                    counts[name] = counts.get(name, 0) + 1
                    msg = compare(exp, *how(a.csvdump))
                    if msg and not problem:
                        problem = '%s: %s' % (name, msg)
            except Exception as e:  # a hang, bad JSON, ...: fail this document only
                problem = 'error: %s: %s' % (type(e).__name__, e)
            if problem:
                failed += 1
                print('FAIL doc %d (%s, %d bytes, %d records) %s'
                      % (i, doc_kind(i), len(doc.data), len(doc.records), problem))
            else:
                passed += 1
            if not a.keep:
                for ext in ('', '.gz', '.zst', '.chunks.gz'):
                    if os.path.exists(path + ext):
                        os.unlink(path + ext)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print('variants run: ' + ', '.join('%s %d' % kv for kv in sorted(counts.items())))
    print('diff: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
