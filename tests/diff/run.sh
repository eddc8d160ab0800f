#!/usr/bin/env bash
# Differential test of the CSV reader: random RFC 4180 documents from fixed
# seeds, read by BUILD/tools/csvdump and by Python's csv module, compared
# field by field and by start line (see csv_diff.py). Ends with the line
# "diff: N passed, N failed"; exits 1 if any document failed.
# Usage: tests/diff/run.sh BUILD [csv_diff.py options]
set -u
build=${1:?usage: tests/diff/run.sh BUILD}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
tool="$build/tools/csvdump"
if [ ! -x "$tool" ]; then
    echo "diff: $tool not built (make $tool)"
    echo "diff: 0 passed, 1 failed"
    exit 1
fi
exec python3 tests/diff/csv_diff.py "$tool" "$@"
