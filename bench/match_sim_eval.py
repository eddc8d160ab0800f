#!/usr/bin/env python3
"""match_sim_eval.py - scores `chorus match` on simulate's documents.

Reads a simulate folder's truth_docs.csv (id,kind,narrative_id,relation)
and a matches.csv written by `chorus match` (best with --min-score 0, so
that every threshold can be tried from one run), and prints, for each
threshold, precision and recall per relation (verbatim, edited,
paraphrase). A prediction is a (document, narrative) pair with a score at
or above the threshold; it is right when the truth names that narrative
for that document.

  precision      right predictions / all predictions
  P(rel)         right predictions on `rel` documents / (those + every wrong
                 prediction on `rel` and unrelated documents): the precision
                 an analyst would see if only that kind of laundering existed
  R(rel)         `rel` documents whose narrative was predicted / `rel` documents

Usage: match_sim_eval.py TRUTH_DOCS MATCHES [THRESHOLD...]
"""
import csv
import sys


def load(truth_path, matches_path):
    truth, rel_of = {}, {}
    with open(truth_path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rel_of[r["id"]] = r["relation"]
            if r["relation"] != "none":
                truth[r["id"]] = r["narrative_id"]
    preds = []
    with open(matches_path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            preds.append((r["doc_id"], r["narrative_id"], float(r["score"])))
    return truth, rel_of, preds


def evaluate(truth, rel_of, preds, t):
    kept = [(d, n) for d, n, s in preds if s >= t]
    right = [(d, n) for d, n in kept if truth.get(d) == n]
    wrong = [(d, n) for d, n in kept if truth.get(d) != n]
    out = {"n": len(kept), "precision": len(right) / len(kept) if kept else 1.0}
    for rel in ("verbatim", "edited", "paraphrase"):
        docs = {d for d, r in rel_of.items() if r == rel}
        hit = {d for d, n in right if d in docs}
        fp = sum(1 for d, n in wrong if rel_of.get(d) in (rel, "none"))
        out["R_" + rel] = len(hit) / len(docs) if docs else 0.0
        out["P_" + rel] = len(hit) / (len(hit) + fp) if hit or fp else 1.0
        out["n_" + rel] = len(docs)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    truth, rel_of, preds = load(sys.argv[1], sys.argv[2])
    ts = [float(x) for x in sys.argv[3:]] or [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7]
    n_none = sum(1 for r in rel_of.values() if r == "none")
    first = evaluate(truth, rel_of, preds, ts[0])
    print(f"documents: verbatim {first['n_verbatim']}, edited {first['n_edited']}, "
          f"paraphrase {first['n_paraphrase']}, unrelated {n_none}")
    print("| threshold | predictions | precision | P verbatim | R verbatim | P edited | "
          "R edited | P paraphrase | R paraphrase |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in ts:
        e = evaluate(truth, rel_of, preds, t)
        print(f"| {t:.2f} | {e['n']} | {e['precision']:.3f} | {e['P_verbatim']:.3f} | "
              f"{e['R_verbatim']:.3f} | {e['P_edited']:.3f} | {e['R_edited']:.3f} | "
              f"{e['P_paraphrase']:.3f} | {e['R_paraphrase']:.3f} |")


if __name__ == "__main__":
    main()
