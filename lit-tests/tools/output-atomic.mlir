// `-o` may name the input: the file is replaced only by a complete result, and an
// error leaves it untouched.
// RUN: cp %s %t.mlir
// RUN: dfq-opt %t.mlir --dce -o %t.mlir
// RUN: dfq-opt %t.mlir | FileCheck %s
// RUN: echo 'func.func @broken(' > %t.bad.mlir
// RUN: not dfq-opt %t.bad.mlir -o %t.mlir
// RUN: dfq-opt %t.mlir | FileCheck %s

// CHECK-LABEL: func.func @f
// CHECK-NOT: nn.relu
// CHECK: return %x
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %x : tensor<2xf32>
}
