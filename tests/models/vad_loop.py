#!/usr/bin/env python3
"""A streaming Silero VAD whose whole per-chunk network runs inside a Loop over time: a realistic Loop model built from
public weights (the fetched Silero VAD v5), for the tests and the `vad` benchmark.

  vad_loop.py SILERO.onnx OUT.onnx [--scan]

Silero's own Python wrapper calls the per-chunk graph once per 512-sample chunk, putting the previous chunk's last 64
samples in front of it and carrying the LSTM state; here that loop is the model's: a Loop over the T chunks of
`input` [T, N, 512] whose body is Silero's graph unchanged (its Convs, LSTM and If branches per sample rate now sit
in If branches nested inside the Loop body). Carried: `state` [2, N, 128] and the 64-sample `context` [N, 64] (zeros
at the start of a stream); scan output: the speech probability of every chunk, `output` [T, N, 1]; final
`stateN` and `contextN` let a caller continue the stream in another call. `sr` (int64 scalar) is read by the body
from the main graph. With --scan the loop is a Scan over `input`'s first axis instead (same inputs and outputs). Deterministic:
the same Silero file gives byte-identical output. Needs python3-onnx (Debian).
"""
import sys

import onnx
from onnx import TensorProto, helper

CONTEXT = 64


def rename_references(graph, renames):
    """Renames the values the graph and its nested branches read or write (Silero's names are unique in the whole model)."""
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
        node.output[:] = [renames.get(name, name) for name in node.output]
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                rename_references(attribute.g, renames)
            for subgraph in attribute.graphs:
                rename_references(subgraph, renames)


def main(source, target, scan):
    silero = onnx.load(source)
    step = silero.graph
    names = {"input": "window", "state": "carried_state", "sr": "sr", "output": "step_output", "stateN": "step_state"}
    rename_references(step, names)

    # A Loop's body takes the iteration number and reads its chunk from `input`; a Scan's body is given the chunk.
    take_chunk = [] if scan else [helper.make_node("Gather", ["input", "iteration"], ["chunk"], name="chunk_of_iteration", axis=0)]
    body_nodes = [
        *take_chunk,
        helper.make_node("Concat", ["carried_context", "chunk"], ["window"], name="context_and_chunk", axis=1),
        *step.node,
        helper.make_node("Constant", [], ["context_start"], name="context_start", value=helper.make_tensor("", TensorProto.INT64, [1], [-CONTEXT])),
        helper.make_node("Constant", [], ["context_end"], name="context_end", value=helper.make_tensor("", TensorProto.INT64, [1], [2**62])),
        helper.make_node("Constant", [], ["context_axis"], name="context_axis", value=helper.make_tensor("", TensorProto.INT64, [1], [1])),
        helper.make_node("Slice", ["window", "context_start", "context_end", "context_axis"], ["next_context"], name="last_context"),
    ]
    # Shapes left to inference, as Silero's own graph leaves its inputs' (its decoder's shape ops assume nothing more).
    carried = [helper.make_tensor_value_info("carried_state", TensorProto.FLOAT, None), helper.make_tensor_value_info("carried_context", TensorProto.FLOAT, None)]
    # Scan needs its body's output shapes (the rank at least); Loop takes them as they come.
    results = [helper.make_tensor_value_info("step_state", TensorProto.FLOAT, [2, "N", 128] if scan else None),
               helper.make_tensor_value_info("next_context", TensorProto.FLOAT, ["N", CONTEXT] if scan else None),
               helper.make_tensor_value_info("step_output", TensorProto.FLOAT, ["N", 1] if scan else None)]
    if scan:
        body = helper.make_graph(body_nodes, "silero_step", [*carried, helper.make_tensor_value_info("chunk", TensorProto.FLOAT, None)], results)
        main_nodes = [helper.make_node("Scan", ["state", "context", "input"], ["stateN", "contextN", "output"], name="stream", body=body, num_scan_inputs=1)]
    else:
        body_nodes.append(helper.make_node("Identity", ["condition"], ["next_condition"], name="keep_going"))
        body = helper.make_graph(
            body_nodes, "silero_step",
            [helper.make_tensor_value_info("iteration", TensorProto.INT64, []), helper.make_tensor_value_info("condition", TensorProto.BOOL, []), *carried],
            [helper.make_tensor_value_info("next_condition", TensorProto.BOOL, []), *results])
        main_nodes = [
            helper.make_node("Shape", ["input"], ["input_shape"], name="input_shape"),
            helper.make_node("Constant", [], ["time_axis"], name="time_axis", value=helper.make_tensor("", TensorProto.INT64, [], [0])),
            helper.make_node("Gather", ["input_shape", "time_axis"], ["chunks"], name="chunk_count", axis=0),
            helper.make_node("Loop", ["chunks", "", "state", "context"], ["stateN", "contextN", "output"], name="stream", body=body),
        ]
    graph = helper.make_graph(
        main_nodes, "silero_vad_scan" if scan else "silero_vad_loop",
        # Scan hands its body the chunk's static shape, and ONNX Runtime's shape inference would then find the 8 kHz branch's
        # decoder wrong for 576-sample windows (a branch never run at 16 kHz): the chunk length stays symbolic there.
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["T", "N", "chunk" if scan else 512]),
         helper.make_tensor_value_info("state", TensorProto.FLOAT, [2, "N", 128]),
         helper.make_tensor_value_info("context", TensorProto.FLOAT, ["N", CONTEXT]),
         helper.make_tensor_value_info("sr", TensorProto.INT64, [])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["T", "N", 1]),
         helper.make_tensor_value_info("stateN", TensorProto.FLOAT, [2, "N", 128]),
         helper.make_tensor_value_info("contextN", TensorProto.FLOAT, ["N", CONTEXT])])
    model = helper.make_model(graph, opset_imports=list(silero.opset_import), producer_name="compressbuild-vad-loop", producer_version="1")
    model.ir_version = silero.ir_version
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, target)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--scan"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], len(sys.argv) == 4)
