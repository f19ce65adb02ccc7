// RUN: dfq-opt %s --dce --allow-unregistered-dialect --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @dead_chain
// CHECK-NOT: %unused
// CHECK-NOT: nn.sigmoid
// CHECK: %[[R:.*]] = "nn.relu"(%x)
// CHECK-NEXT: return %[[R]]
func.func @dead_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %unused = arith.constant dense<1.0> : tensor<4xf32>
  %0 = "nn.add"(%x, %unused) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = "nn.sigmoid"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = "nn.relu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Ops of dialects dfq does not know may have effects: DCE keeps them.
// CHECK-LABEL: func.func @unknown_effects
// CHECK: "test.print"(%x)
func.func @unknown_effects(%x: tensor<4xf32>) {
  %0 = "test.print"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}
