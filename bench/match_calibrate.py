#!/usr/bin/env python3
"""match_calibrate.py - calibrates the threshold of `chorus match` on
labelled copies of real talking points among real hard negatives.

Catalogue: the 10,373 fact-checked claims of ../shared/data/ct2020 (read
from there, never copied into the project), the claim text alone. Texts
(posts), all built here from that data at run time, in a temporary folder:

  verbatim    a claim, pasted into the text of a real tweet (before, after
              or instead of it, at random)
  edited      the same with 2 to 4 edits of the claim: a typo (two letters
              swapped), a word dropped, a filler word inserted, a word in
              capitals, two sentences swapped, a synonym from a small list
  negative    the real tweets of both splits: each is about one claim of
              the catalogue, in its own words (the task's gold pair), and
              many are about stories with several similar claims. A match
              to its gold claim is a paraphrase, not counted either way;
              a match to any other claim is a false positive.

The catalogue repeats itself (the same claim checked twice, with other
quotes or a word changed): claims whose word sets overlap by 70% or more
(Jaccard) count as one talking point, and a pasted copy also carries its
host tweet's own claim. For each threshold it prints the recall of
verbatim and edited copies (of their own claim), the false positives
(matches of a text to a claim it neither copies nor paraphrases) and the
precision of all matches but the paraphrase ones. Deterministic for a
seed. Usage: match_calibrate.py [--data DIR] [--chorus PATH] [--n N] [--seed S]
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

SYNONYMS = {
    "said": "claimed", "says": "claims", "shows": "reveals", "photo": "picture",
    "photograph": "picture", "video": "clip", "president": "leader", "people": "folks",
    "children": "kids", "money": "cash", "big": "large", "large": "huge", "died": "passed away",
    "killed": "murdered", "banned": "outlawed", "government": "administration",
    "announced": "declared", "before": "prior to", "after": "following", "because": "since",
    "woman": "lady", "man": "guy", "new": "recent", "show": "reveal", "truth": "facts",
}
FILLERS = ["really", "actually", "apparently", "literally", "just", "now", "reportedly"]


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))[1:]


def typo(words, rng):
    i = rng.randrange(len(words))
    w = words[i]
    if len(w) > 3:
        j = rng.randrange(len(w) - 1)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]


def edit(text, rng):
    """2 to 4 edits of the kinds listed in the module comment."""
    sents = [s for s in text.replace("? ", "?|").replace(". ", ".|").split("|") if s]
    if len(sents) > 1 and rng.random() < 0.3:
        i = rng.randrange(len(sents) - 1)
        sents[i], sents[i + 1] = sents[i + 1], sents[i]
    words = " ".join(sents).split()
    for _ in range(rng.randint(2, 4)):
        k = rng.randrange(5)
        if k == 0:
            typo(words, rng)
        elif k == 1 and len(words) > 6:
            del words[rng.randrange(len(words))]
        elif k == 2:
            words.insert(rng.randrange(len(words) + 1), rng.choice(FILLERS))
        elif k == 3:
            i = rng.randrange(len(words))
            words[i] = words[i].upper()
        else:
            cand = [i for i, w in enumerate(words) if w.lower().strip(".,") in SYNONYMS]
            if cand:
                i = rng.choice(cand)
                words[i] = SYNONYMS[words[i].lower().strip(".,")]
            else:
                typo(words, rng)
    return " ".join(words)


def word_set(text):
    return set("".join(c if c.isalnum() else " " for c in text.lower()).split())


def near_duplicates(claims, picked):
    """For each picked claim id, the ids of claims with word Jaccard >= 0.7."""
    sets = {r[0]: word_set(r[1]) for r in claims}
    index = {}
    for cid, ws in sets.items():
        for w in ws:
            index.setdefault(w, []).append(cid)
    out = {}
    for cid in picked:
        a = sets[cid]
        rare = sorted(a, key=lambda w: len(index[w]))[:3]
        cands = {c for w in rare for c in index[w]}
        out[cid] = {c for c in cands if len(a & sets[c]) >= 0.7 * len(a | sets[c])}
    return out


def paste(claim, host, rng):
    k = rng.randrange(3)
    return claim if k == 0 else (claim + " " + host if k == 1 else host + " " + claim)


def build(data, n, seed, tmp):
    rng = random.Random(seed)
    claims = [r for r in read_tsv(os.path.join(data, "verified_claims.docs.tsv")) if len(r) >= 2]
    tweets, gold = [], {}
    for split in ("train", "dev"):
        for r in read_tsv(os.path.join(data, split, "tweets.queries.tsv")):
            tweets.append((split + r[0], r[1]))
        with open(os.path.join(data, split, "tweet-vclaim-pairs.qrels"), encoding="utf-8") as f:
            for line in f:
                p = line.split()
                gold.setdefault(split + p[0], set()).add(p[2])
    cat = os.path.join(tmp, "catalogue.csv")
    with open(cat, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["narrative_id", "label", "text"])
        for r in claims:
            w.writerow([r[0], r[2] if len(r) > 2 else "", r[1]])
    truth = {}
    posts = os.path.join(tmp, "posts.csv")
    picked = rng.sample(claims, n)
    dups = near_duplicates(claims, [r[0] for r in picked])
    with open(posts, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "account", "time", "text"])
        for i, r in enumerate(picked):
            hid, host = rng.choice(tweets)
            same = dups[r[0]] | {r[0]}
            w.writerow([f"v{i}", "a", "2020-01-01", paste(r[1], host, rng)])
            truth[f"v{i}"] = ("verbatim", same, gold.get(hid, set()))
            w.writerow([f"e{i}", "a", "2020-01-01", paste(edit(r[1], rng), host, rng)])
            truth[f"e{i}"] = ("edited", same, gold.get(hid, set()))
        for tid, text in tweets:
            w.writerow([tid, "a", "2020-01-01", text])
            truth[tid] = ("negative", set(), gold.get(tid, set()))
    return cat, posts, truth


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "ct2020"))
    ap.add_argument("--chorus", default=os.path.join(here, "..", "build", "chorus"))
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--thresholds", default="0.3,0.4,0.5,0.55,0.6,0.65,0.7,0.8")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.data, "verified_claims.docs.tsv")):
        print(f"match_calibrate: no data at {a.data} (../shared/data/ct2020): skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        cat, posts, truth = build(a.data, a.n, a.seed, tmp)
        out = os.path.join(tmp, "out")
        p = subprocess.run([a.chorus, "match", "-q", "--map",
                            "id=id,account=account,time=time,text=text", "--narratives", cat,
                            "--min-score", "0.2", "-o", out, posts], capture_output=True, text=True)
        if p.returncode:
            sys.exit(p.stderr)
        with open(os.path.join(out, "matches.csv"), newline="", encoding="utf-8") as f:
            hits = [(r["doc_id"], r["narrative_id"], float(r["score"])) for r in csv.DictReader(f)]
    n_kind = {k: sum(1 for v in truth.values() if v[0] == k) for k in ("verbatim", "edited")}
    print(f"catalogue: ct2020 claims; texts: {n_kind['verbatim']} verbatim, {n_kind['edited']} "
          f"edited, {len(truth) - 2 * a.n} real tweets (negatives)")
    print("| threshold | R verbatim | R edited | false positives | paraphrase hits | precision |")
    print("|---:|---:|---:|---:|---:|---:|")
    for t in [float(x) for x in a.thresholds.split(",")]:
        found, fp, para = {"verbatim": set(), "edited": set()}, 0, 0
        for doc, nar, s in hits:
            if s < t:
                continue
            kind, same, para_of = truth[doc]
            if nar in same:
                found[kind].add(doc)
            elif nar in para_of:
                para += 1
            else:
                fp += 1
        tp = len(found["verbatim"]) + len(found["edited"])
        prec = tp / (tp + fp) if tp + fp else 1.0
        print(f"| {t:.2f} | {len(found['verbatim']) / a.n:.3f} | {len(found['edited']) / a.n:.3f} "
              f"| {fp} | {para} | {prec:.3f} |")


if __name__ == "__main__":
    main()
