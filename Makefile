# chorus - build with plain make and pkg-config.
#   make            library, the chorus program and test binaries (build/);
#                   the report's script is bundled from web/ with npm's
#                   esbuild (`npm ci` in web/ first, as scripts/setup.sh does)
#   make test       every test, normal build then ASan+UBSan (build-asan/),
#                   the browser test of report.html (tests/browser/), and
#                   the threads under ThreadSanitizer (build-tsan/)
#   make demo       the main job on the bundled sample
#   make bench      ingest benchmarks (see bench/README.md)
#   make mpi        build/chorus-mpi: coord across processes under mpirun
#                   (needs Open MPI's mpicc; see docs/coordination.md)
#   make fuzz       libFuzzer targets, a short run each (needs clang)
#   make clean

PKGS      := zlib libzstd libarchive json-c sqlite3 libxxhash igraph libutf8proc
CC        ?= cc
BUILD     ?= build
OPT       ?= -O2 -g
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS  += -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64
CFLAGS    += -std=c17 $(OPT) $(WARN) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm $(EXTRA_LDLIBS)

LIB_SRC   := $(sort $(shell find src -name '*.c'))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

# The report's script and stylesheet (web/src, npm packages in web/) are
# bundled with esbuild into build/web/ and embedded as C bytes, so the
# chorus program alone writes a complete report.html.
WEB_OUT   := build/web
WEB_SRC   := $(sort $(wildcard web/src/*)) web/package-lock.json
ASSETS    := $(BUILD)/gen/report_assets.o
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(ASSETS)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libchorus.a
BIN       := $(BUILD)/chorus
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS     := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test test-normal test-asan test-tsan test-mpi build-tsan demo bench fuzz clean setup mpi

# With Open MPI's mpicc on the machine, `all` also builds chorus-mpi.
MPICC     ?= mpicc
HAVE_MPI  := $(shell command -v $(MPICC) 2>/dev/null)

all: $(BIN) $(TESTS) $(TOOLS) $(BENCHES) $(if $(HAVE_MPI),$(BUILD)/chorus-mpi)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null || { echo "npm missing: run 'bash scripts/setup.sh'" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_OUT)/report.js $(WEB_OUT)/report.css &: $(WEB_SRC) web/node_modules/.package-lock.json
	cd web && npm run --silent build

$(BUILD)/gen/report_assets.c: $(WEB_OUT)/report.js $(WEB_OUT)/report.css web/embed.mjs
	node web/embed.mjs $(WEB_OUT) $@

$(ASSETS): $(BUILD)/gen/report_assets.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# The same program built with MPI: only cli/ differs (CHORUS_MPI), the
# library is the one above.
MPI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/mpi/%.o)

$(BUILD)/mpi/%.o: %.c
	@mkdir -p $(dir $@)
	$(MPICC) $(CPPFLAGS) -DCHORUS_MPI $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/chorus-mpi: $(MPI_OBJ) $(LIB)
	$(MPICC) $(CFLAGS) -o $@ $(MPI_OBJ) $(LIB) $(LDLIBS)

mpi: $(BUILD)/chorus-mpi

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h tests/unit/io_header.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN_FLAGS := -fsanitize=thread

test: all
	@bash tests/run.sh build --no-fail
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" EXTRA_CFLAGS="$(SAN_FLAGS)" EXTRA_LDLIBS="$(SAN_FLAGS)" all
	@bash tests/run.sh build-asan --no-fail
	@bash tests/mpi/run.sh build-asan --no-fail
	@$(MAKE) --no-print-directory build-tsan
	@bash tests/threads/run.sh build-tsan --no-fail
	@bash tests/mpi/run.sh build --no-fail
	@bash tests/summary.sh build build-asan build-tsan

# The program and the threaded unit test under ThreadSanitizer.
build-tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT="-O1 -g" EXTRA_CFLAGS="$(TSAN_FLAGS)" \
		EXTRA_LDLIBS="$(TSAN_FLAGS)" build-tsan/chorus build-tsan/tests/test_tweet_threads \
		build-tsan/tests/test_dedup

test-tsan: build-tsan
	@bash tests/threads/run.sh build-tsan

test-mpi: all
	@bash tests/mpi/run.sh build

test-normal: all
	@bash tests/run.sh build

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" EXTRA_CFLAGS="$(SAN_FLAGS)" EXTRA_LDLIBS="$(SAN_FLAGS)" all
	@bash tests/run.sh build-asan

demo: all
	@bash scripts/demo.sh

bench: all
	@bash bench/run.sh

fuzz:
	@bash tests/fuzz/run.sh

clean:
	rm -rf build build-asan build-tsan build-fuzz out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
