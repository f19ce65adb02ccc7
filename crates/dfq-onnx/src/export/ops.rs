//! One emitter per op: the ONNX nodes an op becomes.

use dfq_dialects::{nn, qnn, quant as quant_dialect};
use dfq_ir::{Attribute, OpId, Operation, Value};

use super::quant;
use super::writer::{ConstTensor, Writer};
use crate::optable;
use crate::proto::AttributeProto;

type Emitter = fn(&mut Writer, OpId, &Operation) -> Result<(), String>;

/// The ops with their own emitter; the `nn` ops of [`optable::DIRECT`] share one.
const SPECIAL: &[(&str, Emitter)] = &[
    ("arith.constant", constant),
    (nn::Clip::NAME, clip),
    (nn::Linear::NAME, linear),
    (nn::Relu6::NAME, relu6),
    (nn::Reshape::NAME, reshape),
    (qnn::Dequantize::NAME, quant::dequantize),
    (qnn::Quantize::NAME, quant::quantize),
    (quant_dialect::Scast::NAME, quant::storage_cast),
];

fn emitter(name: &str) -> Option<Emitter> {
    if optable::by_nn(name).is_some() {
        return Some(direct);
    }
    SPECIAL.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

pub fn is_supported(name: &str) -> bool {
    emitter(name).is_some()
}

/// Every op name export handles, sorted.
pub fn supported() -> Vec<&'static str> {
    let mut names: Vec<&str> = optable::DIRECT.iter().map(|d| d.nn).chain(SPECIAL.iter().map(|(n, _)| *n)).collect();
    names.sort_unstable();
    names
}

/// The first operand: the only one of unary ops (the verifier guarantees it;
/// a module that was not verified gets an error, not a panic).
pub fn operand(op: &Operation) -> Result<Value, String> {
    op.operands().first().copied().ok_or_else(|| "expected an operand".to_string())
}

/// The type of the single result.
pub fn result_type(op: &Operation) -> Result<&dfq_ir::Type, String> {
    op.results.first().ok_or_else(|| "expected a result".to_string())
}

pub fn emit(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let emit = emitter(&op.name).ok_or_else(|| format!("'{}' cannot be exported", op.name))?;
    check_float_operands(w, op)?;
    emit(w, id, op)
}

/// `nn` ops compute in f32 here: ONNX would accept f16 and f64 models, but dfq
/// never makes them and nothing tests them.
fn check_float_operands(w: &Writer, op: &Operation) -> Result<(), String> {
    if !op.name.starts_with("nn.") {
        return Ok(());
    }
    for &v in op.operands() {
        let e = w.func.value_type(v).element();
        if *e != dfq_ir::ElementType::F32 {
            return Err(format!("operand %{} has element type {e}; ONNX export writes f32 models", w.value_name(v)));
        }
    }
    Ok(())
}

/// Constants become initializers where first used.
fn constant(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let dense = op.attr("value").and_then(Attribute::as_dense).ok_or("no dense 'value' attribute")?;
    w.bind_constant(Value::Result(id, 0), ConstTensor::from_dense(dense)?);
    Ok(())
}

/// An op of the shared table: operands in order, attributes renamed.
fn direct(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let d = optable::by_nn(&op.name).ok_or("not in the op table")?;
    let inputs = op.operands().iter().map(|&v| w.input(v)).collect::<Result<Vec<_>, _>>()?;
    let mut attributes = Vec::new();
    for (nn_name, onnx_name) in d.attributes {
        // Absent attributes keep their default, which ONNX shares.
        if let Some(a) = op.attr(nn_name) {
            attributes.push(attribute(onnx_name, a).map_err(|e| format!("attribute '{nn_name}': {e}"))?);
        }
    }
    let out = w.result(id, 0);
    w.node(d.onnx, inputs, vec![out], attributes);
    Ok(())
}

fn attribute(name: &str, a: &Attribute) -> Result<AttributeProto, String> {
    Ok(match a {
        Attribute::DenseI64Array(v) => AttributeProto::ints(name, v),
        Attribute::Bool(b) => AttributeProto::int(name, i64::from(*b)),
        Attribute::Int { value, .. } => AttributeProto::int(name, *value),
        Attribute::Float { value, .. } => AttributeProto::float(name, *value as f32),
        other => return Err(format!("a {} has no ONNX form", other.kind())),
    })
}

