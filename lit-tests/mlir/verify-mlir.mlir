// REQUIRES: mlir
// RUN: dfq-translate --verify-mlir %s -o - | FileCheck-22 %s
// RUN: dfq-translate --verify-mlir %s 2>&1 | FileCheck-22 %s --check-prefix=SUMMARY
// RUN: not dfq-translate --verify-mlir %S/Inputs/disagree.mlir.in 2>&1 | FileCheck-22 %s --check-prefix=DISAGREE

// An int8 module as lower-int8 writes it: MLIR verifies it (quantized weights
// are i8 constants that quant.scast types, as arith.constant requires), and -o
// writes MLIR's generic print, which dfq reads back as the same graph.

// CHECK: "builtin.module"() ({
// CHECK: "func.func"() <{arg_attrs = [{dfq.range = [-1.000000e+00, 1.000000e+00]}], function_type = (tensor<1x4xf32>) -> tensor<1x2xf32>, sym_name = "main"}> ({
// CHECK-NEXT: ^bb0(%arg0: tensor<1x4xf32>):
// CHECK: "arith.constant"() <{value = dense<{{\[\[}}1, -2, 3, 4], [5, 6, -7, 8]]> : tensor<2x4xi8>}> : () -> tensor<2x4xi8>
// CHECK-NEXT: "quant.scast"(%{{.*}}) : (tensor<2x4xi8>) -> tensor<2x4x!quant.uniform<i8:f32, 1.000000e-02>>
// CHECK: "qnn.linear"
// CHECK: "func.return"

// SUMMARY: dfq-translate: MLIR verifies {{.*}}verify-mlir.mlir (1 function(s), 7 ops) and its generic print reads back as the same graph

// DISAGREE: disagree.mlir.in:4:8: error: MLIR: 'math.exp' op requires the same type for all operands and results
// DISAGREE: dfq-translate: error: disagreement: dfq accepts {{.*}}disagree.mlir.in, MLIR rejects it
func.func @main(%x: tensor<1x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.0078125:128>>
  %w_storage = arith.constant dense<[[1, -2, 3, 4], [5, 6, -7, 8]]> : tensor<2x4xi8>
  %w = "quant.scast"(%w_storage) : (tensor<2x4xi8>) -> tensor<2x4x!quant.uniform<i8:f32, 0.01>>
  %b = arith.constant dense<[10, -10]> : tensor<2xi32>
  %y = "qnn.linear"(%q, %w, %b) : (tensor<1x4x!quant.uniform<u8:f32, 0.0078125:128>>, tensor<2x4x!quant.uniform<i8:f32, 0.01>>, tensor<2xi32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.05:0>>
  %d = "qnn.dequantize"(%y) : (tensor<1x2x!quant.uniform<i8:f32, 0.05:0>>) -> tensor<1x2xf32>
  return %d : tensor<1x2xf32>
}
