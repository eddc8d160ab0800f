#!/usr/bin/env bash
# Adds up the per-suite counts of one or more build folders and prints the
# closing line "N passed, N failed"; exits non-zero when anything failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
for b in "$@"; do
    f="$root/$b/test-results.txt"
    if [ ! -f "$f" ]; then failed=$((failed + 1)); echo "$b: no results"; continue; fi
    while read -r line; do
        p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
        q=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
        passed=$((passed + p)); failed=$((failed + q))
    done < "$f"
done
echo "$passed passed, $failed failed" | tee "$root/build/summary.txt"
[ "$failed" -eq 0 ]
