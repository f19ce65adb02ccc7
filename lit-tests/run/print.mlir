// --print is on by default without -o: one block per result, with the top
// classes of every row of an [N, C] result; the same seed prints the same numbers.
// RUN: dfq-run %s --random-input --seed 1 | FileCheck %s
// RUN: dfq-run %s --random-input --seed 1 > %t.first
// RUN: dfq-run %s --random-input --seed 1 --interp > %t.second
// RUN: diff %t.first %t.second
// RUN: dfq-run %s --entry features --random-input --seed 2 | FileCheck %s --check-prefix=FEATURES

// CHECK:      result #0: tensor<2x4xf32>
// The input is uniform in dfq.range = [0, 1], so the ReLU changes nothing.
// CHECK-NEXT:   min 0.{{[0-9]+}}  max 0.{{[0-9]+}}  mean 0.{{[0-9]+}}  std 0.{{[0-9]+}}
// CHECK-NEXT:   top-4 row 0: {{[0-3]}} (0.{{[0-9]+}}), {{[0-3] .*, [0-3] .*, [0-3]}} (0.{{[0-9]+}})
// CHECK-NEXT:   top-4 row 1:
// CHECK-NOT:  row 2

// A feature map gets statistics only.
// FEATURES:      result #0: tensor<1x2x3x3xf32>
// FEATURES-NEXT:   min 0{{.*}}  max {{.*}}  mean {{.*}}  std {{.*}}
// FEATURES-NOT:  top-

func.func @main(%x: tensor<2x4xf32> {dfq.range = [0.0, 1.0]}) -> tensor<2x4xf32> {
  %0 = "nn.relu"(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

func.func @features(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "nn.relu6"(%x) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
