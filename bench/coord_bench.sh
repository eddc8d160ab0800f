#!/usr/bin/env bash
# bench/coord_bench.sh - the coordination speed benchmark (bench/README.md,
# section "Coordination"). For each size in COORD_POSTS it uses simulated
# data (`chorus simulate`, medium difficulty), times `chorus ingest` alone,
# then `chorus coord` per signal, for the target signal set and for the
# default signals (the whole run), in raw mode (--filter none) and in the
# default mode (--filter fdr); and compares the raw retweet and link
# networks with a SQL self-join of the same actions in sqlite3.
# Prints markdown tables and appends them to bench/coord_results.md.
#
# Settings (environment):
#   COORD_POSTS="1000000 10000000"   sizes (posts)
#   COORD_SEED=1  COORD_DIFFICULTY=medium
#   COORD_DAYS=N         simulate --days (default: simulate's 30 days, whatever
#                        the size; more days keep the posts per day, and so the
#                        co-actions per action, lower); the data goes to
#                        bench/data/sim_<difficulty>_<size>_d<N>
#   COORD_REPEAT=N       runs per measurement, least wall and least CPU kept
#                        (default 3 below 5 M posts, 1 from 5 M)
#   COORD_MODES="none fdr"           --filter modes
#   COORD_RUNS="signals target whole"  which coord runs: each signal alone,
#                        the target set, the default signals
#   COORD_SQL=1                      the SQL comparison (0: skip it)
#   COORD_SQL_SIGNALS="retweet link" signals compared with SQL
#   COORD_SQL_TIMEOUT=1200           seconds for one SQL join, then "> timeout"
#   COORD_TARGET="retweet,tweet,link,reply"  the target's signal set (signals
#                        this chorus does not know are dropped, and said so)
#   COORD_PERF=0         1: also `perf record -g` the whole run (fdr) at the
#                        largest size, report in bench/data/perf_coord_<N>.txt
#                        (hotspots, and CPU by phase); only: just that profile
#   BUILD=build
#   COORD_CHORUS=PATH  COORD_EXPORT=PATH   binaries to measure instead of
#                        $BUILD/chorus and $BUILD/bench/export_actions; when
#                        both are given nothing is built (e.g. a snapshot
#                        built from `git archive HEAD`, while the tree changes)
#   COORD_LABEL=TEXT     what was measured (e.g. a commit), for the results
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
CHORUS=${COORD_CHORUS:-$BUILD/chorus}
EXPORT=${COORD_EXPORT:-$BUILD/bench/export_actions}
POSTS=${COORD_POSTS:-1000000 10000000}
SEED=${COORD_SEED:-1}
DIFF=${COORD_DIFFICULTY:-medium}
DAYS=${COORD_DAYS:-}
MODES=${COORD_MODES:-none fdr}
RUNS=${COORD_RUNS:-signals target whole}
SQL=${COORD_SQL:-1}
SQL_SIGNALS=${COORD_SQL_SIGNALS:-retweet link}
SQL_TIMEOUT=${COORD_SQL_TIMEOUT:-1200}
TARGET=${COORD_TARGET:-retweet,tweet,link,reply}
PERF=${COORD_PERF:-0}
DATA=bench/data
RESULTS=bench/coord_results.md
WINDOW=60
MINW=2

die() { echo "coord_bench: $*" >&2; exit 1; }
say() { echo "coord_bench: $*" >&2; }

[ -x /usr/bin/time ] || die "needs GNU time (/usr/bin/time, package time)"
if [ -z "${COORD_CHORUS:-}" ] || [ -z "${COORD_EXPORT:-}" ]; then
    make -s "$CHORUS" "$EXPORT" || die "build failed"
