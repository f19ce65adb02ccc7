// RUN: dfq-opt %s | FileCheck %s

// CHECK-LABEL: func.func @concat_pool
// CHECK: %[[CAT:.*]] = "nn.concat"(%a, %b, %a) {axis = 1 : i64} : (tensor<1x2x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x7x8x8xf32>
// CHECK: %[[MAX:.*]] = "nn.max_pool2d"(%[[CAT]]) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x7x8x8xf32>) -> tensor<1x7x4x4xf32>
// CHECK: %[[AVG:.*]] = "nn.avg_pool2d"(%[[MAX]]) {count_include_pad = true, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x7x4x4xf32>) -> tensor<1x7x4x4xf32>
// CHECK: "nn.global_avg_pool"(%[[AVG]]) : (tensor<1x7x4x4xf32>) -> tensor<1x7x1x1xf32>
func.func @concat_pool(%a: tensor<1x2x8x8xf32>, %b: tensor<1x3x8x8xf32>) -> tensor<1x7x1x1xf32> {
  %0 = "nn.concat"(%a, %b, %a) {axis = 1 : i64} : (tensor<1x2x8x8xf32>, tensor<1x3x8x8xf32>, tensor<1x2x8x8xf32>) -> tensor<1x7x8x8xf32>
  %1 = "nn.max_pool2d"(%0) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x7x8x8xf32>) -> tensor<1x7x4x4xf32>
  %2 = "nn.avg_pool2d"(%1) {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x7x4x4xf32>) -> tensor<1x7x4x4xf32>
  %3 = "nn.global_avg_pool"(%2) : (tensor<1x7x4x4xf32>) -> tensor<1x7x1x1xf32>
  return %3 : tensor<1x7x1x1xf32>
}
