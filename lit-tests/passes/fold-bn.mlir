// RUN: dfq-opt %s --split-input-file --fold-bn | FileCheck %s
// RUN: dfq-opt %s --split-input-file --fold-bn --verify-diagnostics -o %t

// W' = W·γ/σ, b' = (b − μ)·γ/σ + β with σ = sqrt(var + ε) = 2 and 0.5:
// channel 0: γ/σ = 1/2, channel 1: γ/σ = −3/0.5 = −6.
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}0.5]]], {{\[\[\[}}-6.0]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[0.5, 13.0]> : tensor<2xf32>
// CHECK: "nn.conv2d"(%x, %[[W]], %[[B]]) {dfq.preact_mean = dense<[1.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 3.0]> : tensor<2xf32>
// CHECK-NOT: nn.batch_norm
func.func @conv_bn(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %gamma = arith.constant dense<[1.0, -3.0]> : tensor<2xf32>
  %beta = arith.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}

// -----

// A batch norm on a function argument has no layer to fold into: it stays, with a remark.
// CHECK-LABEL: func.func @no_layer
// CHECK: nn.batch_norm
func.func @no_layer(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = arith.constant dense<1.0> : tensor<2xf32>
  // expected-remark @+1 {{batch norm left unfolded: its input is a function argument}}
  %0 = "nn.batch_norm"(%x, %p, %p, %p, %p) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// The conv's raw output is also returned: folding would change that value.
// CHECK-LABEL: func.func @shared_output
// CHECK: nn.batch_norm
func.func @shared_output(%x: tensor<1x1x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  // expected-remark @+1 {{the layer's output has other users}}
  %1 = "nn.batch_norm"(%0, %p, %p, %p, %p) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0, %1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// Linear layers fold too.
// CHECK-LABEL: func.func @linear_bn
// CHECK: "nn.linear"(%x, %{{.*}}, %{{.*}}) {dfq.preact_mean
// CHECK-NOT: nn.batch_norm
func.func @linear_bn(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x3xf32>
  %b = arith.constant dense<0.5> : tensor<2xf32>
  %p = arith.constant dense<1.0> : tensor<2xf32>
  %0 = "nn.linear"(%x, %w, %b) : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %1 = "nn.batch_norm"(%0, %p, %p, %p, %p) : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}
