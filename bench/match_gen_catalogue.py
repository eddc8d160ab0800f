#!/usr/bin/env python3
"""match_gen_catalogue.py - a synthetic catalogue for the speed of
`chorus match`: ROWS rows (narrative_id,label,text) made from a simulate
folder's own texts, so that they share words and 4-grams with its posts
the way a real catalogue shares them with real posts (more, in fact: the
simulated texts come from a small vocabulary).

  the folder's narratives.csv, as they are (the planted talking points)
  60%  two consecutive sentences of a news article, one word dropped
  P    a post's text (no retweets) with a word dropped and two swapped
       (P = POSTS_SHARE, 0.05 by default: organic chatter echoed as
       talking points; 0.3 makes a stress test where most posts match)
  rest a word salad of 12-25 words drawn from the articles' vocabulary
Every fifth narrative has a second row (a variant: the same text with
another word dropped). Deterministic for a seed.

Usage: match_gen_catalogue.py SIM_DIR OUT.csv [ROWS (10000)] [SEED (1)] [POSTS_SHARE]
"""
import csv
import itertools
import random
import re
import sys


def drop_word(words, rng):
    if len(words) > 6:
        del words[rng.randrange(len(words))]
    return words


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sim, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    share = float(sys.argv[5]) if len(sys.argv) > 5 else 0.05
    csv.field_size_limit(1 << 24)
    with open(f"{sim}/documents.csv", newline="", encoding="utf-8") as f:
        docs = [r["text"] for r in itertools.islice(csv.DictReader(f), 20000)]
    sents = [s for d in docs for s in re.split(r"(?<=[.!?])\s+", d) if len(s.split()) >= 5]
    with open(f"{sim}/tweets.csv", newline="", encoding="utf-8") as f:
        posts = [r["tweet_text"] for r in itertools.islice(csv.DictReader(f), 300000)
                 if r["is_retweet"] != "true" and len(r["tweet_text"].split()) >= 6]
    vocab = sorted({w for s in sents[:50000] for w in s.split()})
    rows = []
    with open(f"{sim}/narratives.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append((r["narrative_id"], r["label"], r["text"]))
    k = 0
    while len(rows) < n:
        k += 1
        x = rng.random()
        if x < 0.6:
            i = rng.randrange(len(sents) - 1)
            words = drop_word((sents[i] + " " + sents[i + 1]).split(), rng)
        elif x < 0.6 + share:
            words = drop_word(rng.choice(posts).split(), rng)
            if len(words) > 3:
                i = rng.randrange(len(words) - 1)
                words[i], words[i + 1] = words[i + 1], words[i]
        else:
            words = [rng.choice(vocab) for _ in range(rng.randint(12, 25))]
        nid = f"S{k:05d}"
        rows.append((nid, " ".join(words[:4]), " ".join(words)))
        if k % 5 == 0 and len(rows) < n:
            rows.append((nid, " ".join(words[:4]), " ".join(drop_word(list(words), rng))))
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["narrative_id", "label", "text"])
        w.writerows(rows[:n])


if __name__ == "__main__":
    main()
