// RUN: dfq-opt %s --pass-pipeline='builtin.module(canonicalize{max-rewrites=10},dce)' | FileCheck %s
// RUN: dfq-opt %s --canonicalize --dce --print-pipeline | FileCheck %s --check-prefix=PIPE
// RUN: dfq-opt %s --pass-pipeline='dce' --print-pipeline | FileCheck %s --check-prefix=BARE
// RUN: dfq-opt %s --canonicalize --dce --print-ir-after-all -o %t 2>&1 | FileCheck %s --check-prefix=DUMP

// CHECK-LABEL: func.func @f
// CHECK-NOT: nn.reshape
// CHECK-NOT: %dead

// Passes run in command-line order, with every option spelled out.
// PIPE: builtin.module(canonicalize{max-rewrites=100000},dce)
// BARE: builtin.module(dce)

// DUMP: // -----// IR Dump After canonicalize //----- //
// DUMP: // -----// IR Dump After dce //----- //
func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %dead = "nn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %0 = "nn.reshape"(%x) {shape = array<i64: 1, 4>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
