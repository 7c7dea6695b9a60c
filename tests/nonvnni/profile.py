"""Sums ONNX Runtime profiles (ortrun --profile) per op type, one column per profile, as a Markdown table.

    profile.py [--skip N] NAME=PROFILE.json[,PROFILE2.json ...][=MODEL.onnx] [NAME=...]

Counts the "Node" events whose name ends in "_kernel_time" (the kernel itself; the fences are left out) and divides by
each run ("model_run" event); a cell is the median over the runs of the op type's milliseconds in a run (ortrun runs batch
1: a run is a sample). Medians, not means: on a loaded machine some runs are preempted. The "all kernels" row is the
median of the runs' sums, so it need not be the sum of the column. --skip N leaves out the first N runs and every node
inside them: ortrun's warm-up pass over the N samples. With the profiled MODEL.onnx, Conv-like ops (Conv, FusedConv,
QLinearConv) are split by kind: depthwise, other grouped, 1x1, kxk (read from the model's Conv the node stems from).
"""
import bisect
import json
import re
import statistics
import sys

CONVS = {"Conv", "FusedConv", "QLinearConv", "ConvInteger", "NhwcFusedConv"}


def conv_kinds(path):
    """Conv kind per node name and per tensor name a Conv's chain (through BatchNormalization, Add, activations) ends in:
    ONNX Runtime names an optimized node after the original node or, for NCHWc, after the fused chain's output."""
    import onnx
    graph = onnx.load(path, load_external_data=False).graph
    shapes = {init.name: list(init.dims) for init in graph.initializer}
    for node in graph.node:  # weights stored as Constant nodes (the PaddleOCR exports)
        if node.op_type == "Constant" and node.attribute and node.attribute[0].HasField("t"):
            shapes[node.output[0]] = list(node.attribute[0].t.dims)
    producer = {out: node for node in graph.node for out in node.output}
    kinds = {}
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        weight = node.input[1]
        while weight not in shapes and weight in producer and producer[weight].op_type == "DequantizeLinear":
            weight = producer[weight].input[0]
        dims = shapes.get(weight)
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        if dims is None:
            kind = "?"
        elif group > 1:
            kind = "depthwise" if dims[1] == 1 and group == dims[0] else "grouped"
        else:
            kind = "1x1" if dims[2:] == [1, 1] else "kxk"
        kinds[node.name] = kind
        kinds[node.output[0]] = kind
    # A chain's later outputs (Conv -> BatchNormalization -> Relu ...) name the fused node too.
    for tensor, node in producer.items():
        steps, source = 0, node
        while source.op_type != "Conv" and steps < 6 and source.input and source.input[0] in producer:
            source, steps = producer[source.input[0]], steps + 1
        if source.op_type == "Conv" and tensor not in kinds:
            kinds[tensor] = kinds[source.name]
    return kinds


def op_label(event, kinds):
    op = event["args"]["op_name"]
    if kinds is None or op not in CONVS:
        return op
    name = re.sub(r"(_kernel_time|_nchwc|_token_\d+)+$", "", event["name"])
    return f"{op} ({kinds.get(name, '?')})"


def per_op(paths, skip, kinds):
    """Per op type, the median over the counted runs (of every profile given) of its kernels' milliseconds in a run;
    and the median run."""
    per_run, walls = [], []
    for path in paths:
        runs, wall = runs_of(path, skip, kinds)
        per_run += runs
        walls += wall
    ops = {op for totals in per_run for op in totals}
    table = {op: statistics.median(totals.get(op, 0) for totals in per_run) for op in ops}
    table[ALL] = statistics.median(sum(totals.values()) for totals in per_run)
    return table, statistics.median(walls)


def runs_of(path, skip, kinds):
    events = json.load(open(path))
    runs = sorted((e["ts"], e["ts"] + e["dur"]) for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    if len(runs) <= skip:
        sys.exit(f"profile: {path} holds {len(runs)} runs, not more than --skip {skip}")
    runs = runs[skip:]
    starts = [start for start, _ in runs]
    per_run = [{} for _ in runs]
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= starts[0]:
            totals = per_run[bisect.bisect_right(starts, e["ts"]) - 1]
            op = op_label(e, kinds)
            totals[op] = totals.get(op, 0) + e["dur"] / 1000
    return per_run, [(end - start) / 1000 for start, end in runs]


ALL = "**all kernels**"


def main():
    args, skip = sys.argv[1:], 0
    if args[:1] == ["--skip"]:
        skip, args = int(args[1]), args[2:]
    if not args:
        sys.exit(__doc__)
    names, tables, runs = [], [], []
    for arg in args:
        name, _, path = arg.partition("=")
        path, _, model = path.partition("=")
        table, run = per_op(path.split(","), skip, conv_kinds(model) if model else None)
        names.append(name)
        tables.append(table)
        runs.append(run)
    ops = sorted({op for t in tables for op in t} - {ALL}, key=lambda op: -max(t.get(op, 0) for t in tables))
    print("| op type | " + " | ".join(f"{n} ms/run" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for op in ops:
        print(f"| {op} | " + " | ".join(f"{t[op]:.2f}" if op in t else "" for t in tables) + " |")
    print(f"| {ALL} | " + " | ".join(f"{t[ALL]:.2f}" for t in tables) + " |")
    print("| model_run | " + " | ".join(f"{r:.2f}" for r in runs) + " |")


if __name__ == "__main__":
    main()
