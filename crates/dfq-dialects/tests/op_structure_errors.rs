//! Unknown ops and dialects, operand and result counts, attributes.

mod common;

use common::{assert_diagnostics, assert_diagnostics_with};
use dfq_dialects::{verify_module_with, Registry};

#[test]
fn unknown_op_in_a_known_dialect() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown operation 'nn.foo' in dialect 'nn'}}
  %0 = "nn.foo"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}"#,
    );
}

const UNREGISTERED: &str = r#"func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operation 'foo.bar' belongs to the unregistered dialect 'foo' (allow unregistered dialects to accept it)}}
  %0 = "foo.bar"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}"#;

#[test]
fn unregistered_dialect_is_an_error_by_default() {
    assert_diagnostics(UNREGISTERED);
}

#[test]
fn unregistered_dialect_passes_when_allowed() {
    let module = common::parse(UNREGISTERED);
    assert!(verify_module_with(&module, &Registry::new().allow_unregistered(true)).is_ok());
}

#[test]
fn allowing_unregistered_dialects_still_rejects_unknown_ops_of_known_ones() {
    assert_diagnostics_with(
        r#"func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "foo.bar"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{unknown operation 'qnn.relu' in dialect 'qnn'}}
  %1 = "qnn.relu"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}"#,
        &Registry::new().allow_unregistered(true),
    );
}

#[test]
fn operand_counts_account_for_optional_and_variadic_operands() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'nn.conv2d' op expects 2 or 3 operands, got 1}}
  %0 = "nn.conv2d"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.relu' op expects 1 operand, got 2}}
  %1 = "nn.relu"(%x, %x) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.batch_norm' op expects 5 operands, got 3}}
  %2 = "nn.batch_norm"(%x, %x, %x) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.concat' op expects at least 1 operand, got 0}}
  %3 = "nn.concat"() {axis = 0 : i64} : () -> tensor<1x2x4x4xf32>
  return %x : tensor<1x2x4x4xf32>
}"#,
    );
}

#[test]
fn result_counts() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.relu' op expects 1 result, got 2}}
  %0:2 = "nn.relu"(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  // expected-error @+1 {{'nn.sigmoid' op expects 1 result, got 0}}
  "nn.sigmoid"(%x) : (tensor<4xf32>) -> ()
  return %x : tensor<4xf32>
}"#,
    );
}

#[test]
fn required_attributes_must_be_present() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'nn.concat' op requires attribute 'axis'}}
  %0 = "nn.concat"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.max_pool2d' op requires attribute 'kernel'}}
  %1 = "nn.max_pool2d"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'arith.constant' op requires attribute 'value'}}
  %2 = "arith.constant"() : () -> tensor<1x2x4x4xf32>
  return %x : tensor<1x2x4x4xf32>
}"#,
    );
}

#[test]
fn attributes_must_have_their_declared_kind() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %v: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{'nn.conv2d' op attribute 'strides' must be array<i64>, got string}}
  %0 = "nn.conv2d"(%x, %w) {strides = "two"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.conv2d' op attribute 'groups' must be i64, got f64}}
  %1 = "nn.conv2d"(%x, %w) {groups = 1.0} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.batch_norm' op attribute 'epsilon' must be f32, got i64}}
  %2 = "nn.batch_norm"(%x, %v, %v, %v, %v) {epsilon = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.avg_pool2d' op attribute 'count_include_pad' must be bool, got i64}}
  %3 = "nn.avg_pool2d"(%x) {count_include_pad = 1 : i64, kernel = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  // expected-error @+1 {{'nn.reshape' op attribute 'shape' must be array<i64>, got array}}
  %4 = "nn.reshape"(%x) {shape = [1, 32]} : (tensor<1x2x4x4xf32>) -> tensor<1x32xf32>
  return %x : tensor<1x2x4x4xf32>
}"#,
    );
}

#[test]
fn integer_attributes_of_any_width_and_bare_floats_are_accepted() {
    common::assert_valid(
        r#"func.func @f(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>, %v: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %0 = "nn.conv2d"(%x, %w) {groups = 1 : i32} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.batch_norm"(%0, %v, %v, %v, %v) {epsilon = 1.0e-3} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}"#,
    );
}

#[test]
fn undeclared_attributes_are_errors_except_dfq_metadata() {
    assert_diagnostics(
        r#"func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "nn.relu"(%x) {dfq.stats = {mean = [0.0]}, dfq.note = "kept"} : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error @+1 {{'nn.relu' op has no attribute 'alpha' (only declared attributes and 'dfq.*' metadata are allowed)}}
  %1 = "nn.relu"(%0) {alpha = 0.1 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}"#,
    );
}
