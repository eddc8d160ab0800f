#!/usr/bin/env bash
# sim_baseline.sh - measures the naive co-retweet detector (issue 3: retweets
# of one post within 60 s, pair weight >= 2, flag every account with an edge)
# on `chorus simulate` data at each difficulty, scores it against the truth,
# prints a markdown table and writes it to bench/sim_baseline.md.
# Env: SIM_POSTS (default 1000000), SIM_SEED (1), SIM_WINDOW (60), SIM_MIN_WEIGHT (2).
set -euo pipefail

BUILD=${BUILD:-build}
CHORUS=$BUILD/chorus
NAIVE=$BUILD/bench/naive_coretweet
POSTS=${SIM_POSTS:-1000000}
SEED=${SIM_SEED:-1}
WINDOW=${SIM_WINDOW:-60}
MINW=${SIM_MIN_WEIGHT:-2}
OUT_MD=bench/sim_baseline.md

die() { echo "sim_baseline: $*" >&2; exit 1; }

make -s "$CHORUS" "$NAIVE" || die "build failed"
"$CHORUS" simulate --help >/dev/null 2>&1 || die "$CHORUS has no working 'simulate' yet"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rows=()
strat_rows=()

# The data set is remade unless its marker (arguments and the chorus binary)
# matches: generation is deterministic, so a match means the same bytes.
simulate() { # difficulty dir
    local want
    want="posts=$POSTS seed=$SEED difficulty=$1 chorus=$(cksum < "$CHORUS" | cut -d' ' -f1)"
    if [ -f "$2/MARKER" ] && [ "$(cat "$2/MARKER")" = "$want" ] && [ -f "$2/tweets.csv" ]; then
        echo "sim_baseline: reusing $2" >&2
        return
    fi
    rm -rf "$2"
    echo "sim_baseline: simulating $POSTS posts, $1, into $2" >&2
    "$CHORUS" simulate --out "$2" --posts "$POSTS" --seed "$SEED" --difficulty "$1" --quiet >&2
    echo "$want" > "$2/MARKER"
}

for d in easy medium hard; do
    dir=bench/data/sim_$d
    simulate "$d" "$dir"
    echo "sim_baseline: naive co-retweet on $dir/tweets.csv" >&2
    "$NAIVE" "$dir/tweets.csv" --window "$WINDOW" --min-weight "$MINW" \
        --out "$dir/naive_flagged.txt" | tee "$tmp/naive_$d" >&2
    python3 bench/eval_accounts.py "$dir/truth_accounts.csv" "$dir/naive_flagged.txt" \
        > "$tmp/eval_$d"
    tail -n +2 "$tmp/eval_$d" >&2
    posts=$(awk '/^posts / { print $2 }' "$tmp/naive_$d")
    secs=$(awk '/^time / { print $(NF-1) }' "$tmp/naive_$d")
    rows+=("| $d | $posts $(head -n 1 "$tmp/eval_$d") $secs |")
    # per strategy: "name flagged/accounts (share)"
    strat_rows+=("| $d | $(awk '/^  / { printf "%s %s/%s (%s) · ", $1, $2, $4, $5 }' \
        "$tmp/eval_$d" | sed 's/ · $//') |")
done

{
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') - naive co-retweet baseline"
    echo
    echo "Command: \`SIM_POSTS=$POSTS bash bench/sim_baseline.sh\` (seed $SEED," \
        "window $WINDOW s, min weight $MINW; $(nproc) CPUs, $(uname -m))."
    echo "Seconds: naive_coretweet wall time, ingest included."
    echo
    echo "| difficulty | posts | campaign accounts | flagged | precision | recall | F1 |" \
        "benign flagged | organic flagged | seconds |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Flagged by strategy (flagged/accounts, share):"
    echo
    echo "| difficulty | by strategy |"
    echo "|---|---|"
    printf '%s\n' "${strat_rows[@]}"
} > "$tmp/table.md"
cat "$tmp/table.md"
cp "$tmp/table.md" "$OUT_MD"
echo "sim_baseline: wrote $OUT_MD" >&2
