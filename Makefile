# A thin wrapper around CMake. `make demo` builds and runs the flagship scenario and draws its
# charts, `make test` builds and runs every test, `make bench` compares the engine with the bare
# M/M/1 loop and with SimPy (when /usr/bin/python3 has it, or PYTHON=... names a Python that
# has) and then runs bench-scale, `make bench-scale` measures wide and large models (many
# services, the closed-user ladder, memory per request in flight; BENCH_BASE=DIR adds an older
# build side by side, BENCH_ROUNDS rounds; the wide model's run at 20 and 200 s, bench/wide_run.sh),
# the hold model's growth from 10^3 to 10^6 pending
# events beside a bare heap's (bench/growth.sh) and the time series sampled every millisecond
# (bench/timeseries.sh), `make docs` redraws the charts in docs/img/ from runs of the scenarios,
# `make install` installs the program, its man page and its bash completion under PREFIX
# (DESTDIR=/staging is honoured, for packages), `make uninstall` removes what was installed.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local

.PHONY: all build demo test bench bench-scale asan clean docs install uninstall

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

uninstall:
	@test -f $(BUILD)/install_manifest.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	xargs rm -f < $(BUILD)/install_manifest.txt

demo: build
	./$(BUILD)/dessa run scenarios/sync_chain.lua
	./$(BUILD)/dessa plot out/sync_chain
	./$(BUILD)/dessa report out/sync_chain

docs: build
	bash plots/docs.sh ./$(BUILD)/dessa

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# `make bench` re-measures every figure of the scale aims (docs/performance.md, "Where the scale
# aims stand"): the engine against the bare loop and SimPy, then bench-scale.
bench: build
	bash bench/run.sh ./$(BUILD)
	bash bench/simpy.sh ./$(BUILD)
	$(MAKE) --no-print-directory bench-scale

BENCH_ROUNDS ?= 3
bench-scale: build
	bash bench/scale.sh $(BENCH_ROUNDS) ./$(BUILD) $(BENCH_BASE)
	bash bench/wide_run.sh $(BENCH_ROUNDS) ./$(BUILD) $(BENCH_BASE)
	bash bench/growth.sh ./$(BUILD) $(BENCH_ROUNDS)
	bash bench/timeseries.sh ./$(BUILD) $(BENCH_ROUNDS)

asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDESSA_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) $(ASAN_CTEST_ARGS)

# The scenario-loader fuzz target (tests/fuzz/, clang and libFuzzer): FUZZ_SECONDS of fuzzing from
# the seed corpus; findings are saved in tests/fuzz/found/. Timeouts and out-of-memory inputs are
# saved and fuzzing goes on; a crash, a sanitizer report or a leak stops it with an error.
.PHONY: fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?= -fork=1 -ignore_timeouts=1 -ignore_ooms=1
fuzz:
	cmake -S tests/fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang
	cmake --build build-fuzz -j $(JOBS)
	mkdir -p build-fuzz/corpus build-fuzz/seeds build-fuzz/tmp tests/fuzz/found
	grep -v '^#' tests/fuzz/seeds.list | while read -r f; do cp "$$f" "build-fuzz/seeds/$$(echo "$$f" | tr / _)"; done
	# First, each shipped scenario once, as it is: clang's sanitizers check a few kinds of
	# undefined behaviour that gcc's (the asan build) do not, such as arithmetic on a null pointer.
	TMPDIR=$(CURDIR)/build-fuzz/tmp ./build-fuzz/fuzz_load scenarios/*.lua
	TMPDIR=$(CURDIR)/build-fuzz/tmp ./build-fuzz/fuzz_load -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=8192 \
	    -max_len=16384 -dict=tests/fuzz/lua.dict -artifact_prefix=tests/fuzz/found/ $(FUZZ_FLAGS) \
	    build-fuzz/corpus tests/fuzz/corpus build-fuzz/seeds

clean:
	rm -rf $(BUILD) build-asan out
