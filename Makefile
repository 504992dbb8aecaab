# A thin wrapper around CMake. `make demo` builds and runs the flagship scenario, `make test`
# builds and runs every test, `make bench` compares the engine with the bare M/M/1 loop.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build demo test bench asan clean

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/dessa run scenarios/sync_chain.lua

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bash bench/run.sh ./$(BUILD)

asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDESSA_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) build-asan out
