// RUN: dfq-opt %s | FileCheck %s

// CHECK-LABEL: func.func @head
// CHECK: %[[F:.*]] = "nn.flatten"(%x) {axis = 1 : i64} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
// CHECK: %[[R:.*]] = "nn.reshape"(%[[F]]) {shape = array<i64: 0, -1>} : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK: "nn.linear"(%[[R]], %w, %b) : (tensor<1x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<1x3xf32>
// CHECK-NOT: "nn.linear"(%[[R]], %w, %b) {
func.func @head(%x: tensor<1x8x1x1xf32>) -> tensor<1x3xf32> {
  %0 = "nn.flatten"(%x) {axis = 1 : i64} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %1 = "nn.reshape"(%0) {shape = array<i64: 0, -1>} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %w = arith.constant dense<0.125> : tensor<3x8xf32>
  %b = arith.constant dense<[0.0, 1.0, 2.0]> : tensor<3xf32>
  %2 = "nn.linear"(%1, %w, %b) : (tensor<1x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %2 : tensor<1x3xf32>
}
