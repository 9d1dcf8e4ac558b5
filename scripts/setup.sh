#!/usr/bin/env bash
# Install what fockmix needs from Debian's packages (only what is missing), then configure and build
# it (Release) in ./build. Safe to run again: it rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# libopenblas-dev: an optimised BLAS/LAPACK behind Armadillo and ARPACK (Debian's alternatives switch to it; the
# reference BLAS that libarmadillo-dev pulls in alone ran a 2025 x 2025 complex product 9x and eig_sym 2.4x slower)
packages=(cmake ninja-build g++ pkg-config
          libarmadillo-dev libarpack2-dev libspectra-dev libeigen3-dev libhdf5-dev libopenblas-dev
          libgtest-dev libtomlplusplus-dev libcli11-dev libfmt-dev
          python3-numpy python3-matplotlib python3-h5py python3-scipy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_type="${FOCKMIX_BUILD_TYPE:-Release}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j "$(nproc)"
