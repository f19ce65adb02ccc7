//! Bad graphs and bad inputs are errors that say what and where, never panics.

mod common;

use common::{i32_operand, quant, quant_operand, OpCase};
use dfq_interp::{expected_input, run_function, run_module, InterpError, Tensor};
use dfq_ir::{parse_module, Argument, ElementType, Function, Module, Operation, SourceFile, Type, Value};

fn parse(text: &str) -> Module {
    parse_module(&SourceFile::new("t.mlir", text)).unwrap()
}

fn run_text(text: &str, inputs: Vec<Tensor>) -> InterpError {
    run_module(&parse(text), "main", inputs).expect_err("the run must fail")
}

const RELU: &str = r#"func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "nn.relu"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}"#;

#[test]
fn unregistered_op_is_named_with_its_location() {
    let text = r#"func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "foo.bar"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}"#;
    let e = run_text(text, vec![Tensor::from_f32(vec![2], vec![1.0, 2.0])]);
    assert!(e.message.contains("foo.bar"), "{e}");
    assert_eq!(e.loc.as_ref().map(|l| l.line), Some(2), "{e}");
    assert!(e.to_string().starts_with("t.mlir:2:"), "{e}");
}

#[test]
fn inputs_must_match_the_signature() {
    let module = parse(RELU);
    let e = run_module(&module, "main", vec![]).unwrap_err();
    assert!(e.message.contains("takes 1 arguments, but 0 inputs were given"), "{e}");

    let e = run_module(&module, "main", vec![Tensor::from_u8(vec![2, 3], vec![0; 6])]).unwrap_err();
    assert!(e.message.contains("argument #0 (%x)"), "{e}");
    assert!(e.message.contains("'tensor<2x3xf32>'") && e.message.contains("got tensor<2x3xu8>"), "{e}");
    assert_eq!(e.loc.as_ref().map(|l| l.line), Some(1));

    let e = run_module(&module, "main", vec![Tensor::from_f32(vec![3, 2], vec![0.0; 6])]).unwrap_err();
    assert!(e.message.contains("got tensor<3x2xf32>"), "{e}");

    let e = run_module(&module, "nope", vec![]).unwrap_err();
    assert!(e.message.contains("no function '@nope'") && e.message.contains("@main"), "{e}");
}

#[test]
fn expected_input_reports_shape_and_storage() {
    let text = r#"func.func @main(%q: tensor<1x4x!quant.uniform<u8:f32, 0.1:3>>, %d: tensor<?x4xf32>, %b: tensor<4xi32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:3>> {
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.1:3>>
}"#;
    let module = parse(text);
    let f = module.function("main").unwrap();
    assert_eq!(expected_input(f, 0).unwrap(), (vec![1, 4], "u8"));
    assert!(expected_input(f, 1).unwrap_err().message.contains("dynamic"));
    assert_eq!(expected_input(f, 2).unwrap(), (vec![4], "i32"));
    assert!(expected_input(f, 3).is_err());
}

#[test]
fn dynamic_shapes_are_checked_at_run_time() {
    let text = r#"func.func @main(%x: tensor<?x3xf32>, %y: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = "nn.add"(%x, %y) : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}"#;
    let module = parse(text);
    let ok = run_module(
        &module,
        "main",
        vec![Tensor::from_f32(vec![2, 3], vec![1.0; 6]), Tensor::from_f32(vec![1, 3], vec![2.0; 3])],
    );
    assert_eq!(ok.unwrap()[0].as_f32().unwrap(), [3.0; 6]);
    // 2 and 4 rows do not broadcast: the dialect's own rule reports it at the op.
    let e = run_module(
        &module,
        "main",
        vec![Tensor::from_f32(vec![2, 3], vec![1.0; 6]), Tensor::from_f32(vec![4, 3], vec![2.0; 12])],
    )
    .unwrap_err();
    assert!(e.message.starts_with("'nn.add' op") && e.message.contains("broadcast"), "{e}");
    assert_eq!(e.loc.as_ref().map(|l| l.line), Some(2));
}

#[test]
fn dynamic_conv_with_mismatched_channels() {
    let text = r#"func.func @main(%x: tensor<1x?x4x4xf32>, %w: tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = "nn.conv2d"(%x, %w) : (tensor<1x?x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}"#;
    let e = run_text(
        text,
        vec![Tensor::from_f32(vec![1, 5, 4, 4], vec![0.0; 80]), Tensor::from_f32(vec![2, 3, 1, 1], vec![0.0; 6])],
    );
    assert!(e.message.contains("'nn.conv2d' op") && e.message.contains("channels"), "{e}");
}

