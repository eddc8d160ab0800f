#!/usr/bin/env python3
"""match_ct2020.py - `chorus match` on the CLEF 2020 CheckThat! task 2
claim-retrieval set (English tweets and the fact-checked claims they
match), read from ../shared/data/ct2020 (never copied into the project).

The 10,373 verified claims become the catalogue (narrative_id = claim id,
label = the fact-check's title). --catalogue says what a row's text is:
`joined` (the default) the claim and its title as one row; `variants` the
claim and the title as two rows of the same narrative; `claim` the claim
alone. The tweets of one split
become posts. chorus ranks the catalogue for every tweet (--min-score 0
--top 10) and this script prints MAP@5 (as the task's scorer: precision at
each relevant rank up to 5, summed, over the number of relevant claims),
recall@1/5/10, and precision/recall of the thresholded output at several
thresholds (a pair is predicted when its score reaches the threshold).
Temporary CSVs live in a temporary folder that is removed at the end.

Usage: match_ct2020.py [--data DIR] [--split dev|train] [--chorus PATH]
                       [--catalogue joined|variants|claim]
                       [--thresholds 0.3,0.4,...] [--extra "CHORUS ARGS"]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[1:]  # the header


def write_inputs(data, split, kind, tmp):
    cat = os.path.join(tmp, "catalogue.csv")
    with open(cat, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["narrative_id", "label", "text"])
        for r in read_tsv(os.path.join(data, "verified_claims.docs.tsv")):
            if len(r) < 3:
                continue
            if kind == "joined":
                w.writerow([r[0], r[2], r[1] + " " + r[2]])
                continue
            w.writerow([r[0], r[2], r[1]])
            if kind == "variants" and r[2].strip():
                w.writerow([r[0], r[2], r[2]])
    posts = os.path.join(tmp, "posts.csv")
    n = 0
    with open(posts, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "account", "time", "text"])
        for r in read_tsv(os.path.join(data, split, "tweets.queries.tsv")):
            w.writerow([r[0], "ct2020", "2020-01-01T00:00:00Z", r[1]])
            n += 1
    gold = {}
    with open(os.path.join(data, split, "tweet-vclaim-pairs.qrels"), encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                gold.setdefault(p[0], set()).add(p[2])
    return cat, posts, gold, n


def run_chorus(chorus, cat, posts, out, extra):
    cmd = [chorus, "match", "-q", "--map", "id=id,account=account,time=time,text=text",
           "--narratives", cat, "--min-score", "0", "--top", "10", "--explain", "-o", out,
           posts] + extra
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("chorus failed:\n" + p.stderr)
    ranked = {}
    with open(os.path.join(out, "matches.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ranked.setdefault(r["doc_id"], []).append((r["narrative_id"], float(r["score"])))
    return ranked, time.time() - t, p.stderr


def ap_at(ranked, rel, k):
    hits, s = 0, 0.0
    for i, (c, _) in enumerate(ranked[:k]):
        if c in rel:
            hits += 1
            s += hits / (i + 1)
    return s / len(rel) if rel else 0.0


def report(ranked, gold, thresholds):
    q = list(gold)
    mapk = sum(ap_at(ranked.get(t, []), gold[t], 5) for t in q) / len(q)
    print(f"queries {len(q)}, MAP@5 {mapk:.4f}", end="")
    for k in (1, 5, 10):
        r = sum(len({c for c, _ in ranked.get(t, [])[:k]} & gold[t]) / len(gold[t]) for t in q)
        print(f", recall@{k} {r / len(q):.4f}", end="")
    print()
    n_gold = sum(len(g) for g in gold.values())
    print("| threshold | predictions | precision | recall |")
    print("|---:|---:|---:|---:|")
    for th in thresholds:
        pred = [(t, c) for t, lst in ranked.items() for c, s in lst if s >= th]
        right = sum(1 for t, c in pred if c in gold.get(t, ()))
        prec = right / len(pred) if pred else 1.0
        print(f"| {th:.2f} | {len(pred)} | {prec:.3f} | {right / n_gold:.3f} |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "ct2020"))
    ap.add_argument("--split", default="dev")
    ap.add_argument("--chorus", default=os.path.join(here, "..", "build", "chorus"))
    ap.add_argument("--catalogue", default="joined", choices=["joined", "variants", "claim"])
    ap.add_argument("--thresholds", default="0.2,0.3,0.4,0.5,0.6")
    ap.add_argument("--extra", default="")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "verified_claims.docs.tsv")):
        print(f"match_ct2020: no data at {a.data} (../shared/data/ct2020): skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        cat, posts, gold, n = write_inputs(a.data, a.split, a.catalogue, tmp)
        ranked, secs, err = run_chorus(a.chorus, cat, posts, os.path.join(tmp, "out"),
                                       a.extra.split())
    print(f"ct2020 {a.split}: {n} tweets against the claims (catalogue: {a.catalogue}), "
          f"{secs:.2f} s")
    report(ranked, gold, [float(x) for x in a.thresholds.split(",")])


if __name__ == "__main__":
    main()
