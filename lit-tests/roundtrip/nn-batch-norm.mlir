// RUN: dfq-opt %s | FileCheck %s

// CHECK-LABEL: func.func @bn
// CHECK: %gamma = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
// CHECK: "nn.batch_norm"(%x, %gamma, %beta, %mean, %var) {epsilon = 0.001 : f32}
// CHECK-SAME: (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// A missing epsilon stays missing: the default (1e-5) is the dialect's business.
// CHECK: "nn.batch_norm"(%{{.*}}, %gamma, %beta, %mean, %var) : (
func.func @bn(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %gamma = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %mean = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %var = arith.constant dense<[1.0, 0.25]> : tensor<2xf32>
  %0 = "nn.batch_norm"(%x, %gamma, %beta, %mean, %var) {epsilon = 1.0e-3 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}
