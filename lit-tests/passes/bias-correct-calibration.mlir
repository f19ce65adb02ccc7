// Empirical bias correction: --calibration FILE.npy sets bias-correct's
// 'calibration' option (and selects bias-correct). The calibration batch is
// drawn by dfq-run from @calibration_batch below, which dfq-opt leaves alone
// (it has no layers).
// RUN: dfq-run %s --entry calibration_batch --random-input --seed 1 -o %t.batch.npy
// RUN: dfq-run %s --entry one_sample --random-input --seed 2 -o %t.one.npy
// RUN: dfq-run %s --entry bytes --random-input -o %t.u8.npy
// RUN: dfq-opt %s --calibration %t.batch.npy --print-pipeline | FileCheck %s --check-prefix=PIPE
// RUN: dfq-opt %s --dfq --calibration %t.batch.npy --print-pipeline | FileCheck %s --check-prefix=DFQ
// RUN: dfq-opt %s --quantize --bias-correct='calibration=%t.batch.npy' -o %t.a.mlir 2>&1 | count 0
// RUN: dfq-opt %s --quantize --calibration %t.batch.npy | FileCheck %s
// RUN: dfq-opt %s --calibration %t.one.npy -o %t.b.mlir 2>&1 | count 0
// RUN: dfq-opt %s --bias-correct 2>&1 -o %t.c.mlir | FileCheck %s --check-prefix=ANALYTIC
// RUN: not dfq-opt %s --calibration %S/no-such-file.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dfq-opt %s --calibration %s 2>&1 | FileCheck %s --check-prefix=NOTNPY
// RUN: not dfq-opt %s --calibration %t.u8.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: dfq-run %s --entry wrong_shape --random-input -o %t.wrong.npy
// RUN: not dfq-opt %s --calibration %t.wrong.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dfq-opt %s --pass-pipeline='builtin.module(dce)' --calibration %t.batch.npy 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: not dfq-opt %s --bias-correct='calibration=%t.one.npy' --calibration %t.batch.npy 2>&1 | FileCheck %s --check-prefix=TWICE

// PIPE: builtin.module(fold-bn,quantize{{.*}},bias-correct{calibration={{.*}}.batch.npy})
// DFQ: builtin.module(fold-bn,equalize{{.*}},absorb-bias{{.*}},quantize{{.*}},bias-correct{calibration={{.*}}.batch.npy})

// Both convs are corrected, the first one too (the analytic variant cannot:
// its input, the network input, has no statistics); the float biases in front
// of the bias quantize ops are new constants.
// CHECK-LABEL: func.func @main
// CHECK-NOT: arith.constant dense<[0.5, -0.25]>
// CHECK: %b1 = arith.constant dense<[{{.*}}]> : tensor<2xf32>
// CHECK-NEXT: "qnn.quantize"(%b1)
// CHECK: "nn.conv2d"
// CHECK-NOT: arith.constant dense<[0.0, 0.0]>
// CHECK: %b2 = arith.constant dense<[{{.*}}]> : tensor<2xf32>
// CHECK-NEXT: "qnn.quantize"(%b2)
// CHECK: "nn.conv2d"

// ANALYTIC: remark: bias not corrected: the mean of its input is unknown (no statistics upstream)

// MISSING: dfq-opt: error: bias-correct: calibration data: cannot read '{{.*}}no-such-file.npy'
// NOTNPY: dfq-opt: error: bias-correct: calibration data: '{{.*}}bias-correct-calibration.mlir' is not a .npy file
// DTYPE: dfq-opt: error: bias-correct: calibration data '{{.*}}.u8.npy' holds uint8 values; it must be float32
// SHAPE: bias-correct-calibration.mlir:[[@LINE+4]]:{{[0-9]+}}: error: bias-correct: calibration data '{{.*}}.wrong.npy' holds a 3x2x4x4 float32 array, which is no input of '@main': its argument is tensor<1x2x3x3xf32>, so the file must be Nx2x3x3 (a batch) or 2x3x3 (one sample)
// PIPELINE: dfq-opt: error: --calibration cannot be combined with --pass-pipeline; write bias-correct{calibration=FILE} in the pipeline
// TWICE: dfq-opt: error: --calibration and --bias-correct='calibration=...' both name calibration data; give one

func.func @main(%x: tensor<1x2x3x3xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x3x3xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[0.5, -0.25]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<[[[[0.3]], [[-0.7]]], [[[0.11]], [[0.9]]]]> : tensor<2x2x1x1xf32>
  %b2 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %2 = "nn.conv2d"(%1, %w2, %b2) {dfq.preact_mean = dense<[0.0, 0.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// Generators of calibration files (run with dfq-run --entry).
func.func @calibration_batch(%x: tensor<16x2x3x3xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<16x2x3x3xf32> {
  return %x : tensor<16x2x3x3xf32>
}

func.func @one_sample(%x: tensor<2x3x3xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<2x3x3xf32> {
  return %x : tensor<2x3x3xf32>
}

func.func @wrong_shape(%x: tensor<3x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<3x2x4x4xf32> {
  return %x : tensor<3x2x4x4xf32>
}

func.func @bytes(%x: tensor<2x3x3xf32> {dfq.range = [0.0, 1.0]}) -> tensor<2x3x3x!quant.uniform<u8:f32, 0.00390625:0>> {
  %0 = "qnn.quantize"(%x) : (tensor<2x3x3xf32>) -> tensor<2x3x3x!quant.uniform<u8:f32, 0.00390625:0>>
  return %0 : tensor<2x3x3x!quant.uniform<u8:f32, 0.00390625:0>>
}