fi
if [ ! -x "$CHORUS" ] || [ ! -x "$EXPORT" ]; then die "$CHORUS or $EXPORT missing"; fi
[ "$SQL" = 0 ] || command -v sqlite3 >/dev/null || die "needs the sqlite3 CLI (or COORD_SQL=0)"
[ "$SQL" = 0 ] || command -v python3 >/dev/null || die "needs python3 (or COORD_SQL=0)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/coord_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out_md=$tmp/tables.md
: > "$out_md"

calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# num / den as "12.3x"; "n/a" when den < MIN (default 0.05 s: a difference
# of two noisy timings, coord minus ingest on a busy machine, can even be
# negative; a time measured in process passes a smaller MIN)
ratio() { awk "BEGIN { d = $2; if (d < ${3:-0.05}) print \"n/a\"; else printf \"%.1fx\", ($1) / d }"; }
lt() { awk "BEGIN { exit !($1 < $2) }"; }

# Signals this chorus knows: the --signals line(s) of `coord --help` (the
# help wraps the list over lines up to the next option), and the list that
# `coord` prints when it is given an unknown signal (the help may lag).
known_signals=$( {
    "$CHORUS" coord --help 2>&1 |
        awk '/--signals/ { on = 1 } on && /^  --/ && !/--signals/ { on = 0 } on' |
        sed 's/.*comma-separated://; s/(default.*//'
    "$CHORUS" coord --signals __probe__ -o "$tmp/probe" /dev/null 2>&1 |
        sed -n 's/.*is not one of //p'
} | tr ',' '\n' | tr -d ' ' | grep -v '^$' | sort -u || true)
has_signal() { grep -qx "$1" <<< "$known_signals"; }
SIGNALS=()
for s in retweet reply link hashtags fastretweet tweet similar; do
    if has_signal "$s"; then SIGNALS+=("$s"); else say "coord --help does not list '$s': skipped"; fi
done
target_sigs=()
for s in ${TARGET//,/ }; do
    if has_signal "$s"; then target_sigs+=("$s"); else say "target signal '$s' not available: left out"; fi
done
target_list=$(IFS=,; echo "${target_sigs[*]}")

# --- data -------------------------------------------------------------------

label_of() { # 10000000 -> 10m, 250000 -> 250k
    local n=$1
    if [ $((n % 1000000)) -eq 0 ]; then echo "$((n / 1000000))m"
    elif [ $((n % 1000)) -eq 0 ]; then echo "$((n / 1000))k"
    else echo "$n"; fi
}

# The data set matches when its manifest has the same posts, seed and
# difficulty (simulate is deterministic for these options).
manifest_ok() { # dir n
    [ -f "$1/tweets.csv" ] && [ -f "$1/manifest.json" ] || return 1
    python3 - "$1/manifest.json" "$2" "$SEED" "$DIFF" "${DAYS:-30}" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
o = m["options"]
ok = (o["posts"] == int(sys.argv[2]) and o["seed"] == int(sys.argv[3])
      and o["difficulty"] == sys.argv[4] and o.get("format", "io") == "io"
      and o["days"] == int(sys.argv[5]))
sys.exit(0 if ok else 1)
EOF
}

data_dir() { # n -> the directory holding the data set (made when missing)
    local n=$1 d
    # the 1 M medium set of bench/sim_baseline.sh is reused when it matches
    if [ "$n" = 1000000 ] && [ "$DIFF" = medium ] && [ -z "$DAYS" ] &&
        manifest_ok "$DATA/sim_medium" "$n"; then
        echo "$DATA/sim_medium"; return
    fi
    d=$DATA/sim_${DIFF}_$(label_of "$n")${DAYS:+_d$DAYS}
    if ! manifest_ok "$d" "$n"; then
        say "simulating $n posts ($DIFF, seed $SEED${DAYS:+, $DAYS days}) into $d"
        rm -rf "$d"
        "$CHORUS" simulate --out "$d" --posts "$n" --seed "$SEED" --difficulty "$DIFF" \
            ${DAYS:+--days "$DAYS"} --quiet >&2
    fi
    echo "$d"
}

manifest_posts() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["posts"])' "$1"; }

