#!/usr/bin/env bash
# The README's main job, on real trained models (scikit-learn's digits, tests/fixtures/digits):
#   1. `run` the example compress.yaml: a residual CNN to int8-static (calibrated) and a small transformer to
#      int4 weights, each verified on 497 held-out samples against accuracy, fidelity and size budgets, with
#      reports; run twice to show the second run is served from the content-addressed cache;
#   2. `quantize`, then `verify` the CNN by hand, the same steps one command at a time;
#   3. `prune` the MLP's channels and `inspect` / `bench` the result.
# Exits non-zero if any budget is missed.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build tool/CompressBuild.Tool -c Release --nologo -v quiet -clp:ErrorsOnly
compress() { dotnet tool/CompressBuild.Tool/bin/Release/net10.0/dotnet-compress.dll "$@"; }

digits=tests/fixtures/digits
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reports=artifacts/demo

echo "== run examples/digits/compress.yaml (compress, verify, gate; reports in $reports)"
compress run examples/digits/compress.yaml --cache-dir "$work/cache" --report-dir "$reports"
echo; echo "== the same again: every candidate comes from the cache"
compress run examples/digits/compress.yaml --cache-dir "$work/cache"

echo; echo "== quantize + verify by hand"
compress quantize "$digits/cnn_residual.onnx" -o "$work/cnn.int8.onnx" --mode int8-static --calibration-data "$digits/calib_x_img.npy"
compress verify "$work/cnn.int8.onnx" --reference "$digits/cnn_residual.onnx" --data "$digits/test_x_img.npy" \
  --labels "$digits/test_labels.npy" --max-accuracy-drop 1 --min-size-ratio 2

echo; echo "== prune 25% of the MLP's hidden channels, then inspect and bench it"
compress prune "$digits/mlp.onnx" -o "$work/mlp.pruned.onnx" --method channel --sparsity 0.25 --importance activation \
  --calibration-data "$digits/calib_x_flat.npy" --data "$digits/test_x_flat.npy" --labels "$digits/test_labels.npy"
compress inspect "$work/mlp.pruned.onnx"
compress bench "$work/mlp.pruned.onnx" --data "$digits/test_x_flat.npy" --threads 1 --iterations 500