#[test]
fn invalid_graphs_are_refused_before_running() {
    // A conv whose weight expects 3 input channels, fed 2: built in code, so no parser checks.
    let x = Type::tensor(&[1, 2, 4, 4], ElementType::F32);
    let w = Type::tensor(&[1, 3, 1, 1], ElementType::F32);
    let out = Type::tensor(&[1, 1, 4, 4], ElementType::F32);
    let mut f = Function::new("main", vec![Argument::new(x), Argument::new(w)], vec![out.clone()]);
    let conv = f.push_op(Operation::new("nn.conv2d", vec![Value::Arg(0), Value::Arg(1)], vec![out]));
    f.push_op(Operation::new("func.return", vec![Value::Result(conv, 0)], vec![]));
    let e = run_function(
        &f,
        vec![Tensor::from_f32(vec![1, 2, 4, 4], vec![0.0; 32]), Tensor::from_f32(vec![1, 3, 1, 1], vec![0.0; 3])],
    )
    .unwrap_err();
    assert!(e.message.contains("invalid function") && e.message.contains("input channels"), "{e}");

    // No terminator.
    let t = Type::tensor(&[2], ElementType::F32);
    let mut f = Function::new("main", vec![Argument::new(t.clone())], vec![t.clone()]);
    f.push_op(Operation::new("nn.relu", vec![Value::Arg(0)], vec![t]));
    assert!(run_function(&f, vec![Tensor::from_f32(vec![2], vec![0.0; 2])]).is_err());
}

#[test]
fn accumulator_overflow_is_reported() {
    // bias i32::MAX plus 1·1: the i32 accumulator qnn.toml prescribes would overflow.
    let (x_ty, x) = quant_operand(&[1, 1], quant(false, 1.0, 0), &[1]);
    let (w_ty, w) = quant_operand(&[1, 1], quant(true, 1.0, 0), &[1]);
    let (b_ty, b) = i32_operand(&[i32::MAX]);
    let e = OpCase::new("qnn.linear")
        .operand(x_ty, x)
        .operand(w_ty, w)
        .operand(b_ty, b)
        .result(quant(false, 1.0, 0))
        .try_run();
    let e = e.unwrap_err();
    assert!(e.message.starts_with("'qnn.linear' op") && e.message.contains("overflows i32"), "{e}");
}

#[test]
fn multipliers_of_2_pow_31_or_more_are_refused() {
    // s_in·s_w / s_out = 1 / 1e-12: no 32-bit fixed-point form with a right shift.
    let (x_ty, x) = quant_operand(&[1, 1], quant(false, 1.0, 0), &[1]);
    let (w_ty, w) = quant_operand(&[1, 1], quant(true, 1.0, 0), &[1]);
    let e = OpCase::new("qnn.linear").operand(x_ty, x).operand(w_ty, w).result(quant(false, 1e-12, 0)).try_run();
    assert!(e.unwrap_err().message.contains("below 2^31"));
}

#[test]
fn empty_fused_clamps_are_refused() {
    let linear = |act_min: i64, act_max: Option<i64>| {
        let (x_ty, x) = quant_operand(&[1, 1], quant(false, 1.0, 0), &[1]);
        let (w_ty, w) = quant_operand(&[1, 1], quant(true, 1.0, 0), &[1]);
        let case = OpCase::new("qnn.linear").operand(x_ty, x).operand(w_ty, w).int("act_min", act_min);
        let case = match act_max {
            Some(hi) => case.int("act_max", hi),
            None => case,
        };
        case.result(quant(false, 1.0, 0)).try_run().unwrap_err()
    };
    // act_min > act_max, and a bound that leaves nothing of the u8 range [0, 255].
    for (lo, hi) in [(200, Some(100)), (300, None)] {
        let e = linear(lo, hi);
        assert!(e.message.contains("act_min"), "{e}");
    }
}

#[test]
fn unsupported_element_types_are_errors() {
    let text = r#"func.func @main(%x: tensor<2xf64>) -> tensor<2xf64> {
  return %x : tensor<2xf64>
}"#;
    let e = run_text(text, vec![Tensor::from_f32(vec![2], vec![0.0; 2])]);
    assert!(e.message.contains("f64") && e.message.contains("not supported"), "{e}");
}
