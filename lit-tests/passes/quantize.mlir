// RUN: dfq-opt %s --split-input-file --pass-pipeline='builtin.module(quantize{input-range=-1,2})' | FileCheck %s
// RUN: dfq-opt %s --split-input-file --pass-pipeline='builtin.module(quantize{per-channel symmetric act-bits=4 input-range=-1,2})' | FileCheck %s --check-prefix=PC
// RUN: dfq-opt %s --split-input-file --pass-pipeline='builtin.module(quantize)' --verify-diagnostics -o %t

// The input [-1, 1] → u8, scale 2/255, zero point 127; weights in [-0.5, 2] →
// i8, scale 2.5/255, zero point -77; bias i32 with scale s_in·s_w; the activation
// pair after the ReLU6, range clip(β ± 6γ, 0, 6) = [0, 5.75] → scale 5.75/255.
// CHECK-LABEL: func.func @conv_relu6
// CHECK: %[[XQ:.*]] = "qnn.quantize"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.007843137718737125:127>>
// CHECK-NEXT: %[[X:.*]] = "qnn.dequantize"(%[[XQ]]) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.007843137718737125:127>>) -> tensor<1x2x4x4xf32>
// CHECK: %[[WQ:.*]] = "qnn.quantize"(%w) : (tensor<2x2x1x1xf32>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.009803921915590763:-77>>
// CHECK-NEXT: %[[W:.*]] = "qnn.dequantize"(%[[WQ]])
// CHECK: %[[BQ:.*]] = "qnn.quantize"(%b) : (tensor<2xf32>) -> tensor<2x!quant.uniform<i32:f32, 7.689350976772345e-5:0>>
// CHECK-NEXT: %[[B:.*]] = "qnn.dequantize"(%[[BQ]])
// CHECK-NEXT: %[[C:.*]] = "nn.conv2d"(%[[X]], %[[W]], %[[B]])
// CHECK-NEXT: %[[R:.*]] = "nn.relu6"(%[[C]])
// CHECK-NEXT: %[[RQ:.*]] = "qnn.quantize"(%[[R]]) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.022549020126461983:0>>
// CHECK-NEXT: %[[RD:.*]] = "qnn.dequantize"(%[[RQ]])
// CHECK-NEXT: return %[[RD]] : tensor<1x2x4x4xf32>

// Per channel and symmetric: rows [1, -0.5] and [0.25, 2] give 8-bit scales
// 1/127 and 2/127; the 4-bit activations are u8<0:15>, zero point 0 after ReLU6.
// PC-LABEL: func.func @conv_relu6
// PC: !quant.uniform<i8<-7:7>:f32, 0.1428571492433548:0>
// PC: tensor<2x2x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.007874015718698502:0, 0.015748031437397003:0}>>
// PC: tensor<2x!quant.uniform<i32:f32:0, {
// PC: "nn.relu6"
// PC-NEXT: "qnn.quantize"{{.*}}!quant.uniform<u8<0:15>:f32, 0.38333332538604736:0>>
func.func @conv_relu6(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {dfq.preact_mean = dense<[0.5, -0.25]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// Max pooling keeps its input's quantization; flatten gets no pair; the final
// linear has no statistics, so its range is estimated (with a remark).
// CHECK-LABEL: func.func @pool_flatten_linear
// CHECK: "nn.max_pool2d"
// CHECK-NEXT: "qnn.quantize"{{.*}}!quant.uniform<u8:f32, 0.003921568859368563:0>>
// CHECK: %[[F:.*]] = "nn.flatten"
// CHECK: "nn.linear"(%[[F]],
// CHECK-NEXT: "qnn.quantize"
func.func @pool_flatten_linear(%x: tensor<1x2x2x2xf32> {dfq.range = [0.0, 1.0]}) -> tensor<1x3xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2xf32>
  %0 = "nn.max_pool2d"(%x) {kernel = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %1 = "nn.flatten"(%0) {axis = 1 : i64} : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  // expected-remark @+1 {{no batch-norm statistics: output range estimated by propagating the input's moments through the weights}}
  %2 = "nn.linear"(%1, %w) : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %2 : tensor<1x3xf32>
}

// -----

// Without dfq.range the input range is unknown: a located error names the
// argument, unless the input-range option supplies it.
// CHECK-LABEL: func.func @no_range
// CHECK: "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.0117647061124444:85>>
// expected-error @+1 {{argument %x of '@no_range' has no 'dfq.range' attribute}}
func.func @no_range(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "nn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
