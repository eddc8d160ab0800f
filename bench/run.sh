#!/usr/bin/env bash
# bench/run.sh - the ingest benchmarks; `make bench` builds, then runs this.
# Generates IO-archive tweets files with build/bench/gen_io into bench/data/
# (kept between runs), then times a raw line scan (wc -l) and
# `chorus ingest FILE --quiet` on each file, plain and compressed, and
# prints a markdown table that is also appended to bench/results.md.
# Settings (environment): BENCH_ROWS="1000000 10000000" row counts,
# BENCH_SEED=1, BENCH_REPEAT=3 (best wall time of N), BENCH_PIN=1 (one
# core via taskset), BENCH_CHORUS=build/chorus, BUILD=build.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
GEN=$BUILD/bench/gen_io
CHORUS=${BENCH_CHORUS:-$BUILD/chorus}
ROWS=${BENCH_ROWS:-1000000 10000000}
SEED=${BENCH_SEED:-1}
REPEAT=${BENCH_REPEAT:-3}
PIN=${BENCH_PIN:-1}
DATA=bench/data
RESULTS=bench/results.md

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
rows_md=()

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$GEN" ] || die "$GEN missing: run 'make bench' (it builds first)"
[ -x "$CHORUS" ] || die "$CHORUS missing: run 'make bench' (it builds first)"

# One core, so that MB/s compares with the single-core target; the last
# CPU, since the first is where interrupts and stray work tend to land.
pin=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null; then
    pin=(taskset -c "$(($(nproc) - 1))")
fi

# Peak RSS: GNU time when present (package `time`), else getrusage from
# python3. Both report kilobytes. The python wrapper also times the child
# itself, so its own start-up is not counted.
if [ -x /usr/bin/time ]; then
    rss_how="GNU time"
else
    command -v python3 >/dev/null || die "need /usr/bin/time (package time) or python3"
    rss_how="python3 getrusage"
    cat > "$tmp/rss.py" <<'EOF'
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as f:
    f.write("%.3f\n%d\n" % (wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
EOF
fi

size_of() { stat -c %s "$1"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# Runs "$@" once: sets T_WALL (s), T_RSS (KiB), T_RC; stderr in $tmp/err.
run_once() {
    local t0 t1
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        if /usr/bin/time -f '%M' -o "$tmp/rss" "${pin[@]}" "$@" >/dev/null 2>"$tmp/err"; then
            T_RC=0; else T_RC=$?; fi
    else
        if python3 "$tmp/rss.py" "$tmp/rss" "${pin[@]}" "$@" 2>"$tmp/err"; then
            T_RC=0; else T_RC=$?; fi
    fi
    t1=$(date +%s%N)
    T_WALL=$(calc '%.3f' "($t1 - $t0) / 1e9")
    [ -x /usr/bin/time ] || T_WALL=$(head -n 1 "$tmp/rss" 2>/dev/null || echo "$T_WALL")
    T_RSS=$(tail -n 1 "$tmp/rss" 2>/dev/null || echo 0)
}

# Best (least) wall time of REPEAT runs, the largest RSS seen. A failed
# run stops the repeats and leaves T_RC non-zero.
run_best() {
    local i best="" rss=0
    for ((i = 0; i < REPEAT; i++)); do
        run_once "$@"
        [ "$T_RC" -eq 0 ] || return 0
        if [ -z "$best" ] || awk "BEGIN { exit !($T_WALL < $best) }"; then best=$T_WALL; fi
        [ "$T_RSS" -gt "$rss" ] && rss=$T_RSS
    done
    T_WALL=$best
    T_RSS=$rss
}

# The generated file is reused while its marker matches: same rows, seed,
# generator source and byte size. Anything else regenerates it.
generate() {
    local n=$1 dir=$DATA/io_$1 want
    want="rows=$n seed=$SEED gen=$(cksum < bench/gen_io.c | cut -d' ' -f1)"
    if [ -f "$dir/tweets.csv" ] && [ -f "$dir/MARKER" ] &&
        [ "$(cat "$dir/MARKER")" = "$want size=$(size_of "$dir/tweets.csv")" ]; then
        echo "bench: reusing $dir/tweets.csv" >&2
        return
    fi
    rm -rf "$dir"
    echo "bench: generating $n rows into $dir" >&2
    "$GEN" --rows "$n" --seed "$SEED" --out "$dir"
    echo "$want size=$(size_of "$dir/tweets.csv")" > "$dir/MARKER"
}

# Compressed copies of the plain file, remade when the plain one is newer.
compress() {
    local f=$1
    if [ ! -f "$f.gz" ] || [ "$f" -nt "$f.gz" ]; then
        echo "bench: gzip -1 $f" >&2
        gzip -1 -c "$f" > "$f.gz.tmp" && mv "$f.gz.tmp" "$f.gz"
    fi
    if command -v zstd >/dev/null && { [ ! -f "$f.zst" ] || [ "$f" -nt "$f.zst" ]; }; then
        echo "bench: zstd $f" >&2
        zstd -q -f -c "$f" > "$f.zst.tmp" && mv "$f.zst.tmp" "$f.zst"
    fi
}

# The raw scan that ingest is compared with: count lines, decompressing
# first for a compressed file (the same work a reader cannot avoid).
raw_scan() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    case $1 in
    *.gz) run_best bash -c 'gzip -dc "$1" | wc -l' _ "$1" ;;
    *.zst) run_best bash -c 'zstd -dc "$1" | wc -l' _ "$1" ;;
    *) run_best wc -l "$1" ;;
    esac
}

