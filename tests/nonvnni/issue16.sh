#!/usr/bin/env bash
# Issue 16's table: the detector and the classifier quantized int8-static as a VNNI build machine writes them (8-bit
# weights, u8 activations), as a machine without VNNI writes them (7-bit weights: the CLI run with .NET's AVX-512 and
# AVX-VNNI turned off, so CpuFeatures reports no VNNI and SaturationChoice applies, CB4018) and with s8 activations,
# each run natively and under the non-VNNI oracle, cosine against the float model run natively.
#
#   issue16.sh [--rec] [OUT_DIR]     (default ~/.cache/compressbuild/nonvnni/issue16; needs the Release build and /tmp/s8)
#   issue16.sh --speed [OUT_DIR]     the speed table instead: detector, classifier and recognizer, int8-static as the
#                                    CLI writes it by default here and with --reduce-range, against fp32, each timed
#                                    by speed.sh on the AVX2 kernels (CPUID masked) and natively: det11 / cls11 / rec11
#
# --rec adds the recognizer (8-bit and 7-bit, rec7 calibrating, character accuracy on rec11 / rec13 against their .txt):
# a few more minutes of CPU per model and 64 lines under qemu (the float model: 4 min).
# Calibration: det7 / cls7; checks: det11, det13 / cls11, cls13 (see BRIEF-COMMON's /tmp/s8, or render them with
# tests/models/ocr_inputs.py). About 5 minutes of CPU: quantizing (the detector about 40 s each) and the detector
# under qemu (14 s per model and page set).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rec="" speed=""
if [ "${1:-}" = --rec ]; then rec=1; shift; fi
if [ "${1:-}" = --speed ]; then speed=1; shift; fi
out="${1:-$HOME/.cache/compressbuild/nonvnni/issue16}"
models="${COMPRESSBUILD_TEST_MODELS:-$HOME/.cache/compressbuild/test-models}"
data="${S8_DATA:-/tmp/s8}"
cli="$repo/tool/CompressBuild.Tool/bin/Release/net10.0/dotnet-compress.dll"
[ -f "$cli" ] || { echo "issue16: build first: dotnet build CompressBuild.sln -c Release" >&2; exit 1; }
mkdir -p "$out"

quantize() {  # quantize NAME MODEL CALIBRATION [env ...] -- [quantize options]
  local name=$1 model=$2 calibration=$3
  shift 3
  local env=()
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  [ -f "$out/$name.onnx" ] && return 0
  env "${env[@]}" dotnet "$cli" quantize "$model" -o "$out/$name.onnx" --mode int8-static --calibration-data "$calibration" \
    "$@" > "$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; exit 1; }
}

if [ -n "$speed" ]; then
  for family in det cls rec; do
    int8=()
    for variant in u8s8 reduce-range; do
      options=()
      [ "$variant" = reduce-range ] && options=(--reduce-range)
      # A model the CLI fails to write is left out of the table, loudly (the recognizer with --reduce-range, 20:10).
      if (quantize "$family-$variant" "$models/ppocr-$family.onnx" "$data/${family}7.npy" -- "${options[@]}"); then
        int8+=("$out/$family-$variant.onnx")
      else
        echo "issue16: quantizing $family-$variant FAILED (log: $out/$family-$variant.log); left out" >&2
      fi
    done
    echo
    "$here/speed.sh" ${SPEED_OPTIONS:-} "$models/ppocr-$family.onnx" "${int8[@]}" "$data/${family}11.npy"
  done
  exit 0
fi

# What `CpuFeatures.HasVnni` reads: with both off, this process sees a CPU without VNNI (checked: CB4018 is reported).
no_vnni=(DOTNET_EnableAVX512=0 DOTNET_EnableAVXVNNI=0)
quantize det-u8s8 "$models/ppocr-det.onnx" "$data/det7.npy" --
quantize det-u8s7 "$models/ppocr-det.onnx" "$data/det7.npy" "${no_vnni[@]}" --
quantize det-s8s8 "$models/ppocr-det.onnx" "$data/det7.npy" -- --activation-type s8
quantize cls-u8s8 "$models/ppocr-cls.onnx" "$data/cls7.npy" --
quantize cls-u8s7 "$models/ppocr-cls.onnx" "$data/cls7.npy" "${no_vnni[@]}" --
quantize cls-s8s8 "$models/ppocr-cls.onnx" "$data/cls7.npy" -- --activation-type s8
grep -q CB4018 "$out/det-u8s7.log" || { echo "issue16: the 7-bit detector was written without CB4018" >&2; exit 1; }

"$here/measure.sh" "$models/ppocr-det.onnx" "$data/det11.npy $data/det13.npy" "$out"/det-u8s8.onnx "$out"/det-u8s7.onnx \
  "$out"/det-s8s8.onnx
echo
"$here/measure.sh" --top1 "$models/ppocr-cls.onnx" "$data/cls11.npy $data/cls13.npy" "$out"/cls-u8s8.onnx \
  "$out"/cls-u8s7.onnx "$out"/cls-s8s8.onnx
if [ -n "$rec" ]; then
  quantize rec-u8s8 "$models/ppocr-rec.onnx" "$data/rec7.npy" --
  quantize rec-u8s7 "$models/ppocr-rec.onnx" "$data/rec7.npy" "${no_vnni[@]}" --
  echo
  "$here/measure.sh" --ctc "$models/ppocr-keys.txt" "$models/ppocr-rec.onnx" "$data/rec11.npy $data/rec13.npy" \
    "$out"/rec-u8s8.onnx \
    "$out"/rec-u8s7.onnx
fi
