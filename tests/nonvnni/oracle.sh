#!/usr/bin/env bash
# The non-VNNI oracle: runs a model with ONNX Runtime's own native library (the NuGet package's libonnxruntime.so)
# natively or under `qemu-x86_64 -cpu Haswell` (AVX2 + FMA, no AVX-512, no VNNI), where MLAS picks the u8 x s8 kernels
# of a CPU without VNNI, whose int16 pair sums saturate. See tests/nonvnni/README.md.
#
#   oracle.sh setup                                   install gcc / qemu-user if missing (apt), build ortrun
#   oracle.sh check                                   synthetic saturation check: must saturate under Haswell only
#                                                     (u8 and s8 activations: ORT runs s8 x s8 as u8 x s8 there;
#                                                     3x3 depthwise Convs: no saturation on either CPU)
#   oracle.sh native  MODEL --in X.npy --out Y.npy    run on this CPU (1 intra-op thread)
#   oracle.sh haswell MODEL --in X.npy --out Y.npy    run under qemu-x86_64 -cpu Haswell
#
# Timings under qemu are TCG emulation, not the speed of any real CPU: never report them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ort_version="${ORT_VERSION:-1.31.1}"
ort_package="${ORT_PACKAGE:-$HOME/.nuget/packages/microsoft.ml.onnxruntime/$ort_version}"
build="${COMPRESSBUILD_NONVNNI:-$HOME/.cache/compressbuild/nonvnni}"
python="${PYTHON:-/usr/bin/python3}"
qemu_cpu="${QEMU_CPU_MODEL:-Haswell}"

need() {  # need COMMAND APT-PACKAGE: install the package with apt when the command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  echo "oracle: $1 not found: installing the Debian package $2" >&2
  if ! command -v apt-get >/dev/null 2>&1 || ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$2" >/dev/null; then
    echo "oracle: MISSING $1: could not install $2 (no apt-get or no root); install it by hand: apt-get install $2" >&2
    exit 1
  fi
}

setup() {
  need gcc gcc
  need qemu-x86_64 qemu-user
  local native="$ort_package/runtimes/linux-x64/native" include="$ort_package/build/native/include"
  if [ ! -f "$native/libonnxruntime.so" ] || [ ! -f "$include/onnxruntime_c_api.h" ]; then
    echo "oracle: MISSING ONNX Runtime $ort_version in $ort_package (restore the solution once: dotnet restore)" >&2
    exit 1
  fi
  mkdir -p "$build/lib"
  # The library's soname is libonnxruntime.so.1; the package ships it as libonnxruntime.so.
  ln -sf "$native/libonnxruntime.so" "$build/lib/libonnxruntime.so.1"
  if [ ! -x "$build/ortrun" ] || [ "$here/ortrun.c" -nt "$build/ortrun" ] || [ "$native/libonnxruntime.so" -nt "$build/ortrun" ]; then
    gcc -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -I"$include" "$here/ortrun.c" -o "$build/ortrun" \
      -L"$native" -l:libonnxruntime.so -Wl,-rpath,"$build/lib"
  fi
}

run() {  # run native|haswell ARGS...
  local where=$1
  shift
  if [ "$where" = haswell ]; then
    # qemu warns about host features TCG cannot emulate (pcid, x2apic...): none of them is one MLAS reads.
    qemu-x86_64 -cpu "$qemu_cpu" "$build/ortrun" "$@" 2> >(grep -v "TCG doesn't support requested feature" >&2)
  else
    "$build/ortrun" "$@"
  fi
}

check() {
  local dir="$build/saturation"
  "$python" "$here/saturation_models.py" "$dir"
  local failed=0
  for model in matmul conv matmul-s8 conv-s8 dwconv24 dwconv32; do
    for where in native haswell; do
      run "$where" "$dir/sat-$model.onnx" --in "$dir/sat-${model%-s8}-input.npy" --out "$dir/$model-$where.npy" 2>/dev/null
    done
    "$python" - "$dir/$model-native.npy" "$dir/$model-haswell.npy" "$model" <<'EOF' || failed=1
import sys
import numpy as np
native, haswell, model = np.load(sys.argv[1]), np.load(sys.argv[2]), sys.argv[3]
if model.startswith("dwconv"):
    # 3x3 depthwise: 9 products per output; ONNX Runtime's depthwise kernels widen to int32 before adding.
    expected = "no saturation on either CPU (depthwise)"
    ok = np.all(native == 9) and np.all(haswell == 9)
    print(f"oracle check {model}: native {np.unique(native)}, haswell {np.unique(haswell)}: "
          + (expected + ", as expected" if ok else "UNEXPECTED (expected: " + expected + ")"))
    sys.exit(0 if ok else 1)
exact = np.all(native[0] == 64)
exact = exact and np.all(native[1] == 32)
if model.endswith("-s8"):
    # Run as u8 x s8 with zero point 128, both samples saturate: nothing stays at its exact value.
    expected = "both samples saturate under Haswell"
    ok = exact and not np.any(haswell[0] == native[0]) and not np.any(haswell[1] == native[1])
else:
    # Sample 0 saturates (64 -> 32.38; Conv's u8 output grid: 32.5); sample 1, one term per pair, never does.
    expected = "sample 0 saturates under Haswell, the control does not"
    ok = exact and np.all(np.abs(haswell[0] - 32.4) < 0.15) and np.all(haswell[1] == 32)
print(f"oracle check {model}: native {np.unique(native[0])} / control {np.unique(native[1])}, "
      f"haswell {np.unique(haswell[0])} / control {np.unique(haswell[1])}: "
      + (expected + ", as expected" if ok else "UNEXPECTED (expected: " + expected + ")"))
sys.exit(0 if ok else 1)
EOF
  done
  echo "cpu seen natively:    $("$build/ortrun" --cpu)"
  echo "cpu seen under qemu:  $(run haswell --cpu)"
  return $failed
}

case "${1:-}" in
  setup) setup ;;
  check) setup && check ;;
  native | haswell) where=$1; shift; setup && run "$where" "$@" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