# --- measuring --------------------------------------------------------------

# Runs "$@" once; stdout to $tmp/stdout. Sets M_WALL, M_CPU (user+sys),
# M_USER, M_SYS (s), M_RSS (KiB), M_RC.
measure_once() {
    local t0 t1
    t0=$(date +%s%N)
    if /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" > "$tmp/stdout" 2> "$tmp/stderr"; then
        M_RC=0; else M_RC=$?; fi
    t1=$(date +%s%N)
    M_WALL=$(calc '%.2f' "($t1 - $t0) / 1e9")
    read -r M_USER M_SYS M_RSS < <(tail -n 1 "$tmp/time")
    M_CPU=$(calc '%.2f' "$M_USER + $M_SYS")
}

# REPEAT runs: least wall, least CPU, largest RSS. Stops at a failure.
measure() {
    local i w="" c="" r=0
    for ((i = 0; i < REPEAT; i++)); do
        [ -z "${CLEAN_DIR:-}" ] || rm -rf "$CLEAN_DIR" # each run writes a fresh OUTDIR
        measure_once "$@"
        [ "$M_RC" -eq 0 ] || return 0
        if [ -z "$w" ] || lt "$M_WALL" "$w"; then w=$M_WALL; fi
        if [ -z "$c" ] || lt "$M_CPU" "$c"; then c=$M_CPU; fi
        [ "$M_RSS" -gt "$r" ] && r=$M_RSS
    done
    M_WALL=$w M_CPU=$c M_RSS=$r
}

mb() { calc '%.0f' "$1 / 1024"; }

# Sums of the per-signal summary lines of `chorus coord` (it prints them
# on stderr, even with -q; both streams are read):
# "retweet 401290 actions 84108 objects 1116099 co-actions 66983 edges 0 set aside, ..."
# Prints actions, objects, co-actions, pairs >= min weight, edges, set aside.
coord_counts() {
    # raw: "N edges"; fdr: "N tested  M significant" (edges = significant)
    awk '/ actions .* objects .* co-actions / {
            for (i = 2; i <= NF; i++) {
                if ($i == "actions") a += $(i-1); if ($i == "objects") o += $(i-1)
                if ($i == "co-actions") c += $(i-1)
                if ($i == "edges" || $i == "tested") t += $(i-1)
                if ($i == "edges" || $i == "significant") e += $(i-1)
                if ($i == "set" && $(i+1) == "aside,") s += $(i-1)
            } }
         END { printf "%d %d %d %d %d %d\n", a, o, c, t, e, s }' "$tmp/stdout" "$tmp/stderr"
}

# --- one size ---------------------------------------------------------------

