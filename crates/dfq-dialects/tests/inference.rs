//! Type inference for passes: building ops without computing shapes by hand.

mod common;

use dfq_dialects::{infer_result_types, infer_types, InferredType};
use dfq_ir::{Attribute, Attributes, ElementType, Type};

fn f32_tensor(shape: &[i64]) -> Type {
    Type::tensor(shape, ElementType::F32)
}

#[test]
fn nn_result_types_follow_from_operands_and_attributes() {
    let mut attrs = Attributes::new();
    attrs.insert("strides".into(), Attribute::DenseI64Array(vec![2, 2]));
    attrs.insert("pads".into(), Attribute::DenseI64Array(vec![1, 1, 1, 1]));
    let (x, w) = (f32_tensor(&[1, 3, 224, 224]), f32_tensor(&[32, 3, 3, 3]));
    let inferred = infer_types("nn.conv2d", &[&x, &w], &attrs).unwrap();
    assert_eq!(inferred, vec![InferredType::Known(f32_tensor(&[1, 32, 112, 112]))]);
}

#[test]
fn qnn_outputs_leave_the_quantization_to_the_builder() {
    let module = common::parse(
        r#"func.func @f(%q: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) {
  %0 = "qnn.global_avg_pool"(%q) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.3>>
  return
}"#,
    );
    let f = &module.functions[0];
    let input = &f.args[0].ty;
    let inferred = infer_types("qnn.global_avg_pool", &[input], &Attributes::new()).unwrap();
    assert_eq!(inferred, vec![InferredType::FreeElement(vec![Some(1), Some(2), Some(1), Some(1)])]);
    let pool = f.ops().next().unwrap();
    assert_eq!(infer_result_types(f, pool).unwrap(), f.op(pool).results, "the declared quantization fills the gap");
}

#[test]
fn qnn_shape_ops_keep_the_element_type() {
    let module = common::parse(
        r#"func.func @f(%q: tensor<1x2x1x1x!quant.uniform<u8:f32, 0.1>>) {
  return
}"#,
    );
    let input = &module.functions[0].args[0].ty;
    let inferred = infer_types("qnn.flatten", &[input], &Attributes::new()).unwrap();
    let Some(Type::Tensor(t)) = inferred[0].known() else { panic!("flatten keeps its input's quantization") };
    assert_eq!((t.shape.clone(), &t.element), (vec![Some(1), Some(2)], input.element()));
}

#[test]
fn inference_reports_bad_operands_and_attributes() {
    let x = f32_tensor(&[1, 3, 8, 8]);
    let w = f32_tensor(&[8, 4, 3, 3]);
    assert_eq!(
        infer_types("nn.conv2d", &[&x, &w], &Attributes::new()).unwrap_err(),
        "weight tensor<8x4x3x3xf32> expects 4 input channels per group, but the input has 3 channels in 1 group(s)"
    );
    assert_eq!(infer_types("nn.conv2d", &[&x], &Attributes::new()).unwrap_err(), "expects 2 or 3 operands, got 1");
    assert_eq!(infer_types("nn.concat", &[&x], &Attributes::new()).unwrap_err(), "requires attribute 'axis'");
    assert_eq!(infer_types("nn.nope", &[&x], &Attributes::new()).unwrap_err(), "unknown operation 'nn.nope'");
}

#[test]
fn dynamic_sizes_propagate() {
    let x =
        Type::Tensor(dfq_ir::TensorType { shape: vec![None, Some(8), Some(4), Some(4)], element: ElementType::F32 });
    let mut attrs = Attributes::new();
    attrs.insert("shape".into(), Attribute::DenseI64Array(vec![0, -1]));
    let inferred = infer_types("nn.reshape", &[&x], &attrs).unwrap();
    let expected = dfq_ir::TensorType { shape: vec![None, None], element: ElementType::F32 };
    assert_eq!(inferred, vec![InferredType::Known(Type::Tensor(expected))]);
}