# Verdicts against the brief's targets; speed targets only for plain CSV.
verdict() { # file ingest_mbs ratio rss_ratio
    local v=""
    case $1 in
    *.csv)
        awk "BEGIN { exit !($2 < 400) }" && v+="speed<400MB/s "
        awk "BEGIN { exit !($3 > 3) }" && v+="ratio>3 "
        ;;
    esac
    awk "BEGIN { exit !($4 > 1.5) }" && v+="rss>1.5x "
    v=${v% }
    echo "${v:-ok}"
}

# Measures one input: n rows, plain size for MB/s (compressed inputs are
# rated by the bytes they expand to).
bench_file() {
    local f=$1 n=$2 plain=$3 mb raw_s raw_mbs label
    mb=$(calc '%.1f' "$plain / 1e6")
    cat "$f" > /dev/null # warm the page cache: both sides read from memory
    raw_scan "$f"
    [ "$T_RC" -eq 0 ] || die "raw scan of $f failed"
    raw_s=$T_WALL
    raw_mbs=$(calc '%.0f' "$mb / ($raw_s > 0 ? $raw_s : 1e-9)")
    label="${f#"$DATA"/}"
    case $f in *.gz | *.zst) label+=" ($(calc '%.0f' "$(size_of "$f") / 1e6") MB)" ;; esac
    run_best "$CHORUS" ingest "$f" --quiet
    if [ "$T_RC" -ne 0 ]; then
        echo "bench: chorus ingest $f failed (exit $T_RC):" >&2
        tail -n 5 "$tmp/err" >&2
        failed=1
        rows_md+=("| $label | $mb | $n | $raw_s | $raw_mbs | FAILED (exit $T_RC) | | | | | | |")
        return
    fi
    local s=$T_WALL rss_mb mbs rps ratio rss_ratio
    rss_mb=$(calc '%.0f' "$T_RSS / 1024")
    mbs=$(calc '%.0f' "$mb / ($s > 0 ? $s : 1e-9)")
    rps=$(calc '%.0f' "$n / ($s > 0 ? $s : 1e-9)")
    ratio=$(calc '%.2f' "$s / ($raw_s > 0 ? $raw_s : 1e-9)")
    rss_ratio=$(calc '%.2f' "$T_RSS * 1024 / $plain")
    local head="| $label | $mb | $n | $raw_s | $raw_mbs |"
    local v
    v=$(verdict "$f" "$mbs" "$ratio" "$rss_ratio")
    rows_md+=("$head $s | $mbs | $rps | $ratio | $rss_mb | $rss_ratio | $v |")
}

mkdir -p "$DATA"
first=""
for n in $ROWS; do
    generate "$n"
    [ -n "$first" ] || first=$n
done
# The compressed variants use the 1 M file, or the first size when absent.
zrows=$first
for n in $ROWS; do [ "$n" = 1000000 ] && zrows=$n; done
compress "$DATA/io_$zrows/tweets.csv"

avail_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
for n in $ROWS; do
    f=$DATA/io_$n/tweets.csv
    plain=$(size_of "$f")
    if [ "$avail_kb" -gt 0 ] && [ $((plain / 1024)) -gt "$avail_kb" ]; then
        echo "bench: warning: $f is larger than free memory; times include disk reads" >&2
    fi
    echo "bench: measuring $f" >&2
    bench_file "$f" "$n" "$plain"
    if [ "$n" = "$zrows" ]; then
        for z in "$f.gz" "$f.zst"; do
            [ -f "$z" ] || continue
            echo "bench: measuring $z" >&2
            bench_file "$z" "$n" "$plain"
        done
    fi
done

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
ver=$("$CHORUS" --version 2>/dev/null | head -n 1 || true)
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') - $(uname -m), ${cpu:-unknown CPU}, $(nproc) CPUs"
    echo
    echo "${ver:-chorus (version unknown)}; seed $SEED;" \
        "best of $REPEAT; warm page cache; ${pin[*]:-no pinning}; peak RSS by $rss_how." \
        "MB = 10^6 bytes of uncompressed CSV (compressed inputs: size in brackets)."
    echo
    echo "| input | MB | rows | raw scan s | raw MB/s | ingest s | ingest MB/s | rows/s |" \
        "ingest/raw | peak RSS MB | RSS/input | targets |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows_md[@]}"
} > "$tmp/table.md"
cat "$tmp/table.md"
if [ ! -f "$RESULTS" ]; then
    printf '# chorus benchmark results\n\nAppended by bench/run.sh (make bench);' > "$RESULTS"
    printf ' see bench/README.md.\n' >> "$RESULTS"
fi
cat "$tmp/table.md" >> "$RESULTS"
echo "bench: appended to $RESULTS" >&2
exit "$failed"
