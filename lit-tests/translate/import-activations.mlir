// BatchNormalization stays nn.batch_norm with its epsilon; Clip(0, 6) is ReLU6
// and other constant bounds give nn.clip; PRelu, Sigmoid, Relu, Mul, Add map 1:1.
// RUN: dfq-translate --import-onnx %S/Inputs/activations.onnx | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK: %stem_conv = "nn.conv2d"(%x, %stem_weight) {{.*}}pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %stem_bn = "nn.batch_norm"(%stem_conv, %stem_bn_gamma, %stem_bn_beta, %stem_bn_mean, %stem_bn_var) {epsilon = 0.001 : f32}
// CHECK-NOT: %zero
// CHECK-NOT: %six
// CHECK: %relu6 = "nn.relu6"(%stem_bn) : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %slope = arith.constant dense<{{.*}}> : tensor<4x1x1xf32>
// CHECK: %prelu = "nn.prelu"(%relu6, %slope)
// CHECK: %minus_one = arith.constant dense<-1.0> : tensor<f32>
// CHECK: %one = arith.constant dense<1.0> : tensor<f32>
// CHECK: %clip = "nn.clip"(%prelu, %minus_one, %one) : (tensor<1x4x4x4xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x4x4xf32>
// CHECK: %sigmoid = "nn.sigmoid"(%clip)
// CHECK: %scaled = "nn.mul"(%sigmoid, %channel_scale) : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %relu = "nn.relu"(%clip)
// CHECK: %y = "nn.add"(%scaled, %relu)
// CHECK: return %y
