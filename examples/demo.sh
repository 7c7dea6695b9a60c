#!/usr/bin/env bash
# The README's main job, on a real trained model (a residual CNN on scikit-learn's digits, tests/fixtures/digits):
# inspect it, move its weights to external data and back (checking the round trip is byte-identical), and
# benchmark it on its held-out data on the real ONNX Runtime. Compression and verification join this script
# as their issues land (quantize, prune, verify, run).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build tool/CompressBuild.Tool -c Release --nologo -v quiet -clp:ErrorsOnly
compress() { dotnet tool/CompressBuild.Tool/bin/Release/net10.0/dotnet-compress.dll "$@"; }

model=tests/fixtures/digits/cnn_residual.onnx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== inspect"
compress inspect "$model"

echo; echo "== convert to external data, then back inline"
compress convert "$model" -o "$work/external/model.onnx" --external-data --size-threshold 1024
compress convert "$work/external/model.onnx" -o "$work/inline/model.onnx" --inline
cmp "$model" "$work/inline/model.onnx" && echo "Round trip is byte-identical to the original."

echo; echo "== bench on held-out data"
compress bench "$work/external/model.onnx" --data tests/fixtures/digits/test_x_img.npy --threads 1 --iterations 500
