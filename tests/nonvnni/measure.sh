#!/usr/bin/env bash
# Runs int8 models natively and under the non-VNNI oracle (qemu-x86_64 -cpu Haswell) and prints, per model and input
# set, each one's cosine against the float model run natively, and how far the two runs differ.
#
#   measure.sh [--top1 | --ctc KEYS.txt] FLOAT.onnx "CHECK1.npy CHECK2.npy ..." INT8_A.onnx [INT8_B.onnx ...]
#
# --top1 adds the share of samples whose arg-max over the last axis agrees with the float model's (a classifier);
# --ctc adds a text recognizer's character accuracy against CHECK.txt beside each CHECK.npy (ocr_inputs.py --text).
# Outputs are cached in $COMPRESSBUILD_NONVNNI/runs (default ~/.cache/compressbuild/nonvnni/runs) and rerun when the
# model or input is newer. Each run uses 1 intra-op thread; under qemu 8 int8 detector pages of 320x320 take about 14 s
# of CPU (TCG emulation: not a speed of any real CPU, never report it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${COMPRESSBUILD_NONVNNI:-$HOME/.cache/compressbuild/nonvnni}"
python="${PYTHON:-/usr/bin/python3}"
top1="" keys=""
if [ "${1:-}" = --top1 ]; then top1=--top1; shift; fi
if [ "${1:-}" = --ctc ]; then keys=$2; shift 2; fi
if [ $# -lt 3 ]; then sed -n '2,12p' "$0" >&2; exit 2; fi
float=$1 inputs=$2
shift 2
"$here/oracle.sh" setup
runs="$build/runs"
mkdir -p "$runs"

output() {  # output native|haswell MODEL INPUT: runs once, prints the output's path
  local where=$1 model=$2 input=$3
  local out
  out="$runs/$(basename "$model" .onnx)--$(basename "$input" .npy)--$where.npy"
  if [ ! -f "$out" ] || [ "$model" -nt "$out" ] || [ "$input" -nt "$out" ]; then
    "$here/oracle.sh" "$where" "$model" --in "$input" --out "$out" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
  fi
  echo "$out"
}

cell() {  # cell REFERENCE CANDIDATE INPUT: the cosine (and top-1 share, or character accuracy)
  local text
  text=$("$python" "$here/compare.py" "$1" "$2" $top1 --cell)
  if [ -n "$keys" ]; then text="$text ($("$python" "$here/ctc.py" "$2" "$keys" "${3%.npy}.txt" --short))"; fi
  echo "$text"
}

if [ -n "$keys" ]; then
  echo "Float model's character accuracy: $(for input in $inputs; do
    "$python" "$here/ctc.py" "$(output native "$float" "$input")" "$keys" "${input%.npy}.txt" --short; done | paste -sd' ')"
fi
echo "| model | input | cosine vs fp32, native (VNNI) | cosine vs fp32, qemu Haswell (no VNNI) | Haswell against native |"
echo "|---|---|---|---|---|"
for input in $inputs; do
  reference=$(output native "$float" "$input")
  for model in "$@"; do
    native=$(output native "$model" "$input")
    haswell=$(output haswell "$model" "$input")
    echo "| $(basename "$model" .onnx) | $(basename "$input" .npy) | $(cell "$reference" "$native" "$input") |" \
      "$(cell "$reference" "$haswell" "$input") | $("$python" "$here/compare.py" "$native" "$haswell" --diff) |"
  done
done
