#!/usr/bin/env bash
# Set up (install, configure, build) and run the default test suite; the long physics checks are
# labelled `slow`: run them with `ctest --test-dir build -L slow`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build -LE slow --output-on-failure -j 1 "$@"
