#!/usr/bin/env python3
"""match_ct2020_ltr.py - what a learned, non-linear re-ranking of chorus's
candidates adds on the CheckThat! 2020 claim-retrieval set (the record of
docs/quality.md, "CheckThat! 2020 claim retrieval"): a probe, not a part of
chorus. The features are those of match_ct2020_rerank.py (chorus's BM25,
cosine, coverage and fused rank; Snowball, proximity, capitals, numbers,
feedback; WordNet), each as the value, the value over the tweet's best and
the value less the top candidate's, plus the candidate's rank. Gradient-
boosted trees and a logistic regression (scikit-learn: Debian python3-sklearn)
learn "is this the tweet's claim" on train; train MAP@5 is measured by 5-fold
cross-validation over tweets, dev MAP@5 by the model fitted on all of train.

Usage: match_ct2020_ltr.py [--data DIR] [--chorus PATH] [--wordnet DIR]
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import match_ct2020 as ct  # noqa: E402
import match_ct2020_rerank as rr  # noqa: E402

TREES = (dict(max_iter=100, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=20),
         dict(max_iter=300, learning_rate=0.03, max_leaf_nodes=4, min_samples_leaf=50),
         dict(max_iter=500, learning_rate=0.02, max_leaf_nodes=8, min_samples_leaf=30,
              l2_regularization=1.0))


def matrix(np, Q, names):
    """One row per (tweet, candidate): features, label, tweet number."""
    X, y, g = [], [], []
    for qi, (ids, cols, rel, raw) in enumerate(Q):
        for i in range(len(ids)):
            X.append([cols[n][i] for n in names] + [raw[i][n] for n in names] +
                     [raw[i][n] - raw[0][n] for n in names] + [i, 1.0 / (i + 1)])
            y.append(1 if ids[i] in rel else 0)
            g.append(qi)
    return np.array(X, dtype=float), np.array(y), np.array(g)


def map5(Q, score, g):
    tot = 0.0
    for qi, (ids, _, rel, _) in enumerate(Q):
        s = score[g == qi]
        order = sorted(range(len(s)), key=lambda i: (-s[i], i))  # ties: chorus's order
        tot += ct.ap_at([(ids[i], 0) for i in order], rel, 5)
    return tot / len(Q)


def cross_validated(np, make, Q, X, y, g, k=5):
    order = np.random.RandomState(1).permutation(len(Q))
    score = np.zeros(len(y))
    for f in range(k):
        held = np.isin(g, order[f::k])
        m = make().fit(X[~held], y[~held])
        score[held] = m.predict_proba(X[held])[:, 1]
    return map5(Q, score, g)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "ct2020"))
    ap.add_argument("--chorus", default=os.path.join(here, "..", "build", "chorus"))
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "verified_claims.docs.tsv")):
        print(f"match_ct2020_ltr: no data at {a.data}: skipped")
        return
    try:
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("match_ct2020_ltr: needs scikit-learn (Debian python3-sklearn): skipped")
        return
    stem = rr.Stemmer()
    C = rr.Claims(a.data, stem)
    if os.path.exists(os.path.join(a.wordnet, "data.noun")):
        C.add_wordnet(rr.WordNet(a.wordnet))
        C.expand, C.weight = ["syn", "deriv"], 0.5
    with tempfile.TemporaryDirectory() as tmp:
        T = rr.queries(a, C, stem, "train", os.path.join(tmp, "t"))
        D = rr.queries(a, C, stem, "dev", os.path.join(tmp, "d"))
    base = {"bm25": 1, "cosine": 0.75}
    print("| model | train MAP@5 (5-fold) | dev MAP@5 |\n|---|---:|---:|")
    print(f"| bm25 + 0.75 cosine (no fit) | {rr.map5(T, base):.4f} | {rr.map5(D, base):.4f} |")
    every = sorted(T[0][1])
    sets = (("chorus's 4", ["bm25", "cosine", "coverage", "fused"]),
            ("no WordNet", [n for n in every if not n.startswith(("wn_", "lemma_"))]),
            ("all", every))
    for label, names in sets:
        Xt, yt, gt = matrix(np, T, names)
        Xd, _, gd = matrix(np, D, names)
        models = [(f"trees {c['max_leaf_nodes']} leaves x {c['max_iter']}",
                   lambda c=c: HistGradientBoostingClassifier(random_state=0, **c)) for c in TREES]
        models.append(("logistic", lambda: LogisticRegression(max_iter=5000)))
        for name, make in models:
            cv = cross_validated(np, make, T, Xt, yt, gt)
            dev = map5(D, make().fit(Xt, yt).predict_proba(Xd)[:, 1], gd)
            print(f"| {label} features, {name} | {cv:.4f} | {dev:.4f} |", flush=True)


if __name__ == "__main__":
    main()
