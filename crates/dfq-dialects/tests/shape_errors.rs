//! Result types against the hand-written shape rules, and the op-specific
//! shape requirements those rules check.

mod common;

use common::assert_diagnostics;

#[test]
fn conv_result_shape_must_match_the_inferred_one() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'nn.conv2d' op result shape tensor<1x8x5x5xf32> does not match the inferred tensor<1x8x4x4xf32>}}
  %0 = "nn.conv2d"(%x, %w) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x5x5xf32>
  // Dynamic sizes match any size.
  %1 = "nn.conv2d"(%x, %w) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x4xf32>
  return
}"#,
    );
}

#[test]
fn conv_channels_groups_and_bias() {
    assert_diagnostics(
        r#"// expected-note @+1 {{operand #0 ('input') is argument #0 of '@f'}}
func.func @f(%x: tensor<1x3x8x8xf32>, %y: tensor<1x4x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-note @+1 {{operand #1 ('weight') defined here}}
  %w4 = arith.constant dense<1.0> : tensor<8x4x3x3xf32>
  // expected-note @+1 {{operand #1 ('weight') defined here}}
  %w6 = arith.constant dense<1.0> : tensor<6x1x3x3xf32>
  %w = arith.constant dense<1.0> : tensor<8x3x3x3xf32>
  // expected-note @+1 {{operand #2 ('bias') defined here}}
  %b4 = arith.constant dense<0.0> : tensor<4xf32>
  // expected-error @+1 {{'nn.conv2d' op weight tensor<8x4x3x3xf32> expects 4 input channels per group, but the input has 3 channels in 1 group(s)}}
  %0 = "nn.conv2d"(%x, %w4) : (tensor<1x3x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op input has 3 channels, which 2 groups do not divide}}
  %1 = "nn.conv2d"(%x, %w) {groups = 2 : i64} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op weight has 6 output channels, which 4 groups do not divide}}
  %2 = "nn.conv2d"(%y, %w6) {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op bias must have shape (O) = (8), got tensor<4xf32>}}
  %3 = "nn.conv2d"(%x, %w, %b4) : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return %x : tensor<1x3x8x8xf32>
}"#,
    );
}

#[test]
fn conv_attribute_values_and_sizes() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x3x8x8xf32>, %s: tensor<1x3x2x2xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{'nn.conv2d' op attribute 'strides' must hold 2 values ≥ 1, got [0, 1]}}
  %0 = "nn.conv2d"(%x, %w) {strides = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op attribute 'pads' must hold 4 values ≥ 0 (top, left, bottom, right), got [1, 1]}}
  %1 = "nn.conv2d"(%x, %w) {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op attribute 'groups' must be at least 1, got 0}}
  %2 = "nn.conv2d"(%x, %w) {groups = 0 : i64} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.conv2d' op the window height (3) exceeds the padded input height (2)}}
  %3 = "nn.conv2d"(%s, %w) : (tensor<1x3x2x2xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x1x1xf32>
  return %x : tensor<1x3x8x8xf32>
}"#,
    );
}

#[test]
fn operands_of_the_wrong_rank() {
    assert_diagnostics(
        r#"// expected-note @+2 {{operand #0 ('input') is argument #0 of '@f'}}
// expected-note @+1 {{operand #0 ('input') is argument #2 of '@f'}}
func.func @f(%x: tensor<3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %v: tensor<1x8xf32>) -> tensor<3x8x8xf32> {
  // expected-error @+1 {{'nn.conv2d' op input must be 4-D (N, C, H, W), got tensor<3x8x8xf32>}}
  %0 = "nn.conv2d"(%x, %w) : (tensor<3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  // expected-error @+1 {{'nn.global_avg_pool' op input must have spatial axes (N, C, ...), got tensor<1x8xf32>}}
  %1 = "nn.global_avg_pool"(%v) : (tensor<1x8xf32>) -> tensor<1x8xf32>
  return %x : tensor<3x8x8xf32>
}"#,
    );
}

#[test]
fn pooling() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{'nn.max_pool2d' op pads [2, 0, 0, 0] must be smaller than the kernel [2, 2] along their axis}}
  %0 = "nn.max_pool2d"(%x) {kernel = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x5x3xf32>
  // expected-error @+1 {{'nn.avg_pool2d' op result shape tensor<1x8x2x2xf32> does not match the inferred tensor<1x8x3x3xf32>}}
  %1 = "nn.avg_pool2d"(%x) {kernel = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  // expected-error @+1 {{'nn.global_avg_pool' op result shape tensor<1x8xf32> does not match the inferred tensor<1x8x1x1xf32>}}
  %2 = "nn.global_avg_pool"(%x) : (tensor<1x8x4x4xf32>) -> tensor<1x8xf32>
  return %x : tensor<1x8x4x4xf32>
}"#,
    );
}

