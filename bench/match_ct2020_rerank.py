#!/usr/bin/env python3
"""match_ct2020_rerank.py - what re-ranking chorus's candidates with more
features could add on the CheckThat! 2020 claim-retrieval set (the record
of docs/quality.md, "CheckThat! 2020 claim retrieval"): a probe, not a
part of chorus.

chorus ranks the claims for every tweet (--min-score 0 --top 100
--explain: its candidates with BM25, cosine, coverage and fused value);
this script adds features computed here (BM25 over Snowball stems through
the system's libstemmer, idf-weighted coverage of the claim's stems,
ordered pairs of claim words within 3 words of each other in the tweet,
capitalised words and numbers shared, an RM3-style pseudo-relevance
feedback score: BM25 of the 10 heaviest stems of the 5 best-fused claims),
then fits a weighted sum of the features (each divided by the tweet's
best) by coordinate ascent on MAP@5 of the train tweets, and prints train
and dev MAP@5 of each. Needs libstemmer.so.0d (Debian libstemmer0d).

Usage: match_ct2020_rerank.py [--data DIR] [--chorus PATH]
"""
import argparse
import collections
import csv
import ctypes
import math
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import match_ct2020 as ct  # noqa: E402

STOP = set("""a about above after again against all am an and any are as at be because been
before being below between both but by can could d did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in into is it
its itself just ll m me more most my myself no nor not now o of off on once only or other our
ours ourselves out over own re s same she should so some such t than that the their theirs them
themselves then there these they this those through to too under until up ve very was we were
what when where which while who whom why will with would you your yours yourself yourselves rt
via amp""".split())
LINK = re.compile(r"(https?://\S+|pic\.twitter\.com/\S+)")
MENTION = re.compile(r"@(\w+)")
WORD = re.compile(r"[^\W_]+")


class Stemmer:
    def __init__(self):
        lib = ctypes.CDLL("libstemmer.so.0d")
        lib.sb_stemmer_new.restype = ctypes.c_void_p
        lib.sb_stemmer_stem.restype = ctypes.c_char_p
        lib.sb_stemmer_stem.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib, self.s, self.cache = lib, lib.sb_stemmer_new(b"english", None), {}

    def __call__(self, w):
        if w not in self.cache:
            b = w.encode()
            self.cache[w] = self.lib.sb_stemmer_stem(self.s, b, len(b)).decode("utf-8", "replace")
        return self.cache[w]


def words(text):
    """(as written, lower case) of each word; a mention as its handle's parts, as chorus."""
    t = LINK.sub(" ", text)
    t = MENTION.sub(lambda m: " " + re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", m.group(1))
                    .replace("_", " ") + " ", t)
    return [(m.group(0), m.group(0).lower()) for m in WORD.finditer(t)]


class Claims:
    def __init__(self, data, stem):
        self.v, self.df, self.dfs = {}, collections.Counter(), collections.Counter()
        for r in ct.read_tsv(os.path.join(data, "verified_claims.docs.tsv")):
            if len(r) < 3:
                continue
            ws = words(r[1] + " " + r[2])
            c = [w for _, w in ws if w not in STOP]
            st = [stem(w) for w in c]
            self.v[r[0]] = dict(c=set(c), st=st, caps={w for o, w in ws if o[:1].isupper()
                                                       and w not in STOP},
                                nums={w for _, w in ws if w.isdigit()})
            self.df.update(set(c))
            self.dfs.update(set(st))
        self.n = len(self.v)
        self.avg = sum(len(x["st"]) for x in self.v.values()) / self.n

    def idf(self, df, w):
        d = df.get(w, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))

    def bm25(self, q, doc, k1=0.5, b=0.25):
        tf, s = collections.Counter(doc), 0.0
        for w, qw in q.items():
            f = tf.get(w, 0)
            if f:
                s += qw * self.idf(self.dfs, w) * f * (k1 + 1) / (
                    f + k1 * (1 - b + b * len(doc) / self.avg))
        return s


