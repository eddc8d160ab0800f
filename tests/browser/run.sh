#!/usr/bin/env bash
# The browser test of report.html: runs `chorus analyze` on the bundled
# sample, and on the sample plus a hostile fixture (hostile.csv, then
# hostile.sql adds payload-laden tables and `chorus report` rewrites the
# page), and opens both reports in headless Chromium (report_test.mjs).
# Prints "browser: N passed, N failed". Usage: tests/browser/run.sh BUILD
set -u
build=${1:?usage: tests/browser/run.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
chorus="$root/$build/chorus"
for need in node sqlite3 "${CHROMIUM:-/usr/bin/chromium}"; do
    if ! command -v "$need" >/dev/null; then
        echo "browser: $need missing (run 'bash scripts/setup.sh')"
        echo "browser: 0 passed, 1 failed"
        exit 1
    fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "browser: $1"; echo "browser: 0 passed, 1 failed"; exit 1; }
"$chorus" analyze -q --narratives data/sample/narratives.csv --docs data/sample/documents.csv \
    --exposed data/sample/exposed_accounts.txt data/sample/tweets.csv.gz data/sample/users.csv -o "$tmp/sample" 2> "$tmp/sample.err" || fail "analyze on the sample failed: $(tail -n 3 "$tmp/sample.err")"
"$chorus" analyze -q data/sample/tweets.csv.gz data/sample/users.csv tests/browser/hostile.csv \
    -o "$tmp/hostile" 2> "$tmp/hostile.err" || fail "analyze on the hostile fixture failed: $(tail -n 3 "$tmp/hostile.err")"
sqlite3 "$tmp/hostile/chorus.db" < tests/browser/hostile.sql || fail "hostile.sql failed"
"$chorus" report "$tmp/hostile" 2> "$tmp/report.err" || fail "chorus report failed: $(cat "$tmp/report.err")"
node tests/browser/report_test.mjs "$tmp/sample" "$build/report.png" "$tmp/hostile" "$build/report-hostile.png"
