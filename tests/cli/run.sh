#!/usr/bin/env bash
# Golden tests of the chorus program, as jq and igraph keep them: each
# folder under cases/ holds `cmd` (a bash line run in data/ with $CHORUS
# set), and the expected `stdout`, `stderr` and `rc`. Lines starting with
# "elapsed" are dropped before comparing (they hold timings).
# Usage: tests/cli/run.sh BUILD      UPDATE=1 rewrites the expectations.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CHORUS="$root/${1:?usage: run.sh BUILD}/chorus"
[ -x "$CHORUS" ] || { echo "cli: no $CHORUS"; echo "cli: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"
pass=0 fail=0
normalise() { grep -av "^elapsed " "$1" | sed -e "s|$tmp|TMP|g" -e "s|\.tmp-[0-9]*|.tmp-PID|g" > "$1.n"; mv "$1.n" "$1"; }
for case in "$here"/cases/*/; do
    name=$(basename "$case")
    out="$tmp/$name.out" err="$tmp/$name.err"
    (cd "$here/data" && bash "$case/cmd") > "$out" 2> "$err"
    rc=$?
    normalise "$out"; normalise "$err"
    if [ "${UPDATE:-}" = 1 ]; then
        cp "$out" "$case/stdout"; cp "$err" "$case/stderr"; echo "$rc" > "$case/rc"
    fi
    ok=1
    [ "$rc" = "$(cat "$case/rc" 2>/dev/null)" ] || { echo "FAIL $name: exit $rc, expected $(cat "$case/rc" 2>/dev/null)"; ok=0; }
    for s in stdout stderr; do
        f="$tmp/$name.$([ $s = stdout ] && echo out || echo err)"
        if ! diff -u "$case/$s" "$f" > "$tmp/diff" 2>&1; then
            echo "FAIL $name: $s differs"; head -n 20 "$tmp/diff"; ok=0
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
