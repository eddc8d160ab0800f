#!/usr/bin/env bash
# The main job on the bundled sample: `make demo` runs this after building.
# Prints where the results and the HTML report are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${CHORUS_DEMO_OUT:-out/demo}
./build/chorus demo -o "$out"
echo
echo "Open the report: $root/$out/report.html"