/// ReLU6 is Clip(0, 6), the form the importer reads back as `nn.relu6`.
fn relu6(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let x = w.input(operand(op)?)?;
    let (lo, hi) = (w.scalar_f32(0.0), w.scalar_f32(6.0));
    let out = w.result(id, 0);
    w.node("Clip", vec![x, lo, hi], vec![out], vec![]);
    Ok(())
}

/// ONNX's Clip takes scalar bounds only: per-channel bounds (what equalization
/// makes of a ReLU6) become Max then Min with bounds shaped (1, C, 1, …) to
/// broadcast along axis 1, which is `nn.clip`'s min(max(x, lo), hi).
fn clip(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let [x, lo, hi] = op.operands() else {
        return Err("expected 3 operands".into());
    };
    let rank = w.shape(*x)?.len();
    let x = w.input(*x)?;
    let out = w.result(id, 0);
    let elements = |w: &Writer, v: Value| w.shape(v).map(|s| s.iter().product::<i64>());
    if elements(w, *lo)? == 1 && elements(w, *hi)? == 1 {
        let lo = scalar_bound(w, *lo)?;
        let hi = scalar_bound(w, *hi)?;
        w.node("Clip", vec![x, lo, hi], vec![out], vec![]);
        return Ok(());
    }
    let lo = channel_bound(w, *lo, rank)?;
    let hi = channel_bound(w, *hi, rank)?;
    let max = w.fresh(&format!("{out}_max"));
    w.node("Max", vec![x, lo], vec![max.clone()], vec![]);
    w.node("Min", vec![max, hi], vec![out], vec![]);
    Ok(())
}

/// A one-element bound as a scalar tensor, which Clip requires.
fn scalar_bound(w: &mut Writer, v: Value) -> Result<String, String> {
    if let Some(c) = w.constant(v) {
        let value = c.to_f32().first().copied().ok_or("an empty bound")?;
        return Ok(w.scalar_f32(value));
    }
    let name = w.input(v)?;
    if w.shape(v)?.is_empty() {
        return Ok(name);
    }
    Ok(reshape_node(w, name, &[]))
}

/// A bound for Max/Min: a scalar, or per channel as (1, C, 1, …) of the input's rank.
fn channel_bound(w: &mut Writer, v: Value, rank: usize) -> Result<String, String> {
    let shape = w.shape(v)?;
    let n: i64 = shape.iter().product();
    if n == 1 {
        return scalar_bound(w, v);
    }
    let mut dims = vec![1; rank.max(2)];
    dims[1] = n;
    if let Some(c) = w.constant(v) {
        let c = ConstTensor { dims, data: c.data.clone() };
        let hint = w.value_name(v).to_string();
        return Ok(w.initializer(&hint, &c));
    }
    let name = w.input(v)?;
    if shape == dims {
        return Ok(name);
    }
    Ok(reshape_node(w, name, &dims))
}

fn reshape_node(w: &mut Writer, input: String, dims: &[i64]) -> String {
    let shape = w.i64s(&format!("{input}_shape"), dims);
    let out = w.fresh(&format!("{input}_reshaped"));
    w.node("Reshape", vec![input, shape], vec![out.clone()], vec![]);
    out
}

fn reshape(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let shape = op.attr("shape").and_then(Attribute::as_i64_array).ok_or("no 'shape' attribute")?.to_vec();
    let x = w.input(operand(op)?)?;
    let out = w.result(id, 0);
    let shape = w.i64s(&format!("{out}_shape"), &shape);
    w.node("Reshape", vec![x, shape], vec![out], vec![]);
    Ok(())
}

/// `nn.linear` is Gemm with transB = 1: the weight is (M, K) in both.
fn linear(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let inputs = op.operands().iter().map(|&v| w.input(v)).collect::<Result<Vec<_>, _>>()?;
    let out = w.result(id, 0);
    w.node("Gemm", inputs, vec![out], vec![AttributeProto::int("transB", 1)]);
    Ok(())
}
