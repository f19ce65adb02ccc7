//! `dfq.range` on function arguments: verified by `verify_module`, read by `input_range`.

mod common;

use common::assert_diagnostics;
use dfq_dialects::input_range;

#[test]
fn malformed_ranges_are_errors_at_the_argument() {
    assert_diagnostics(
        r#"// expected-error @+3 {{argument %a of '@f': 'dfq.range' has min 2 greater than max 1}}
// expected-error @+2 {{argument %b of '@f': 'dfq.range' must be an array of two numbers [min, max], got string}}
// expected-error @+1 {{argument %c of '@f': 'dfq.range' must be an array of two numbers [min, max], got an array of 1 elements}}
func.func @f(%a: tensor<4xf32> {dfq.range = [2.0, 1.0]}, %b: tensor<4xf32> {dfq.range = "wide"}, %c: tensor<4xf32> {dfq.range = [1.0]}) {
  return
}
// expected-error @+1 {{argument %d of '@g': 'dfq.range' must be an array of two numbers [min, max], got an array holding a string}}
func.func @g(%d: tensor<4xf32> {dfq.range = [0.0, "one"]}) {
  return
}"#,
    );
}

#[test]
fn ranges_read_as_min_max() {
    let module = common::parse(
        r#"func.func @f(%a: tensor<4xf32> {dfq.range = [-2.12, 2.64]}, %b: tensor<4xf32> {dfq.range = [0, 255]}, %c: tensor<4xf32>) {
  return
}"#,
    );
    let args = &module.functions[0].args;
    assert_eq!(input_range(&args[0]), Ok(Some((-2.12, 2.64))));
    assert_eq!(input_range(&args[1]), Ok(Some((0.0, 255.0))), "integers are fine bounds");
    assert_eq!(input_range(&args[2]), Ok(None));
}
