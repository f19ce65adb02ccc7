// RUN: dfq-opt %s --split-input-file --verify-diagnostics

func.func @operand_count(%x: tensor<1x3x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{'nn.conv2d' op expects 2 or 3 operands, got 1}}
  %0 = "nn.conv2d"(%x) : (tensor<1x3x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

func.func @conv_shape(%x: tensor<1x3x4x4xf32>) -> tensor<1x8x5x5xf32> {
  %w = arith.constant dense<1.0> : tensor<8x3x1x1xf32>
  // expected-error @+1 {{result shape tensor<1x8x5x5xf32> does not match the inferred tensor<1x8x4x4xf32>}}
  %0 = "nn.conv2d"(%x, %w) : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

func.func @broadcast(%a: tensor<1x4xf32>, %b: tensor<3xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{cannot broadcast tensor<1x4xf32> with tensor<3xf32>: sizes 4 and 3 differ on axis 1}}
  %0 = "nn.add"(%a, %b) : (tensor<1x4xf32>, tensor<3xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @attr_kind(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<3x1x1x1xf32>
  // expected-error @+1 {{attribute 'strides' must be array<i64>}}
  %0 = "nn.conv2d"(%x, %w) {strides = "two", groups = 3 : i64} : (tensor<1x3x4x4xf32>, tensor<3x1x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @missing_attr(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{requires attribute 'axis'}}
  %0 = "nn.concat"(%x) : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown operation 'nn.gelu'}}
  %0 = "nn.gelu"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unregistered(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unregistered dialect 'acme'}}
  %0 = "acme.magic"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-note @+1 {{operand #0 ('input') is argument #0 of '@dtype'}}
func.func @dtype(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+2 {{'nn.relu' op operand #0 ('input') must be a tensor of floats, got tensor<4xi32>}}
  // expected-error @+1 {{'nn.relu' op result #0 must be a tensor of floats}}
  %0 = "nn.relu"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// expected-error @+1 {{'dfq.range' has min 3 greater than max -3}}
func.func @range(%x: tensor<4xf32> {dfq.range = [3.0, -3.0]}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
