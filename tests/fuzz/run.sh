#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c as a libFuzzer target (clang, ASan and
# UBSan) into build-fuzz/ and runs each for FUZZ_SECONDS (default 30) on a
# corpus in build-fuzz/corpus/NAME, seeded from tests/fuzz/seeds/NAME/.
# Prints one line per target; exits 1 if any target crashed or failed to
# build. Without clang (or its fuzzer runtime) it says so and exits 0.
# Usage: tests/fuzz/run.sh [NAME...]   (default: every target)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=build-fuzz
secs=${FUZZ_SECONDS:-30}
CC=${FUZZ_CC:-clang}
PKGS="zlib libzstd libarchive json-c sqlite3 libxxhash igraph"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -std=c17 -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 \
$(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm"

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found; skipping the fuzz targets"
    exit 0
fi
mkdir -p "$out/obj" "$out/corpus" "$out/artifacts"

# libFuzzer ships in a separate package on Debian/Ubuntu (libclang_rt.fuzzer).
probe="$out/probe.c"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe"
if ! "$CC" -fsanitize=fuzzer,address "$probe" -o "$out/probe" 2> "$out/probe.log"; then
    echo "fuzz: $CC cannot link -fsanitize=fuzzer (libFuzzer runtime missing;"
    echo "fuzz: on Debian/Ubuntu: apt-get install libclang-rt-14-dev); skipping"
    exit 0
fi

# The library is compiled once, instrumented for coverage but without
# libFuzzer's main, then linked into each target.
build_lib() {
    local src obj failed=0
    local objs=()
    for src in $(find src -name '*.c' | sort); do
        obj="$out/obj/${src//\//_}.o"
        objs+=("$obj")
        if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ -n "$(find src include -name '*.h' -newer "$obj" | head -n 1)" ]; then
            $CC $CFLAGS -fsanitize=fuzzer-no-link $SAN -c "$src" -o "$obj" || failed=1
        fi
    done
    [ "$failed" -eq 0 ] || return 1
    rm -f "$out/libchorus-fuzz.a"
    ar rcs "$out/libchorus-fuzz.a" "${objs[@]}"
}

if [ $# -gt 0 ]; then
    targets=()
    for n in "$@"; do targets+=("tests/fuzz/${n%.c}.c"); done
else
    targets=(tests/fuzz/fuzz_*.c)
fi
if [ ! -e "${targets[0]}" ]; then
    echo "fuzz: no targets in tests/fuzz/"
    exit 0
fi
if ! build_lib; then
    echo "fuzz: the library did not build with $CC"
    exit 1
fi

status=0
for t in "${targets[@]}"; do
    name=$(basename "$t" .c)
    bin="$out/$name"
    log="$out/$name.log"
    if ! $CC $CFLAGS -fsanitize=fuzzer $SAN "$t" "$out/libchorus-fuzz.a" $LIBS -o "$bin" 2> "$log"; then
        echo "$name: BUILD FAILED (see $log)"
        tail -n 20 "$log"
        status=1
        continue
    fi
    corpus="$out/corpus/$name"
    mkdir -p "$corpus" "$out/artifacts/$name"
    if [ -d "tests/fuzz/seeds/$name" ]; then
        cp -n tests/fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null
    fi
    "$bin" "$corpus" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 \
        -artifact_prefix="$out/artifacts/$name/" -print_final_stats=1 > "$log" 2>&1
    rc=$?
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
    files=$(find "$corpus" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "$name: ok (${runs:-?} runs in ${secs}s, corpus $files files)"
    else
        artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
        echo "$name: CRASH (exit $rc; input ${artifact:-?}; log $log)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5
        status=1
    fi
done
exit $status
