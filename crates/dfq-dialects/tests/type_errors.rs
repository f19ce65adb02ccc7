//! Operand and result types: constraints, quantized types, type-relating traits.

mod common;

use common::assert_diagnostics;

#[test]
fn nn_ops_take_float_tensors() {
    assert_diagnostics(
        r#"// expected-note @+1 {{operand #0 ('input') is argument #0 of '@f'}}
func.func @f(%x: tensor<4xi8>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // Every constraint violation of the stage is reported, not only the first.
  // expected-error @+2 {{'nn.relu' op operand #0 ('input') must be a tensor of floats, got tensor<4xi8>}}
  // expected-error @+1 {{'nn.relu' op result #0 must be a tensor of floats, got tensor<4xi8>}}
  %0 = "nn.relu"(%x) : (tensor<4xi8>) -> tensor<4xi8>
  // expected-error @+1 {{'nn.relu' op result #0 must be a tensor of floats, got tensor<4xi32>}}
  %1 = "nn.relu"(%y) : (tensor<4xf32>) -> tensor<4xi32>
  return %y : tensor<4xf32>
}"#,
    );
}

#[test]
fn qnn_conv_needs_quantized_activations_i8_weights_and_i32_bias() {
    assert_diagnostics(
        r#"// expected-note @+1 {{operand #0 ('input') is argument #0 of '@f'}}
func.func @f(%x: tensor<1x2x4x4xf32>, %q: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x4x4xf32> {
  %w_storage = arith.constant dense<1> : tensor<2x2x1x1xi8>
  %w = "quant.scast"(%w_storage) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 0.1>>
  %uw_storage = arith.constant dense<1> : tensor<2x2x1x1xi8>
  // expected-note @+1 {{operand #1 ('weight') defined here}}
  %uw = "quant.scast"(%uw_storage) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<u8:f32, 0.1>>
  // expected-note @+1 {{operand #2 ('bias') defined here}}
  %fb = arith.constant dense<0.0> : tensor<2xf32>
  // expected-error @+1 {{'qnn.conv2d' op operand #0 ('input') must be a tensor of per-tensor !quant.uniform with u8 or i8 storage, got tensor<1x2x4x4xf32>}}
  %0 = "qnn.conv2d"(%x, %w) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>
  // expected-error @+1 {{'qnn.conv2d' op operand #1 ('weight') must be a tensor of !quant.uniform with i8 storage, per-tensor or per-axis on axis 0, got tensor<2x2x1x1x!quant.uniform<u8:f32, 0.1:0>>}}
  %1 = "qnn.conv2d"(%q, %uw) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>, tensor<2x2x1x1x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>
  // expected-error @+1 {{'qnn.conv2d' op operand #2 ('bias') must be a tensor of i32, got tensor<2xf32>}}
  %2 = "qnn.conv2d"(%q, %w, %fb) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.1>>, tensor<2xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>
  // expected-error @+1 {{'qnn.conv2d' op result #0 must be a tensor of per-tensor !quant.uniform with u8 or i8 storage, got tensor<1x2x4x4xf32>}}
  %3 = "qnn.conv2d"(%q, %w) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>, tensor<2x2x1x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x4x4xf32>
  return %x : tensor<1x2x4x4xf32>
}"#,
    );
}

#[test]
fn per_axis_quantization_needs_one_scale_per_channel() {
    assert_diagnostics(
        r#"func.func @f(%q: tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>> {
  %w_storage = arith.constant dense<1> : tensor<3x3x1x1xi8>
  // expected-error @+2 {{'quant.scast' op result #0 tensor<3x3x1x1x!quant.uniform<i8:f32:0, {0.1:0, 0.2:0}>> has 2 quantization scales along axis 0, whose size is 3}}
  // expected-note @+1 {{operand #1 ('weight') defined here}}
  %w = "quant.scast"(%w_storage) : (tensor<3x3x1x1xi8>) -> tensor<3x3x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2}>>
  // expected-error @+1 {{'qnn.conv2d' op operand #1 ('weight') tensor<3x3x1x1x!quant.uniform<i8:f32:0, {0.1:0, 0.2:0}>> has 2 quantization scales along axis 0, whose size is 3}}
  %0 = "qnn.conv2d"(%q, %w) : (tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>, tensor<3x3x1x1x!quant.uniform<i8:f32:0, {0.1, 0.2}>>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>
  return %0 : tensor<1x3x4x4x!quant.uniform<u8:f32, 0.1>>
}"#,
    );
}

