#!/usr/bin/env bash
# coord and match across processes (build/chorus-mpi under mpirun) must
# write exactly what one process writes: every output file, the database
# and the summary lines, compared byte for byte with build/chorus on the
# bundled sample, a harder simulated set, raw mode, `--window auto`, a
# mapped actions file and catalogue matching, at 2 to 4 processes, over
# shared memory and over TCP with messages cut small, and analyze, which
# shares its coordination and matching stages; a run that fails on
# process 0, or on process 1 alone, must end every process with an
# error, not hang; other commands are refused.
# `make` builds BUILD/chorus-mpi when Open MPI's mpicc is there; without
# Open MPI this says it skipped, or fails when CHORUS_REQUIRE_MPI=1 (CI).
# Run for the normal and the ASan+UBSan builds by `make test`.
# Appends "mpi: N passed, N failed" to BUILD/test-results.txt.
# Usage: tests/mpi/run.sh BUILD [--no-fail]
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
build=${1:?usage: run.sh BUILD}
nofail=${2:-}
results="$root/$build/test-results.txt"
report() { # passed failed
    echo "mpi: $1 passed, $2 failed" | tee -a "$results"
    [ "$2" -eq 0 ] || [ "$nofail" = --no-fail ]
    exit $?
}
if ! command -v mpicc > /dev/null || ! command -v mpirun > /dev/null; then
    echo "mpi: skipped, no Open MPI (mpicc, mpirun): install openmpi-bin and libopenmpi-dev"
    [ "${CHORUS_REQUIRE_MPI:-0}" = 1 ] && report 0 1
    report 0 0
fi
chorus="$root/$build/chorus" mpi="$root/$build/chorus-mpi" sample="$root/data/sample"
if [ ! -x "$chorus" ] || [ ! -x "$mpi" ]; then # `make` builds both when mpicc is there
    echo "mpi: no $chorus or $mpi (make BUILD=$build all)"
    report 0 1
fi
# Open MPI keeps allocations until exit: leaks are its, not chorus's (the
# unit tests check chorus_copairs_merge with leak detection).
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0}:detect_leaks=0"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 # more processes than cores, on a small machine
export OMPI_MCA_btl_vader_single_copy_mechanism=none # containers may forbid ptrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# As tests/threads does for ThreadSanitizer: a machine where MPI cannot
# start two processes at all is said, not failed.
if ! timeout 60 mpirun -np 2 "$mpi" --version > /dev/null 2> "$tmp/start.err"; then
    echo "mpi: skipped, mpirun cannot start 2 processes here: $(head -c 300 "$tmp/start.err")"
    report 0 0
fi
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# The summary lines both print, less the ingest's timing line.
summary() { grep -v -e '^elapsed' -e "$tmp" "$1"; }

