// Results written with -o are valid inputs: write, read back, and run again.
// Two results take two -o, in order; --print still prints when -o is given.
// RUN: dfq-run %s --random-input --seed 3 -o %t.a.npy -o %t.b.npy --print | FileCheck %s --check-prefix=FIRST
// RUN: dfq-run %s --input %t.a.npy --input %t.b.npy | FileCheck %s --check-prefix=SECOND
// RUN: dfq-run %s --input %t.a.npy --input %t.b.npy -o %t.c.npy -o %t.d.npy
// RUN: not dfq-run %s --input %t.a.npy --input %t.b.npy -o %t.only.npy 2>&1 | FileCheck %s --check-prefix=COUNT

// FIRST: result #0: tensor<3xf32>
// FIRST: result #1: tensor<3xf32>
// Both inputs are clipped to [0, 6] already, so a second pass changes nothing:
// SECOND: result #0: tensor<3xf32>
// SECOND-NEXT: min {{[0-9]}}
// SECOND: result #1: tensor<3xf32>
// SECOND-NEXT: min {{[0-9]}}

// COUNT: dfq-run: error: '@main' returns 2 results, but 1 -o was given; give one -o per result, in order

func.func @main(%x: tensor<3xf32> {dfq.range = [-8.0, 8.0]}, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = "nn.relu6"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %1 = "nn.relu6"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}
