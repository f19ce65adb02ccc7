// RUN: dfq-opt %s | FileCheck %s
// RUN: dfq-opt %s | dfq-opt - | FileCheck %s

// The QDQ form: float values quantized and dequantized around a float op.
// CHECK-LABEL: func.func @qdq
// CHECK: %[[Q:.*]] = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>
// CHECK-NEXT: "qnn.dequantize"(%[[Q]]) : (tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x4xf32>
func.func @qdq(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>
  %d = "qnn.dequantize"(%q) : (tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// The integer ops lower-int8 produces.
// CHECK-LABEL: func.func @integer
// CHECK: "qnn.conv2d"(%x, %w, %b) {act_max = 255 : i64, act_min = 3 : i64, groups = 1 : i64}
// CHECK-SAME: tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0}>>, tensor<2xi32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
// CHECK: "qnn.clamp"(%{{.*}}) {max = 200 : i64, min = 3 : i64}
// CHECK: "qnn.requantize"
// CHECK: "qnn.add"
// CHECK: "qnn.max_pool2d"
// CHECK: "qnn.avg_pool2d"
// CHECK: "qnn.concat"
// CHECK: "qnn.global_avg_pool"
// CHECK: "qnn.flatten"
// CHECK: "qnn.reshape"
// CHECK: "qnn.linear"(%{{.*}}, %fw, %fzed around a float op.
// CHECK-LABEL: func.func @qdq
// CHECK: %[[Q:.*]] = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>
// CHECK-NEXT: "qnn.dequantize"(%[[Q]]) : (tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x4xf32>
func.func @qdq(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>
  %d = "qnn.dequantize"(%q) : (tensor<1x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// The integer ops lower-int8 produces.
// CHECK-LABEL: func.func @integer
// CHECK: "qnn.conv2d"(%x, %w, %b) {act_max = 255 : i64, act_min = 3 : i64, groups = 1 : i64}
// CHECK-SAME: tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0}>>, tensor<2xi32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
// CHECK: "qnn.clamp"(%{{.*}}) {max = 200 : i64, min = 3 : i64}
// CHECK: "qnn.requantize"
// CHECK: "qnn.add"
// CHECK: "qnn.max_pool2d"
// CHECK: "qnn.avg_pool2d"
// CHECK: "qnn.concat"
// CHECK: "qnn.global_avg_pool"
// CHECK: "qnn.flatten"
// CHECK: "qnn.reshape"
// CHECK: "qnn.linear"b) : (tensor<2x4x!quant.uniform<u8:f32, 0.05:3>>, tensor<3x4x!quant.uniform<i8:f32, 0.01:0>>, tensor<3xi32>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:0>>
func.func @integer(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:0>> {
  %w_storage = arith.constant dense<[[[[1]], [[-2]]], [[[3]], [[127]]]]> : tensor<2x2x1x1xi8>
  %w = "quant.scast"(%w_storage) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0}>>
  %b = arith.constant dense<[10, -10]> : tensor<2xi32>
  %0 = "qnn.conv2d"(%x, %w, %b) {groups = 1 : i64, act_min = 3 : i64, act_max = 255 : i64} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0}>>, tensor<2xi32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
  %1 = "qnn.clamp"(%0) {min = 3 : i64, max = 200 : i64} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
  %2 = "qnn.requantize"(%1) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
  %3 = "qnn.add"(%1, %2) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>, tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>
  %4 = "qnn.max_pool2d"(%3) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:3>>
  %5 = "qnn.avg_pool2d"(%4) {kernel = array<i64: 1, 1>} : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:3>>
  %6 = "qnn.concat"(%4, %5) {axis = 1 : i64} : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:3>>, tensor<1x2x2x2x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x4x2x2x!quant.uniform<u8:f32, 0.05:3>>
  %7 = "qnn.global_avg_pool"(%6) : (tensor<1x4x2x2x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x4x1x1x!quant.uniform<u8:f32, 0.05:3>>
  %8 = "qnn.flatten"(%7) : (tensor<1x4x1x1x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.05:3>>
  %9 = "qnn.reshape"(%8) {shape = array<i64: 1, 4>} : (tensor<1x4x!quant.uniform<u8:f32, 0.05:3>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.05:3>>
  %fw_storage = arith.constant dense<1> : tensor<3x4xi8>
  %fw = "quant.scast"(%fw_storage) : (tensor<3x4xi8>) -> tensor<3x4x!quant.uniform<i8:f32, 0.01>>
  %fb = arith.constant dense<0> : tensor<3xi32>
  %10 = "qnn.linear"(%9, %fw, %fb) : (tensor<1x4x!quant.uniform<u8:f32, 0.05:3>>, tensor<3x4x!quant.uniform<i8:f32, 0.01:0>>, tensor<3xi32>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:0>>
  return %10 : tensor<1x3x!quant.uniform<u8:f32, 0.1:0>>
}