bench_size() {
    local n=$1 dir f posts_want
    dir=$(data_dir "$n")
    f=$dir/tweets.csv
    if [ "$PERF" = only ]; then
        [ "$n" != "$LARGEST" ] || { cat "$f" > /dev/null; perf_whole "$n" "$f"; }
        return
    fi
    posts_want=$(manifest_posts "$dir/manifest.json")
    if [ -n "${COORD_REPEAT:-}" ]; then REPEAT=$COORD_REPEAT
    elif [ "$n" -lt 5000000 ]; then REPEAT=3; else REPEAT=1; fi
    say "== $n posts: $f ($(calc '%.0f' "$(stat -L -c %s "$f") / 1e6") MB), best of $REPEAT"
    cat "$f" > /dev/null # warm the page cache: every run reads from memory
    local avail_kb
    avail_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
    [ $(($(stat -L -c %s "$f") / 1024)) -lt "$avail_kb" ] ||
        say "warning: $f is larger than free memory; times include disk reads"

    local rows=() load0
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    # ingest alone: the share of every coord run that is not coordination
    say "ingest"
    measure "$CHORUS" ingest -q "$f"
    [ "$M_RC" -eq 0 ] || die "chorus ingest failed: $(tail -n 3 "$tmp/stderr")"
    local kept
    kept=$(awk '/^rows kept/ { print $3 }' "$tmp/stdout")
    [ "$kept" = "$posts_want" ] || die "$f: ingest kept $kept rows, the manifest says $posts_want posts"
    local ing_wall=$M_WALL ing_cpu=$M_CPU
    rows+=("| ingest only | | $M_WALL | $M_CPU | | | $(mb "$M_RSS") | | | | | | |")

    local mode spec name specs=()
    [[ " $RUNS " != *" signals "* ]] || specs+=("${SIGNALS[@]}")
    [[ " $RUNS " != *" target "* ]] || [ -z "$target_list" ] || specs+=("target:$target_list")
    [[ " $RUNS " != *" whole "* ]] || specs+=("whole:")
    for mode in $MODES; do
        for spec in "${specs[@]}"; do
            case $spec in
            target:*) name="target ($target_list)"; sig_opt=(--signals "${spec#target:}") ;;
            whole:) name="whole run (default signals)"; sig_opt=() ;;
            *) name=$spec; sig_opt=(--signals "$spec") ;;
            esac
            say "coord --filter $mode ${sig_opt[*]:-(default signals)}"
            CLEAN_DIR=$tmp/out
            measure "$CHORUS" coord -q --filter "$mode" "${sig_opt[@]}" -o "$tmp/out" "$f"
            CLEAN_DIR=
            if [ "$M_RC" -ne 0 ]; then
                say "failed (exit $M_RC): $(tail -n 2 "$tmp/stderr" | tr '\n' ' ')"
                rows+=("| $name | $mode | failed (exit $M_RC) | | | | | | | | | | |")
                continue
            fi
            local cw cc c_act c_obj c_co c_tested c_edges c_aside
            cw=$(calc '%.2f' "$M_WALL - $ing_wall")
            cc=$(calc '%.2f' "$M_CPU - $ing_cpu")
            read -r c_act c_obj c_co c_tested c_edges c_aside < <(coord_counts)
            rows+=("| $name | $mode | $M_WALL | $M_CPU | $cw | $cc | $(mb "$M_RSS") | $c_act | $c_obj | $c_co | $c_tested | $c_edges | $c_aside |")
            if [ "$n" = "$LARGEST" ] && [[ $spec == target:* ]] && [ "$mode" = fdr ]; then
                TARGET_WALL=$M_WALL TARGET_CPU=$M_CPU
            fi
            rm -rf "$tmp/out"
        done
    done

    {
        echo
        echo "### $n posts ($(calc '%.2f' "$(stat -L -c %s "$f") / 1e9") GB, $f)"
        echo
        echo "Load average (1, 5, 15 min) $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg)" \
            "at the end ($(nproc) CPUs; above 1, other work shared the machine and the wall" \
            "times are inflated)."
        echo "Best of $REPEAT (least wall, least CPU, largest RSS). CPU = user + sys." \
            "\"coord only\" = the run minus \`chorus ingest\` alone (wall, CPU)."
        echo
        echo "| run | filter | wall s | CPU s | coord only wall s | coord only CPU s | peak RSS MB |" \
            "actions | objects | co-actions | pairs >= min weight | edges | set aside |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${rows[@]}"
    } >> "$out_md"

    [ "$SQL" = 0 ] || sql_compare "$n" "$f" "$ing_wall" "$ing_cpu"
    if [ "$PERF" = 1 ] && [ "$n" = "$LARGEST" ]; then perf_whole "$n" "$f"; fi
}

# --- the SQL self-join ------------------------------------------------------