#[test]
fn same_type_traits() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<4xf32>, %h: tensor<4xf16>, %q: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.add' op requires the same element type for all operands and results}}
  %0 = "nn.add"(%x, %h) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  // expected-error @+1 {{'nn.relu' op requires the same type for all operands and results}}
  %1 = "nn.relu"(%x) : (tensor<4xf32>) -> tensor<8xf32>
  // expected-error @+1 {{'qnn.clamp' op requires the same type for all operands and results}}
  %2 = "qnn.clamp"(%q) {max = 9 : i64, min = 0 : i64} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x1x4x4x!quant.uniform<u8:f32, 0.2>>
  // expected-error @+1 {{'qnn.max_pool2d' op requires the same element type for all operands and results}}
  %3 = "qnn.max_pool2d"(%q) {kernel = array<i64: 2, 2>} : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x1x3x3x!quant.uniform<u8:f32, 0.1:1>>
  // expected-error @+1 {{'qnn.quantize' op requires the same shape for all operands and results}}
  %4 = "qnn.quantize"(%x) : (tensor<4xf32>) -> tensor<2x!quant.uniform<u8:f32, 0.1>>
  return %x : tensor<4xf32>
}"#,
    );
}

#[test]
fn quantize_and_dequantize_relate_float_and_expressed_types() {
    assert_diagnostics(
        r#"// expected-note @+1 {{operand #0 ('input') is argument #0 of '@f'}}
func.func @f(%x: tensor<4xf32>, %q: tensor<4x!quant.uniform<u8:f32, 0.1>>) -> tensor<4xf32> {
  // expected-error @+1 {{'qnn.quantize' op result's quantized type expresses f64 values, but the input holds f32}}
  %0 = "qnn.quantize"(%x) : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f64, 0.1>>
  // expected-error @+1 {{'qnn.dequantize' op result type tensor<4xf16> does not match the inferred tensor<4xf32>}}
  %1 = "qnn.dequantize"(%q) : (tensor<4x!quant.uniform<u8:f32, 0.1>>) -> tensor<4xf16>
  // expected-error @+1 {{'qnn.dequantize' op operand #0 ('input') must be a tensor of !quant.uniform, got tensor<4xf32>}}
  %2 = "qnn.dequantize"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}"#,
    );
}

#[test]
fn constants_have_their_value_type_and_quantized_ones_a_storage_cast() {
    assert_diagnostics(
        r#"func.func @f() {
  // expected-error @+1 {{'arith.constant' op result shape tensor<8xf32> does not match the inferred tensor<4xf32>}}
  %0 = "arith.constant"() {value = dense<1.0> : tensor<4xf32>} : () -> tensor<8xf32>
  // expected-error @+1 {{'arith.constant' op value of type tensor<4xi8> holds the storage integers of tensor<4x!quant.uniform<i8:f32, 0.1:0>>: an arith.constant's value and result types must be equal, so give the integers their quantized type with 'quant.scast'}}
  %1 = "arith.constant"() {value = dense<1> : tensor<4xi8>} : () -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  // expected-error @+1 {{'arith.constant' op attribute 'value' must be typed elements, got string}}
  %2 = "arith.constant"() {value = "one"} : () -> tensor<4xf32>
  %3 = arith.constant dense<1> : tensor<4xi32>
  // expected-error @+1 {{'quant.scast' op result tensor<4x!quant.uniform<i8:f32, 0.1:0>> must be quantized with 32-bit storage, the width of the input's integers}}
  %4 = "quant.scast"(%3) : (tensor<4xi32>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  // expected-note @+1 {{operand #0 ('input') defined here}}
  %5 = arith.constant dense<1> : tensor<4xui8>
  // expected-error @+1 {{'quant.scast' op input must be quantized or signless integers, got tensor<4xui8>}}
  %6 = "quant.scast"(%5) : (tensor<4xui8>) -> tensor<4x!quant.uniform<u8:f32, 0.1>>
  %7 = arith.constant dense<1> : tensor<4xi8>
  // expected-error @+1 {{'quant.scast' op requires the same shape for all operands and results}}
  %8 = "quant.scast"(%7) : (tensor<4xi8>) -> tensor<2xi8>
  return
}"#,
    );
}
