//! Compile-time quantization of a layer's constants, with exactly the rounding
//! of `qnn.quantize` (x / s in f32, halves to even, saturating): i8 weight
//! constants of quantized type and plain i32 bias constants.

use dfq_dialects::qnn;
use dfq_ir::{Attribute, DenseData, DenseElements, ElementType, Function, OpId, Operation, QuantType, TensorType, Type, Value};
use dfq_quant::{channel_params, dequantize, quant_axis, quantize};

use crate::layer::constant_f32;

/// A weight operand lowered to an integer constant, and its quantization.
pub struct IntWeight {
    pub value: Value,
    pub ty: QuantType,
}

/// The integer weights behind operand `v` = dequantize(quantize(f32 constant)),
/// or dequantize(integer constant), as a constant placed before `anchor`.
pub fn weight(f: &mut Function, v: Value, anchor: OpId) -> Result<IntWeight, String> {
    let dq = v.producer().and_then(|p| qnn::Dequantize::cast(f, p)).ok_or("its weights are not dequantized")?;
    let quantized = dq.input();
    let ty = f.value_type(quantized).element().as_quant().cloned().ok_or("its weights are not quantized")?;
    if !(ty.storage_signed && ty.storage_width == 8) || quant_axis(&ty).is_some_and(|a| a != 0) {
        return Err(format!("its weights are quantized to {ty}, not i8 per tensor or per output channel"));
    }
    if is_constant(f, quantized) {
        return Ok(IntWeight { value: quantized, ty });
    }
    let q = quantized.producer().and_then(|p| qnn::Quantize::cast(f, p)).ok_or("its weights are not constants")?;
    let float = constant_f32(f, q.input()).ok_or("its weights are not f32 constants")?;
    let shape = f.value_type(q.input()).as_tensor().and_then(TensorType::static_shape).ok_or("its weights have no static shape")?;
    let ints = quantize_rows(&float, &ty);
    let name = constant_name(f, q.input());
    let value = insert_int_constant(f, anchor, &shape, DenseData::I8(ints.iter().map(|&x| x as i8).collect()), Some(&ty), name);
    Ok(IntWeight { value, ty })
}

/// Each element quantized with the parameters of its row (axis 0) or the tensor's.
fn quantize_rows(values: &[f32], ty: &QuantType) -> Vec<i64> {
    let (lo, hi) = ty.storage_min_max();
    let channels = match &ty.params {
        dfq_ir::QuantParams::PerAxis { scales, .. } => scales.len(),
        dfq_ir::QuantParams::PerTensor { .. } => 1,
    };
    let row = values.len() / channels.max(1);
    values
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let (s, z) = channel_params(ty, if channels > 1 { i / row } else { 0 });
            quantize(x, s, z, lo, hi)
        })
        .collect()
}

/// The i32 bias for scale s_in·s_w[o]: the integers of its quantize op when that
/// op already uses this scale, else its real value (dequantize(quantize(b)), or
/// a plain f32 constant) quantized to it.
pub fn bias(f: &mut Function, v: Value, s_in: f64, weight: &QuantType, anchor: OpId) -> Result<Value, String> {
    let (float, quant) = bias_source(f, v)?;
    let ints: Vec<i32> = (0..float.len())
        .map(|o| {
            let target = (s_in * weight_scale(weight, o)) as f32;
            let real = match &quant {
                Some(q) => {
                    let (s, z) = channel_params(q, if quant_axis(q).is_some() { o } else { 0 });
                    let (lo, hi) = q.storage_min_max();
                    let stored = quantize(float[o], s, z, lo, hi);
                    if z == 0 && s == target {
                        return stored as i32;
                    }
                    dequantize(stored, s, z)
                }
                None => float[o],
            };
            quantize(real, target, 0, i32::MIN as i64, i32::MAX as i64) as i32
        })
        .collect();
    let name = constant_name(f, v);
    Ok(insert_int_constant(f, anchor, &[float.len() as i64], DenseData::I32(ints), None, name))
}

/// The float bias values and the quantization they went through, if any.
fn bias_source(f: &Function, v: Value) -> Result<(Vec<f32>, Option<QuantType>), String> {
    if let Some(values) = constant_f32(f, v) {
        return Ok((values, None));
    }
    let not_constant = || "its bias is not a constant".to_string();
    let dq = v.producer().and_then(|p| qnn::Dequantize::cast(f, p)).ok_or_else(not_constant)?;
    let q = dq.input().producer().and_then(|p| qnn::Quantize::cast(f, p)).ok_or_else(not_constant)?;
    let values = constant_f32(f, q.input()).ok_or_else(not_constant)?;
    let ty = f.value_type(dq.input()).element().as_quant().cloned().ok_or_else(not_constant)?;
    Ok((values, Some(ty)))
}

/// s_w of output channel `o` as the type states it (rounded to f32, as the
/// integer weights were computed with it).
pub fn weight_scale(ty: &QuantType, o: usize) -> f64 {
    channel_params(ty, if quant_axis(ty).is_some() { o } else { 0 }).0 as f64
}

fn is_constant(f: &Function, v: Value) -> bool {
    dfq_dialects::is_constant(f, v)
}

/// The source name of a constant (the float weight's `%conv1_w`), reached
/// through quantize/dequantize.
fn constant_name(f: &Function, mut v: Value) -> Option<String> {
    loop {
        let op = f.op(v.producer()?);
        if op.name == "arith.constant" {
            return op.result_names[0].clone();
        }
        v = *op.operands().first()?;
    }
}

/// An `arith.constant` of integers before `anchor`: a plain integer tensor, or
/// the storage integers of quantized type `quant`, which a `quant.scast` after it
/// gives that type (MLIR's arith.constant requires value type = result type).
fn insert_int_constant(
    f: &mut Function,
    anchor: OpId,
    shape: &[i64],
    data: DenseData,
    quant: Option<&QuantType>,
    name: Option<String>,
) -> Value {
    let element = match data {
        DenseData::I8(_) => ElementType::I8,
        _ => ElementType::I32,
    };
    let dense = DenseElements::new(TensorType::new(shape, element.clone()), data).expect("shape and data agree");
    let loc = f.op(anchor).loc.clone();
    let mut op = Operation::new("arith.constant", vec![], vec![Type::tensor(shape, element)])
        .with_attr("value", Attribute::Dense(dense))
        .with_loc(loc.clone());
    let Some(q) = quant else {
        if let Some(n) = name {
            op = op.with_result_name(0, n);
        }
        return Value::Result(f.insert_op_before(anchor, op), 0);
    };
    // The weight's name goes to the typed value; its integers get a suffix.
    if let Some(n) = &name {
        op = op.with_result_name(0, format!("{n}_storage"));
    }
    let storage = Value::Result(f.insert_op_before(anchor, op), 0);
    let mut cast = Operation::new(dfq_dialects::quant::Scast::NAME, vec![storage], vec![Type::tensor(shape, ElementType::Quant(Box::new(q.clone())))])
        .with_loc(loc);
    if let Some(n) = name {
        cast = cast.with_result_name(0, n);
    }
    Value::Result(f.insert_op_before(anchor, cast), 0)
}
