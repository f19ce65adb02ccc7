//! The generated typed op views: operands, results, attributes with defaults.

mod common;

use dfq_dialects::{arith, func, nn, qnn, Arity, Presence, Trait};
use dfq_ir::{Attribute, Function, OpId, Value};

const MODULE: &str = r#"func.func @f(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x4x4xf32>, %q: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x4x4x4xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<0.0> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.conv2d"(%0, %w, %b) {groups = 1 : i64, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %2 = "nn.concat"(%0, %x, %y) {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x6x4x4xf32>
  %3 = "nn.batch_norm"(%x, %b, %b, %b, %b) : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %4 = "nn.avg_pool2d"(%x) {kernel = array<i64: 2, 2>, count_include_pad = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x3x3xf32>
  %5 = "qnn.clamp"(%q) {max = 60 : i64, min = 0 : i64} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>
  %6 = "qnn.add"(%5, %q) {act_min = 3 : i64} : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>, tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1>>
  %7 = "nn.concat"(%x, %y) {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %7 : tensor<1x4x4x4xf32>
}"#;

fn ops(f: &Function) -> Vec<OpId> {
    f.ops().collect()
}

#[test]
fn cast_checks_the_op_name() {
    common::assert_valid(MODULE);
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let ops = ops(f);
    assert!(nn::Conv2d::cast(f, ops[2]).is_some());
    assert!(nn::Relu::cast(f, ops[2]).is_none());
    assert!(qnn::Conv2d::cast(f, ops[2]).is_none(), "nn.conv2d is not qnn.conv2d");
    assert!(arith::Constant::cast(f, ops[0]).is_some());
    assert_eq!(nn::Conv2d::NAME, "nn.conv2d");
    assert_eq!(qnn::Conv2d::DEF.name, "qnn.conv2d");
}

#[test]
fn absent_attributes_read_as_their_defaults() {
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let conv = nn::Conv2d::cast(f, ops(f)[2]).unwrap();
    assert_eq!(conv.strides(), &[1, 1]);
    assert_eq!(conv.pads(), &[0, 0, 0, 0]);
    assert_eq!(conv.dilations(), &[1, 1]);
    assert_eq!(conv.groups(), 1);
    let bn = nn::BatchNorm::cast(f, ops(f)[5]).unwrap();
    assert_eq!(bn.epsilon(), 1e-5);
}

#[test]
fn present_attributes_read_as_written() {
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let conv = nn::Conv2d::cast(f, ops(f)[3]).unwrap();
    assert_eq!(conv.strides(), &[2, 2]);
    assert_eq!(conv.pads(), &[0, 0, 1, 1]);
    let pool = nn::AvgPool2d::cast(f, ops(f)[6]).unwrap();
    assert_eq!(pool.kernel(), &[2, 2]);
    assert!(pool.count_include_pad());
    let clamp = qnn::Clamp::cast(f, ops(f)[7]).unwrap();
    assert_eq!((clamp.min(), clamp.max()), (0, 60));
    let add = qnn::Add::cast(f, ops(f)[8]).unwrap();
    assert_eq!((add.act_min(), add.act_max()), (Some(3), None), "optional attributes without a default");
}

#[test]
fn optional_operands() {
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let ops = ops(f);
    let plain = nn::Conv2d::cast(f, ops[2]).unwrap();
    assert_eq!((plain.input(), plain.weight(), plain.bias()), (Value::Arg(0), Value::Result(ops[0], 0), None));
    let biased = nn::Conv2d::cast(f, ops[3]).unwrap();
    assert_eq!(biased.input(), Value::Result(ops[2], 0));
    assert_eq!(biased.bias(), Some(Value::Result(ops[1], 0)));
    assert_eq!(biased.output(), Value::Result(ops[3], 0));
}

#[test]
fn variadic_operands() {
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let ops = ops(f);
    let concat = nn::Concat::cast(f, ops[4]).unwrap();
    assert_eq!(concat.inputs(), &[Value::Result(ops[2], 0), Value::Arg(0), Value::Arg(1)]);
    assert_eq!(concat.axis(), 1);
    let ret = func::Return::cast(f, ops[10]).unwrap();
    assert_eq!(ret.values(), &[Value::Result(ops[9], 0)]);
}

#[test]
fn constant_value() {
    let module = common::parse(MODULE);
    let f = &module.functions[0];
    let c = arith::Constant::cast(f, ops(f)[1]).unwrap();
    let Attribute::Dense(d) = c.value() else { panic!("dense value expected") };
    assert_eq!(d.to_f32_vec(), vec![0.0, 0.0]);
}

#[test]
fn definitions_describe_operands_attributes_and_traits() {
    let def = nn::Conv2d::DEF;
    let arities: Vec<Arity> = def.operands.iter().map(|o| o.arity).collect();
    assert_eq!(arities, [Arity::Single, Arity::Single, Arity::Optional]);
    assert_eq!(def.operand_count_range(), (2, Some(3)));
    assert!(matches!(def.attribute("groups").unwrap().presence, Presence::Default(_)));
    assert!(nn::Relu::DEF.has_trait(Trait::ScaleEquivariant));
    assert!(!nn::Relu6::DEF.has_trait(Trait::ScaleEquivariant));
    assert_eq!(nn::Concat::DEF.operand_count_range(), (1, None));
    assert_eq!(func::Return::DEF.operand_count_range(), (0, None));
}
