#!/usr/bin/env bash
# The addon itself under AddressSanitizer: the paths the C++ tests cannot reach because they go
# through Node-API, where an environment ends or a buffer is detached while native code works.
# Builds a copy of the package (dist/, native/, binding.gyp) with -fsanitize=address into
# build-asan-addon/, then runs the fixtures of test/reliability with libasan preloaded into node:
# workers terminated or exiting mid-fit and mid-prediction, and inputs detached while plans
# read them. Any ASan report aborts the fixture, which fails the run.
# Run by scripts/test-native.sh (npm run test:native). Needs dist/ (npm run build:ts).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pkg="$root/build-asan-addon"
[ -f dist/index.js ] || { echo "test-addon-asan: dist/ is missing: npm run build:ts first" >&2; exit 2; }

echo "== the addon under ASan (build-asan-addon/): worker-exit and detach paths"
rm -rf "$pkg"
mkdir -p "$pkg"
cp -r package.json binding.gyp native dist "$pkg/"
ln -s "$root/node_modules" "$pkg/node_modules"
(cd "$pkg" && CXXFLAGS="-fsanitize=address -fno-omit-frame-pointer -g" LDFLAGS="-fsanitize=address" \
   npm run build:native >"$pkg/build.log" 2>&1) || { tail -n 30 "$pkg/build.log"; exit 1; }

libasan=$(gcc -print-file-name=libasan.so)
# Node itself is not built with ASan: its own allocations at exit are not ours to report.
export LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 MYELIN_ROOT="$pkg"
fixtures=test/reliability/fixtures
failed=0
run() {
  local name=$1
  shift
  if output=$("$@" 2>&1) && [ -n "$output" ]; then
    echo "asan $name: clean ($(echo "$output" | tail -n 1 | cut -c1-100))"
  else
    failed=$((failed + 1))
    echo "asan $name: FAILED"
    echo "$output" | tail -n 40
  fi
}
for scenario in terminate-fit terminate-predict exit-predict exit-fit main-exit-predict; do
  run "$scenario" node "$fixtures/worker-end.js" "$scenario" 3
done
for scenario in predict-clone predict-worker fit-unshuffled fit-midtrip; do
  run "$scenario" node --expose-gc "$fixtures/detach.js" "$scenario"
done
[ "$failed" -eq 0 ]
