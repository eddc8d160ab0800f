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
feedback score: BM25 of the 10 heaviest stems of the 5 best-fused claims;
with WordNet 3.0's files (Debian wordnet-base, --wordnet DIR): BM25 and
coverage over WordNet lemmas, BM25 of the tweet's lemmas with the lemmas
WordNet relates to them added at a lower weight, and for each relation --
synonyms, derivationally related forms, direct hypernyms -- the
idf-weighted share of the claim's lemmas the tweet lacks but reaches
through it, and of the tweet's lemmas the claim reaches through any),
then fits a weighted sum of the features (each divided by the tweet's
best) by coordinate ascent on MAP@5 of the train tweets, and prints train
and dev MAP@5 of each. Needs libstemmer.so.0d (Debian libstemmer0d).

Usage: match_ct2020_rerank.py [--data DIR] [--chorus PATH] [--wordnet DIR]
                              [--wordnet-expand REL,...] [--wordnet-weight W]
                              [--wordnet-only]
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


POS = ("verb", "noun", "adj", "adv")
RULES = dict(noun=[("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
                   ("shes", "sh"), ("men", "man"), ("ies", "y")],
             verb=[("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
                   ("ing", "e"), ("ing", "")],
             adj=[("er", ""), ("est", ""), ("er", "e"), ("est", "e")], adv=[])
WN_KINDS = ("syn", "syn_all", "deriv", "hyper")
PFILE = dict(n="noun", v="verb", a="adj", s="adj", r="adv")


class WordNet:
    """WordNet 3.0's files as Debian's wordnet-base installs them: the
    morphology (exception lists and morphy's suffix rules) and, for each
    lemma, the lemmas related to it through its synsets: synonyms (the
    other words of its first `senses` synsets, or of all), derivationally
    related forms and pertainyms (lexical pointers + and \\ from this
    word), and the words of the direct hypernyms."""

    def __init__(self, d):
        self.exc, self.index, self.syn, self.cache = {}, {}, {}, {}
        for p in POS:
            self.exc[p] = {}
            for w in self.lines(d, p + ".exc"):
                self.exc[p].setdefault(w[0], w[1])
            self.index[p] = {}
            for w in self.lines(d, "index." + p):  # lemma pos n p_cnt ptrs... 2 counts offsets
                n, pc = int(w[2]), int(w[3])
                self.index[p][w[0]] = w[6 + pc:6 + pc + n]
            for w in self.lines(d, "data." + p):  # offset file type n (word id)* p_cnt ptrs
                n = int(w[3], 16)
                ws = [re.sub(r"\(.*\)$", "", x).lower() for x in w[4:4 + 2 * n:2]]
                k = 4 + 2 * n
                ptrs = [(w[k + 1 + 4 * i], w[k + 2 + 4 * i], PFILE[w[k + 3 + 4 * i]],
                         w[k + 4 + 4 * i]) for i in range(int(w[k]))]
                self.syn[(p, w[0])] = (ws, ptrs)

    @staticmethod
    def lines(d, name):
        """The fields of each line of a WordNet file, without the licence and glosses."""
        with open(os.path.join(d, name), encoding="utf-8") as f:
            for line in f:
                w = line.split(" | ")[0].split()
                if len(w) >= 2 and not line.startswith(" "):
                    yield w

    def lemma(self, w):
        """One base form: an irregular form's base; a verb base for -ing and -ed;
        the word itself when it is a lemma; else the first base morphy's rules find."""
        if w in self.cache:
            return self.cache[w]
        b = next((self.exc[p][w] for p in POS if w in self.exc[p]), None)
        if b is None and w.endswith(("ing", "ed")):
            b = self.ruled(w, ("verb",))
        if b is None and any(w in self.index[p] for p in POS):
            b = w
        if b is None:
            b = self.ruled(w, ("noun", "verb", "adj")) or w
        self.cache[w] = b
        return b

    def ruled(self, w, poss):
        for p in poss:
            for s, r in RULES[p]:
                if w.endswith(s) and len(w) > len(s) + 1 and w[:-len(s)] + r in self.index[p]:
                    return w[:-len(s)] + r
        return None

    def related(self, w, kind, senses=3):
        """The single-word lemmas related to lemma w through `kind`: syn, syn_all, deriv, hyper."""
        out = set()
        for p in POS:
            offs = self.index[p].get(w, [])
            for o in (offs if kind == "syn_all" else offs[:senses]):
                ws, ptrs = self.syn[(p, o)]
                if kind.startswith("syn"):
                    out.update(ws)
                    continue
                me = ws.index(w) + 1 if w in ws else 0
                for sym, to, tp, st in ptrs:
                    if kind == "deriv" and sym in ("+", "\\") and int(st[:2], 16) == me:
                        out.add(self.syn[(tp, to)][0][int(st[2:], 16) - 1])
                    elif kind == "hyper" and sym in ("@", "@i"):
                        out.update(self.syn[(tp, to)][0])
        out.discard(w)
        return {x for x in out if "_" not in x and "-" not in x}


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
            self.v[r[0]] = dict(nid=r[0], c=set(c), cl=c, st=st,
                                caps={w for o, w in ws if o[:1].isupper() and w not in STOP},
                                nums={w for _, w in ws if w.isdigit()})
            self.df.update(set(c))
            self.dfs.update(set(st))
        self.n = len(self.v)
        self.avg = sum(len(x["st"]) for x in self.v.values()) / self.n
        self.wn = None

    def add_wordnet(self, wn):
        """Each claim's WordNet lemmas, and for each relation the claim lemmas that
        a tweet lemma reaches either way (w related to the claim lemma, or it to w)."""
        self.wn, self.dfl, self.inv = wn, collections.Counter(), {k: {} for k in WN_KINDS}
        self.reached, self.claim_reach = {}, {}
        for v in self.v.values():
            v["lem"] = [wn.lemma(w) for w in v["cl"]]
            self.dfl.update(set(v["lem"]))
        self.avgl = sum(len(x["lem"]) for x in self.v.values()) / self.n
        for k in WN_KINDS:
            for lem in self.dfl:
                for t in wn.related(lem, k):
                    self.inv[k].setdefault(t, set()).add(lem)

    def reach(self, lems, k):
        out = set()
        for t in lems:
            key = (t, k)
            if key not in self.reached:
                self.reached[key] = self.wn.related(t, k) | self.inv[k].get(t, set())
            out |= self.reached[key]
        return out

    def idf(self, df, w):
        d = df.get(w, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))

    def bm25(self, q, doc, k1=0.5, b=0.25, df=None, avg=None):
        tf, s = collections.Counter(doc), 0.0
        df, avg = df or self.dfs, avg or self.avg
        for w, qw in q.items():
            f = tf.get(w, 0)
            if f:
                s += qw * self.idf(df, w) * f * (k1 + 1) / (
                    f + k1 * (1 - b + b * len(doc) / avg))
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
    wl = wordnet_query(C, c) if C.wn else None
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
        if C.wn:
            wordnet_features(C, f, v, wl)
        out.append(f)
    return out


def wordnet_query(C, c):
    """The tweet's lemmas, the claim lemmas each relation reaches from them, and
    the expanded query: the lemmas at 1, what C.expand's relations reach at C.weight."""
    lt = {C.wn.lemma(w) for w in c}
    e = {k: C.reach(lt, k) - lt for k in WN_KINDS}
    e["all"] = e["syn"] | e["deriv"] | e["hyper"]
    q = {w: C.weight for w in set().union(*(e[k] for k in C.expand))}
    q.update({w: 1.0 for w in lt})
    return lt, e, q


def wordnet_features(C, f, v, wl):
    """Lemma BM25 and coverage; for each relation, the idf-weighted share of the
    claim's lemmas that the tweet lacks but reaches through WordNet."""
    lt, e, q = wl
    f["lemma_bm25"] = C.bm25({w: 1 for w in lt}, v["lem"], df=C.dfl, avg=C.avgl)
    f["wn_expanded_bm25"] = C.bm25(q, v["lem"], df=C.dfl, avg=C.avgl)
    ls = set(v["lem"])
    idf = {w: C.idf(C.dfl, w) for w in ls}
    tot = sum(idf.values()) or 1
    f["lemma_coverage"] = sum(idf[w] for w in ls if w in lt) / tot
    for k, r in e.items():
        f["wn_" + k] = sum(idf[w] for w in ls - lt if w in r) / tot
    if v["nid"] not in C.claim_reach:  # the lemmas the claim reaches
        C.claim_reach[v["nid"]] = C.reach(ls, "syn") | C.reach(ls, "deriv") | C.reach(ls, "hyper")
    tidf = {w: C.idf(C.dfl, w) for w in lt}
    f["wn_all_tweet"] = sum(tidf[w] for w in lt - ls if w in C.claim_reach[v["nid"]]) / (
        sum(tidf.values()) or 1)


def queries(a, C, stem, split, tmp):
    """Per tweet of the split: chorus's candidate ids, each feature divided by the
    tweet's best, the relevant claims, and the raw features."""
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
        Q.append(([c["nid"] for c in cs], cols, rel, F))
    return Q


def map5(Q, w):
    tot = 0.0
    for ids, cols, rel, _ in Q:
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
    ap.add_argument("--wordnet", default="/usr/share/wordnet",
                    help="WordNet 3.0's files (Debian wordnet-base); absent: no WordNet features")
    ap.add_argument("--wordnet-expand", default="syn,deriv",
                    help="relations whose lemmas wn_expanded_bm25 adds: syn,syn_all,deriv,hyper")
    ap.add_argument("--wordnet-weight", type=float, default=0.5,
                    help="query weight of those lemmas in wn_expanded_bm25")
    ap.add_argument("--wordnet-only", action="store_true",
                    help="print only the WordNet features' rows and the rows for all features")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "verified_claims.docs.tsv")):
        print(f"match_ct2020_rerank: no data at {a.data}: skipped")
        return
    stem = Stemmer()
    C = Claims(a.data, stem)
    if os.path.exists(os.path.join(a.wordnet, "data.noun")):
        C.add_wordnet(WordNet(a.wordnet))
        C.expand, C.weight = a.wordnet_expand.split(","), a.wordnet_weight
    else:
        print(f"match_ct2020_rerank: no WordNet at {a.wordnet} (Debian wordnet-base): "
              "WordNet features skipped")
    with tempfile.TemporaryDirectory() as tmp:
        T = queries(a, C, stem, "train", os.path.join(tmp, "t"))
        D = queries(a, C, stem, "dev", os.path.join(tmp, "d"))
    names = sorted(T[0][1])
    wn = [n for n in names if n.startswith(("wn_", "lemma_"))]
    shown = wn if a.wordnet_only else names
    print("| features (weights fitted on train) | train MAP@5 | dev MAP@5 |")
    print("|---|---:|---:|")
    for n in shown:
        print(f"| {n} alone | {map5(T, {n: 1}):.4f} | {map5(D, {n: 1}):.4f} |")
    base = {"bm25": 1, "cosine": 0.75}
    print(f"| bm25 + 0.75 cosine | {map5(T, base):.4f} | {map5(D, base):.4f} |")
    for n in shown:
        if n in ("bm25", "cosine"):
            continue
        fit(T, D, base, [n, "cosine"], f"+ {n}")
    if wn:
        fit(T, D, base, ["cosine"] + wn, "all WordNet")
    fit(T, D, base, [n for n in names if n != "bm25"], "all")


def fit(T, D, base, names, label):
    w, s = ascend(T, dict(base), names)
    ws = ", ".join(f"{k} {v}" for k, v in w.items() if v)
    print(f"| {label}: {ws} | {s:.4f} | {map5(D, w):.4f} |", flush=True)


if __name__ == "__main__":
    main()
