// Every nn op in valid use, with the result types the verifier infers.
module {
  func.func @conv(%x: tensor<1x3x8x8xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x8x4x4xf32> {
    %w = arith.constant dense<0.5> : tensor<8x3x3x3xf32>
    %b = arith.constant dense<0.0> : tensor<8xf32>
    %0 = "nn.conv2d"(%x, %w, %b) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    return %0 : tensor<1x8x4x4xf32>
  }

  func.func @conv_variants(%x: tensor<1x8x8x8xf32>, %d: tensor<?x8x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<?x8x4x4xf32>) {
    %pw = arith.constant dense<1.0> : tensor<4x8x1x1xf32>
    %dw = arith.constant dense<1.0> : tensor<8x1x3x3xf32>
    // No attributes: the defaults (stride 1, no padding, dilation 1, one group).
    %0 = "nn.conv2d"(%x, %pw) : (tensor<1x8x8x8xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x8x8xf32>
    // Depthwise, stride 2, TensorFlow-style SAME padding (more at bottom and right).
    %1 = "nn.conv2d"(%x, %dw) {groups = 8 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
    // Dilated: the 3x3 kernel spans 5x5.
    %2 = "nn.conv2d"(%x, %dw) {dilations = array<i64: 2, 2>, groups = 8 : i64} : (tensor<1x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
    // A dynamic batch stays dynamic.
    %3 = "nn.conv2d"(%d, %dw) {groups = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x8x8xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x4x4xf32>
    return %0, %1, %2, %3 : tensor<1x4x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<?x8x4x4xf32>
  }

  func.func @activations(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
    %gamma = arith.constant dense<1.0> : tensor<8xf32>
    %beta = arith.constant dense<0.0> : tensor<8xf32>
    %mean = arith.constant dense<0.0> : tensor<8xf32>
    %var = arith.constant dense<1.0> : tensor<8xf32>
    %0 = "nn.batch_norm"(%x, %gamma, %beta, %mean, %var) {epsilon = 1.0e-3 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    %1 = "nn.relu"(%0) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %2 = "nn.relu6"(%1) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %3 = "nn.sigmoid"(%2) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %4 = "nn.softmax"(%3) {axis = 1 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %5 = "nn.softmax"(%4) : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %slope = arith.constant dense<0.25> : tensor<8x1x1xf32>
    %6 = "nn.prelu"(%5, %slope) : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    return %6 : tensor<1x8x4x4xf32>
  }

  func.func @clips(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
    %zero = arith.constant dense<0.0> : tensor<f32>
    %six = arith.constant 6.0 : f32
    %lo = arith.constant dense<0.0> : tensor<1xf32>
    %hi = arith.constant dense<[6.0, 5.0, 4.0, 3.0, 6.0, 5.0, 4.0, 3.0]> : tensor<8xf32>
    %hi4 = arith.constant dense<6.0> : tensor<1x8x1x1xf32>
    %0 = "nn.clip"(%x, %zero, %six) : (tensor<1x8x4x4xf32>, tensor<f32>, f32) -> tensor<1x8x4x4xf32>
    %1 = "nn.clip"(%0, %lo, %hi) : (tensor<1x8x4x4xf32>, tensor<1xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
    %2 = "nn.clip"(%1, %zero, %hi4) : (tensor<1x8x4x4xf32>, tensor<f32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
    return %2 : tensor<1x8x4x4xf32>
  }

  func.func @binary(%x: tensor<1x8x4x4xf32>, %c: tensor<1x8x1x1xf32>, %r: tensor<4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x12x4x4xf32>) {
    %0 = "nn.add"(%x, %c) : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
    %1 = "nn.mul"(%r, %0) : (tensor<4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
    %w = arith.constant dense<1.0> : tensor<4x8x1x1xf32>
    %half = "nn.conv2d"(%x, %w) : (tensor<1x8x4x4xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x4x4xf32>
    %2 = "nn.concat"(%1, %half) {axis = -3 : i64} : (tensor<1x8x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x12x4x4xf32>
    return %1, %2 : tensor<1x8x4x4xf32>, tensor<1x12x4x4xf32>
  }

  func.func @classifier(%x: tensor<1x8x8x8xf32>) -> (tensor<1x10xf32>, tensor<2x4xf32>) {
    %0 = "nn.max_pool2d"(%x) {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    %1 = "nn.avg_pool2d"(%0) {count_include_pad = true, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    %2 = "nn.global_avg_pool"(%1) : (tensor<1x8x2x2xf32>) -> tensor<1x8x1x1xf32>
    %3 = "nn.flatten"(%2) : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
    %4 = "nn.reshape"(%2) {shape = array<i64: 0, -1>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
    %5 = "nn.reshape"(%4) {shape = array<i64: 2, 4>} : (tensor<1x8xf32>) -> tensor<2x4xf32>
    %6 = "nn.flatten"(%5) {axis = 0 : i64} : (tensor<2x4xf32>) -> tensor<1x8xf32>
    %w = arith.constant dense<0.1> : tensor<10x8xf32>
    %b = arith.constant dense<0.0> : tensor<10xf32>
    %7 = "nn.linear"(%6, %w, %b) : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    %8 = "nn.linear"(%3, %w) : (tensor<1x8xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
    %9 = "nn.add"(%7, %8) : (tensor<1x10xf32>, tensor<1x10xf32>) -> tensor<1x10xf32>
    return %9, %5 : tensor<1x10xf32>, tensor<2x4xf32>
  }
}
