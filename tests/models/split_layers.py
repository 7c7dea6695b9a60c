#!/usr/bin/env python3
"""SplitQuant's layer split on a float ONNX model, to measure it ahead of int8-static quantization (a measurement helper,
not the product: the engine's own split is tool/CompressBuild.Engine/Quantization/Split/LayerSplitter.cs).

  split_layers.py IN.onnx OUT.onnx

Every Conv and MatMul with a constant float weight (read once) becomes three copies whose weights keep one cluster each of a
1-D k-means (k = 3, started at min / mean / max: lower outliers, middle, upper outliers; zeros elsewhere), the bias on the
middle copy, and two Adds sum them into the original output, so the float model computes the same. Constant nodes become
initializers first (the PP-OCR recognizer keeps its weights in Constants). Needs python3-onnx and python3-numpy (Debian).
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def thresholds(weights):
    """The two cut points of the 1-D k-means, or None when a cluster would be empty."""
    values = np.sort(weights.ravel().astype(np.float64))
    centres = [values[0], values.mean(), values[-1]]
    if not centres[0] < centres[1] < centres[2]:
        return None
    for _ in range(100):
        low, high = (centres[0] + centres[1]) / 2, (centres[1] + centres[2]) / 2
        parts = [values[values < low], values[(values >= low) & (values <= high)], values[values > high]]
        if any(len(p) == 0 for p in parts):
            return None
        moved = [p.mean() for p in parts]
        if np.allclose(moved, centres):
            break
        centres = moved
    return (centres[0] + centres[1]) / 2, (centres[1] + centres[2]) / 2


def main(source, target):
    model = onnx.load(source)
    graph = model.graph
    for node in list(graph.node):
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(node.attribute[0].t), node.output[0]))
            graph.node.remove(node)
    initializers = {t.name: t for t in graph.initializer}
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    nodes, split = [], 0
    for original in graph.node:
        node = onnx.NodeProto()
        node.CopyFrom(original)
        weight = None
        if node.op_type in ("Conv", "MatMul") and len(node.input) >= 2 and node.input[1] in initializers and uses[node.input[1]] == 1:
            weight = numpy_helper.to_array(initializers[node.input[1]])
            if weight.dtype != np.float32 or (weight.ndim < 3 if node.op_type == "Conv" else weight.ndim != 2):
                weight = None
        cuts = thresholds(weight) if weight is not None else None
        if cuts is None:
            nodes.append(node)
            continue
        low, high = cuts
        outputs = []
        for k, mask in enumerate([weight < low, (weight >= low) & (weight <= high), weight > high]):
            name = f"{node.input[1]}_split{k}"
            graph.initializer.append(numpy_helper.from_array(np.where(mask, weight, 0).astype(np.float32), name))
            part = onnx.NodeProto()
            part.CopyFrom(node)
            part.name = f"{node.name}_split{k}"
            if k != 1 and len(part.input) > 2:
                del part.input[2]
            part.input[1] = name
            part.output[0] = f"{node.output[0]}_split{k}"
            outputs.append(part.output[0])
            nodes.append(part)
        nodes.append(helper.make_node("Add", outputs[:2], [node.output[0] + "_split_sum"], name=node.name + "_split_add0"))
        nodes.append(helper.make_node("Add", [node.output[0] + "_split_sum", outputs[2]], [node.output[0]], name=node.name + "_split_add1"))
        split += 1
    del graph.node[:]
    graph.node.extend(nodes)
    read = {name for node in graph.node for name in node.input}
    for tensor in list(graph.initializer):
        if tensor.name not in read:
            graph.initializer.remove(tensor)
    onnx.save(model, target)
    print(f"split {split} layer(s)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
