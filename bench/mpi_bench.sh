#!/usr/bin/env bash
# A command across processes against one process, on the same data in one
# run: wall time and peak memory per process count (one thread each, so
# the processes are the only parallelism), and whether every output file
# is byte for byte the single process's. Needs `make mpi` (Open MPI).
# Usage: [OPTS="..."] bench/mpi_bench.sh coord|match INPUT [PROCESSES...]
#   e.g. OPTS="--signals retweet,tweet,link,reply" bench/mpi_bench.sh coord bench/data/sim_hard/tweets.csv 2 3
#        OPTS="--signals tweet --window 72h" bench/mpi_bench.sh coord DATA 2
#        OPTS="--narratives CATALOGUE" bench/mpi_bench.sh match DATA 2
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: bench/mpi_bench.sh coord|match INPUT [PROCESSES...]}
data=${2:?usage: bench/mpi_bench.sh coord|match INPUT [PROCESSES...]}
shift 2
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 2)
chorus="$root/build/chorus" mpi="$root/build/chorus-mpi"
for b in "$chorus" "$mpi"; do
    [ -x "$b" ] || { echo "mpi_bench: no $b (make all mpi)"; exit 1; }
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
read -r -a opts <<< "${OPTS:-}"
/usr/bin/time -f "%e %M" -o "$tmp/one.time" "$chorus" "$cmd" -q --threads 1 \
    "${opts[@]}" -o "$tmp/one" "$data" 2> "$tmp/one.err" || { cat "$tmp/one.err"; exit 1; }
read -r secs kb < "$tmp/one.time"
printf "%-22s %8s s wall %8s MB peak (one process)\n" "chorus, 1 process" "$secs" "$((kb / 1024))"
for n in "${counts[@]}"; do
    # each process's peak: time wraps every rank
    /usr/bin/time -f "%e" -o "$tmp/mpi$n.time" mpirun -np "$n" --oversubscribe \
        /usr/bin/time -f "%M" -a -o "$tmp/mpi$n.rss" "$mpi" "$cmd" -q --threads 1 \
        "${opts[@]}" -o "$tmp/mpi$n" "$data" 2> "$tmp/mpi$n.err" || { cat "$tmp/mpi$n.err"; exit 1; }
    same=identical
    diff -r "$tmp/one" "$tmp/mpi$n" > /dev/null || same=DIFFERENT
    peak=$(sort -n "$tmp/mpi$n.rss" | tail -n 1)
    printf "%-22s %8s s wall %8s MB peak (largest process), files %s\n" "chorus-mpi, $n processes" \
        "$(cat "$tmp/mpi$n.time")" "$((peak / 1024))" "$same"
done
