#!/usr/bin/env bash
# Cross-compiles the linux-arm64 prebuild on an x86-64 Debian machine into
# prebuilds/linux-arm64/myelin.node, as `npm run prebuild` writes prebuilds/linux-x64/.
# prebuildify runs node-gyp with --arch=arm64 and the cross compiler in CC/CXX (Debian's
# g++-aarch64-linux-gnu), then strips with the cross strip. Built in a copy of the sources
# (build-prebuild-arm64/) so the x64 build in build/ is left alone.
# Run by `npm run prebuild:arm64`, scripts/test-arm64.sh and scripts/check-package.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cross=${MYELIN_CROSS_PREFIX:-aarch64-linux-gnu-}
command -v "${cross}g++" >/dev/null || {
  echo "prebuild-arm64: ${cross}g++ is needed (Debian: apt-get install g++-aarch64-linux-gnu)" >&2
  exit 2
}

stage="$root/build-prebuild-arm64"
rm -rf "$stage"
mkdir -p "$stage"
cp -r package.json binding.gyp native "$stage/"
ln -s "$root/node_modules" "$stage/node_modules"
if ! (cd "$stage" && CC="${cross}gcc" CXX="${cross}g++" LINK="${cross}g++" AR="${cross}ar" \
        PREBUILD_STRIP_BIN="${cross}strip" npx --no-install prebuildify --napi --strip --arch=arm64 \
        >"$stage/build.log" 2>&1); then
  tail -n 40 "$stage/build.log"
  exit 1
fi
if grep -q "warning:" "$stage/build.log"; then
  grep -B2 -A4 "warning:" "$stage/build.log" | head -n 60
  echo "prebuild-arm64: the cross build warns (the code is -Wall -Wextra clean)" >&2
  exit 1
fi
mkdir -p prebuilds/linux-arm64
cp "$stage"/prebuilds/linux-arm64/*.node prebuilds/linux-arm64/
echo "prebuild-arm64: wrote $(ls prebuilds/linux-arm64/*.node)"