#[test]
fn per_channel_parameters() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x8x4x4xf32>, %c: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  // expected-note @+1 {{operand #3 ('mean') defined here}}
  %m = arith.constant dense<0.0> : tensor<4xf32>
  // expected-note @+1 {{operand #2 ('max') defined here}}
  %hi = arith.constant dense<6.0> : tensor<4xf32>
  // expected-note @+1 {{operand #1 ('slope') defined here}}
  %s = arith.constant dense<0.1> : tensor<8xf32>
  // expected-error @+1 {{'nn.batch_norm' op mean must have shape (C) = (8), got tensor<4xf32>}}
  %0 = "nn.batch_norm"(%x, %c, %c, %m, %c) : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  // expected-error @+1 {{'nn.clip' op max must be a scalar or have shape (), (1), (C) or (1, C, 1, 1) with C = 8, got tensor<4xf32>}}
  %1 = "nn.clip"(%x, %c, %hi) : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<1x8x4x4xf32>
  // A (C) slope would broadcast along the last axis, so PRelu needs (C, 1, 1).
  // expected-error @+1 {{'nn.prelu' op slope tensor<8xf32> does not broadcast to the input tensor<1x8x4x4xf32>}}
  %2 = "nn.prelu"(%x, %s) : (tensor<1x8x4x4xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %x : tensor<1x8x4x4xf32>
}"#,
    );
}

#[test]
fn broadcasting_and_axes() {
    assert_diagnostics(
        r#"func.func @f(%a: tensor<2x3xf32>, %b: tensor<4xf32>, %x: tensor<1x8x4x4xf32>, %c: tensor<1x8x1x1xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'nn.add' op cannot broadcast tensor<2x3xf32> with tensor<4xf32>: sizes 3 and 4 differ on axis 1}}
  %0 = "nn.add"(%a, %b) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // expected-error @+1 {{'nn.mul' op result shape tensor<1x8x1x1xf32> does not match the inferred tensor<1x8x4x4xf32>}}
  %1 = "nn.mul"(%c, %x) : (tensor<1x8x1x1xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  // expected-error @+1 {{'nn.softmax' op axis 4 is out of range [-4, 4) for a rank-4 input}}
  %2 = "nn.softmax"(%x) {axis = 4 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  // expected-error @+1 {{'nn.flatten' op axis -5 is out of range [-4, 4] for a rank-4 input}}
  %3 = "nn.flatten"(%x) {axis = -5 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x128xf32>
  return %a : tensor<2x3xf32>
}"#,
    );
}

#[test]
fn concat_inputs_agree_off_the_axis() {
    assert_diagnostics(
        r#"// expected-note @+2 {{operand #1 ('inputs') is argument #1 of '@f'}}
// expected-note @+1 {{operand #2 ('inputs') is argument #2 of '@f'}}
func.func @f(%x: tensor<1x8x4x4xf32>, %y: tensor<1x4x5x4xf32>, %z: tensor<8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{'nn.concat' op input #1 tensor<1x4x5x4xf32> has size 5 on axis 2, but input #0 has 4}}
  %0 = "nn.concat"(%x, %y) {axis = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<1x4x5x4xf32>) -> tensor<1x12x4x4xf32>
  // expected-error @+1 {{'nn.concat' op input #2 tensor<8x4x4xf32> has rank 3, but input #0 has rank 4}}
  %1 = "nn.concat"(%x, %x, %z) {axis = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<8x4x4xf32>) -> tensor<1x24x4x4xf32>
  // expected-error @+1 {{'nn.concat' op result shape tensor<1x8x4x4xf32> does not match the inferred tensor<2x8x4x4xf32>}}
  %2 = "nn.concat"(%x, %x) {axis = 0 : i64} : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  return %x : tensor<1x8x4x4xf32>
}"#,
    );
}

#[test]
fn reshape_sizes() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x8x1x1xf32>, %v: tensor<8xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{'nn.reshape' op cannot reshape tensor<1x8x1x1xf32> into shape [3, -1]}}
  %0 = "nn.reshape"(%x) {shape = array<i64: 3, -1>} : (tensor<1x8x1x1xf32>) -> tensor<3x3xf32>
  // expected-error @+1 {{'nn.reshape' op shape [-1, -1] has more than one -1}}
  %1 = "nn.reshape"(%x) {shape = array<i64: -1, -1>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  // expected-error @+1 {{'nn.reshape' op shape [2, 0] copies axis 1 (0), which the input tensor<8xf32> lacks}}
  %2 = "nn.reshape"(%v) {shape = array<i64: 2, 0>} : (tensor<8xf32>) -> tensor<2x4xf32>
  // expected-error @+1 {{'nn.reshape' op shape [-2, 4] has the invalid size -2 (sizes are ≥ 0 or -1)}}
  %3 = "nn.reshape"(%v) {shape = array<i64: -2, 4>} : (tensor<8xf32>) -> tensor<2x4xf32>
  // expected-error @+1 {{'nn.reshape' op cannot reshape tensor<8xf32> into shape [3, 3]}}
  %4 = "nn.reshape"(%v) {shape = array<i64: 3, 3>} : (tensor<8xf32>) -> tensor<3x3xf32>
  return %x : tensor<1x8x1x1xf32>
}"#,
    );
}

