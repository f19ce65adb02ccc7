// --eval: what is checked before any image is read (the signature, the flags,
// labels.csv), each with one clear message. Runs with images: tests/eval_cli.rs.
// RUN: not dfq-run %s --eval %S/no-such-dir 2>&1 | FileCheck %s --check-prefix=NODIR
// RUN: not dfq-run %s --eval %S --batch 2 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not dfq-run %s --eval %S --entry pair 2>&1 | FileCheck %s --check-prefix=ARGS
// RUN: not dfq-run %s --eval %S --entry gray 2>&1 | FileCheck %s --check-prefix=NOTRGB
// RUN: not dfq-run %s --eval %S --entry features 2>&1 | FileCheck %s --check-prefix=NOTSCORES
// RUN: not dfq-run %s --eval %S --entry unranged 2>&1 | FileCheck %s --check-prefix=NORANGE
// RUN: not dfq-run %s --eval %S --reference %S/no-such-model.mlir 2>&1 | FileCheck %s --check-prefix=NOREF
// RUN: not dfq-run %s --eval %S --reference %s --entry unranged --preprocess imagenet --limit 0 2>&1 | FileCheck %s --check-prefix=LIMIT
// RUN: not dfq-run %s --eval %S --random-input 2>&1 | FileCheck %s --check-prefix=CONFLICT
// RUN: not dfq-run %s --limit 3 2>&1 | FileCheck %s --check-prefix=NEEDS
// RUN: not dfq-run %s --random-input --limit 3 2>&1 | FileCheck %s --check-prefix=MIXED
// RUN: dfq-run --help | FileCheck %s --check-prefix=HELP

// NODIR: dfq-run: error: cannot read '{{.*}}no-such-dir/labels.csv'
// BATCH: eval-errors.mlir:[[@LINE+16]]:17: error: --batch 2 does not match '@main', whose signature fixes the batch at 1 (tensor<1x3x8x8xf32>); import the model with --input-shape 2,3,8,8 for batches of 2
// BATCH-NEXT: func.func @main(
// ARGS: error: --eval feeds '@pair' one batch of RGB images, tensor<Nx3xHxWxf32>, but it takes 2 arguments
// NOTRGB: error: --eval feeds '@gray' RGB images as tensor<Nx3xHxWxf32> (NCHW, fixed H and W), but its argument is tensor<1x1x8x8xf32>
// NOTSCORES: error: --eval reads the first result of '@features' as class scores [N, C], but it is tensor<6xf32>
// NORANGE: error: --eval cannot tell how '@unranged' expects pixels normalized (it has no dfq.range): give --preprocess efficientnet or --preprocess imagenet
// NOREF: dfq-run: error: cannot read '{{.*}}no-such-model.mlir'
// LIMIT: error: invalid value '0' for '--limit <N>'
// CONFLICT: error: the argument '--eval <DIR>' cannot be used with '--random-input'
// NEEDS: error: the following required arguments were not provided:
// NEEDS-NEXT: --eval <DIR>
// MIXED: error: the argument '--random-input' cannot be used with '--limit <N>'
// HELP: --eval <DIR>
// HELP: --reference <FLOAT.mlir>
// HELP: dfq-run model.q.mlir --eval imagenet-sample --reference model.mlir

func.func @main(%x: tensor<1x3x8x8xf32> {dfq.range = [-0.9921875, 1.0]}) -> tensor<1x3xf32> {
  %p = "nn.global_avg_pool"(%x) : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  %f = "nn.flatten"(%p) {axis = 1 : i64} : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
  return %f : tensor<1x3xf32>
}

func.func @pair(%x: tensor<1x3x8x8xf32>, %y: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  return %x : tensor<1x3x8x8xf32>
}

func.func @gray(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x8x8xf32> {
  return %x : tensor<1x1x8x8xf32>
}

func.func @features(%x: tensor<1x3x8x8xf32>) -> tensor<6xf32> {
  %c = arith.constant dense<0.0> : tensor<6xf32>
  return %c : tensor<6xf32>
}

func.func @unranged(%x: tensor<1x3x8x8xf32>) -> tensor<1x3xf32> {
  %p = "nn.global_avg_pool"(%x) : (tensor<1x3x8x8xf32>) -> tensor<1x3x1x1xf32>
  %f = "nn.flatten"(%p) {axis = 1 : i64} : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
  return %f : tensor<1x3xf32>
}
