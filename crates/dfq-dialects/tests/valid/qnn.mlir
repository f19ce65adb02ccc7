// Every qnn op in valid use: a QDQ boundary around an integer graph.
module {
  func.func @conv_block(%x: tensor<1x3x8x8xf32> {dfq.range = [-2.5, 2.5]}) -> tensor<1x8x4x4xf32> {
    %q = "qnn.quantize"(%x) : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8x!quant.uniform<u8:f32, 0.02:128>>
    // Quantized weights: an integer constant of the storage width, typed as quantized.
    %w_storage = arith.constant dense<1> : tensor<8x3x3x3xi8>
    %w = "quant.scast"(%w_storage) : (tensor<8x3x3x3xi8>) -> tensor<8x3x3x3x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0, 0.01:0, 0.02:0, 0.01:0, 0.02:0, 0.01:0, 0.02:0}>>
    %b = arith.constant dense<0> : tensor<8xi32>
    %0 = "qnn.conv2d"(%q, %w, %b) {act_max = 120 : i64, act_min = 0 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8x!quant.uniform<u8:f32, 0.02:128>>, tensor<8x3x3x3x!quant.uniform<i8:f32:0, {0.01:0, 0.02:0, 0.01:0, 0.02:0, 0.01:0, 0.02:0, 0.01:0, 0.02:0}>>, tensor<8xi32>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
    %1 = "qnn.requantize"(%0) : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>
    %2 = "qnn.clamp"(%1) {max = 22 : i64, min = -128 : i64} : (tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>
    %c = "qnn.channel_clamp"(%2) {max = array<i64: 22, 0, 127, 5, 22, 0, 127, 5>, min = array<i64: -128, -128, 0, 0, -128, -128, 0, 0>} : (tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>
    %3 = "qnn.add"(%c, %1) {act_min = -128 : i64} : (tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>, tensor<1x8x4x4x!quant.uniform<i8:f32, 0.04:-128>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.08:-128>>
    %4 = "qnn.dequantize"(%3) : (tensor<1x8x4x4x!quant.uniform<i8:f32, 0.08:-128>>) -> tensor<1x8x4x4xf32>
    return %4 : tensor<1x8x4x4xf32>
  }

  func.func @depthwise(%q: tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x8x2x2x!quant.uniform<u8:f32, 0.05>> {
    %w_storage = arith.constant dense<3> : tensor<8x1x3x3xi8>
    %w = "quant.scast"(%w_storage) : (tensor<8x1x3x3xi8>) -> tensor<8x1x3x3x!quant.uniform<i8<-127:127>:f32, 0.01>>
    %0 = "qnn.conv2d"(%q, %w) {groups = 8 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>, tensor<8x1x3x3x!quant.uniform<i8<-127:127>:f32, 0.01>>) -> tensor<1x8x2x2x!quant.uniform<u8:f32, 0.05>>
    return %0 : tensor<1x8x2x2x!quant.uniform<u8:f32, 0.05>>
  }

  func.func @head(%q: tensor<1x8x8x8x!quant.uniform<u8:f32, 0.05>>, %r: tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<1x10x!quant.uniform<i8:f32, 0.2>> {
    %0 = "qnn.max_pool2d"(%q) {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
    %1 = "qnn.concat"(%0, %r) {axis = 1 : i64} : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>, tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<1x12x4x4x!quant.uniform<u8:f32, 0.1>>
    %2 = "qnn.avg_pool2d"(%1) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x12x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x12x2x2x!quant.uniform<u8:f32, 0.1>>
    %3 = "qnn.global_avg_pool"(%2) : (tensor<1x12x2x2x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x12x1x1x!quant.uniform<u8:f32, 0.1>>
    %4 = "qnn.flatten"(%3) : (tensor<1x12x1x1x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x12x!quant.uniform<u8:f32, 0.1>>
    %5 = "qnn.reshape"(%4) {shape = array<i64: 1, -1>} : (tensor<1x12x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x12x!quant.uniform<u8:f32, 0.1>>
    %w_storage = arith.constant dense<1> : tensor<10x12xi8>
    %w = "quant.scast"(%w_storage) : (tensor<10x12xi8>) -> tensor<10x12x!quant.uniform<i8:f32, 0.01>>
    %b = arith.constant dense<0> : tensor<10xi32>
    %6 = "qnn.linear"(%5, %w, %b) : (tensor<1x12x!quant.uniform<u8:f32, 0.1>>, tensor<10x12x!quant.uniform<i8:f32, 0.01>>, tensor<10xi32>) -> tensor<1x10x!quant.uniform<i8:f32, 0.2>>
    return %6 : tensor<1x10x!quant.uniform<i8:f32, 0.2>>
  }
}