# same NAME PROCESSES ARGS...: `chorus $cmd ARGS` (coord unless cmd is set)
# in one process and in PROCESSES; outputs, database dumps (with --db)
# and summaries must be equal, and the main file ($main) not empty.
cmd=coord main=edges.csv
same() {
    local name=$1 n=$2
    shift 2
    local one="$tmp/$name.1" many="$tmp/$name.$n" db=()
    if [ "$1" = --db ]; then db=(--db); shift; fi
    "$chorus" "$cmd" "$@" -o "$one" ${db:+--db "$one.db"} > /dev/null 2> "$one.err" ||
        { bad "$name: one process failed: $(tail -n 3 "$one.err")"; return; }
    timeout 300 mpirun -np "$n" "${mpirun_extra[@]}" "$mpi" "$cmd" "$@" -o "$many" ${db:+--db "$many.db"} \
        > /dev/null 2> "$many.err" ||
        { bad "$name: $n processes failed: $(tail -n 3 "$many.err")"; return; }
    if ! diff -r "$one" "$many" > "$tmp/$name.diff"; then
        bad "$name: files differ at $n processes"; head -n 8 "$tmp/$name.diff"; return
    fi
    if [ ${#db[@]} -gt 0 ] && ! cmp -s <(sqlite3 "$one.db" .dump) <(sqlite3 "$many.db" .dump); then
        bad "$name: databases differ at $n processes"; return
    fi
    if ! diff <(summary "$one.err" | sed "s|$one|OUT|g") <(summary "$many.err" | sed "s|$many|OUT|g") \
        > "$tmp/$name.sdiff"; then
        bad "$name: summaries differ"; head -n 8 "$tmp/$name.sdiff"; return
    fi
    [ -s "$one/$main" ] && [ "$(wc -l < "$one/$main")" -gt 1 ] ||
        { bad "$name: no rows in $main to compare"; return; }
    ok
}

mpirun_extra=()
all=retweet,reply,link,hashtags,fastretweet,tweet,similar
"$chorus" simulate --out "$tmp/hard" --seed 5 --posts 60000 --difficulty hard > /dev/null 2>&1 ||
    bad "simulate failed"
same sample_default 2 "$sample/tweets.csv.gz"
same sample_all_db 3 --db --signals "$all" "$sample/tweets.csv.gz"
same sample_raw 2 --signals "$all" --filter none --min-weight 1 --evidence 0 "$sample/tweets.csv.gz"
same hard_all 4 --threads 2 --signals "$all" --window auto "$tmp/hard/tweets.csv"
same hard_link_domain 3 --signals link,hashtags --link-level domain --min-weight 1 "$tmp/hard/tweets.csv"
# Over TCP, as between machines, and with messages cut in 1,000-byte
# pieces (records split across messages).
mpirun_extra=(--mca btl tcp,self -x CHORUS_MPI_CHUNK_BYTES=1000)
same hard_tcp_pieces 3 --signals "$all" --window 300,link=1h --min-words similar=5 "$tmp/hard/tweets.csv"
mpirun_extra=()
same actions_raw 2 --map account=account_id,time=timestamp_share,id=content_id,object=object_id \
    --filter none --min-weight 1 "$root/tests/cli/data/actions.csv"

# match: every process matches its shard of the distinct texts (the
# sample has 4 chunks of them, the simulated set 10).
cmd=match main=matches.csv
same match_sample 2 --narratives "$sample/narratives.csv" "$sample/tweets.csv.gz"
same match_sample_db 3 --db --explain --threads 2 --narratives "$sample/narratives.csv" \
    --min-score 0.3 "$sample/tweets.csv.gz"
same match_hard 4 --narratives "$tmp/hard/narratives.csv" "$tmp/hard/tweets.csv"
mpirun_extra=(--mca btl tcp,self -x CHORUS_MPI_CHUNK_BYTES=1000)
same match_hard_tcp_pieces 3 --narratives "$tmp/hard/narratives.csv" --top 2 --min-score 0.2 \
    "$tmp/hard/tweets.csv"
mpirun_extra=()
cmd=coord main=edges.csv

# analyze shares its coordination and matching stages: every file the same as one
# process's (report.html names its folder; manifest.json has timings).
a_opts=(-q --narratives "$sample/narratives.csv" --docs "$sample/documents.csv"
    --exposed "$sample/exposed_accounts.txt")
"$chorus" analyze "${a_opts[@]}" -o "$tmp/an1" "$sample/tweets.csv.gz" 2> /dev/null
timeout 300 mpirun -np 2 "$mpi" analyze "${a_opts[@]}" -o "$tmp/an2" "$sample/tweets.csv.gz" 2> /dev/null
rc=$?
if [ $rc -eq 0 ] && diff -r -x manifest.json -x report.html -x chorus.db "$tmp/an1" "$tmp/an2" > /dev/null &&
    cmp -s <(sed "s|$tmp/an1|OUT|g" "$tmp/an1/report.html") <(sed "s|$tmp/an2|OUT|g" "$tmp/an2/report.html") &&
    cmp -s <(sqlite3 "$tmp/an1/chorus.db" .dump) <(sqlite3 "$tmp/an2/chorus.db" .dump) &&
    [ -s "$tmp/an2/laundering.csv" ]; then ok; else bad "analyze across processes: exit $rc"; fi
# A run that fails on process 0 (its output folder cannot be made) ends
# every process with an error, quickly.
timeout 120 mpirun -np 2 "$mpi" coord -o /proc/chorus-no "$sample/tweets.csv.gz" \
    > /dev/null 2> "$tmp/fail.err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q 'cannot create folder' "$tmp/fail.err"; then ok; else
    bad "failing run: exit $rc"; tail -n 3 "$tmp/fail.err"; fi
# A failure in one process only (process 1 given a file that is not
# there: it fails while process 0 reads) ends the whole run with exit 1
# and the message, quickly, instead of a hang, and writes nothing.
printf '%s\n' '#!/usr/bin/env bash' \
    'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then set -- "${@:1:$#-1}" /nonexistent/tweets.csv; fi' \
    'exec "$@"' > "$tmp/one_fails.sh"
chmod +x "$tmp/one_fails.sh"
timeout 120 mpirun -np 2 "$tmp/one_fails.sh" "$mpi" coord -q -o "$tmp/alone" "$tmp/hard/tweets.csv" \
    > /dev/null 2> "$tmp/alone.err"
rc=$?
if [ $rc -eq 1 ] && grep -q '/nonexistent/tweets.csv' "$tmp/alone.err" && [ ! -e "$tmp/alone/edges.csv" ]; then
    ok; else bad "one process failing: exit $rc"; grep chorus "$tmp/alone.err" | head -n 3; fi
# The same for match: process 1's catalogue is not there.
printf '%s\n' '#!/usr/bin/env bash' \
    'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then set -- "${@:1:$#-1}" /nonexistent/narratives.csv; fi' \
    'exec "$@"' > "$tmp/cat_fails.sh"
chmod +x "$tmp/cat_fails.sh"
timeout 120 mpirun -np 2 "$tmp/cat_fails.sh" "$mpi" match -o "$tmp/malone" "$tmp/hard/tweets.csv" \
    --narratives "$tmp/hard/narratives.csv" > /dev/null 2> "$tmp/malone.err"
rc=$?
if [ $rc -eq 1 ] && grep -q '/nonexistent/narratives.csv' "$tmp/malone.err" &&
    [ ! -e "$tmp/malone/matches.csv" ]; then
    ok; else bad "match, one process failing: exit $rc"; grep chorus "$tmp/malone.err" | head -n 3; fi
# Only coord, match and analyze run across processes; the others say so, once.
timeout 60 mpirun -np 2 "$mpi" dedup -o "$tmp/d" "$sample/tweets.csv.gz" > /dev/null 2> "$tmp/dedup.err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ "$(grep -c 'only coord, match and' "$tmp/dedup.err")" -eq 1 ]; then ok; else
    bad "dedup across processes: exit $rc"; tail -n 3 "$tmp/dedup.err"; fi
# Without mpirun, chorus-mpi is one process and writes what chorus writes.
if "$mpi" coord -q -o "$tmp/single" "$sample/tweets.csv.gz" 2> /dev/null &&
    diff -r "$tmp/sample_default.1" "$tmp/single" > /dev/null; then ok; else bad "chorus-mpi alone"; fi
report "$pass" "$fail"
