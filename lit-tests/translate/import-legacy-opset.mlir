// Opset 10: Clip's bounds are attributes, Dropout disappears, and Softmax
// normalizes over all axes from `axis` on (a reshape to 2-D keeps that meaning).
// RUN: dfq-translate --import-onnx %S/Inputs/legacy_opset10.onnx | FileCheck %s

// CHECK-LABEL: func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x3x3xf32>
// CHECK: %relu6 = "nn.relu6"(%conv)
// CHECK: %clip_min = arith.constant dense<0.25> : tensor<f32>
// CHECK: %clip_max = arith.constant dense<2.5> : tensor<f32>
// CHECK: %clip = "nn.clip"(%relu6, %clip_min, %clip_max)
// CHECK-NOT: dropped
// CHECK: %y_2d = "nn.reshape"(%clip) {shape = array<i64: 1, 36>} : (tensor<1x4x3x3xf32>) -> tensor<1x36xf32>
// CHECK: %y_2d_softmax = "nn.softmax"(%y_2d) {axis = 1 : i64} : (tensor<1x36xf32>) -> tensor<1x36xf32>
// CHECK: %y = "nn.reshape"(%y_2d_softmax) {shape = array<i64: 1, 4, 3, 3>} : (tensor<1x36xf32>) -> tensor<1x4x3x3xf32>
// CHECK: return %y
