// RUN: dfq-opt %s --split-input-file --pass-pipeline='builtin.module(quantize,lower-int8)' | FileCheck %s
// RUN: dfq-opt %s --split-input-file --pass-pipeline='builtin.module(quantize,lower-int8)' --verify-diagnostics -o %t

// A QDQ conv + ReLU6 becomes one qnn.conv2d: weights 0.5, -0.25, 0.75, 0.125 at
// scale 1/128 are 64, -32, 96, 16 (an i8 constant that quant.scast types); biases 0.25
// and -0.5 at s_in·s_w = 1/2048 are 512 and -1024 (i32); ReLU6 is
// act_min = z = 0, act_max = round(6 / (1/32)) = 192. The input keeps its
// quantize and the output its dequantize.
// CHECK-LABEL: func.func @conv_relu6
// CHECK-NEXT: %[[X:.*]] = "qnn.quantize"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:128>>
// CHECK-NEXT: %[[WI:.*]] = arith.constant dense<{{\[\[\[\[}}64]], {{\[\[}}-32]]], {{\[\[\[}}96]], {{\[\[}}16]]]]> : tensor<2x2x1x1xi8>
// CHECK-NEXT: %[[W:.*]] = "quant.scast"(%[[WI]]) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125:0>>
// CHECK-NEXT: %[[B:.*]] = arith.constant dense<[512, -1024]> : tensor<2xi32>
// CHECK-NEXT: %[[C:.*]] = "qnn.conv2d"(%[[X]], %[[W]], %[[B]]) {act_max = 192 : i64, act_min = 0 : i64} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>
// CHECK-NEXT: %[[D:.*]] = "qnn.dequantize"(%[[C]]) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT: return %[[D]]
// CHECK-NOT: nn.conv2d
// CHECK-NOT: nn.relu6
func.func @conv_relu6(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %xq = "qnn.quantize"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:128>>
  %xd = "qnn.dequantize"(%xq) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:128>>) -> tensor<1x2x2x2xf32>
  %w = arith.constant dense<[[[[0.5]], [[-0.25]]], [[[0.75]], [[0.125]]]]> : tensor<2x2x1x1xf32>
  %wq = "qnn.quantize"(%w) : (tensor<2x2x1x1xf32>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125:0>>
  %wd = "qnn.dequantize"(%wq) : (tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125:0>>) -> tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.25, -0.5]> : tensor<2xf32>
  %bq = "qnn.quantize"(%b) : (tensor<2xf32>) -> tensor<2x!quant.uniform<i32:f32, 4.8828125e-4:0>>
  %bd = "qnn.dequantize"(%bq) : (tensor<2x!quant.uniform<i32:f32, 4.8828125e-4:0>>) -> tensor<2xf32>
  %0 = "nn.conv2d"(%xd, %wd, %bd) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %q = "qnn.quantize"(%1) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>
  %d = "qnn.dequantize"(%q) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// Add with a fused ReLU, max pooling on the stored integers with the ReLU that
