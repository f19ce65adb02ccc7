// The chain works: an imported MobileNetV2-style block verifies, and fold-bn
// folds every one of its batch norms into the convolutions before it.
// RUN: dfq-translate --import-onnx %S/Inputs/tiny_mobilenet.onnx --input-range=imagenet -o %t.mlir
// RUN: dfq-opt %t.mlir | FileCheck %s --check-prefix=IMPORTED
// RUN: dfq-opt --fold-bn %t.mlir | FileCheck %s --check-prefix=FOLDED

// IMPORTED-COUNT-6: "nn.batch_norm"
// IMPORTED-NOT: "nn.batch_norm"
// IMPORTED: return %logits : tensor<1x10xf32>

// FOLDED-NOT: "nn.batch_norm"
// FOLDED: %stem_conv = "nn.conv2d"(%x, %stem_weight, %stem_weight_b) {dfq.preact_mean
// FOLDED: "nn.add"(%stem_bn_relu6, %block1_project_conv)
// FOLDED-NOT: "nn.batch_norm"
// FOLDED: return %logits : tensor<1x10xf32>
