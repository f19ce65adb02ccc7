// Pools: explicit and SAME_UPPER pads, ceil mode as extra end padding,
// count_include_pad kept; Concat and GlobalAveragePool.
// RUN: dfq-translate --import-onnx %S/Inputs/pools.onnx | FileCheck %s

// CHECK: %max_padded = "nn.max_pool2d"(%x) {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
// CHECK: %max_ceil = "nn.max_pool2d"(%x) {kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %avg_incl = "nn.avg_pool2d"(%x) {count_include_pad = true, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %avg_same = "nn.avg_pool2d"(%x) {count_include_pad = false, kernel = array<i64: 3, 3>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %cat = "nn.concat"(%max_padded, %max_ceil, %avg_incl, %avg_same) {axis = 1 : i64} : ({{.*}}) -> tensor<1x8x4x4xf32>
// CHECK: %y = "nn.global_avg_pool"(%cat) : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
