#!/usr/bin/env python3
"""Scores `chorus trace` on a `chorus simulate` folder (docs/quality.md,
"Provenance").

usage: trace_quality.py SIMDIR OUTDIR [ORIGINS]

OUTDIR is a trace run on SIMDIR (tweets.csv, --docs documents.csv) whose
laundering origins were ORIGINS: "campaign" (the default: every campaign
account of truth_accounts.csv given as --groups) or "exposed"
(exposed_accounts.txt given as --exposed).

The simulator's truth_laundering.csv names every laundered article and "the
first campaign post that used its narrative", which is often a post of a
link or hashtags only, and the narrative's text is often first posted by
benign accounts repeating a talking point: text cannot attribute those to
the campaign. So the text truth is derived here. A post *carries* a
narrative when it is not a retweet and shares a 30-character window of a
catalogue row (case-folded). A laundered article's *earliest witness* is
the earliest carrier before it (snowflake time; unique when no other
carrier has the same millisecond), unless a verbatim or edited article
carrying the same row came out before that post: then the earliest witness
is that outlet. The article is *text-laundered* when its earliest witness
is a post whose account is an origin (a campaign account, or exposed).

Prints: precision (rows whose article is text-laundered and whose origin is
the earliest witness; and rows whose article the simulator calls
laundered), recall over text-laundered verbatim and edited articles (and
paraphrases, for reference), earliest-witness accuracy where unique, and
span F1 of the laundered passage for verbatim articles.
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
    mode = sys.argv[3] if len(sys.argv) > 3 else "campaign"
    if mode == "exposed":
        origins = {l.strip() for l in open(f"{sim}/exposed_accounts.txt") if l.strip()}
    else:
        origins = {r["account_id"] for r in csv.DictReader(open(f"{sim}/truth_accounts.csv"))
                   if r["campaign_id"]}
    rel, narr = {}, {}
    for r in csv.DictReader(open(f"{sim}/truth_docs.csv")):
        rel[r["id"]], narr[r["id"]] = r["relation"], r["narrative_id"]
    truth = {r["doc_id"]: r["origin_post_id"] for r in csv.DictReader(open(f"{sim}/truth_laundering.csv"))}
    rows = defaultdict(list)
    for r in csv.DictReader(open(f"{sim}/narratives.csv")):
        rows[r["narrative_id"]].append(r["text"])
    # carriers are counted per catalogue row (a language): an article
    # carries one row's text, and only posts of that row witness it
    win = {(n, i): windows(t) for n, ts in rows.items() for i, t in enumerate(ts)}
    # a cheap prefilter: the first word-4-gram index of each narrative row
    keys = {}
    for n, ts in rows.items():
        for t in ts:
            w = t.lower().split()
            for i in range(len(w) - 3):
                keys.setdefault(" ".join(w[i:i + 4]), set()).add((n, ts.index(t)))
    carriers = defaultdict(list)  # (narrative, row) -> [(ms, post_id, account)]
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
                carriers[n].append((snow_ms(r["tweetid"]), r["tweetid"], r["userid"]))
    docs = {r["doc_id"]: r for r in csv.DictReader(open(f"{sim}/documents.csv"))}
    from datetime import datetime
    def doc_ms(d):
        return int(datetime.strptime(docs[d]["published"], "%Y-%m-%dT%H:%M:%SZ").timestamp() * 1000) \
            if docs[d]["published"].endswith("Z") else None
    text_origin, unique, row_of = {}, {}, {}
    for d in truth:
        body = windows(docs[d]["text"])
        row_of[d] = max(((narr[d], i) for i in range(len(rows[narr[d]]))),
                        key=lambda k: len(win[k] & body))
    for d in truth:
        n = row_of[d]
        before = sorted(c for c in carriers.get(n, []) if c[0] is not None and c[0] < doc_ms(d))
        # an earlier article carrying the same text is an earlier witness
        first_doc = min((doc_ms(e) for e in truth if row_of[e] == n and e != d and
                         rel[e] in ("verbatim", "edited") and doc_ms(e) < doc_ms(d)), default=None)
        if before and first_doc is not None and first_doc < before[0][0]:
            continue
        if before and before[0][2] in origins:
            text_origin[d] = before[0][1]
            unique[d] = len(before) == 1 or before[1][0] != before[0][0]
    pred = {}
    for r in csv.DictReader(open(f"{out}/laundering.csv")):
        pred[r["outlet_doc_id"]] = r
    tp = sum(1 for d in pred if d in truth)
    tp_text = sum(1 for d in pred if d in text_origin and pred[d]["origin_post_id"] == text_origin[d])
    print(f"origins: {mode} ({len(origins)} accounts)")
    print(f"laundering rows: {len(pred)}; laundered articles in the truth: {len(truth)}, "
          f"text-laundered (earliest carrier is an origin): {len(text_origin)}")
    print(f"precision (text-laundered, origin = earliest witness): {tp_text}/{len(pred)} = "
          f"{tp_text / max(1, len(pred)):.3f}")
    print(f"precision (the simulator calls the article laundered): {tp}/{len(pred)} = "
          f"{tp / max(1, len(pred)):.3f}")
    for kinds in (("verbatim", "edited"), ("verbatim",), ("edited",), ("paraphrase",)):
        ds = [d for d in text_origin if rel[d] in kinds]
        hit = sum(1 for d in ds if d in pred)
        print(f"recall, text-laundered {'+'.join(kinds)}: {hit}/{len(ds)} = {hit / max(1, len(ds)):.3f}")
    allv = [d for d in truth if rel[d] in ("verbatim", "edited")]
    print(f"recall of the simulator's verbatim+edited (any first carrier): "
          f"{sum(1 for d in allv if d in pred)}/{len(allv)}")
    missed = [d for d in text_origin if d not in pred and rel[d] in ("verbatim", "edited")]
    for d in missed[:int(__import__("os").environ.get("TRACE_SHOW_MISSED", "0"))]:
        print(f"  missed {d} ({rel[d]}, {narr[d]}, {docs[d]['published']}): earliest carrier "
              f"{text_origin[d]}", file=sys.stderr)
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
