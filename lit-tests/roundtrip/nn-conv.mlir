// RUN: dfq-opt %s --split-input-file | FileCheck %s
// RUN: dfq-opt %s --split-input-file | dfq-opt --split-input-file - | FileCheck %s

// CHECK-LABEL: func.func @conv_bias
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<2x1x3x3xf32>
// CHECK: "nn.conv2d"(%x, %[[W]], %b) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-SAME: -> tensor<1x2x3x3xf32>
func.func @conv_bias(%x: tensor<1x1x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<0.5> : tensor<2x1x3x3xf32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x5x5xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Optional bias absent, attributes left to their defaults, asymmetric padding.
// CHECK-LABEL: func.func @conv_defaults
// CHECK: "nn.conv2d"(%x, %w) {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x3x4x4xf32>, tensor<8x3x2x2xf32>) -> tensor<1x8x4x4xf32>
func.func @conv_defaults(%x: tensor<1x3x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<8x3x2x2xf32>
  %0 = "nn.conv2d"(%x, %w) {pads = array<i64: 0, 0, 1, 1>} : (tensor<1x3x4x4xf32>, tensor<8x3x2x2xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Depthwise: groups equals channels, weight has one input channel per group.
// CHECK-LABEL: func.func @depthwise
// CHECK: groups = 4 : i64
// CHECK-SAME: (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
func.func @depthwise(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<4x1x3x3xf32>
  %0 = "nn.conv2d"(%x, %w) {groups = 4 : i64, dilations = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}
