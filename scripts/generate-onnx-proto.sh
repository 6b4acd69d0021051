#!/usr/bin/env bash
# Regenerates lib/onnx/proto/onnx.js and onnx.d.ts from lib/onnx/proto/onnx.proto (ONNX's schema,
# Apache-2.0, lib/onnx/proto/LICENSE) with protobufjs's own generator, pinned here: a static
# CommonJS module over protobufjs/minimal (the runtime dependency) without JSON conversion,
# verification or delimited encoding, which the exporter does not use. The .d.ts is made from a
# commented copy; the shipped .js has no comments. Run by hand after updating onnx.proto.
set -euo pipefail
cd "$(dirname "$0")/../lib/onnx/proto"
pbjs=(npm exec --yes --package=protobufjs-cli@2.7.1 --package=protobufjs@8.8.1 -- pbjs)
pbts=(npm exec --yes --package=protobufjs-cli@2.7.1 --package=protobufjs@8.8.1 -- pbts)
options=(-t static-module -w commonjs --no-delimited --no-verify --no-convert)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${pbjs[@]}" "${options[@]}" -o "$tmp/onnx.js" onnx.proto
"${pbts[@]}" -o onnx.d.ts "$tmp/onnx.js"
"${pbjs[@]}" "${options[@]}" --no-comments -o onnx.js onnx.proto
echo "generated lib/onnx/proto/onnx.js and onnx.d.ts"