sql_compare() {
    local n=$1 f=$2 ing_wall=$3 ing_cpu=$4 sig
    local rows=()
    for sig in $SQL_SIGNALS; do
        say "SQL comparison: $sig"
        local d=$tmp/sql_$sig
        mkdir -p "$d"
        # 1. the actions, and chorus's co-action kernel on them (no bound)
        REPEAT_SAVE=$REPEAT REPEAT=1
        measure "$EXPORT" "$f" --signal "$sig" --out "$d/actions.csv" --accounts "$d/accounts.csv" \
            --pairs --window "$WINDOW" --min-weight "$MINW" --max-object-actions 0
        REPEAT=$REPEAT_SAVE
        [ "$M_RC" -eq 0 ] || die "export_actions failed: $(tail -n 2 "$tmp/stderr")"
        local exp_wall=$M_WALL exp_cpu=$M_CPU kernel_wall kernel_cpu n_act kpairs
        kernel_wall=$(sed -n 's/.*kernel_wall_s \([0-9.]*\).*/\1/p' "$tmp/stderr")
        kernel_cpu=$(sed -n 's/.*kernel_cpu_s \([0-9.]*\).*/\1/p' "$tmp/stderr")
        kpairs=$(sed -n 's/.*: pairs \([0-9]*\) .*/\1/p' "$tmp/stderr")
        n_act=$(sed -n 's/.*: \([0-9]*\) actions,.*/\1/p' "$tmp/stderr")

        # 2. chorus coord, raw, no bound on objects: the same raw semantics
        CLEAN_DIR=$d/coord
        measure "$CHORUS" coord -q --filter none --signals "$sig" --window "$WINDOW" \
            --min-weight "$MINW" --max-object-actions 0 -o "$d/coord" "$f"
        CLEAN_DIR=
        [ "$M_RC" -eq 0 ] || die "chorus coord failed: $(tail -n 2 "$tmp/stderr")"
        local ch_wall=$M_WALL ch_cpu=$M_CPU ch_edges
        ch_edges=$(($(wc -l < "$d/coord/edges.csv") - 1))
        local co_wall co_cpu
        co_wall=$(calc '%.2f' "$ch_wall - $ing_wall")
        co_cpu=$(calc '%.2f' "$ch_cpu - $ing_cpu")

        # 3. sqlite: load (import + index), then the self-join
        local db=$d/actions.db
        rm -f "$db"
        cat > "$d/load.sql" <<EOF
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;
CREATE TABLE actions(account INTEGER NOT NULL, object INTEGER NOT NULL, time_ms INTEGER NOT NULL);
.import --csv --skip 1 $d/actions.csv actions
EOF
        cat > "$d/index.sql" <<'EOF'
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;
CREATE INDEX actions_object_time ON actions(object, time_ms);
ANALYZE;
EOF
        # Pairs of different accounts on one object within the window
        # (inclusive), each unordered pair once (a < b by account index),
        # weight = distinct objects, kept at weight >= min weight.
        cat > "$d/join.sql" <<EOF
PRAGMA cache_size=-2000000; PRAGMA temp_store=MEMORY;
.mode csv
.output $d/sql_pairs.csv
SELECT a1.account AS a, a2.account AS b, count(DISTINCT a1.object) AS w
FROM actions a1 JOIN actions a2
  ON a2.object = a1.object
 AND a2.time_ms BETWEEN a1.time_ms - $((WINDOW * 1000)) AND a1.time_ms + $((WINDOW * 1000))
 AND a1.account < a2.account
GROUP BY a1.account, a2.account
HAVING count(DISTINCT a1.object) >= $MINW;
EOF
        REPEAT_SAVE=$REPEAT REPEAT=1
        measure_once sqlite3 -batch -bail "$db" ".read $d/load.sql"
        [ "$M_RC" -eq 0 ] || die "sqlite import failed: $(tail -n 2 "$tmp/stderr")"
        local imp_wall=$M_WALL imp_cpu=$M_CPU
        measure_once sqlite3 -batch -bail "$db" ".read $d/index.sql"
        [ "$M_RC" -eq 0 ] || die "sqlite index failed: $(tail -n 2 "$tmp/stderr")"
        local idx_wall=$M_WALL idx_cpu=$M_CPU
        measure_once timeout "$SQL_TIMEOUT" sqlite3 -batch -bail "$db" ".read $d/join.sql"
        REPEAT=$REPEAT_SAVE
        local join_wall join_cpu join_rss sql_edges verdict timed_out=0
        if [ "$M_RC" -eq 124 ]; then
            timed_out=1
            join_wall="> $SQL_TIMEOUT" join_cpu="" join_rss="" sql_edges="" verdict="SQL timed out"
        elif [ "$M_RC" -ne 0 ]; then
            die "sqlite join failed (exit $M_RC): $(tail -n 2 "$tmp/stderr")"
        else
            join_wall=$M_WALL join_cpu=$M_CPU join_rss=$(mb "$M_RSS")
            sql_edges=$(wc -l < "$d/sql_pairs.csv")
            verdict=$(compare_pairs "$d")
        fi
        local load_wall load_cpu
        load_wall=$(calc '%.2f' "$imp_wall + $idx_wall")
        load_cpu=$(calc '%.2f' "$imp_cpu + $idx_cpu")
        SQL_ROWS+=("| $n | $sig | $n_act | $ch_edges | $kpairs | ${sql_edges:-} | $verdict |")
        if [ "$timed_out" = 1 ]; then
            TIME_ROWS+=("| $n | $sig | $kernel_wall | $co_wall | $ch_wall | > $SQL_TIMEOUT | $load_wall | $exp_wall | > $(ratio "$SQL_TIMEOUT" "$kernel_wall" 0.001) | > $(ratio "$SQL_TIMEOUT + $load_wall" "$co_wall") | > $(ratio "$SQL_TIMEOUT + $load_wall + $exp_wall" "$ch_wall") |")
            CPU_ROWS+=("| $n | $sig | $kernel_cpu | $co_cpu | $ch_cpu | > $SQL_TIMEOUT | $load_cpu | $exp_cpu | | | |")
        else
            local r1 r2 r3 c1 c2 c3
            r1=$(ratio "$join_wall" "$kernel_wall" 0.001)
            r2=$(ratio "$join_wall + $load_wall" "$co_wall")
            r3=$(ratio "$join_wall + $load_wall + $exp_wall" "$ch_wall")
            c1=$(ratio "$join_cpu" "$kernel_cpu" 0.001)
            c2=$(ratio "$join_cpu + $load_cpu" "$co_cpu")
            c3=$(ratio "$join_cpu + $load_cpu + $exp_cpu" "$ch_cpu")
            TIME_ROWS+=("| $n | $sig | $kernel_wall | $co_wall | $ch_wall | $join_wall | $load_wall | $exp_wall | $r1 | $r2 | $r3 |")
            CPU_ROWS+=("| $n | $sig | $kernel_cpu | $co_cpu | $ch_cpu | $join_cpu | $load_cpu | $exp_cpu | $c1 | $c2 | $c3 |")
            say "$sig: SQL join ${join_wall}s (RSS ${join_rss} MB), chorus kernel ${kernel_wall}s, coord ${ch_wall}s; $verdict"
        fi
        rm -rf "$d"
    done
}