// follows it as a clamp at the zero point, a requantizing concat, global pooling,
// flatten and an unfused linear: no float op remains.
// CHECK-LABEL: func.func @blocks
// CHECK: "qnn.add"({{.*}}) {act_max = 255 : i64, act_min = 0 : i64}
// CHECK: %[[P:.*]] = "qnn.max_pool2d"
// CHECK-NEXT: "qnn.clamp"(%[[P]]) {max = 255 : i64, min = 10 : i64}
// CHECK: "qnn.concat"
// CHECK: "qnn.global_avg_pool"
// CHECK: "qnn.flatten"
// CHECK: "qnn.linear"
// CHECK-NOT: "nn.
func.func @blocks(%a: tensor<1x2x2x2xf32>, %b: tensor<1x2x2x2xf32>) -> tensor<1x3xf32> {
  %aq = "qnn.quantize"(%a) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:10>>
  %ad = "qnn.dequantize"(%aq) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<1x2x2x2xf32>
  %bq = "qnn.quantize"(%b) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:0>>
  %bd = "qnn.dequantize"(%bq) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:0>>) -> tensor<1x2x2x2xf32>
  %0 = "nn.add"(%ad, %bd) : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = "qnn.quantize"(%1) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.2:0>>
  %3 = "qnn.dequantize"(%2) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.2:0>>) -> tensor<1x2x2x2xf32>
  %4 = "nn.max_pool2d"(%ad) {kernel = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %5 = "nn.relu"(%4) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %6 = "qnn.quantize"(%5) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:10>>
  %7 = "qnn.dequantize"(%6) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<1x2x2x2xf32>
  %8 = "nn.concat"(%3, %7) {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  %9 = "qnn.quantize"(%8) : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 0.2:0>>
  %10 = "qnn.dequantize"(%9) : (tensor<1x4x2x2x!quant.uniform<u8:f32, 0.2:0>>) -> tensor<1x4x2x2xf32>
  %11 = "nn.global_avg_pool"(%10) : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  %12 = "qnn.quantize"(%11) : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1x!quant.uniform<u8:f32, 0.2:0>>
  %13 = "qnn.dequantize"(%12) : (tensor<1x4x1x1x!quant.uniform<u8:f32, 0.2:0>>) -> tensor<1x4x1x1xf32>
  %14 = "nn.flatten"(%13) {axis = 1 : i64} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %w = arith.constant dense<0.25> : tensor<3x4xf32>
  %wq = "qnn.quantize"(%w) : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<i8:f32, 0.0078125:0>>
  %wd = "qnn.dequantize"(%wq) : (tensor<3x4x!quant.uniform<i8:f32, 0.0078125:0>>) -> tensor<3x4xf32>
  %15 = "nn.linear"(%14, %wd) : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %16 = "qnn.quantize"(%15) : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>
  %17 = "qnn.dequantize"(%16) : (tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x3xf32>
  return %17 : tensor<1x3xf32>
}

// -----

// quantize then lower-int8 on a float graph: every layer becomes integer.
// CHECK-LABEL: func.func @pipeline
// CHECK: "qnn.quantize"(%x)
// CHECK: "qnn.conv2d"
// CHECK: "qnn.conv2d"
// CHECK: "qnn.dequantize"
// CHECK-NOT: nn.conv2d
// CHECK-NOT: nn.relu
func.func @pipeline(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {dfq.preact_mean = dense<[0.5, -0.25]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = "nn.conv2d"(%1, %w, %b) {dfq.preact_mean = dense<[0.5, -0.25]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %2 : tensor<1x2x4x4xf32>
}

// -----

// Clip bounds that differ per channel in the integer domain cannot be one
// scalar clamp: the conv takes the loosest, [Q(0), Q(3)] = [0, 96], and a
// qnn.channel_clamp each channel's own, [Q(0), Q(1)] = [0, 32] and [0, 96].
// CHECK-LABEL: func.func @per_channel_clip
// CHECK: %[[C:.*]] = "qnn.conv2d"({{.*}}act_max = 96 : i64, act_min = 0 : i64
// CHECK-NEXT: %[[K:.*]] = "qnn.channel_clamp"(%[[C]]) {max = array<i64: 32, 96>, min = array<i64: 0, 0>}
// CHECK-NOT: nn.clip
// CHECK: "qnn.dequantize"(%[[K]])
func.func @per_channel_clip(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %xq = "qnn.quantize"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:128>>
  %xd = "qnn.dequantize"(%xq) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.0625:128>>) -> tensor<1x2x2x2xf32>
  %w = arith.constant dense<[[[[0.5]], [[-0.25]]], [[[0.75]], [[0.125]]]]> : tensor<2x2x1x1xf32>
  %wq = "qnn.quantize"(%w) : (tensor<2x2x1x1xf32>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125:0>>
  %wd = "qnn.dequantize"(%wq) : (tensor<2x2x1x1x!quant.uniform<i8:f32, 0.0078125:0>>) -> tensor<2x2x1x1xf32>
  %lo = arith.constant dense<0.0> : tensor<2xf32>
  %hi = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%xd, %wd) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.clip"(%0, %lo, %hi) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %q = "qnn.quantize"(%1) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>
  %d = "qnn.dequantize"(%q) : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.03125:0>>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}

// -----

// An op without an integer form stays in float, reading and feeding quantized
// values through dequantize/quantize.
// CHECK-LABEL: func.func @sigmoid
// CHECK: %[[D:.*]] = "qnn.dequantize"
// CHECK-NEXT: %[[S:.*]] = "nn.sigmoid"(%[[D]])
// CHECK-NEXT: "qnn.quantize"(%[[S]])
func.func @sigmoid(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %xq = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.0625:128>>
  %xd = "qnn.dequantize"(%xq) : (tensor<1x4x!quant.uniform<u8:f32, 0.0625:128>>) -> tensor<1x4xf32>
  // expected-remark @+1 {{left in float: 'nn.sigmoid' has no integer lowering}}
  %0 = "nn.sigmoid"(%xd) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = "qnn.quantize"(%0) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.00390625:0>>
  %d = "qnn.dequantize"(%q) : (tensor<1x4x!quant.uniform<u8:f32, 0.00390625:0>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}
