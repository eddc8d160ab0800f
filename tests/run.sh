#!/usr/bin/env bash
# Runs every test suite against one build folder (build or build-asan):
# unit test programs, golden CLI tests, the CSV differential test, the
# whole pipeline on damaged input, and (normal build only) the browser
# test of report.html and a short fuzzing run.
# Writes the per-suite counts to BUILD/test-results.txt and prints them.
# Usage: tests/run.sh BUILD [--no-fail]
set -u
build=${1:?usage: tests/run.sh BUILD}
nofail=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
results="$build/test-results.txt"
: > "$results"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

record() { # suite output-file rc
    local line p f
    line=$(grep -E '^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed$' "$2" | tail -n 1)
    if [ -z "$line" ]; then
        echo "$1: 0 passed, 1 failed (no summary line; exit $3)" >> "$results"
        echo "---- $1 printed:"; tail -n 30 "$2"
        return
    fi
    p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/' <<<"$line")
    f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/' <<<"$line")
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$1: $p passed, $f failed" >> "$results"
    if [ "$f" -ne 0 ]; then echo "---- $1 printed:"; tail -n 40 "$2"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    (cd "$root" && "$t") > "$tmp/$name.out" 2>&1
    record "$name" "$tmp/$name.out" $?
done
for s in tests/cli/run.sh tests/diff/run.sh tests/smoke/run.sh; do
    [ -f "$s" ] || continue
    name=$(basename "$(dirname "$s")")
    bash "$s" "$build" > "$tmp/$name.out" 2>&1
    record "$name" "$tmp/$name.out" $?
done
# The report in headless Chromium, once: the page is the same for both
# builds (the ASan build still writes reports in the golden tests).
if [ "$build" = build ] && [ "${BROWSER_TEST:-1}" != 0 ]; then
    bash tests/browser/run.sh "$build" > "$tmp/browser.out" 2>&1
    record browser "$tmp/browser.out" $?
fi
# A short fuzzing run of every parser, once (the fuzz build has its own
# sanitizers): FUZZ_SECONDS per target, 0 to skip.
if [ "$build" = build ] && [ "${FUZZ_SECONDS:-5}" != 0 ]; then
    FUZZ_SECONDS=${FUZZ_SECONDS:-5} bash tests/fuzz/run.sh > "$tmp/fuzz.out" 2>&1
    rc=$?
    ok=$(grep -c ': ok' "$tmp/fuzz.out")
    bad=$(grep -Eic ': (build failed|crash)' "$tmp/fuzz.out")
    if grep -q 'skipping' "$tmp/fuzz.out"; then
        echo "fuzz: skipped ($(head -n 1 "$tmp/fuzz.out"))"
    else
        [ $rc -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
        echo "fuzz: $ok passed, $bad failed" > "$tmp/fuzz.sum"
        record fuzz "$tmp/fuzz.sum" 0
        [ "$bad" -ne 0 ] && tail -n 40 "$tmp/fuzz.out"
    fi
fi
sed "s/^/[$build] /" "$results"
if [ "$nofail" != "--no-fail" ] && grep -qv ' 0 failed$' "$results"; then
    exit 1
fi
exit 0
