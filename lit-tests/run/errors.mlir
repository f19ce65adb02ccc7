// Command-line and input mistakes get one clear line and exit status 1.
// RUN: not dfq-run %s 2>&1 | FileCheck %s --check-prefix=NOINPUT
// RUN: not dfq-run %s --input %s 2>&1 | FileCheck %s --check-prefix=NOTNPY
// RUN: not dfq-run %s --input %S/no-such-file.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not dfq-run %s --entry nope --random-input 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not dfq-run %S/no-such-model.mlir --random-input 2>&1 | FileCheck %s --check-prefix=NOMODEL
// RUN: dfq-run %s --entry small --random-input -o %t.small.npy
// RUN: not dfq-run %s --input %t.small.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not dfq-run %s --seed 1 2>&1 | FileCheck %s --check-prefix=USAGE
// RUN: dfq-run --help | FileCheck %s --check-prefix=HELP

// NOINPUT: dfq-run: error: '@main' takes 1 argument (%x: tensor<1x4xf32>), but no --input was given (or use --random-input)
// NOTNPY: dfq-run: error: '{{.*}}errors.mlir' is not a .npy file
// MISSING: dfq-run: error: cannot read '{{.*}}no-such-file.npy'
// ENTRY: dfq-run: error: no function '@nope' in the module (it has @main, @small); choose one with --entry
// NOMODEL: dfq-run: error: cannot read '{{.*}}no-such-model.mlir'
// The argument's declaration is shown with a caret:
// SHAPE: errors.mlir:[[@LINE+6]]:17: error: input '{{.*}}small.npy' does not match argument #0 (%x) of '@main': expected tensor<1x4xf32>, the file holds tensor<2xf32> (float32)
// USAGE: error: the following required arguments were not provided
// HELP: --interp
// HELP: Examples:
// HELP: dfq-run examples/mobilenet_tiny.mlir --random-input --seed 1

func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "nn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

func.func @small(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
