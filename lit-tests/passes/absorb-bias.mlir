// RUN: dfq-opt %s --split-input-file --absorb-bias | FileCheck %s
// RUN: dfq-opt %s --split-input-file --absorb-bias --verify-diagnostics -o %t

// c = max(0, β − 3γ) = [2, 0]: W1's bias and recorded mean drop by c, and W2
// (which had no bias) gets W2·c summed over its 9 taps: 9 · 0.5 · 2 = 9.
// CHECK-LABEL: func.func @relu_pair
// CHECK: %[[B1:.*]] = arith.constant dense<[3.0, 0.5]> : tensor<2xf32>
// CHECK: "nn.conv2d"(%x, %{{.*}}, %[[B1]]) {dfq.preact_mean = dense<[3.0, 0.5]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>}
// CHECK: nn.relu
// CHECK: %[[B2:.*]] = arith.constant dense<[9.0]> : tensor<1xf32>
// CHECK: "nn.conv2d"(%{{.*}}, %w2, %[[B2]])
func.func @relu_pair(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[5.0, 0.5]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[5.0, 0.5]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<0.5> : tensor<1x2x3x3xf32>
  // expected-remark @+1 {{bias not absorbed: it has no recorded statistics}}
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %2 : tensor<1x1x1x1xf32>
}

// -----

// Under a ReLU6 the cap drops by c too, so the ReLU6 becomes a per-channel clip
// [0, 6 − c]; c = [6, 0] (β − 3γ = 6 uses the whole range of channel 0).
// CHECK-LABEL: func.func @relu6_pair
// CHECK: arith.constant dense<[-1.0, 0.5]> : tensor<2xf32>
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<[0.0, 6.0]> : tensor<2xf32>
// CHECK: "nn.clip"(%{{.*}}, %[[LO]], %[[HI]])
// CHECK-NOT: nn.relu6
// CHECK: arith.constant dense<[27.0]> : tensor<1xf32>
func.func @relu6_pair(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x1x1xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[5.0, 0.5]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[9.0, 0.5]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<0.5> : tensor<1x2x3x3xf32>
  // expected-remark @+1 {{no recorded statistics}}
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x1x1x1xf32>
  return %2 : tensor<1x1x1x1xf32>
}

// -----

// Without an activation there is nothing to absorb; a residual add after the
// ReLU ends the chain. Both layers keep their biases.
// CHECK-LABEL: func.func @left_alone
// CHECK: arith.constant dense<[5.0, 0.5]> : tensor<2xf32>
// CHECK: arith.constant dense<[4.0, 4.0]> : tensor<2xf32>
// CHECK-NOT: arith.constant dense<[2.0
func.func @left_alone(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[5.0, 0.5]> : tensor<2xf32>
  // expected-remark @+1 {{bias not absorbed: its output does not go through a ReLU-like activation alone}}
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[5.0, 0.5]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %b2 = arith.constant dense<[4.0, 4.0]> : tensor<2xf32>
  // expected-remark @+1 {{bias not absorbed: its activation reaches 'nn.add', which a per-channel shift does not pass through}}
  %1 = "nn.conv2d"(%0, %w1, %b2) {dfq.preact_mean = dense<[5.0, 5.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %2 = "nn.relu"(%1) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  // expected-remark @+1 {{no recorded statistics}}
  %3 = "nn.conv2d"(%2, %w1) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %4 = "nn.add"(%2, %3) : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %4 : tensor<1x2x3x3xf32>
}
