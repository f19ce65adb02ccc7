"""MobileNetV1 (224x224, 568.7 M MAC, ReLU) in ONNX, quantized with onnxruntime's
quantize_static (QDQ, u8 activations, s8 weights, per tensor), timed with
onnxruntime at 1 and 2 threads. Prints one line per thread count:
`ort <threads> <median ms>`.

Usage: python mobilenet_v1.py [--runs 100] [--out DIR]
"""

import argparse
import os
import statistics
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

# (output channels, stride) of the 13 depthwise-separable blocks, as dfq-fixtures builds them.
TABLE = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1),
         (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def build(path, seed=1):
    rng = np.random.default_rng(seed)
    nodes, inits = [], []

    def conv(x, cin, cout, k, stride, groups, name):
        fan_in = cin // groups * k * k
        w = (rng.standard_normal((cout, cin // groups, k, k)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.1).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"{name}_w"))
        inits.append(numpy_helper.from_array(b, f"{name}_b"))
        pad = k // 2
        nodes.append(helper.make_node("Conv", [x, f"{name}_w", f"{name}_b"], [f"{name}_conv"], strides=[stride, stride],
                                      pads=[pad] * 4, group=groups, kernel_shape=[k, k]))
        nodes.append(helper.make_node("Relu", [f"{name}_conv"], [f"{name}_out"]))
        return f"{name}_out"

    x = conv("input", 3, 32, 3, 2, 1, "stem")
    c = 32
    for i, (cout, stride) in enumerate(TABLE):
        x = conv(x, c, c, 3, stride, c, f"block{i}_dw")
        x = conv(x, c, cout, 1, 1, 1, f"block{i}_pw")
        c = cout
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"], axis=1))
    w = (rng.standard_normal((1000, 1024)) * np.sqrt(1.0 / 1024)).astype(np.float32)
    inits.append(numpy_helper.from_array(w, "fc_w"))
    inits.append(numpy_helper.from_array(np.zeros(1000, np.float32), "fc_b"))
    nodes.append(helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1))
    graph = helper.make_graph(nodes, "mobilenet_v1",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 224, 224])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, path)


class Images(CalibrationDataReader):
    def __init__(self, count=8, seed=2):
        rng = np.random.default_rng(seed)
        self.data = iter([{"input": rng.uniform(-2.1, 2.6, (1, 3, 224, 224)).astype(np.float32)} for _ in range(count)])

    def get_next(self):
        return next(self.data, None)


def median_ms(path, threads, runs):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    x = {"input": np.random.default_rng(3).uniform(-2.1, 2.6, (1, 3, 224, 224)).astype(np.float32)}
    for _ in range(10):
        sess.run(None, x)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sess.run(None, x)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)) + "/out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    fp32, int8 = f"{args.out}/mobilenet_v1.onnx", f"{args.out}/mobilenet_v1.qdq.onnx"
    build(fp32)
    quantize_static(fp32, int8, Images(), quant_format=QuantFormat.QDQ, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, per_channel=False)
    print(f"onnxruntime {ort.__version__}")
    for threads in (1, 2):
        print(f"ort {threads} {median_ms(int8, threads, args.runs):.3f}")


if __name__ == "__main__":
    main()
