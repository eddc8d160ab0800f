#!/usr/bin/env python3
"""eval_accounts.py - scores a list of flagged accounts against the truth of
`chorus simulate` (truth_accounts.csv: account_id,campaign_id,strategy).
Positives are campaign accounts (non-empty campaign_id); everything else is a
negative, split into benign-coordinated (strategy "benign:...") and organic.
Prints one markdown table row, then a readable summary. Standard library only.
"""
import csv
import sys
from collections import Counter

USAGE = "usage: eval_accounts.py TRUTH_ACCOUNTS_CSV FLAGGED_TXT"


def read_truth(path):
    """account_id -> (campaign_id, strategy)."""
    truth = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"account_id", "campaign_id", "strategy"} - set(reader.fieldnames or [])
        if missing:
            sys.exit("eval_accounts: %s lacks column(s) %s" % (path, ", ".join(sorted(missing))))
        for row in reader:
            truth[row["account_id"]] = (row["campaign_id"].strip(), row["strategy"].strip())
    return truth


def read_flagged(path):
    with open(path, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip()}


def klass(campaign, strategy):
    """campaign / benign / organic, as the brief defines them."""
    if campaign:
        return "campaign"
    return "benign" if strategy.startswith("benign:") else "organic"


def share(num, den):
    return num / den if den else 0.0


def score(truth, flagged):
    """Counts per class and per strategy, flagged and total."""
    total, hit = Counter(), Counter()
    by_strat, by_strat_hit = Counter(), Counter()
    for acc, (campaign, strategy) in truth.items():
        k = klass(campaign, strategy)
        total[k] += 1
        key = strategy or "organic"
        by_strat[key] += 1
        if acc in flagged:
            hit[k] += 1
            by_strat_hit[key] += 1
    unknown = len(flagged - truth.keys())
    tp, fp = hit["campaign"], hit["benign"] + hit["organic"] + unknown
    p, r = share(tp, tp + fp), share(tp, total["campaign"])
    f1 = share(2 * p * r, p + r)
    return dict(total=total, hit=hit, by_strat=by_strat, by_strat_hit=by_strat_hit,
                unknown=unknown, tp=tp, fp=fp, p=p, r=r, f1=f1, flagged=len(flagged))


def main(argv):
    if len(argv) != 3:
        sys.exit(USAGE)
    s = score(read_truth(argv[1]), read_flagged(argv[2]))
    total, hit = s["total"], s["hit"]
    ben, org = share(hit["benign"], total["benign"]), share(hit["organic"], total["organic"])
    # campaign accounts | flagged | precision | recall | F1 | benign % | organic %
    print("| %d | %d | %.3f | %.3f | %.3f | %.1f%% | %.2f%% |" % (
        total["campaign"], s["flagged"], s["p"], s["r"], s["f1"], 100 * ben, 100 * org))
    print("accounts  %d (campaign %d, benign-coordinated %d, organic %d)" % (
        sum(total.values()), total["campaign"], total["benign"], total["organic"]))
    print("flagged   %d: %d campaign (true positives), %d benign, %d organic, %d not in truth" % (
        s["flagged"], s["tp"], hit["benign"], hit["organic"], s["unknown"]))
    print("precision %.3f  recall %.3f  F1 %.3f" % (s["p"], s["r"], s["f1"]))
    print("flagged share of benign-coordinated %.1f%%, of organic %.2f%%" % (100 * ben, 100 * org))
    print("by strategy (flagged / accounts):")
    for k in sorted(s["by_strat"]):
        print("  %-24s %6d / %-6d %5.1f%%" % (k, s["by_strat_hit"][k], s["by_strat"][k],
                                              100 * share(s["by_strat_hit"][k], s["by_strat"][k])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
