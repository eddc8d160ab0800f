#!/usr/bin/env bash
# bench/dedup_bench.sh - the near-duplicate clustering benchmark
# (bench/README.md, section "Near-duplicate clusters"). For each size in
# DEDUP_POSTS it uses simulated data (`chorus simulate`, medium
# difficulty: short posts, copy-pasta campaigns), times `chorus ingest`
# alone and `chorus dedup` (ingest included), with peak RSS, and reads
# the run's counts from its summary. Then the quality check of
# docs/dedup.md: 200k hard posts (seed 3), clusters joined with the truth
# by bench/dedup_quality.py. Prints markdown and appends it to
# bench/dedup_results.md.
#
# Settings (environment):
#   DEDUP_POSTS="1000000 10000000"  sizes (posts)
#   DEDUP_SEED=1  DEDUP_DIFFICULTY=medium
#   DEDUP_REPEAT=N      runs per measurement, least wall and least CPU kept
#                       (default 3 below 5 M posts, 1 from 5 M)
#   DEDUP_LINKAGE=center             --linkage of the timed runs
#   DEDUP_THREADS=N     --threads of the timed runs (default: the CPUs)
#   DEDUP_QUALITY=1     the quality check (0: skip it)
#   DEDUP_CHORUS=PATH   the binary to measure instead of $BUILD/chorus
#   BUILD=build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
CHORUS=${DEDUP_CHORUS:-$BUILD/chorus}
POSTS=${DEDUP_POSTS:-1000000 10000000}
SEED=${DEDUP_SEED:-1}
DIFF=${DEDUP_DIFFICULTY:-medium}
LINKAGE=${DEDUP_LINKAGE:-center}
cpus=$(nproc)
THREADS=${DEDUP_THREADS:-$((cpus > 64 ? 64 : cpus))}
QUALITY=${DEDUP_QUALITY:-1}
DATA=bench/data
RESULTS=bench/dedup_results.md
TARGET_S=180 # 10 M short posts clustered in under 3 minutes

die() { echo "dedup_bench: $*" >&2; exit 1; }
say() { echo "dedup_bench: $*" >&2; }

[ -x /usr/bin/time ] || die "needs GNU time (/usr/bin/time, package time)"
command -v python3 >/dev/null || die "needs python3"
if [ -z "${DEDUP_CHORUS:-}" ]; then make -s "$CHORUS" || die "build failed"; fi
[ -x "$CHORUS" ] || die "$CHORUS missing"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dedup_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out_md=$tmp/tables.md
: > "$out_md"

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
lt() { awk "BEGIN { exit !($1 < $2) }"; }
mb() { calc '%.0f' "$1 / 1024"; }

label_of() { # 10000000 -> 10m, 250000 -> 250k
    local n=$1
    if [ $((n % 1000000)) -eq 0 ]; then echo "$((n / 1000000))m"
    elif [ $((n % 1000)) -eq 0 ]; then echo "$((n / 1000))k"
    else echo "$n"; fi
}

# The data set matches when its manifest has the same posts, seed and
# difficulty (simulate is deterministic for these options).
manifest_ok() { # dir n seed difficulty
    [ -f "$1/tweets.csv" ] && [ -f "$1/manifest.json" ] || return 1
    python3 - "$1/manifest.json" "$2" "$3" "$4" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))["options"]
ok = (o["posts"] == int(sys.argv[2]) and o["seed"] == int(sys.argv[3])
      and o["difficulty"] == sys.argv[4] and o.get("format", "io") == "io")
sys.exit(0 if ok else 1)
EOF
}

# The folder of a data set (the coordination benchmark's, reused read-only
# when it matches), simulated when missing.
data_dir() { # n seed difficulty
    local n=$1 seed=$2 diff=$3 d
    if [ "$n" = 1000000 ] && [ "$diff" = medium ] && [ "$seed" = 1 ] &&
        manifest_ok "$DATA/sim_medium" "$n" "$seed" "$diff"; then
        echo "$DATA/sim_medium"; return
    fi
    d=$DATA/sim_${diff}_$(label_of "$n")
    [ "$seed" = 1 ] || d=${d}_s$seed
    if ! manifest_ok "$d" "$n" "$seed" "$diff"; then
        say "simulating $n posts ($diff, seed $seed) into $d"
        rm -rf "$d"
        "$CHORUS" simulate --out "$d" --posts "$n" --seed "$seed" --difficulty "$diff" --quiet >&2
    fi
    echo "$d"
}

# Runs "$@" once; sets M_WALL, M_CPU (user+sys), M_RSS (KiB), M_RC.
measure_once() {
    local t0 t1 user sys
    t0=$(date +%s%N)
    if /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" > "$tmp/stdout" 2> "$tmp/stderr"; then
        M_RC=0; else M_RC=$?; fi
    t1=$(date +%s%N)
    M_WALL=$(calc '%.2f' "($t1 - $t0) / 1e9")
    read -r user sys M_RSS < <(tail -n 1 "$tmp/time")
    M_CPU=$(calc '%.2f' "$user + $sys")
}

# Best of REPEAT: least wall, least CPU, largest RSS; stderr of the last run.
measure() {
    local w="" c="" r=0 i
    for ((i = 0; i < REPEAT; i++)); do
        rm -rf "$tmp/out"
        measure_once "$@"
        [ "$M_RC" -eq 0 ] || return 0
        if [ -z "$w" ] || lt "$M_WALL" "$w"; then w=$M_WALL; fi
        if [ -z "$c" ] || lt "$M_CPU" "$c"; then c=$M_CPU; fi
        [ "$M_RSS" -gt "$r" ] && r=$M_RSS
    done
    M_WALL=$w M_CPU=$c M_RSS=$r
}

