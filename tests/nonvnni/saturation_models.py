#!/usr/bin/python3
"""Writes tiny QDQ models and inputs on which u8 x s8 products saturate on a CPU without VNNI.

usage: saturation_models.py OUT_DIR
Writes OUT_DIR/sat-{matmul,conv}.onnx and their inputs OUT_DIR/sat-{matmul,conv}-input.npy (two samples: ones,
and ones with the odd K positions at zero). Activations quantize to u8 255 and weights to s8 127, so without
saturation every output is K (MatMul, K = 64) or C (Conv, C = 64). AVX2's vpmaddubsw sums adjacent u8 x s8 pairs into
a saturating int16: 255 * 127 * 2 = 64770 clamps to 32767, so the first sample's outputs become K * 32767 / 64770
(about 32.4) there. The second sample has one nonzero term per pair (32385, no clamp), so it gives K / 2 = 32 on
every CPU: the control.
OUT_DIR/sat-{matmul,conv}-s8.onnx are the same with s8 activations (scale 1/127, so the inputs quantize to 127):
products of at most 127 x 127 cannot saturate as s8 x s8, but if the kernel adds 128 to run them as u8 x s8 (zero
point 128), 127 becomes 255 and 0 becomes 128, and both samples saturate.
OUT_DIR/sat-dwconv{24,32}.onnx are 3x3 depthwise Convs (24 channels, not a multiple of 16, and 32) on the same u8 255
and s8 127, with OUT_DIR/sat-dwconv{24,32}-input.npy (one sample of ones): 9 products per output, 9 on every CPU if
the depthwise kernels add no pairs in int16.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

K = 64  # the reduced dimension: MatMul's K, Conv's input channels
N = 16  # outputs (MatMul columns, Conv output channels)
SPATIAL = 4  # Conv input height and width; MatMul rows


def quantize_pair(name, scale, zero_point, dtype):
    return [
        numpy_helper.from_array(np.array(scale, dtype=np.float32), name + "_scale"),
        numpy_helper.from_array(np.array(zero_point, dtype=dtype), name + "_zp"),
    ]


def qdq(name, source, target):
    return [
        helper.make_node("QuantizeLinear", [source, name + "_scale", name + "_zp"], [name + "_q"]),
        helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"], [target]),
    ]


def weights(name, array):
    """s8 weights at code 127, scale 1/127, stored quantized with a DequantizeLinear (what a QDQ writer emits)."""
    codes = np.full(array, 127, dtype=np.int8)
    inits = [numpy_helper.from_array(codes, name + "_q")] + quantize_pair(name, 1.0 / 127, 0, np.int8)
    node = helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"], [name])
    return inits, node


def activation_pair(signed):
    return quantize_pair("x", 1.0 / 127, 0, np.int8) if signed else quantize_pair("x", 1.0 / 255, 0, np.uint8)


def matmul_model(signed):
    inits = activation_pair(signed)
    w_inits, w_node = weights("w", (K, N))
    nodes = qdq("x", "x", "xd") + [w_node, helper.make_node("MatMul", ["xd", "w"], ["y"])]
    graph = helper.make_graph(
        nodes, "sat-matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", SPATIAL, K])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", SPATIAL, N])],
        inits + w_inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def conv_model(signed):
    # The output is quantized too (scale 0.5, u8), so ONNX Runtime fuses the node group into one QLinearConv; with s8
    # activations it is s8 too (scale 1: the outputs, at most 64, stay on the grid).
    inits = activation_pair(signed) + (quantize_pair("y", 1.0, 0, np.int8) if signed else quantize_pair("y", 0.5, 0, np.uint8))
    w_inits, w_node = weights("w", (N, K, 1, 1))
    nodes = qdq("x", "x", "xd") + [w_node, helper.make_node("Conv", ["xd", "w"], ["yf"])] + qdq("y", "yf", "y")
    graph = helper.make_graph(
        nodes, "sat-conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", K, SPATIAL, SPATIAL])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", N, SPATIAL, SPATIAL])],
        inits + w_inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def depthwise_model(channels):
    inits = activation_pair(False) + quantize_pair("y", 0.5, 0, np.uint8)
    w_inits, w_node = weights("w", (channels, 1, 3, 3))
    conv = helper.make_node("Conv", ["xd", "w"], ["yf"], group=channels)
    nodes = qdq("x", "x", "xd") + [w_node, conv] + qdq("y", "yf", "y")
    graph = helper.make_graph(
        nodes, f"sat-dwconv{channels}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", channels, SPATIAL + 2, SPATIAL + 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", channels, SPATIAL, SPATIAL])],
        inits + w_inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# Which K positions MLAS adds in one int16 for MatMul / Gemm / 1x1 Conv weights (pair_models): one output column per
# candidate pair of K rows, 127 at both rows and 0 elsewhere; with every activation at u8 255 a column gives 2 when its
# two products land in different int16 sums and 32767 / 32385 = 1.0118 (less the zero point's correction) when MLAS
# adds them in one saturating int16.
PAIR_ROWS = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 2), (0, 3), (1, 3), (0, 4), (3, 5), (6, 7), (7, 8),
             (30, 31), (31, 32), (62, 63), (0, 63)]


def pair_models(out):
    """Writes OUT/pairs-*.onnx and OUT/pairs-*-input.npy: MatMul (M = 1 and M = 8; float output, which ONNX Runtime runs
    as MatMulIntegerToFloat, and u8 output, QLinearMatMul), Gemm (transB 0 and 1, u8 output: QGemm) and a 1x1 Conv, each
    with the activation zero point 0 (scale 1/255) and 128 (scale 1/127): both quantize the input 1.0 to u8 255."""
    os.makedirs(out, exist_ok=True)
    columns = np.zeros((K, len(PAIR_ROWS)), dtype=np.int8)  # [K, N]: one candidate pair per column
    for n, (a, b) in enumerate(PAIR_ROWS):
        columns[[a, b], n] = 127
    n = len(PAIR_ROWS)
    written = []
    for zp in (0, 128):
        act = quantize_pair("x", 1.0 / (255 if zp == 0 else 127), zp, np.uint8)
        out_q = quantize_pair("y", 1.0 / 64, 0, np.uint8)
        for kind in ("matmul-m1", "matmul-m8", "qmatmul-m1", "qmatmul-m8", "gemm", "gemm-tb", "conv1x1"):
            stored = {"gemm-tb": columns.T.copy(), "conv1x1": columns.T.reshape(n, K, 1, 1).copy()}.get(kind, columns)
            w_inits = [numpy_helper.from_array(stored, "w_q")] + quantize_pair("w", 1.0 / 127, 0, np.int8)
            w_node = helper.make_node("DequantizeLinear", ["w_q", "w_scale", "w_zp"], ["w"])
            rows = 1 if kind.endswith("m1") or kind.startswith("gemm") else 8
            if kind == "conv1x1":
                x_shape, y_shape = ["batch", K, 2, 2], ["batch", n, 2, 2]
                op = helper.make_node("Conv", ["xd", "w"], ["yf"])
            elif kind.startswith("gemm"):
                x_shape, y_shape = [1, K], [1, n]
                op = helper.make_node("Gemm", ["xd", "w"], ["yf"], transB=1 if kind == "gemm-tb" else 0)
            else:
                x_shape, y_shape = ["batch", rows, K], ["batch", rows, n]
                op = helper.make_node("MatMul", ["xd", "w"], ["yf" if kind.startswith("q") else "y"])
            quantized_out = not kind.startswith("matmul")
            nodes = qdq("x", "x", "xd") + [w_node, op] + (qdq("y", "yf", "y") if quantized_out else [])
            name = f"pairs-{kind}-zp{zp}"
            graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                                      act + w_inits + (out_q if quantized_out else []))
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
            onnx.checker.check_model(model)
            onnx.save(model, os.path.join(out, name + ".onnx"))
            shape = [1] + [d if isinstance(d, int) else 1 for d in x_shape[1:]] if x_shape[0] == "batch" else x_shape
            np.save(os.path.join(out, name + "-input.npy"), np.ones(shape, dtype=np.float32))
            written.append(name)
    return written


def pair_report(output):
    """The K-row pairs of PAIR_ROWS whose column lost its exact value 2 in OUTPUT (an ortrun .npy of a pairs-* model)."""
    values = np.load(output)
    columns = np.moveaxis(values, 1, -1).reshape(-1, len(PAIR_ROWS)) if values.ndim == 4 else values.reshape(-1, len(PAIR_ROWS))
    return [PAIR_ROWS[c] for c in range(len(PAIR_ROWS)) if np.any(np.abs(columns[:, c] - 2) > 0.01)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for suffix, signed in (("", False), ("-s8", True)):
        for name, model in (("sat-matmul", matmul_model(signed)), ("sat-conv", conv_model(signed))):
            onnx.checker.check_model(model)
            onnx.save(model, os.path.join(out, name + suffix + ".onnx"))
    ones = np.ones((SPATIAL, K), dtype=np.float32)
    control = ones.copy()
    control[:, 1::2] = 0
    matmul_input = np.stack([ones, control])  # (2, SPATIAL, K)
    np.save(os.path.join(out, "sat-matmul-input.npy"), matmul_input)
    conv_input = np.ascontiguousarray(np.broadcast_to(matmul_input[:, 0, :, None, None], (2, K, SPATIAL, SPATIAL)))
    np.save(os.path.join(out, "sat-conv-input.npy"), conv_input.astype(np.float32))
    for channels in (24, 32):
        model = depthwise_model(channels)
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(out, f"sat-dwconv{channels}.onnx"))
        ones = np.ones((1, channels, SPATIAL + 2, SPATIAL + 2), dtype=np.float32)
        np.save(os.path.join(out, f"sat-dwconv{channels}-input.npy"), ones)


if __name__ == "__main__":
    main()
