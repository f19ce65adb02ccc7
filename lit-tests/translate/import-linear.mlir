// Gemm (transB = 1) keeps its weight; Gemm (transB = 0, alpha, beta) gets a
// transposed, scaled weight; MatMul + Add of a bias is one nn.linear; the
// Reshape's shape constant and the Identity leave nothing behind.
// RUN: dfq-translate --import-onnx %S/Inputs/head.onnx | FileCheck %s

// CHECK-LABEL: func.func @main(%x: tensor<1x4x3x3xf32>) -> tensor<1x5xf32>
// CHECK: %flat = "nn.flatten"(%gap) {axis = 1 : i64} : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
// CHECK: %logits = "nn.linear"(%flat, %fc_weight, %fc_bias) : (tensor<1x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<1x5xf32>
// CHECK: %probs = "nn.softmax"(%logits) {axis = 1 : i64}
// CHECK-NOT: %shape
// CHECK: %rows = "nn.reshape"(%x) {shape = array<i64: 1, -1>} : (tensor<1x4x3x3xf32>) -> tensor<1x36xf32>
// CHECK: %proj_weight = arith.constant dense_resource<proj_weight> : tensor<5x36xf32>
// CHECK-NOT: %proj =
// CHECK: %proj_biased = "nn.linear"(%rows, %proj_weight, %proj_bias) : (tensor<1x36xf32>, tensor<5x36xf32>, tensor<5xf32>) -> tensor<1x5xf32>
// CHECK: %mix_bias = arith.constant dense<{{.*}}> : tensor<5xf32>
// CHECK: %mixed = "nn.linear"(%proj_biased, %mix_weight, %mix_bias)
// CHECK: %sum = "nn.add"(%probs, %mixed)
// CHECK: return %sum : tensor<1x5xf32>
