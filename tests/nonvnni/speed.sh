#!/usr/bin/env bash
# The int8 model's speed against the float model's on ONNX Runtime's AVX2 kernels (CPUID masked to AVX2 + FMA, no
# AVX-512, no VNNI: oracle.sh avx2) and natively (this CPU's AVX-512 VNNI kernels), 1 intra-op thread, batch 1.
#
#   speed.sh [--rounds N] [--passes R] FLOAT.onnx INT8.onnx [INT8_B.onnx ...] INPUT.npy
#
# Each round runs every model under both CPUIDs (one ortrun process each: a warm-up pass over INPUT.npy, then R timed
# passes; the run's figure is the median pass), in an order that turns round by round (forwards, then backwards), so
# load changes hit all sides alike. Per round and CPUID, ratio = float ms / int8 ms (above 1: int8 is faster). Printed:
# the median of the per-round ratios with its 95% distribution-free interval (order statistics of the sign test:
# no resampling, deterministic given the timings; needs 6 rounds or more), by CPU time (user + sys of the process: the
# figure to read on a loaded machine) and by wall time, and each model's median ms per pass. Prints `uptime` before
# and after: report the load beside every figure. Defaults: 12 rounds of 3 passes. Not run under nice: a niced
# timing on a loaded machine measures the load. This machine is AMD Zen: its AVX2 timing is a proxy for a CPU without
# VNNI (the same kernels and instructions), not a Haswell's or Skylake's speed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${COMPRESSBUILD_NONVNNI:-$HOME/.cache/compressbuild/nonvnni}"
python="${PYTHON:-/usr/bin/python3}"
rounds=12 passes=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --passes) passes=$2; shift 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 3 ]; then sed -n '2,16p' "$0" >&2; exit 2; fi
models=("${@:1:$#-1}")
input="${!#}"
"$here/oracle.sh" setup
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "load before: $(uptime)"
runs=()
for where in avx2 native; do for model in "${models[@]}"; do runs+=("$where $model"); done; done
for ((round = 0; round < rounds; round++)); do
  order=("${runs[@]}")
  if ((round % 2)); then
    order=()
    for ((i = ${#runs[@]} - 1; i >= 0; i--)); do order+=("${runs[i]}"); done
  fi
  for run in "${order[@]}"; do
    read -r where model <<<"$run"
    "$here/oracle.sh" "$where" "$model" --in "$input" --time "$passes" 2>/dev/null | sed "s/^/$round /" >>"$log"
  done
done
echo "load after:  $(uptime)"
"$python" - "$log" "$input" "${models[@]}" <<'PY'
import json
import math
import statistics
import sys

log, data, models = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = {}  # (cpuid, model) -> per round: (median wall ms, median cpu ms) per pass
for line in open(log):
    round_, text = line.split(" ", 1)
    run = json.loads(text)
    runs.setdefault((run["cpuid"], run["model"]), {})[int(round_)] = (statistics.median(run["wall_ms"]),
                                                                      statistics.median(run["cpu_ms"]))
rounds = sorted(runs[("avx2", models[0])])


def interval(values):
    """The median's 95% interval from order statistics (sign test): [x_(k), x_(n+1-k)], k the largest with
    P(Binomial(n, 1/2) < k) <= 0.025."""
    xs, n = sorted(values), len(values)
    k, below = 0, 0.0
    while below + math.comb(n, k) / 2 ** n <= 0.025:
        below += math.comb(n, k) / 2 ** n
        k += 1
    return (xs[k - 1], xs[n - k]) if k >= 1 else None


print(f"{len(rounds)} rounds, input {data}; ratio = float ms / int8 ms (above 1: int8 faster), median of rounds [95%]")
print("| CPUID | model | ms per pass (CPU) | ms per pass (wall) | speed vs float (CPU) | speed vs float (wall) |")
print("|---|---|---|---|---|---|")
for cpuid in ("avx2", "native"):
    float_runs = runs[(cpuid, models[0])]
    for model in models:
        mine = runs[(cpuid, model)]
        cells = []
        for which in (1, 0):
            if model == models[0]:
                cells.append("1")
                continue
            ratios = [float_runs[r][which] / mine[r][which] for r in rounds]
            bounds = interval(ratios)
            text = f"[{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else "(no 95% interval under 6 rounds)"
            cells.append(f"{statistics.median(ratios):.3f}x {text}")
        cpu = statistics.median(mine[r][1] for r in rounds)
        wall = statistics.median(mine[r][0] for r in rounds)
        name = model.rsplit("/", 1)[-1]
        print(f"| {cpuid} | {name} | {cpu:.1f} | {wall:.1f} | {cells[0]} | {cells[1]} |")
PY