# The unordered pair sets (and weights) of chorus's edges.csv and of the
# SQL join must be equal; chorus orders a pair by account id bytes, SQL by
# index, so both are compared as {index, index} with the weight.
compare_pairs() {
    python3 - "$1" <<'EOF'
import csv, sys
d = sys.argv[1]
idx = {}
with open(d + "/accounts.csv", newline="") as f:
    r = csv.reader(f); next(r)
    for i, a in r:
        idx[a] = int(i)
def acc(s):
    # csv output guards cells starting with = + - @ by a leading apostrophe
    return idx[s] if s in idx else idx[s[1:]]
def key(a, b):
    return (a, b) if a < b else (b, a)
ch = {}
with open(d + "/coord/edges.csv", newline="") as f:
    r = csv.DictReader(f)
    for row in r:
        ch[key(acc(row["account_a"]), acc(row["account_b"]))] = int(row["objects"])
sq = {}
with open(d + "/sql_pairs.csv", newline="") as f:
    for a, b, w in csv.reader(f):
        sq[key(int(a), int(b))] = int(w)
only_ch = ch.keys() - sq.keys()
only_sq = sq.keys() - ch.keys()
diffw = sum(1 for k in ch.keys() & sq.keys() if ch[k] != sq[k])
if not only_ch and not only_sq and not diffw:
    print("same pairs, same weights")
else:
    print(f"DIFFER: {len(only_ch)} only in chorus, {len(only_sq)} only in SQL, {diffw} weights differ")
EOF
}

