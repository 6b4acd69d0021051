#!/usr/bin/env bash
# Proves that the published package works without a compiler: builds the prebuilt binary
# (prebuildify), packs the tarball, installs it into an empty project with no compiler, make or
# python on PATH, and trains XOR there. Run by `npm run test:package` and by .ci/run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

npm run prebuild --silent
ls prebuilds/linux-x64/*.node >/dev/null
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball"

listing=$(tar -tzf "$work/$tarball")
for want in package/prebuilds/linux-x64/ package/dist/index.js package/dist/index.d.ts package/data/digits.csv.gz package/binding.gyp; do
  grep -q "^$want" <<<"$listing" || { echo "missing from the tarball: $want"; exit 1; }
done
if grep -qE '^package/(test|bench|lib)/' <<<"$listing"; then
  echo "the tarball carries test, bench or TypeScript sources:"; grep -E '^package/(test|bench|lib)/' <<<"$listing"; exit 1
fi

# A PATH with node and npm only: no g++, cc, make or python3 to compile with.
mkdir -p "$work/bin" "$work/app"
ln -s "$(command -v node)" "$work/bin/node"
ln -s "$(command -v npm)" "$work/bin/npm"
ln -s "$(command -v sh)" "$work/bin/sh"
cd "$work/app"
PATH="$work/bin" CC=/nonexistent CXX=/nonexistent npm init -y >/dev/null
PATH="$work/bin" CC=/nonexistent CXX=/nonexistent npm install --no-audit --no-fund "$work/$tarball" >/dev/null
if [ -e node_modules/myelin/build ]; then
  echo "installing the tarball compiled something (node_modules/myelin/build exists)"; exit 1
fi
cat > xor.js <<'JS'
const my = require('myelin');
(async () => {
  my.seed(42);
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, [[0], [1], [1], [0]], { epochs: 300, batchSize: 4, verbose: 0 });
  const got = model.predict(x).toArray().map(([p]) => (p > 0.5 ? 1 : 0)).join('');
  const { isa, threads } = my.backendInfo();
  console.log(`installed tarball trains XOR: ${got} (${isa}, ${threads} threads)`);
  if (got !== '0110') process.exit(1);
})().catch((e) => { console.error(e); process.exit(1); });
JS
PATH="$work/bin" node xor.js
echo "package: 1 passed, 0 failed"
