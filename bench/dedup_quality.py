#!/usr/bin/env python3
"""dedup_quality.py - how well `chorus dedup` finds the copy-pasta of
`chorus simulate` data (docs/dedup.md, "Quality").

    python3 bench/dedup_quality.py SIMDIR DEDUPDIR

SIMDIR holds tweets.csv, truth_accounts.csv and narratives.csv (from
`chorus simulate`); DEDUPDIR holds clusters.csv (from `chorus dedup`).

A campaign post is a post (not a retweet) by a campaign account whose text
is a copy of one of the narratives: character 5-gram Jaccard >= 0.3 with a
narrative text, after lower-casing and dropping links, tags and spaces
(so camouflage posts of the same accounts do not count). Prints, for the
copy-pasta team (and for every campaign post):
  - recall: campaign posts in a cluster with another account of the same
    campaign;
  - clusters holding copy-pasta posts: how many, their sizes, and their
    purity (share of the cluster's posts that are campaign posts of the
    cluster's main campaign);
  - fragmentation: clusters per (campaign, narrative) operation.
"""
import csv
import re
import sys
from collections import Counter, defaultdict

csv.field_size_limit(1 << 30)


def grams(text):
    t = re.sub(r"https?://\S+|[#@]\S+|\s+", "", text.lower())
    return {t[i:i + 5] for i in range(max(1, len(t) - 4))}


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def main(simdir, dedupdir):
    truth = {}
    with open(f"{simdir}/truth_accounts.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["campaign_id"]:
                truth[r["account_id"]] = (r["campaign_id"], r["strategy"])
    narratives = []
    with open(f"{simdir}/narratives.csv", newline="") as f:
        for r in csv.DictReader(f):
            narratives.append((r["narrative_id"], grams(r["text"])))
    post = {}  # post id -> (account, narrative or None)
    with open(f"{simdir}/tweets.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["is_retweet"] == "true":
                continue
            acc = r["userid"]
            nid = None
            if acc in truth:
                g = grams(r["tweet_text"])
                best = max(narratives, key=lambda n: jaccard(g, n[1]))
                if jaccard(g, best[1]) >= 0.3:
                    nid = best[0]
            post[r["tweetid"]] = (acc, nid)
    clusters = defaultdict(list)
    with open(f"{dedupdir}/clusters.csv", newline="") as f:
        for r in csv.DictReader(f):
            pid = r["post_id"].lstrip("'")
            clusters[int(r["cluster_id"])].append(pid)
    cluster_of = {p: k for k, ps in clusters.items() for p in ps}

    def is_campaign(p):
        acc, nid = post[p]
        return nid is not None

    for label, strategies in (("copypasta", {"copypasta"}), ("every strategy", None)):
        want = [p for p, (acc, nid) in post.items()
                if nid is not None and (strategies is None or truth[acc][1] in strategies)]
        found = 0
        for p in want:
            k = cluster_of.get(p)
            if k is None:
                continue
            camp = truth[post[p][0]][0]
            if any(q != p and is_campaign(q) and truth[post[q][0]][0] == camp
                   and post[q][0] != post[p][0] for q in clusters[k]):
                found += 1
        holding = sorted({cluster_of[p] for p in want if p in cluster_of})
        purities, sizes, pure90, weighted, any_campaign = [], [], 0, 0, 0
        for k in holding:
            ps = clusters[k]
            camps = Counter(truth[post[p][0]][0] for p in ps if is_campaign(p))
            main_n = camps.most_common(1)[0][1] if camps else 0
            pur = main_n / len(ps)
            purities.append(pur)
            sizes.append(len(ps))
            pure90 += pur >= 0.9
            weighted += main_n
            any_campaign += sum(camps.values())
        ops = defaultdict(set)
        for p in want:
            if p in cluster_of:
                ops[(truth[post[p][0]][0], post[p][1])].add(cluster_of[p])
        accounts = {post[p][0] for p in want}
        print(f"== campaign posts of {label}: {len(want)} posts by {len(accounts)} accounts")
        print(f"recall (in a cluster with another account of the campaign): "
              f"{found}/{len(want)} = {found / max(1, len(want)):.3f}")
        print(f"clusters holding them: {len(holding)}; sizes median "
              f"{sorted(sizes)[len(sizes) // 2] if sizes else 0}, max {max(sizes, default=0)}")
        print(f"purity (main campaign's posts / cluster posts): {pure90}/{len(holding)} clusters"
              f" >= 0.9; post-weighted {weighted / max(1, sum(sizes)):.3f}; posts of any"
              f" campaign {any_campaign / max(1, sum(sizes)):.3f}")
        frag = sorted(len(v) for v in ops.values())
        print(f"operations (campaign, narrative): {len(ops)}; clusters per operation median "
              f"{frag[len(frag) // 2] if frag else 0}, max {max(frag, default=0)}")
        print()
    print("clusters holding copy-pasta posts: id size accounts main-campaign other-campaign"
          " not-campaign")
    for k in sorted({cluster_of[p] for p, (acc, nid) in post.items() if nid is not None
                     and truth[acc][1] == "copypasta" and p in cluster_of}):
        ps = clusters[k]
        camps = Counter(truth[post[p][0]][0] for p in ps if is_campaign(p))
        main_n = camps.most_common(1)[0][1] if camps else 0
        n_camp = sum(camps.values())
        print(f"  {k} {len(ps)} {len({post[p][0] for p in ps})} {main_n} {n_camp - main_n}"
              f" {len(ps) - n_camp}")
    total = sum(len(v) for v in clusters.values())
    print(f"all clusters: {len(clusters)} with {total} posts; largest "
          f"{max((len(v) for v in clusters.values()), default=0)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