# A number from the dedup summary: the first number after the label.
stat_of() { sed -n "s/^$1 *\([0-9]*\).*/\1/p" "$tmp/stderr" | head -n 1; }

ROWS=()
TARGET_LINE=""
if [ -n "${DEDUP_REPEAT:-}" ]; then REPEAT_NOTE="$DEDUP_REPEAT runs each"
else REPEAT_NOTE="3 runs each below 5 M posts, 1 from 5 M"; fi
for n in $POSTS; do
    dir=$(data_dir "$n" "$SEED" "$DIFF")
    f=$dir/tweets.csv
    if [ -n "${DEDUP_REPEAT:-}" ]; then REPEAT=$DEDUP_REPEAT
    elif [ "$n" -lt 5000000 ]; then REPEAT=3; else REPEAT=1; fi
    say "== $n posts: $f, best of $REPEAT"
    cat "$f" > /dev/null # warm the page cache
    say "ingest"
    measure "$CHORUS" ingest -q "$f"
    [ "$M_RC" -eq 0 ] || die "chorus ingest failed: $(tail -n 3 "$tmp/stderr")"
    ing_wall=$M_WALL ing_cpu=$M_CPU ing_rss=$M_RSS
    say "dedup --linkage $LINKAGE --threads $THREADS"
    measure "$CHORUS" dedup -q --linkage "$LINKAGE" --threads "$THREADS" -o "$tmp/out" "$f"
    [ "$M_RC" -eq 0 ] || die "chorus dedup failed: $(tail -n 3 "$tmp/stderr")"
    texts=$(stat_of texts) distinct=$(stat_of "distinct texts") cand=$(stat_of "candidate pairs")
    compared=$(sed -n 's/^verified pairs *[0-9]* of \([0-9]*\) compared.*/\1/p' "$tmp/stderr")
    joined=$(stat_of "verified pairs") clusters=$(stat_of clusters)
    clustered=$(sed -n 's/^clusters *[0-9]* (\([0-9]*\) posts).*/\1/p' "$tmp/stderr")
    row="| $n | $(calc '%.2f' "$(stat -c %s "$f") / 1e9") | $ing_wall | $ing_cpu | $(mb "$ing_rss") |"
    row+=" $M_WALL | $M_CPU | $(calc '%.2f' "$M_WALL - $ing_wall") | $(calc '%.2f' "$M_CPU - $ing_cpu") |"
    row+=" $(mb "$M_RSS") | $texts | $distinct | $cand | $compared | $joined | $clusters | $clustered |"
    ROWS+=("$row")
    if [ "$n" -ge 10000000 ]; then
        v=missed
        lt "$M_WALL" "$TARGET_S" && v=met
        TARGET_LINE="Target at $n posts: \`chorus dedup\` (ingest included) in $M_WALL s wall, $M_CPU s CPU: under $TARGET_S s $v."
    fi
done
{
    echo
    echo "| posts | GB | ingest wall s | ingest CPU s | ingest RSS MB | dedup wall s | dedup CPU s |" \
        "dedup only wall s | dedup only CPU s | dedup RSS MB | texts | distinct | candidates |" \
        "compared | joined | clusters | clustered posts |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    [ -z "$TARGET_LINE" ] || { echo; echo "$TARGET_LINE"; }
} >> "$out_md"

if [ "$QUALITY" != 0 ]; then
    qdir=$(data_dir 200000 3 hard)
    say "quality: dedup of $qdir"
    REPEAT=1
    measure "$CHORUS" dedup -q --linkage "$LINKAGE" --threads "$THREADS" -o "$tmp/out" "$qdir/tweets.csv"
    [ "$M_RC" -eq 0 ] || die "chorus dedup failed: $(tail -n 3 "$tmp/stderr")"
    {
        echo
        echo "Quality on \`chorus simulate --posts 200000 --seed 3 --difficulty hard\`" \
            "(bench/dedup_quality.py):"
        echo
        echo '```'
        python3 bench/dedup_quality.py "$qdir" "$tmp/out"
        echo '```'
    } >> "$out_md"
fi

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') - dedup, $(uname -m), ${cpu:-unknown CPU}," \
        "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
    echo
    echo "$("$CHORUS" --version 2>/dev/null | head -n 1 || echo chorus); data: \`chorus simulate\`" \
        "--difficulty $DIFF --seed $SEED; warm page cache; --linkage $LINKAGE --threads $THREADS; best of" \
        "$REPEAT_NOTE (the least wall, the least CPU, the largest RSS); CPU = user + sys;" \
        "\"dedup only\" = the dedup run minus \`chorus ingest\` alone; load average at the start:" \
        "$LOAD0 (a loaded machine stretches wall times, not CPU times)."
    cat "$out_md"
} > "$tmp/all.md"
cat "$tmp/all.md"
if [ ! -f "$RESULTS" ]; then
    printf '# chorus near-duplicate benchmark results\n\nAppended by bench/dedup_bench.sh; see bench/README.md.\n' > "$RESULTS"
fi
cat "$tmp/all.md" >> "$RESULTS"
say "appended to $RESULTS"
