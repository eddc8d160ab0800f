#!/usr/bin/env bash
# The program's threads under ThreadSanitizer (a build-tsan folder made by
# `make test`): ingest on two threads into a database, coord computing
# every signal side by side while another thread writes the rows,
# near-duplicate texts on three threads, and the whole analyze job, on the
# bundled sample; plus the unit tests of threaded tweet reading and of
# dedup on 1, 2 and 5 threads. Each must exit 0 with no ThreadSanitizer report.
# Writes BUILD/test-results.txt ("threads: N passed, N failed").
# Usage: tests/threads/run.sh BUILD [--no-fail]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
build=${1:?usage: run.sh BUILD}
nofail=${2:-}
chorus="$root/$build/chorus"
sample="$root/data/sample"
results="$root/$build/test-results.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}
# Some kernels map memory where TSan cannot run; without address
# randomisation it can.
run=()
if "$chorus" --version 2>&1 | grep -q 'FATAL: ThreadSanitizer'; then
    run=(setarch "$(uname -m)" -R)
fi
if [ -x "$chorus" ] && ! "${run[@]}" "$chorus" --version > /dev/null 2> "$tmp/err"; then
    echo "threads: skipped, ThreadSanitizer cannot run on this machine: $(head -c 200 "$tmp/err")"
    echo "threads: 0 passed, 0 failed" | tee "$results"
    exit 0
fi
pass=0 fail=0
check() { # name command...
    local name=$1
    shift
    "${run[@]}" "$@" > /dev/null 2> "$tmp/err"
    local rc=$?
    if [ $rc -eq 0 ] && ! grep -q 'ThreadSanitizer' "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc"; grep -A 12 -m 1 'ThreadSanitizer' "$tmp/err"
    fi
}
if [ ! -x "$chorus" ]; then
    fail=1; echo "threads: no $chorus"
else
    check ingest "$chorus" ingest -q --threads 2 --db "$tmp/i.db" "$sample/tweets.csv.gz"
    check coord "$chorus" coord -q --threads 2 --db "$tmp/c.db" \
        --signals retweet,reply,link,hashtags,fastretweet,tweet,similar -o "$tmp/c" "$sample/tweets.csv.gz"
    check dedup "$chorus" dedup -q --threads 3 -o "$tmp/d" "$sample/tweets.csv.gz"
    check analyze "$chorus" analyze -q --narratives "$sample/narratives.csv" --docs "$sample/documents.csv" \
        --exposed "$sample/exposed_accounts.txt" -o "$tmp/a" "$sample/tweets.csv.gz"
    for t in test_tweet_threads test_dedup; do
        if [ -x "$build/tests/$t" ]; then
            check "$t" "$build/tests/$t"
        fi
    done
fi
echo "threads: $pass passed, $fail failed" | tee "$results"
[ "$fail" -eq 0 ] || [ "$nofail" = --no-fail ]
