#!/usr/bin/env bash
# One command for the performance figures of docs/performance.md:
#   1. build fockmix in Release (build-release/, at most FOCKMIX_JOBS = 2 parallel jobs),
#   2. run `fockmix bench --export DIR`: STREAM triad; per sector the matvec and its ratio to the compulsory-traffic
#      time at the triad bandwidth, a plain OpenMP CSR matvec of the same H (the kernel's speed-up over it), the
#      unit-time Krylov step and its matvec share, the Chebyshev step (matvecs, share, own peak memory, difference
#      from the Krylov result), the fused observables in matvec units (and the separate functions), peak memory;
#      exports H,
#   3. run benchmarks/scipy_expm.py on every export (Debian's /usr/bin/python3 with python3-scipy, python3-h5py),
#   4. print the scipy/fockmix ratio table,
#   5. with FOCKMIX_LARGE=1: `fockmix bench --large` (L=14 M=7 N=6, D = 9.3e7: the propagator chosen for a
#      12 GiB limit, one unit step, one output, peak memory against the estimate; ~6 GiB, minutes),
#   6. with FOCKMIX_STRETCH=1: `fockmix bench --stretch` (L=14 M=N=7, D = 2.66e8, under a 22 GiB limit; ~16 GiB, ~15 min).
# Everything printed also goes to benchmarks/results-<date>.txt.
#
# Usage: benchmarks/run_all.sh [extra `fockmix bench` options, e.g. --repeats 9]
# Environment: FOCKMIX_BUILD_DIR (default build-release), FOCKMIX_EXPORT_DIR (default <build>/bench-export),
#   FOCKMIX_BIN (a prebuilt fockmix executable: skips the build), FOCKMIX_JOBS (default 2),
#   SCIPY_MAX_GIB (default 16), SCIPY_MAX_MINUTES (default 15): scipy skips larger cases with a printed reason,
#   FOCKMIX_LARGE (default 0): 1 adds the large-sector run (needs the CLI's --large flag),
#   FOCKMIX_STRETCH (default 0): 1 adds the stretch-sector run (--stretch; a machine with ~18 GiB free).
# The export of the ~1.1e7-state case needs ~3 GB of disk and ~11 GB of memory while it is assembled.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FOCKMIX_BUILD_DIR:-$root/build-release}
export_dir=${FOCKMIX_EXPORT_DIR:-$build/bench-export}
jobs=${FOCKMIX_JOBS:-2}
python=/usr/bin/python3
results=$root/benchmarks/results-$(date +%Y-%m-%d).txt

if [[ -z "${FOCKMIX_BIN:-}" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFOCKMIX_BUILD_TESTS=OFF
  cmake --build "$build" -j "$jobs" --target fockmix_cli
  fockmix=$build/fockmix
else
  fockmix=$FOCKMIX_BIN
fi
mkdir -p "$export_dir"
rm -f "$export_dir"/bench_L*_M*_N*.h5

{
  echo "# fockmix benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, \
$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
  echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "\$ $fockmix bench --export $export_dir $*"
  "$fockmix" bench --export "$export_dir" "$@"
  echo
  echo "\$ $python benchmarks/scipy_expm.py $export_dir/bench_*.h5"
  "$python" "$root/benchmarks/scipy_expm.py" --max-gib "${SCIPY_MAX_GIB:-16}" --max-minutes "${SCIPY_MAX_MINUTES:-15}" \
    "$export_dir"/bench_L*_M*_N*.h5
  if [[ "${FOCKMIX_LARGE:-0}" == 1 ]]; then
    echo
    echo "\$ $fockmix bench --large"
    "$fockmix" bench --large
  fi
  if [[ "${FOCKMIX_STRETCH:-0}" == 1 ]]; then
    echo
    echo "\$ $fockmix bench --stretch"
    "$fockmix" bench --stretch
  fi
  echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$results"
echo "written: $results"
