// REQUIRES: mlir
// RUN: dfq-opt --dfq %s | dfq-opt --lower-int8 | dfq-translate --export-tosa | mlir-opt-22 --tosa-attach-target=profiles=pro_int --tosa-validate=strict-op-spec-alignment | FileCheck-22 %s
// RUN: dfq-opt --dfq %s | dfq-opt --lower-int8 | dfq-translate --export-tosa | mlir-opt-22 --tosa-to-linalg-pipeline | FileCheck-22 %s --check-prefix=LINALG
// RUN: dfq-opt --dfq %s | dfq-translate --export-tosa 2>&1 | FileCheck-22 %s --check-prefix=QDQ

// A float model through the data-free pipeline and lower-int8, exported as TOSA
// int8: the integer profile's strict validation accepts it and it lowers to
// linalg. The u8 input is i8 in TOSA, its zero point 128 lower; the stride-2
// convolution's bottom/right padding is trimmed so its output size divides.

// CHECK-LABEL: func.func @main(
// CHECK-SAME: tensor<1x6x6x2xi8> {dfq.scale = {{[0-9.e-]+}} : f64, dfq.zero_point = {{-?[0-9]+}} : i64}
// CHECK-SAME: -> (tensor<1x3xi8> {dfq.scale
// CHECK: tosa.conv2d {{.*}} {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x6x6x2xi8>, tensor<4x3x3x2xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x4xi32>
// CHECK: tosa.rescale {{.*}}per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true{{.*}} -> tensor<1x3x3x4xi8>
// CHECK: tosa.reduce_sum {{.*}} {axis = 1 : i32}
// CHECK: tosa.reduce_sum {{.*}} {axis = 2 : i32}
// CHECK: tosa.matmul {{.*}} : (tensor<1x1x4xi8>, tensor<1x4x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x3xi32>
// CHECK: return {{.*}} : tensor<1x3xi8>

// A QDQ module is lowered first, with a note.
// QDQ: dfq-translate: note: '<stdin>' is in QDQ form: lowered it to integer ops (lower-int8) before exporting
// QDQ: tosa.conv2d

// LINALG: linalg.conv_2d_nhwc_fhwc_q
// LINALG: linalg.quantized_batch_matmul
// LINALG-NOT: tosa.conv2d
func.func @main(%x: tensor<1x2x6x6xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x3xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.1], [0.2, 0.3, -0.4], [0.05, 0.6, -0.1]], [[-0.3, 0.2, 0.1], [0.4, -0.5, 0.2], [0.1, 0.1, 0.1]]], [[[0.2, 0.2, 0.2], [-0.2, -0.2, -0.2], [0.3, 0.0, -0.3]], [[0.1, -0.1, 0.1], [-0.1, 0.1, -0.1], [0.7, 0.0, 0.2]]], [[[-0.6, 0.1, 0.0], [0.2, 0.9, 0.1], [0.0, 0.1, -0.2]], [[0.3, 0.3, -0.3], [0.1, -0.8, 0.1], [0.0, 0.2, 0.4]]], [[[0.05, 0.1, 0.15], [0.2, 0.25, 0.3], [0.35, 0.4, 0.45]], [[-0.05, -0.1, -0.15], [-0.2, -0.25, -0.3], [-0.35, -0.4, -0.45]]]]> : tensor<4x2x3x3xf32>
  %b = arith.constant dense<[0.1, -0.2, 0.05, 0.3]> : tensor<4xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %2 = "nn.global_avg_pool"(%1) : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %3 = "nn.flatten"(%2) : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
  %fw = arith.constant dense<[[0.5, -0.5, 0.25, 0.1], [-0.3, 0.8, 0.1, -0.2], [0.2, 0.2, -0.6, 0.4]]> : tensor<3x4xf32>
  %fb = arith.constant dense<[0.01, -0.02, 0.03]> : tensor<3xf32>
  %4 = "nn.linear"(%3, %fw, %fb) : (tensor<1x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %4 : tensor<1x3xf32>
}
