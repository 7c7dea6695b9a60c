"""Sums ONNX Runtime profiles (ortrun --profile) per op type, one column per profile, as a Markdown table.

    profile.py [--skip N] NAME=PROFILE.json [NAME=PROFILE.json ...]

Counts the "Node" events whose name ends in "_kernel_time" (the kernel itself; the fences are left out) and divides by
the number of runs counted, so a cell is the op type's milliseconds per run (per sample: ortrun runs batch 1). --skip N
leaves out the first N runs ("model_run" events) and every node inside them: ortrun's warm-up pass over the N samples.
"""
import json
import sys


def per_op(path, skip):
    events = json.load(open(path))
    runs = sorted((e["ts"], e["ts"] + e["dur"]) for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    if len(runs) <= skip:
        sys.exit(f"profile: {path} holds {len(runs)} runs, not more than --skip {skip}")
    start = runs[skip][0]
    totals = {}
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= start:
            op = e["args"]["op_name"]
            count, dur = totals.get(op, (0, 0))
            totals[op] = (count, dur + e["dur"])
    counted = len(runs) - skip
    return {op: dur / 1000 / counted for op, (_, dur) in totals.items()}, sum(e - s for s, e in runs[skip:]) / 1000 / counted


def main():
    args, skip = sys.argv[1:], 0
    if args[:1] == ["--skip"]:
        skip, args = int(args[1]), args[2:]
    if not args:
        sys.exit(__doc__)
    names, tables, runs = [], [], []
    for arg in args:
        name, _, path = arg.partition("=")
        table, run = per_op(path, skip)
        names.append(name)
        tables.append(table)
        runs.append(run)
    ops = sorted({op for t in tables for op in t}, key=lambda op: -max(t.get(op, 0) for t in tables))
    print("| op type | " + " | ".join(f"{n} ms/run" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for op in ops:
        print(f"| {op} | " + " | ".join(f"{t[op]:.2f}" if op in t else "" for t in tables) + " |")
    print("| **all kernels** | " + " | ".join(f"{sum(t.values()):.2f}" for t in tables) + " |")
    print("| model_run | " + " | ".join(f"{r:.2f}" for r in runs) + " |")


if __name__ == "__main__":
    main()
