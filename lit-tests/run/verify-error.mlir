// A model that does not parse or verify is reported as dfq-opt reports it:
// located, with the source line and a caret, and nothing is run.
// RUN: not dfq-run %s --random-input 2>&1 | FileCheck %s
// RUN: not dfq-opt %s 2>&1 | FileCheck %s
// RUN: echo 'func.func @broken(' > %t.bad.mlir
// RUN: not dfq-run %t.bad.mlir --random-input 2>&1 | FileCheck %s --check-prefix=PARSE

// PARSE: {{.*}}bad.mlir:2:1: error: expected ')' or an SSA value, found end of file

// CHECK: verify-error.mlir:[[@LINE+4]]:3: error: 'nn.relu' op requires the same type for all operands and results
// CHECK-NEXT: %0 = "nn.relu"(%x)
// CHECK-NEXT: {{^  \^$}}
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x5xf32> {
  %0 = "nn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x5xf32>
  return %0 : tensor<1x5xf32>
}
