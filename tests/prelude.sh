#!/usr/bin/env bash
# The scenario language's own harness (tests/prelude_harness.lua) under the plain interpreter.
set -u
cd "$2" || exit 1
lua5.4 tests/prelude_harness.lua
