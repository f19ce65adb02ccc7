// Unsupported operators are all listed, each with its node; other failures get
// one clear line and write no output.
// RUN: not dfq-translate --import-onnx %S/Inputs/unsupported.onnx -o %t.mlir 2>&1 | FileCheck %s --check-prefix=UNSUP
// RUN: not dfq-opt %t.mlir 2>&1 | FileCheck %s --check-prefix=NO-OUTPUT
// RUN: not dfq-translate --import-onnx %s 2>&1 | FileCheck %s --check-prefix=NOT-ONNX
// RUN: not dfq-translate --import-onnx %S/Inputs/no-such-model.onnx 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dfq-translate %S/Inputs/conv_pads.onnx 2>&1 | FileCheck %s --check-prefix=NO-MODE
// RUN: dfq-translate --help | FileCheck %s --check-prefix=HELP

// UNSUP: dfq-translate: error: {{.*}}unsupported.onnx: the model uses 3 unsupported operators (Erf, Resize, Shape) in 4 nodes:
// UNSUP-NEXT: node 'shape_of_x' (Shape)
// UNSUP-NEXT: node 'upsample' (Resize)
// UNSUP-NEXT: node 'gelu/erf' (Erf)
// UNSUP-NEXT: node 'upsample_again' (Resize)
// UNSUP-NEXT: supported operators: Add, AveragePool, BatchNormalization, Clip, Concat, Constant, Conv, Dropout, Flatten, Gemm, GlobalAveragePool, Identity, MatMul, MaxPool, Mul, PRelu, Relu, Reshape, Sigmoid, Softmax
// NO-OUTPUT: cannot read
// NOT-ONNX: dfq-translate: error: {{.*}}import-errors.mlir: not an ONNX model: failed to decode Protobuf message
// MISSING: dfq-translate: error: cannot read '{{.*}}no-such-model.onnx'
// NO-MODE: error: the following required arguments were not provided:
// NO-MODE-NEXT: <--import-onnx|--export-onnx|--export-tosa|--verify-mlir>
// HELP: Translations:
// HELP: --import-onnx
// HELP: ONNX import:
// HELP: --input-shape <DIMS>
// HELP: --input-range <RANGE>
// HELP: Examples:
