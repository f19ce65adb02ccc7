// RUN: dfq-opt %s | FileCheck %s

// Numpy broadcasting: (1,4,2,2) with (4,1,1) and with a scalar tensor.
// CHECK-LABEL: func.func @broadcast
// CHECK: "nn.add"(%x, %bias) : (tensor<1x4x2x2xf32>, tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32>
// CHECK: "nn.mul"(%{{.*}}, %two) : (tensor<1x4x2x2xf32>, tensor<f32>) -> tensor<1x4x2x2xf32>
func.func @broadcast(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %bias = arith.constant dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]> : tensor<4x1x1xf32>
  %two = arith.constant dense<2.0> : tensor<f32>
  %0 = "nn.add"(%x, %bias) : (tensor<1x4x2x2xf32>, tensor<4x1x1xf32>) -> tensor<1x4x2x2xf32>
  %1 = "nn.mul"(%0, %two) : (tensor<1x4x2x2xf32>, tensor<f32>) -> tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}
