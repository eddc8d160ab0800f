#!/usr/bin/env bash
# match_speed.sh - speed of `chorus match`: a synthetic catalogue of
# 10,000 rows (match_gen_catalogue.py, from the simulate folder's own
# texts) against the folder's tweets.csv. Prints the match summary, the
# stage's own time ("elapsed ... (match)", catalogue build included), and
# wall, CPU and peak memory of the whole run (ingest included).
# Usage: bench/match_speed.sh [SIM_DIR (bench/data/sim_medium)] [THREADS (0: all)] [POSTS_SHARE]
# Needs a built chorus (make) and a simulate folder, e.g.
#   build/chorus simulate --out bench/data/sim_medium --posts 1000000 --difficulty medium
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sim=${1:-$root/bench/data/sim_medium}
threads=${2:-0}
share=${3:-0.05}
[ -f "$sim/tweets.csv" ] || { echo "match_speed: no $sim/tweets.csv (see the usage line)"; exit 1; }
cat="$root/bench/data/match_catalogue_10k_$share.csv"
[ -f "$cat" ] || python3 "$root/bench/match_gen_catalogue.py" "$sim" "$cat" 10000 1 "$share"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "match_speed: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), catalogue $(basename "$cat"), $sim"
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M kB" \
    "$root/build/chorus" match -q --threads "$threads" --narratives "$cat" -o "$out" "$sim/tweets.csv" 2>&1 |
    grep -E '^(posts|catalogue|texts|windows|matches|elapsed|wall)'
