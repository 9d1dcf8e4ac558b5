#!/usr/bin/env bash
# The distributed exact engine (FOCKMIX_MPI=ON, docs/distributed.md): install what it needs from Debian's packages
# (only what is missing; Open MPI comes with PETSc), configure ./build-mpi, build the library, the command line and
# the MPI test, and run that test with 1 and 2 ranks. Safe to run again. Open MPI refuses to run as root unless
# told: the tests set OMPI_ALLOW_RUN_AS_ROOT{,_CONFIRM} themselves (CI runs as root).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config
          libarmadillo-dev libarpack2-dev libspectra-dev libeigen3-dev libhdf5-dev
          libgtest-dev libtomlplusplus-dev libcli11-dev libfmt-dev
          libpetsc-complex-dev libslepc-complex3.18-dev openmpi-bin libopenmpi-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test_mpi: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_type="${FOCKMIX_BUILD_TYPE:-Release}"
generator=()
# keep the generator of an existing build directory; Ninja for a new one
if [ ! -f build-mpi/CMakeCache.txt ]; then generator=(-G Ninja); fi
cmake -S . -B build-mpi "${generator[@]}" -DCMAKE_BUILD_TYPE="$build_type" -DFOCKMIX_MPI=ON >/dev/null
cmake --build build-mpi -j "$(nproc)" --target fockmix_cli test_distributed test_distributed_run
ctest --test-dir build-mpi -L mpi --output-on-failure
