// Conv's padding forms become explicit (top, left, bottom, right) pads: TF-style
// SAME_UPPER puts the odd unit at the end, SAME_LOWER at the start.
// Inputs/conv_pads.onnx comes from tools/onnx/make_test_models.py.
// RUN: dfq-translate --import-onnx %S/Inputs/conv_pads.onnx | FileCheck %s

// CHECK-LABEL: func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x2x1x3xf32>
// CHECK: %w_same_upper = arith.constant dense_resource<w_same_upper> : tensor<4x3x3x3xf32>
// CHECK: %same_upper = "nn.conv2d"(%x, %w_same_upper) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-SAME: -> tensor<1x4x4x4xf32>
// CHECK: %same_lower_dw = "nn.conv2d"(%same_upper, %w_depthwise) {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>}
// CHECK-SAME: -> tensor<1x4x2x2xf32>
// CHECK: %b_dilated = arith.constant dense<[{{.*}}]> : tensor<6xf32>
// CHECK: %dilated = "nn.conv2d"(%same_lower_dw, %w_dilated, %b_dilated) {dilations = array<i64: 2, 1>, groups = 1 : i64, pads = array<i64: 2, 1, 1, 2>, strides = array<i64: 1, 1>}
// CHECK-SAME: -> tensor<1x6x1x3xf32>
// CHECK: %y = "nn.conv2d"(%dilated, %w_valid) {{.*}}pads = array<i64: 0, 0, 0, 0>{{.*}} : (tensor<1x6x1x3xf32>, tensor<2x6x1x1xf32>) -> tensor<1x2x1x3xf32>
// CHECK: return %y : tensor<1x2x1x3xf32>
// CHECK: dialect_resources
// CHECK: w_same_upper: "0x04000000
