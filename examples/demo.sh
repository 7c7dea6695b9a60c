#!/usr/bin/env bash
# The README's main job: compression as a gated step of `dotnet build`, on real trained models (scikit-learn's
# digits, tests/fixtures/digits), with CompressBuild taken from source through the root Directory.Build.targets.
#   1. examples/DigitsClassifier: `dotnet build` quantizes a residual CNN to int8-static as its compress.yaml says,
#      verifies it on 497 held-out digits against a 1-point accuracy budget (plus fidelity and size), prints the
#      summary, and copies the compressed model to bin/; the app then classifies the held-out digits with it.
#      A second build with nothing changed skips the compression.
#   2. examples/DigitsPruneQuantize: inline OnnxModel metadata, channel pruning 25% then int8-static, with budgets.
#   2b. examples/TextDetector: a real public model (PaddleOCR's PP-OCRv4 text detector) quantized to int8-static with
#      fidelity, speed and size budgets: smaller and faster (skipped with a message when it cannot be fetched).
#   3. The CLI route: `dotnet compress run examples/digits/compress.yaml` (CNN int8-static, transformer int4),
#      then the same run served from the content-addressed cache.
# Works on a fresh machine with the .NET 10 SDK alone (restore brings ONNX Runtime from NuGet: Microsoft.ML.OnnxRuntime).
# Exits non-zero if any budget is missed (the build fails) or the shipped model does not run.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reports=artifacts/demo
# A private cache, so the demo shows the real work every time; the build would otherwise reuse ~/.cache/compressbuild.
build=(-c Release --nologo "-p:CompressBuildCacheDir=$work/cache")

example() {
  local name=$1 title=$2
  echo "== $title"
  dotnet clean "examples/$name" -c Release --nologo -v quiet >/dev/null
  echo "-- dotnet build examples/$name (compress, verify, gate)"
  dotnet build "examples/$name" "${build[@]}" -v minimal "-p:CompressBuildReportDir=$PWD/$reports/$name/"
  echo "-- dotnet run: the app loads the model the build shipped"
  dotnet run --project "examples/$name" -c Release --no-build
}

example DigitsClassifier "DigitsClassifier: residual CNN, int8-static, budgets in compress.yaml (reports in $reports/DigitsClassifier)"
echo; echo "-- dotnet build again, nothing changed: the compression is skipped"
again=$(dotnet build examples/DigitsClassifier "${build[@]}" -v normal "-p:CompressBuildReportDir=$PWD/$reports/DigitsClassifier/")
grep -E 'Skipping target "_CompressBuildCompress"|Build succeeded|Time Elapsed' <<<"$again" | sed 's/^ *//'

echo
example DigitsPruneQuantize "DigitsPruneQuantize: MLP, channel pruning 25% then int8-static, inline item metadata (reports in $reports/DigitsPruneQuantize)"

echo
# A real public model: PaddleOCR's PP-OCRv4 text detector (tests/models/fetch.sh, pinned version and checksum), and
# rendered text pages normalized as PaddleOCR does (python3-pil, fixed seeds).
if bash tests/models/fetch.sh && models="${COMPRESSBUILD_TEST_MODELS:-$HOME/.cache/compressbuild/test-models}" && [ -f "$models/ppocr-det.onnx" ] \
   && /usr/bin/python3 -c "import PIL, numpy" >/dev/null 2>&1; then
  mkdir -p examples/TextDetector/Models examples/TextDetector/Data
  cp "$models/ppocr-det.onnx" examples/TextDetector/Models/ppocr-det.onnx
  /usr/bin/python3 tests/models/ocr_inputs.py det 16 examples/TextDetector/Data/calibration.npy --seed 7
  /usr/bin/python3 tests/models/ocr_inputs.py det 8 examples/TextDetector/Data/test.npy --seed 11
  example TextDetector "TextDetector: PP-OCRv4 text detector (public model), int8-static, smaller and faster (reports in $reports/TextDetector)"
else
  echo "== TextDetector skipped: the PP-OCRv4 detector could not be fetched (tests/models/fetch.sh needs npm) or python3-pil/python3-numpy are missing"
fi

echo; echo "== the CLI route: dotnet compress run examples/digits/compress.yaml (CNN int8-static, transformer int4)"
dotnet build tool/CompressBuild.Tool -c Release --nologo -v quiet -clp:ErrorsOnly
compress() { dotnet tool/CompressBuild.Tool/bin/Release/net10.0/dotnet-compress.dll "$@"; }
compress run examples/digits/compress.yaml --cache-dir "$work/cli-cache" --report-dir "$reports/cli"
echo; echo "== the same again: every candidate comes from the cache"
compress run examples/digits/compress.yaml --cache-dir "$work/cli-cache"
