#!/usr/bin/env bash
# The whole pipeline on hostile input: SMOKE_SEEDS damaged copies of a
# slice of the bundled sample (tests/smoke/mutate.py) through `analyze`
# (catalogue, articles, exposed list), `coord` with every signal in raw
# mode and estimated windows, `trace` and `dedup` of damaged articles.
# Bad rows are skipped and counted, so every command must exit 0, and
# under the ASan build print no sanitizer report. The parsers alone are
# fuzzed by tests/fuzz; this covers the stages behind them.
# Usage: tests/smoke/run.sh BUILD
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
chorus="$root/${1:?usage: run.sh BUILD}/chorus"
sample="$root/data/sample"
[ -x "$chorus" ] || { echo "smoke: no $chorus"; echo "smoke: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$sample/tweets.csv.gz" | head -n 2000 > "$tmp/posts.csv"
head -c 200000 "$sample/documents.csv" > "$tmp/docs.csv"
docmap=id=doc_id,account=source,source=source,time=published,text=text,title=title,url=url
pass=0 fail=0
check() { # name rc
    if [ "$2" -eq 0 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: exit $2"; grep -m 5 'Sanitizer\|runtime error\|chorus:' "$tmp/err"
    fi
}
for seed in $(seq 1 "${SMOKE_SEEDS:-8}"); do
    python3 "$here/mutate.py" "$seed" < "$tmp/posts.csv" > "$tmp/p.csv"
    python3 "$here/mutate.py" "$seed" < "$tmp/docs.csv" > "$tmp/d.csv"
    rm -rf "$tmp/o"
    "$chorus" analyze -q --narratives "$sample/narratives.csv" --docs "$tmp/d.csv" \
        --exposed "$sample/exposed_accounts.txt" -o "$tmp/o" "$tmp/p.csv" > /dev/null 2> "$tmp/err"
    check "analyze seed $seed" $?
    "$chorus" coord -q --signals retweet,reply,link,hashtags,fastretweet,tweet,similar \
        --window auto --filter none --min-weight 1 --evidence 0 -o "$tmp/c" "$tmp/p.csv" \
        > /dev/null 2> "$tmp/err"
    check "coord seed $seed" $?
    "$chorus" trace -q "$tmp/p.csv" --docs "$tmp/d.csv" --exposed "$sample/exposed_accounts.txt" \
        --narratives "$sample/narratives.csv" -o "$tmp/t" > /dev/null 2> "$tmp/err"
    check "trace seed $seed" $?
    "$chorus" dedup -q --kind articles --map "$docmap" -o "$tmp/x" "$tmp/d.csv" > /dev/null 2> "$tmp/err"
    check "dedup seed $seed" $?
done
echo "smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
