#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (FOCKMIX_SANITIZE=ON) in
# ./build-sanitize: any memory error or undefined behaviour fails the test that hit it. About 15 minutes of
# building and 1 minute of tests on 2 cores; not part of CI's default run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOCKMIX_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j "$(nproc)"
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-sanitize -LE slow --output-on-failure -j "$(nproc)" "$@"
