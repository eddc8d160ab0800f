#!/usr/bin/env bash
# match_ct2020.sh - quality of `chorus match` on the CLEF 2020 CheckThat!
# task 2 claim-retrieval set in ../shared/data/ct2020 (read where it is,
# never copied): MAP@5 and recall@k of the dev and train tweets against
# the 10,373 fact-checked claims (match_ct2020.py), then the calibration of
# the threshold on copies of the claims among the real tweets
# (match_calibrate.py). Says so and exits 0 when the data is absent.
# Usage: bench/match_ct2020.sh [DATA_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$root/../shared/data/ct2020}
if [ ! -f "$data/verified_claims.docs.tsv" ]; then
    echo "match_ct2020: no data at $data (../shared/data/ct2020): skipped"
    exit 0
fi
[ -x "$root/build/chorus" ] || { echo "match_ct2020: no build/chorus (run make)"; exit 1; }
for split in dev train; do
    python3 "$root/bench/match_ct2020.py" --data "$data" --split "$split"
    echo
done
python3 "$root/bench/match_calibrate.py" --data "$data"
