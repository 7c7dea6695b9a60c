#!/usr/bin/env bash
# The non-VNNI oracle: runs a model with ONNX Runtime's own native library (the NuGet package's libonnxruntime.so)
# natively or under `qemu-x86_64 -cpu Haswell` (AVX2 + FMA, no AVX-512, no VNNI), where MLAS picks the u8 x s8 kernels
# of a CPU without VNNI, whose int16 pair sums saturate; or natively with a copy of the library whose CPUID answers are
# masked to AVX2 + FMA (patch_cpuid.py, ortrun --mask-cpuid): the same kernels at this core's speed. See README.md.
#
#   oracle.sh setup                                   install gcc / qemu-user if missing (apt), build ortrun and the
#                                                     CPUID-patched library (~/.cache/compressbuild/nonvnni/avx2)
#   oracle.sh check                                   synthetic saturation check: must saturate under Haswell and
#                                                     masked to AVX2 (bit-identical), not natively
#                                                     (u8 and s8 activations: ORT runs s8 x s8 as u8 x s8 there;
#                                                     3x3 depthwise Convs: no saturation on any CPU)
#   oracle.sh native  MODEL --in X.npy --out Y.npy    run on this CPU (1 intra-op thread)
#   oracle.sh haswell MODEL --in X.npy --out Y.npy    run under qemu-x86_64 -cpu Haswell
#   oracle.sh avx2    MODEL --in X.npy --out Y.npy    run natively with CPUID masked to AVX2 + FMA (AVX2 kernels)
#   (each passes the rest to ortrun: --time R, --profile PREFIX, --threads N, --cpu; see ortrun.c)
#
# Timings under qemu are TCG emulation, not the speed of any real CPU: never report them. Timings of `avx2` are this
# core (AMD Zen) running AVX2 code: a proxy for a CPU without VNNI, not a Haswell's speed.
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
    # ortrun loads the library with dlopen (the CPUID mask must be in place before its static constructors run).
    gcc -O2 -Wall -Wextra -Werror -std=c11 -D_GNU_SOURCE -I"$include" \
      -DORTRUN_LIBRARY="\"$build/lib/libonnxruntime.so.1\"" "$here/ortrun.c" -o "$build/ortrun" -ldl
  fi
  local patched="$build/avx2/libonnxruntime.so.1"
  if [ ! -f "$patched.cpuid-sites" ] || [ "$native/libonnxruntime.so" -nt "$patched.cpuid-sites" ] \
     || [ "$here/patch_cpuid.py" -nt "$patched.cpuid-sites" ]; then
    need objdump binutils
    mkdir -p "$build/avx2"
    rm -f "$patched.cpuid-sites"
    "$python" "$here/patch_cpuid.py" "$native/libonnxruntime.so" "$patched" >&2
  fi
}

run() {  # run native|haswell ARGS...
  local where=$1
  shift
  if [ "$where" = haswell ]; then
    # qemu warns about host features TCG cannot emulate (pcid, x2apic...): none of them is one MLAS reads.
    qemu-x86_64 -cpu "$qemu_cpu" "$build/ortrun" "$@" 2> >(grep -v "TCG doesn't support requested feature" >&2)
  elif [ "$where" = avx2 ]; then
    "$build/ortrun" --library "$build/avx2/libonnxruntime.so.1" --mask-cpuid avx2 "$@"
  else
    "$build/ortrun" "$@"
  fi
}

check() {
  local dir="$build/saturation"
  "$python" "$here/saturation_models.py" "$dir"
  local failed=0
  for model in matmul conv matmul-s8 conv-s8 dwconv24 dwconv32; do
    for where in native haswell avx2; do
      run "$where" "$dir/sat-$model.onnx" --in "$dir/sat-${model%-s8}-input.npy" --out "$dir/$model-$where.npy" 2>/dev/null
    done
    "$python" - "$dir/$model-native.npy" "$dir/$model-haswell.npy" "$dir/$model-avx2.npy" "$model" <<'EOF' || failed=1
import sys
import numpy as np
native, haswell, avx2, model = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3]), sys.argv[4]
# The masked native run must run Haswell's kernels: the same bytes, saturation included.
same = avx2.dtype == haswell.dtype and avx2.shape == haswell.shape and avx2.tobytes() == haswell.tobytes()
column = f"avx2 {'bit-identical to haswell' if same else 'DIFFERS from haswell: ' + str(np.unique(avx2))}"
if model.startswith("dwconv"):
    # 3x3 depthwise: 9 products per output; ONNX Runtime's depthwise kernels widen to int32 before adding.
    expected = "no saturation on any CPU (depthwise)"
    ok = np.all(native == 9) and np.all(haswell == 9) and same
    print(f"oracle check {model}: native {np.unique(native)}, haswell {np.unique(haswell)}, {column}: "
          + (expected + ", as expected" if ok else "UNEXPECTED (expected: " + expected + ")"))
    sys.exit(0 if ok else 1)
exact = np.all(native[0] == 64)
exact = exact and np.all(native[1] == 32)
if model.endswith("-s8"):
    # Run as u8 x s8 with zero point 128, both samples saturate: nothing stays at its exact value.
    expected = "both samples saturate under Haswell and masked to AVX2"
    ok = exact and not np.any(haswell[0] == native[0]) and not np.any(haswell[1] == native[1]) and same
else:
    # Sample 0 saturates (64 -> 32.38; Conv's u8 output grid: 32.5); sample 1, one term per pair, never does.
    expected = "sample 0 saturates under Haswell and masked to AVX2, the control does not"
    ok = exact and np.all(np.abs(haswell[0] - 32.4) < 0.15) and np.all(haswell[1] == 32) and same
print(f"oracle check {model}: native {np.unique(native[0])} / control {np.unique(native[1])}, "
      f"haswell {np.unique(haswell[0])} / control {np.unique(haswell[1])}, {column}: "
      + (expected + ", as expected" if ok else "UNEXPECTED (expected: " + expected + ")"))
sys.exit(0 if ok else 1)
EOF
  done
  echo "cpu seen natively:    $("$build/ortrun" --cpu)"
  echo "cpu seen under qemu:  $(run haswell --cpu)"
  echo "cpu seen masked:      $(run avx2 --cpu | paste -sd' ')"
  return $failed
}

case "${1:-}" in
  setup) setup ;;
  check) setup && check ;;
  native | haswell | avx2) where=$1; shift; setup && run "$where" "$@" ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
