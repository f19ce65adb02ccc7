// A conv-BN-ReLU6 block with a residual add, weights inline and in resources.
module {
  func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-2.12, 2.64]}) -> tensor<1x2x4x4xf32> {
    %w = arith.constant dense_resource<conv1_w> : tensor<2x2x1x1xf32>
    %b = arith.constant dense<[0.5, -1.0e-10]> : tensor<2xf32>
    %gamma = arith.constant dense<1.0> : tensor<2xf32>
    %beta = arith.constant dense<[0.0, 0.25]> : tensor<2xf32>
    %mean = arith.constant dense<0.0> : tensor<2xf32>
    %var = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
    %0 = "nn.conv2d"(%x, %w, %b) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) {epsilon = 1.0e-3 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %2 = "nn.relu6"(%1) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    %3 = "nn.add"(%2, %x) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    return %3 : tensor<1x2x4x4xf32>
  }
}
{-#
  dialect_resources: {
    builtin: {
      conv1_w: "0x040000000000803F000000BF0000003F00002040"
    }
  }
#-}
