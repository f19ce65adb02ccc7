// RUN: dfq-opt %s | FileCheck %s

// CHECK-LABEL: func.func @activations
// CHECK-NEXT: %[[R:.*]] = "nn.relu"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[R6:.*]] = "nn.relu6"(%[[R]])
// CHECK-NEXT: %[[S:.*]] = "nn.sigmoid"(%[[R6]])
// CHECK-NEXT: %[[SM:.*]] = "nn.softmax"(%[[S]]) {axis = 1 : i64}
// CHECK: %[[C:.*]] = "nn.clip"(%[[SM]], %lo, %hi) : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x2x2xf32>
// CHECK: "nn.prelu"(%[[C]], %slope) : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
func.func @activations(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = "nn.relu"(%x) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %2 = "nn.sigmoid"(%1) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %3 = "nn.softmax"(%2) {axis = 1 : i64} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<4.0> : tensor<f32>
  %4 = "nn.clip"(%3, %lo, %hi) : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  %slope = arith.constant dense<[[[0.1]], [[0.2]]]> : tensor<2x1x1xf32>
  %5 = "nn.prelu"(%4, %slope) : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %5 : tensor<1x2x2x2xf32>
}