#[test]
fn linear_inner_sizes() {
    assert_diagnostics(
        r#"// expected-note @+2 {{operand #1 ('weight') is argument #1 of '@f'}}
// expected-note @+1 {{operand #2 ('bias') is argument #3 of '@f'}}
func.func @f(%x: tensor<1x8xf32>, %w: tensor<10x7xf32>, %w8: tensor<10x8xf32>, %b: tensor<9xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'nn.linear' op weight tensor<10x7xf32> has K = 7, but the input tensor<1x8xf32> has K = 8}}
  %0 = "nn.linear"(%x, %w) : (tensor<1x8xf32>, tensor<10x7xf32>) -> tensor<1x10xf32>
  // expected-error @+1 {{'nn.linear' op bias must have shape (M) = (10), got tensor<9xf32>}}
  %1 = "nn.linear"(%x, %w8, %b) : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<9xf32>) -> tensor<1x10xf32>
  return %x : tensor<1x8xf32>
}"#,
    );
}

#[test]
fn qnn_shapes_compare_with_the_declared_quantization() {
    assert_diagnostics(
        r#"func.func @f(%q: tensor<1x3x8x8x!quant.uniform<u8:f32, 0.1>>, %w: tensor<8x3x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x3x8x8x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{'qnn.conv2d' op result shape tensor<1x8x5x5x!quant.uniform<u8:f32, 0.2:0>> does not match the inferred tensor<1x8x4x4x!quant.uniform<u8:f32, 0.2:0>>}}
  %0 = "qnn.conv2d"(%q, %w) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8x!quant.uniform<u8:f32, 0.1>>, tensor<8x3x3x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x8x5x5x!quant.uniform<u8:f32, 0.2>>
  return %q : tensor<1x3x8x8x!quant.uniform<u8:f32, 0.1>>
}"#,
    );
}

#[test]
fn integer_clamp_bounds_fit_the_result_storage() {
    assert_diagnostics(
        r#"func.func @f(%q: tensor<1x4x!quant.uniform<u8:f32, 0.1>>, %w: tensor<2x4x!quant.uniform<i8:f32, 0.1>>, %n: tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{'qnn.linear' op act_max (300) is outside the storage range [0, 255] of the result type tensor<1x2x!quant.uniform<u8:f32, 0.3:0>>}}
  %0 = "qnn.linear"(%q, %w) {act_max = 300 : i64} : (tensor<1x4x!quant.uniform<u8:f32, 0.1>>, tensor<2x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.3>>
  // expected-error @+1 {{'qnn.add' op act_min (10) must not exceed act_max (5)}}
  %1 = "qnn.add"(%q, %q) {act_max = 5 : i64, act_min = 10 : i64} : (tensor<1x4x!quant.uniform<u8:f32, 0.1>>, tensor<1x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1>>
  // expected-error @+1 {{'qnn.clamp' op min (-128) is outside the storage range [-127, 127] of the result type tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1:0>>}}
  %2 = "qnn.clamp"(%n) {max = 0 : i64, min = -128 : i64} : (tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1>>) -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.1>>
  // expected-error @+1 {{'qnn.channel_clamp' op attribute 'max' must have one value per channel (4), got 3}}
  %3 = "qnn.channel_clamp"(%q) {max = array<i64: 1, 2, 3>, min = array<i64: 0, 0, 0, 0>} : (tensor<1x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1>>
  // expected-error @+1 {{'qnn.channel_clamp' op channel 1: bounds [9, 5] must satisfy min ≤ max within the storage range [0, 255]}}
  %4 = "qnn.channel_clamp"(%q) {max = array<i64: 1, 5, 3, 4>, min = array<i64: 0, 9, 0, 0>} : (tensor<1x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1>>
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.1>>
}"#,
    );
}
