// RUN: dfq-opt %s --split-input-file --equalize="tolerance=1e-7 bound-activations=false" | FileCheck %s
// RUN: dfq-opt %s --split-input-file --equalize="tolerance=1e-7 bound-activations=false" --verify-diagnostics -o %t
// These cases check the paper's weight-only scales; equalize-bounded.mlir checks
// the default, activation-bounded ones.

// r1 = [4, 0.25] (rows of W1), r2 = [1, 1] (columns of W2): s = sqrt(r1 / r2) = [2, 0.5].
// W1's rows, bias and statistics divide by s, W2's columns multiply by it, and the
// ReLU6 becomes a clip to [0, 6 / s] with per-channel bounds.
// CHECK-LABEL: func.func @relu6_pair
// CHECK: %[[W1:.*]] = arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}0.5]]]]> : tensor<2x2x1x1xf32>
// CHECK: %[[B1:.*]] = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = "nn.conv2d"(%x, %[[W1]], %[[B1]]) {dfq.preact_mean = dense<[1.0, 2.0]> : tensor<2xf32>, dfq.preact_std = dense<[2.0, 1.0]> : tensor<2xf32>}
// CHECK-NOT: nn.relu6
// CHECK: %[[LO:.*]] = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
// CHECK: %[[HI:.*]] = arith.constant dense<[3.0, 12.0]> : tensor<2xf32>
// CHECK: %act = "nn.clip"(%[[Y]], %[[LO]], %[[HI]])
// CHECK-NOT: nn.relu6
// CHECK: %[[W2:.*]] = arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.5]]]]> : tensor<1x2x1x1xf32>
// CHECK: "nn.conv2d"(%act, %[[W2]])
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

// -----

// The ReLU's output also feeds a residual add, which would see the scaled
// channels: both layers are left alone.
// CHECK-LABEL: func.func @residual
// CHECK: arith.constant dense<{{\[\[\[\[}}4.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}0.25]]]]>
// CHECK: nn.relu
// CHECK: arith.constant dense<{{\[\[\[\[}}1.0]], {{\[\[}}1.0]]], {{\[\[\[}}1.0]], {{\[\[}}1.0]]]]>
// CHECK: nn.add
func.func @residual(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  // expected-remark @+1 {{not equalized: its output reaches 'nn.add', which per-channel scaling does not pass through}}
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]], [[[1.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  // expected-remark @+1 {{not equalized: its output reaches 'nn.add'}}
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %3 = "nn.add"(%1, %2) : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// conv → depthwise → conv: the two overlapping pairs are swept until all three
// ranges of channel 0 meet at (8·1·1)^(1/3) = 2. The depthwise filter is scaled
// as W2 of the first pair (its bias stays) and as W1 of the second (its bias
// divides by the second pair's scale, 2).
// CHECK-LABEL: func.func @depthwise_chain
// CHECK: %[[W1:.*]] = arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}1.0]]]]>
// CHECK-DAG: %[[WD:.*]] = arith.constant dense<{{\[\[\[\[}}2.0, 2.0, 2.0], [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]], {{\[\[\[}}1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]>
// CHECK-DAG: %[[BD:.*]] = arith.constant dense<[0.25, 0.5]>
// CHECK: "nn.conv2d"(%{{.*}}, %[[WD]], %[[BD]]) {groups = 2 : i64
// CHECK: arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}1.0]]], {{\[\[\[}}2.0]], {{\[\[}}-1.0]]]]>
// expected-remark @+1 {{equalized 2 layer pair(s): converged}}
func.func @depthwise_chain(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<[[[[8.0]], [[0.0]]], [[[0.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %wd = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
  %bd = arith.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %2 = "nn.conv2d"(%1, %wd, %bd) {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %3 = "nn.relu"(%2) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]], [[[1.0]], [[-1.0]]]]> : tensor<2x2x1x1xf32>
  // expected-remark @+1 {{its output is returned}}
  %4 = "nn.conv2d"(%3, %w2) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %4 : tensor<1x2x4x4xf32>
}

// -----

// Scaling passes through global pooling and the flatten to the linear's columns.
// CHECK-LABEL: func.func @pool_flatten_linear
// CHECK: arith.constant dense<{{\[\[\[\[}}2.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}0.5]]]]>
// CHECK: nn.global_avg_pool
// CHECK: nn.flatten
// CHECK: arith.constant dense<{{\[\[}}2.0, 0.5], [1.0, -0.5], [0.0, 0.25]]> : tensor<3x2xf32>
// CHECK: nn.linear
// expected-remark @+1 {{equalized 1 layer pair(s)}}
func.func @pool_flatten_linear(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = "nn.global_avg_pool"(%1) : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  %3 = "nn.flatten"(%2) {axis = 1 : i64} : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  %w2 = arith.constant dense<[[1.0, 1.0], [0.5, -1.0], [0.0, 0.5]]> : tensor<3x2xf32>
  // expected-remark @+1 {{its output is returned}}
  %4 = "nn.linear"(%3, %w2) : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %4 : tensor<1x3xf32>
}

// -----

// PReLU keeps its slopes; a clip with scalar bounds gets per-channel bounds / s.
// CHECK-LABEL: func.func @prelu_and_clip
// CHECK: %[[SLOPE:.*]] = arith.constant dense<{{\[\[\[}}0.1]], {{\[\[}}0.2]]]> : tensor<2x1x1xf32>
// CHECK: "nn.prelu"(%{{.*}}, %[[SLOPE]])
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<[-0.5, -2.0]> : tensor<2xf32>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<[2.0, 8.0]> : tensor<2xf32>
// CHECK: "nn.clip"(%{{.*}}, %[[LO]], %[[HI]])
// expected-remark @+1 {{equalized 1 layer pair(s)}}
func.func @prelu_and_clip(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %slope = arith.constant dense<[[[0.1]], [[0.2]]]> : tensor<2x1x1xf32>
  %1 = "nn.prelu"(%0, %slope) : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %lo = arith.constant dense<-1.0> : tensor<f32>
  %hi = arith.constant dense<4.0> : tensor<f32>
  %2 = "nn.clip"(%1, %lo, %hi) : (tensor<1x2x2x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  // expected-remark @+1 {{its output is returned}}
  %3 = "nn.conv2d"(%2, %w2) : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %3 : tensor<1x1x2x2xf32>
}

// -----

// A concat ends the chain.
// CHECK-LABEL: func.func @concat
// CHECK: arith.constant dense<{{\[\[\[\[}}4.0]], {{\[\[}}0.0]]], {{\[\[\[}}0.0]], {{\[\[}}0.25]]]]>
func.func @concat(%x: tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  // expected-remark @+1 {{not equalized: its output reaches 'nn.concat'}}
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.concat"(%0, %x) {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}
