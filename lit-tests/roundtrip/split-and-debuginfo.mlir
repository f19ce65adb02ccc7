// RUN: dfq-opt %s --split-input-file | FileCheck %s
// RUN: dfq-opt %s --split-input-file --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// Each chunk is its own module; outputs are joined by the same separator.
// CHECK-LABEL: func.func @first
// CHECK: // -----
// CHECK-NEXT: module {
// CHECK-NEXT: func.func @second

// Locations are those of the whole file, not of the chunk.
// LOC: "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32> loc("{{.*}}split-and-debuginfo.mlir":[[@LINE+3]]:3)
// LOC: "nn.sigmoid"(%x) : (tensor<2xf32>) -> tensor<2xf32> loc("{{.*}}split-and-debuginfo.mlir":[[@LINE+9]]:3)
func.func @first(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @second(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "nn.sigmoid"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
