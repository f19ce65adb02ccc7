// --input-shape fixes a dynamic batch; --input-range records dfq.range, from a
// preset or as MIN,MAX.
// RUN: not dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx 2>&1 | FileCheck %s --check-prefix=DYNAMIC
// RUN: dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape 4,3,5,5 --input-range=efficientnet | FileCheck %s --check-prefix=EFFNET
// RUN: dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape=1x3x5x5 --input-range=imagenet | FileCheck %s --check-prefix=IMAGENET
// RUN: dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape 1,3,5,5 --input-range -2.12,2.64 | FileCheck %s --check-prefix=EXPLICIT
// RUN: not dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape 1,3,6,6 2>&1 | FileCheck %s --check-prefix=CONFLICT
// RUN: not dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape 1,3,5,5 --input-range=3,1 2>&1 | FileCheck %s --check-prefix=BADRANGE
// RUN: dfq-translate --import-onnx %S/Inputs/dynamic_batch.onnx --input-shape 1,3,5,5 2>&1 -o %t.mlir | FileCheck %s --check-prefix=NORANGE

// DYNAMIC: dfq-translate: error: {{.*}}dynamic_batch.onnx: input 'x' has the dynamic shape [batch, 3, 5, 5]; give a static one with --input-shape, e.g. --input-shape 1,3,5,5

// EFFNET: func.func @main(%x: tensor<4x3x5x5xf32> {dfq.range = [-0.9921875, 1.0]}) -> tensor<4x4x5x5xf32>
// IMAGENET: func.func @main(%x: tensor<1x3x5x5xf32> {dfq.range = [-2.1179039301310043, 2.6399999999999997]}) -> tensor<1x4x5x5xf32>
// EXPLICIT: func.func @main(%x: tensor<1x3x5x5xf32> {dfq.range = [-2.12, 2.64]})

// CONFLICT: error: {{.*}}--input-shape [1, 3, 6, 6] conflicts with the shape [batch, 3, 5, 5] that the model declares for input 'x'
// BADRANGE: error: invalid value '3,1' for '--input-range <RANGE>': the input range has min 3 greater than max 1
// NORANGE: note: no --input-range given