# --- profile ----------------------------------------------------------------

perf_whole() {
    local n=$1 f=$2 rep=$DATA/perf_coord_$1.txt
    command -v perf >/dev/null || { say "perf not installed: no profile"; return; }
    say "perf record of the whole run at $n posts (report: $rep)"
    rm -rf "$tmp/out"
    if ! perf record -F 99 --call-graph dwarf,16384 -o "$tmp/perf.data" \
        "$CHORUS" coord -q -o "$tmp/out" "$f" > /dev/null 2> "$tmp/perf.err"; then
        say "perf record failed: $(tail -n 2 "$tmp/perf.err")"; return
    fi
    {
        echo "# perf record -F 99 --call-graph dwarf: $CHORUS coord -q -o OUT $f"
        echo "# (default signals, --filter fdr) $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "## summary"
        grep -E ' actions | edges:' "$tmp/perf.err" || true
        echo "## output files (bytes)"
        (cd "$tmp/out" && for x in *; do printf '%12d %s\n' "$(stat -c %s "$x")" "$x"; done)
        echo "## CPU samples by phase (the innermost phase frame on each stack)"
        perf script -i "$tmp/perf.data" -F ip,sym 2> /dev/null | python3 -c "$PHASES_PY"
        echo "## self time"
        perf report -i "$tmp/perf.data" --no-children --stdio -g none --percent-limit 0.7 2>/dev/null |
            grep -E '^ +[0-9]'
        echo "## with children"
        perf report -i "$tmp/perf.data" --children --stdio -g none --percent-limit 2 2>/dev/null |
            grep -E '^ +[0-9]'
    } > "$rep"
    rm -rf "$tmp/out" "$tmp/perf.data"
}

# Attributes each sample of `perf script -F ip,sym` to the innermost frame
# that names a phase of `chorus coord`.
PHASES_PY='
import sys, collections
phases = [("write_evidence", "evidence.csv rows"), ("write_edge", "edges.csv rows"),
          ("write_skipped", "skipped_objects.csv"), ("chorus_graph_write", "GEXF + GraphML"),
          ("coord_write_groups", "groups (Leiden) + groups.csv/accounts.csv"),
          ("chorus_copairs_significance", "significance (similarity, p-value)"),
          ("chorus_fdr_threshold", "FDR"), ("chorus_copairs_keep", "FDR"),
          ("chorus_copairs_free", "free"), ("chorus_actions_free", "free"),
          ("chorus_copairs_compute", "co-action kernel (copairs_compute)"),
          ("chorus_actions_build", "actions build"),
          ("chorus_text_tweet_actions", "tweet/similar actions (text stage)"),
          ("chorus_text_similar_actions", "tweet/similar actions (text stage)"),
          ("keep_for_graph", "graph edges"),
          ("chorus_ingest", "ingest"), ("chorus_corpus_free", "free"), ("exit", "exit")]
