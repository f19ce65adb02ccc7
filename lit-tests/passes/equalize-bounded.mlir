// RUN: dfq-opt %s --equalize | FileCheck %s
// RUN: dfq-opt %s --equalize --verify-diagnostics -o %t

// The paper's scales would be s = sqrt(r1 / r2) = [2, 0.5] (see equalize.mlir).
// With bound-activations (the default), channel 1 may not outgrow the tensor's
// range: before equalization the ReLU6 output has channel ranges [0, 6]
// (2 ± 6·4, clipped) and [0, 4] (1 ± 6·0.5), so [0, 6] per tensor, and channel 1's
// total scale must stay at least 4/6. Sweep 1 gives [2, 2/3]; sweep 2 finds
// channel 1's weight-only scale (0.75) below what the bound still allows (1), so
// it stops. Channel 1's activation now reaches 6, the tensor's old maximum.
// CHECK-LABEL: func.func @relu6_pair
// CHECK: arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}0.375]]]]> : tensor<2x2x1x1xf32>
// CHECK: arith.constant dense<[1.0, 1.5]> : tensor<2xf32>
// CHECK: "nn.conv2d"({{.*}}) {dfq.preact_mean = dense<[1.0, 1.5]> : tensor<2xf32>, dfq.preact_std = dense<[2.0, 0.75]> : tensor<2xf32>}
// CHECK: %act_max = arith.constant dense<[3.0, 9.0]> : tensor<2xf32>
// CHECK: "nn.clip"
// CHECK: arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.6666667]]]]> : tensor<1x2x1x1xf32>
// expected-remark @+1 {{equalized 1 layer pair(s): converged after 2 sweep(s)}}
func.func @relu6_pair(%x: tensor<1x2x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[2.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[4.0, 0.5]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %act = "nn.relu6"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  // expected-remark @+1 {{not equalized: its output is returned by the function}}
  %2 = "nn.conv2d"(%act, %w2) : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x3x3xf32>
  return %2 : tensor<1x1x3x3xf32>
}
