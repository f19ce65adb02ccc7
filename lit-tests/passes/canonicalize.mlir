// RUN: dfq-opt %s --split-input-file --canonicalize | FileCheck %s

// A reshape of a constant becomes a constant of the new shape; the old constant
// and the reshape are gone.
// CHECK-LABEL: func.func @fold_reshape_of_constant
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
// CHECK-NOT: nn.reshape
// CHECK: "nn.add"(%x, %[[C]])
func.func @fold_reshape_of_constant(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = "nn.reshape"(%c) {shape = array<i64: 2, 2>} : (tensor<4xf32>) -> tensor<2x2xf32>
  %0 = "nn.add"(%x, %r) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Reshapes and flattens to the type their input already has disappear, and so does
// a concat of a single value.
// CHECK-LABEL: func.func @identities
// CHECK-NOT: nn.reshape
// CHECK-NOT: nn.flatten
// CHECK-NOT: nn.concat
// CHECK: return %x : tensor<1x8xf32>
func.func @identities(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = "nn.reshape"(%x) {shape = array<i64: 1, 8>} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %1 = "nn.flatten"(%0) : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %2 = "nn.concat"(%1) {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return %2 : tensor<1x8xf32>
}

// -----

// A chain of shape ops becomes one reshape of the source.
// CHECK-LABEL: func.func @compose
// CHECK-NEXT: %[[R:.*]] = "nn.reshape"(%x) {shape = array<i64: 2, 4>} : (tensor<1x8x1x1xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose(%x: tensor<1x8x1x1xf32>) -> tensor<2x4xf32> {
  %0 = "nn.flatten"(%x) : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %1 = "nn.reshape"(%0) {shape = array<i64: 2, 4>} : (tensor<1x8xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// A 0 in the outer shape copies a dimension of its input: composing would change
// the meaning, so the chain stays.
// CHECK-LABEL: func.func @keep_zero_dims
// CHECK: "nn.flatten"
// CHECK: "nn.reshape"
func.func @keep_zero_dims(%x: tensor<2x4x1x1xf32>) -> tensor<2x2x2xf32> {
  %0 = "nn.flatten"(%x) : (tensor<2x4x1x1xf32>) -> tensor<2x4xf32>
  %1 = "nn.reshape"(%0) {shape = array<i64: 0, 2, 2>} : (tensor<2x4xf32>) -> tensor<2x2x2xf32>
  return %1 : tensor<2x2x2xf32>
}
