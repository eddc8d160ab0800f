#!/usr/bin/env bash
# Provenance benchmark (bench/README.md, "Provenance"): `chorus trace` on
# 1 M simulated posts plus 100 k articles, CPU time and peak memory, then
# the quality of its laundering rows against the simulator's truth.
#   bash bench/trace_bench.sh            # data under bench/data/, then the runs
# Variables: TRACE_POSTS (1M), TRACE_SEEDS (20: article files of seeds 1..N,
# 5,000 articles each at 1 M posts), TRACE_CHORUS (build/chorus).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
chorus=${TRACE_CHORUS:-build/chorus}
posts=${TRACE_POSTS:-1M}
seeds=${TRACE_SEEDS:-20}
data=bench/data/trace_$posts
docs=$data/documents_${seeds}x.csv
[ -x "$chorus" ] || make -j2 build/chorus >/dev/null

# 1. Data: the posts of seed 1, and the articles of seeds 1..N (ids made
#    unique with the seed; articles of other seeds launder posts that are
#    not in this corpus: realistic load, no false truth).
[ -f "$data/tweets.csv" ] || "$chorus" simulate -q --posts "$posts" --seed 1 -o "$data"
if [ ! -f "$docs" ]; then
    cp "$data/documents.csv" "$docs.tmp"
    for s in $(seq 2 "$seeds"); do
        t=$(mktemp -d)
        "$chorus" simulate -q --posts "$posts" --seed "$s" -o "$t"
        tail -n +2 "$t/documents.csv" | sed "s/^D\([0-9]\{6\}\),/S${s}D\1,/" >> "$docs.tmp"
        rm -rf "$t"
    done
    mv "$docs.tmp" "$docs"
fi
awk -F, 'NR > 1 && $2 != "" {print $1 "," $2}' "$data/truth_accounts.csv" |
    sed '1i account_id,group_id' > "$data/campaign_groups.csv"

# 2. Speed: CPU seconds (user + sys) and peak RSS of the whole run, ingest
#    included, with the exposed list and the campaign accounts as groups.
out=$(mktemp -d)
/usr/bin/time -f "trace: %e s wall, %U s user, %S s sys, %M KB peak RSS" \
    "$chorus" trace -q "$data/tweets.csv" --docs "$docs" \
    --exposed "$data/exposed_accounts.txt" --groups "$data/campaign_groups.csv" -o "$out"
wc -l "$out"/*.csv

# 3. Quality on the articles of seed 1 (their truth), the same options.
q=$(mktemp -d)
"$chorus" trace -q "$data/tweets.csv" --docs "$data/documents.csv" \
    --groups "$data/campaign_groups.csv" -o "$q"
python3 bench/trace_quality.py "$data" "$q" campaign
echo "-- exposed accounts only (no groups):"
"$chorus" trace -q "$data/tweets.csv" --docs "$data/documents.csv" \
    --exposed "$data/exposed_accounts.txt" -o "$q"
python3 bench/trace_quality.py "$data" "$q" exposed

# 4. Quality on hard data: 200 k posts, seed 3 (more edits and paraphrases).
hard=bench/data/trace_hard_200k
[ -f "$hard/tweets.csv" ] || "$chorus" simulate -q --posts 200k --seed 3 --difficulty hard -o "$hard"
awk -F, 'NR > 1 && $2 != "" {print $1 "," $2}' "$hard/truth_accounts.csv" |
    sed '1i account_id,group_id' > "$hard/campaign_groups.csv"
echo "-- hard, 200 k posts, campaign accounts as groups:"
"$chorus" trace -q "$hard/tweets.csv" --docs "$hard/documents.csv" \
    --groups "$hard/campaign_groups.csv" -o "$q"
python3 bench/trace_quality.py "$hard" "$q" campaign
rm -rf "$out" "$q"