count = collections.Counter(); total = 0
for block in sys.stdin.read().split("\n\n"):
    frames = [l.split(None, 1)[1] if len(l.split(None, 1)) > 1 else "" for l in block.strip().splitlines()]
    if not frames:
        continue
    total += 1
    name = "other (no phase frame; unwinding stopped)"
    for fr in frames:
        hit = next((p for k, p in phases if fr.split(" ")[0] == k), None)
        if hit:
            name = hit
            break
    count[name] += 1
for name, c in count.most_common():
    print("%6.1f%%  %s" % (100.0 * c / max(total, 1), name))
print("%d samples" % total)
'

# --- main -------------------------------------------------------------------

LARGEST=0
for n in $POSTS; do [ "$n" -gt "$LARGEST" ] && LARGEST=$n; done
TARGET_WALL="" TARGET_CPU=""
SQL_ROWS=() TIME_ROWS=() CPU_ROWS=()
for n in $POSTS; do bench_size "$n"; done
[ "$PERF" != only ] || exit 0

if [ "$SQL" != 0 ]; then
    {
        echo
        echo "### SQL self-join (sqlite3 $(sqlite3 --version | cut -d' ' -f1)) against chorus, raw semantics"
        echo
        echo "Window $WINDOW s inclusive, weight = distinct objects >= $MINW, no bound on" \
            "objects (chorus: \`--filter none --max-object-actions 0\`). The actions come" \
            "from \`build/bench/export_actions\` (the library's own signal)."
        echo
        echo "| posts | signal | actions | chorus edges | kernel pairs | SQL pairs | pair sets |"
        echo "|---:|---|---:|---:|---:|---:|---|"
        printf '%s\n' "${SQL_ROWS[@]}"
        echo
        echo "Wall seconds. kernel = \`chorus_copairs_compute\` alone (in export_actions);" \
            "coord only = \`chorus coord\` minus \`chorus ingest\`; coord = the whole command," \
            "ingest and output files included. SQL join = the SELECT; load = .import + CREATE" \
            "INDEX + ANALYZE; export = export_actions (ingest, actions, CSV)." \
            "Ratios: join/kernel, (join+load)/(coord only), (join+load+export)/coord."
        echo
        echo "| posts | signal | kernel | coord only | coord | SQL join | SQL load | export |" \
            "join/kernel | SQL/coord only | SQL+export/coord |"
        echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${TIME_ROWS[@]}"
        echo
        echo "The same in CPU seconds (user + sys):"
        echo
        echo "| posts | signal | kernel | coord only | coord | SQL join | SQL load | export |" \
            "join/kernel | SQL/coord only | SQL+export/coord |"
        echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${CPU_ROWS[@]}"
    } >> "$out_md"
fi

if [ -n "$TARGET_WALL" ]; then
    v=missed
    lt "$TARGET_WALL" 60 && v=met
    echo >> "$out_md"
    echo "Target at $LARGEST posts: \`--signals $target_list\` (fdr) in ${TARGET_WALL} s wall" \
        "(${TARGET_CPU} s CPU): under 60 s $v." >> "$out_md"
fi

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
{
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') - coordination, $(uname -m), ${cpu:-unknown CPU}," \
        "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)"
    echo
    echo "$("$CHORUS" --version 2>/dev/null | head -n 1 || echo chorus)${COORD_LABEL:+ ($COORD_LABEL)};" \
        "data: \`chorus simulate\`" \
        "--difficulty $DIFF --seed $SEED --days ${DAYS:-30}; warm page cache; window $WINDOW s, min weight $MINW;" \
        "signals: ${SIGNALS[*]}."
    cat "$out_md"
} > "$tmp/all.md"
cat "$tmp/all.md"
if [ ! -f "$RESULTS" ]; then
    printf '# chorus coordination benchmark results\n\nAppended by bench/coord_bench.sh; see bench/README.md.\n' > "$RESULTS"
fi
cat "$tmp/all.md" >> "$RESULTS"
say "appended to $RESULTS"