def features(C, stem, text, cands):
    ws = words(text)
    c = [w for _, w in ws if w not in STOP]
    st = [stem(w) for w in c]
    qc, qst = set(c), set(st)
    caps = {w for o, w in ws[1:] if o[:1].isupper() and w not in STOP}
    nums = {w for _, w in ws if w.isdigit()}
    pos = collections.defaultdict(list)
    for i, w in enumerate(st):
        pos[w].append(i)
    fb = collections.Counter()  # the feedback model: stems of the best-fused claims
    for r, cd in enumerate(cands[:5]):
        d = C.v[cd["nid"]]["st"]
        for w, k in collections.Counter(d).items():
            fb[w] += k / max(len(d), 1) / (r + 1)
    fb = dict(fb.most_common(10))
    out = []
    for cd in cands:
        v = C.v[cd["nid"]]
        f = dict(fused=cd["fused"], bm25=cd["bm25"], cosine=cd["cosine"], coverage=cd["score"])
        f["snowball_bm25"] = C.bm25({w: 1 for w in qst}, v["st"])
        tot = sum(C.idf(C.dfs, w) for w in set(v["st"])) or 1
        f["stem_coverage"] = sum(C.idf(C.dfs, w) for w in set(v["st"]) if w in qst) / tot
        hit = wt = 0.0
        for a, b in zip(v["st"], v["st"][1:]):
            g = min(C.idf(C.dfs, a), C.idf(C.dfs, b))
            wt += g
            if any(0 < j - i <= 3 for i in pos.get(a, ()) for j in pos.get(b, ())):
                hit += g
        f["proximity"] = hit / wt if wt else 0
        f["capitals"] = sum(C.idf(C.df, w) for w in caps if w in v["c"])
        cc = v["caps"]
        f["capitals_covered"] = (sum(C.idf(C.df, w) for w in cc if w in qc) /
                                 sum(C.idf(C.df, w) for w in cc)) if cc else 0
        f["numbers"] = len(nums & v["nums"])
        f["prf"] = C.bm25(fb, v["st"])
        out.append(f)
    return out


def queries(a, C, stem, split, tmp):
    os.makedirs(tmp)
    cat, posts, gold, _ = ct.write_inputs(a.data, split, "joined", tmp)
    tweets = {r[0]: r[1] for r in ct.read_tsv(os.path.join(a.data, split, "tweets.queries.tsv"))}
    out = os.path.join(tmp, "out")
    cmd = [a.chorus, "match", "-q", "--map", "id=id,account=account,time=time,text=text",
           "--narratives", cat, "--min-score", "0", "--top", "100", "--explain", "-o", out, posts]
    subprocess.run(cmd, check=True, capture_output=True)
    cands = collections.defaultdict(list)
    with open(os.path.join(out, "matches.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cands[r["doc_id"]].append(dict(nid=r["narrative_id"], fused=float(r["fused"]),
                                           bm25=float(r["bm25"]), cosine=float(r["cosine"]),
                                           score=float(r["score"])))
    Q = []
    for t, rel in gold.items():
        cs = cands.get(t, [])
        F = features(C, stem, tweets[t], cs)
        cols = {}
        for n in (F[0] if F else {}):
            m = max(f[n] for f in F)
            cols[n] = [f[n] / m if m > 0 else 0 for f in F]
        Q.append(([c["nid"] for c in cs], cols, rel))
    return Q


def map5(Q, w):
    tot = 0.0
    for ids, cols, rel in Q:
        s = [sum(wt * cols[n][i] for n, wt in w.items() if wt and n in cols)
             for i in range(len(ids))]
        order = sorted(range(len(ids)), key=lambda i: (-s[i], i))  # ties: chorus's order
        tot += ct.ap_at([(ids[i], 0) for i in order], rel, 5)
    return tot / len(Q)


def ascend(Q, w, names, grid=(0, .05, .1, .2, .3, .5, .75, 1, 1.5, 2)):
    best = map5(Q, w)
    for _ in range(3):
        better = False
        for n in names:
            for g in grid:
                w2 = dict(w, **{n: g})
                s = map5(Q, w2)
                if s > best + 1e-9:
                    best, w, better = s, w2, True
        if not better:
            break
    return w, best


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "ct2020"))
    ap.add_argument("--chorus", default=os.path.join(here, "..", "build", "chorus"))
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "verified_claims.docs.tsv")):
        print(f"match_ct2020_rerank: no data at {a.data}: skipped")
        return
    stem = Stemmer()
    C = Claims(a.data, stem)
    with tempfile.TemporaryDirectory() as tmp:
        T = queries(a, C, stem, "train", os.path.join(tmp, "t"))
        D = queries(a, C, stem, "dev", os.path.join(tmp, "d"))
    names = sorted(T[0][1])
    print("| features (weights fitted on train) | train MAP@5 | dev MAP@5 |")
    print("|---|---:|---:|")
    for n in names:
        print(f"| {n} alone | {map5(T, {n: 1}):.4f} | {map5(D, {n: 1}):.4f} |")
    base = {"bm25": 1, "cosine": 0.75}
    print(f"| bm25 + 0.75 cosine | {map5(T, base):.4f} | {map5(D, base):.4f} |")
    for n in names:
        if n in ("bm25", "cosine"):
            continue
        w, s = ascend(T, dict(base), [n, "cosine"])
        ws = ", ".join(f"{k} {v}" for k, v in w.items() if v)
        print(f"| + {n}: {ws} | {s:.4f} | {map5(D, w):.4f} |")
    w, s = ascend(T, dict(base), [n for n in names if n != "bm25"])
    ws = ", ".join(f"{k} {v}" for k, v in w.items() if v)
    print(f"| all: {ws} | {s:.4f} | {map5(D, w):.4f} |")


if __name__ == "__main__":
    main()
