#!/usr/bin/env python3
"""Scores `chorus trace` on a `chorus simulate` folder (docs/quality.md,
"Provenance").

usage: trace_quality.py SIMDIR OUTDIR

OUTDIR is a trace run on SIMDIR (tweets.csv, --docs documents.csv). The
simulator's truth_laundering.csv names every laundered article and "the
first campaign post that used its narrative", which may be a post of
hashtags only: text reuse cannot see that. So the text truth is derived
here: an article is *traceable* when some earlier non-retweet post carries
its narrative's text (shares a 30-character window of a catalogue row,
case-folded), and its earliest witness is the earliest such post (by the
snowflake time; unique when no other carrier has the same millisecond).

Prints: laundering precision (rows whose article is laundered), recall over
traceable verbatim and edited articles (and paraphrases, for reference),
earliest-witness accuracy where unique, agreement with the simulator's
origin post, and span F1 of the laundered passage for verbatim articles.
"""
import csv
import sys
from collections import defaultdict

csv.field_size_limit(1 << 30)
EPOCH = 1288834974657
W = 30


def snow_ms(pid):
    try:
        return (int(pid) >> 22) + EPOCH
    except ValueError:
        return None


def windows(text):
    t = " ".join(text.lower().split())
    return {t[i:i + W] for i in range(0, max(0, len(t) - W + 1))}


def main():
    sim, out = sys.argv[1], sys.argv[2]
    rel, narr = {}, {}
    for r in csv.DictReader(open(f"{sim}/truth_docs.csv")):
        rel[r["id"]], narr[r["id"]] = r["relation"], r["narrative_id"]
    truth = {r["doc_id"]: r["origin_post_id"] for r in csv.DictReader(open(f"{sim}/truth_laundering.csv"))}
    rows = defaultdict(list)
    for r in csv.DictReader(open(f"{sim}/narratives.csv")):
        rows[r["narrative_id"]].append(r["text"])
    win = {n: set().union(*(windows(t) for t in ts)) for n, ts in rows.items()}
    # a cheap prefilter: the first word-4-gram index of each narrative row
    keys = {}
    for n, ts in rows.items():
        for t in ts:
            w = t.lower().split()
            for i in range(len(w) - 3):
                keys.setdefault(" ".join(w[i:i + 4]), set()).add(n)
    carriers = defaultdict(list)  # narrative -> [(ms, post_id)]
    for r in csv.DictReader(open(f"{sim}/tweets.csv")):
        if r["is_retweet"] == "true":
            continue
        text = r["tweet_text"]
        low = " ".join(text.lower().split())
        w = low.split()
        cand = set()
        for i in range(len(w) - 3):
            cand |= keys.get(" ".join(w[i:i + 4]), set())
        for n in cand:
            if any(low[i:i + W] in win[n] for i in range(0, max(0, len(low) - W + 1))):
                carriers[n].append((snow_ms(r["tweetid"]), r["tweetid"]))
    docs = {r["doc_id"]: r for r in csv.DictReader(open(f"{sim}/documents.csv"))}
    from datetime import datetime
    def doc_ms(d):
        return int(datetime.strptime(docs[d]["published"], "%Y-%m-%dT%H:%M:%SZ").timestamp() * 1000) \
            if docs[d]["published"].endswith("Z") else None
    text_origin, unique = {}, {}
    for d in truth:
        n = narr[d]
        before = sorted(c for c in carriers.get(n, []) if c[0] is not None and c[0] < doc_ms(d))
        if before:
            text_origin[d] = before[0][1]
            unique[d] = len(before) == 1 or before[1][0] != before[0][0]
    pred = {}
    for r in csv.DictReader(open(f"{out}/laundering.csv")):
        pred[r["outlet_doc_id"]] = r
    tp = sum(1 for d in pred if d in truth)
    print(f"laundering rows: {len(pred)}; laundered articles in the truth: {len(truth)} "
          f"(traceable by text: {len(text_origin)})")
    print(f"precision (row's article is laundered): {tp}/{len(pred)} = {tp / max(1, len(pred)):.3f}")
    for kinds in (("verbatim", "edited"), ("verbatim",), ("edited",), ("paraphrase",)):
        ds = [d for d in text_origin if rel[d] in kinds]
        hit = sum(1 for d in ds if d in pred)
        print(f"recall, traceable {'+'.join(kinds)}: {hit}/{len(ds)} = {hit / max(1, len(ds)):.3f}")
    un = [d for d in text_origin if d in pred and unique[d]]
    ok = sum(1 for d in un if pred[d]["origin_post_id"] == text_origin[d])
    print(f"earliest witness = earliest carrier post (unique): {ok}/{len(un)} = {ok / max(1, len(un)):.3f}")
    sim_ok = sum(1 for d in pred if d in truth and pred[d]["origin_post_id"] == truth[d])
    print(f"origin = simulator's first campaign use (any post, text or not): {sim_ok}/{tp}")
    f1s = []
    for d, r in pred.items():
        if rel.get(d) != "verbatim":
            continue
        body = docs[d]["text"].encode()
        best = 0.0
        for t in rows[narr[d]]:
            i = body.find(t.encode())
            if i < 0:
                continue
            a, b = i, i + len(t.encode())
            passage = r["passage"].encode()
            j = body.find(passage)
            if j < 0:
                continue
            x, y = j, j + len(passage)
            inter = max(0, min(b, y) - max(a, x))
            if inter:
                p, rc = inter / (y - x), inter / (b - a)
                best = max(best, 2 * p * rc / (p + rc))
        f1s.append(best)
    if f1s:
        print(f"span F1, verbatim articles: mean {sum(f1s) / len(f1s):.3f} over {len(f1s)}")


if __name__ == "__main__":
    main()
