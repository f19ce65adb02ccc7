//! `qnn.quantize` / `qnn.dequantize` → QuantizeLinear / DequantizeLinear, which
//! define them (dialects/qnn.toml). A quantize of a constant (a weight, a bias)
//! is computed here, so the graph holds the integers, as QDQ models do.

use dfq_ir::{DenseData, ElementType, OpId, Operation, QuantParams, QuantType, Signedness, StorageKind, Type, Value};

use super::ops::{operand, result_type};
use super::writer::{onnx_elem_type, ConstTensor, Writer};
use crate::proto::AttributeProto;

/// QuantizeLinear and DequantizeLinear take 16-bit integers from opset 21 on.
const OPSET_16_BIT: i64 = 21;

pub fn quantize(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let x = operand(op)?;
    let q = quant_type(result_type(op)?)?;
    if let Some(c) = w.constant(x) {
        let folded = fold(c, q)?;
        w.bind_constant(Value::Result(id, 0), folded);
        return Ok(());
    }
    if q.storage_width == 32 {
        return Err(format!(
            "quantizing a computed tensor to {} has no ONNX form (QuantizeLinear writes 8- or 16-bit integers); \
             only constants are quantized to 32 bits",
            storage_name(q)
        ));
    }
    let shape = w.shape(x)?;
    let mut input = w.input(x)?;
    if is_narrowed(q) {
        input = narrow(w, input, q, shape.len())?;
    }
    let hint = w.value_name(Value::Result(id, 0)).to_string();
    let (inputs, attrs) = params(w, q, &shape, &hint, true)?;
    let out = w.result(id, 0);
    w.node("QuantizeLinear", [vec![input], inputs].concat(), vec![out], attrs);
    Ok(())
}

pub fn dequantize(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let x = operand(op)?;
    let q = quant_type(w.func.value_type(x))?;
    if q.expressed != ElementType::F32 {
        return Err(format!("the expressed type is {}; DequantizeLinear here writes f32", q.expressed));
    }
    let shape = w.shape(x)?;
    let input = w.input(x)?;
    let hint = w.value_name(Value::Result(id, 0)).to_string();
    let (inputs, attrs) = params(w, q, &shape, &hint, false)?;
    let out = w.result(id, 0);
    w.node("DequantizeLinear", [vec![input], inputs].concat(), vec![out], attrs);
    Ok(())
}

/// `quant.scast` reinterprets stored integers (a lowered model's weights are i8
/// constants cast to their quantized type; u8 storage arrives as signless i8
/// bits). A constant is re-typed; a computed tensor keeps its name when its
/// ONNX type stays the same, as ONNX has no bit cast.
pub fn storage_cast(w: &mut Writer, id: OpId, op: &Operation) -> Result<(), String> {
    let x = operand(op)?;
    let to = result_type(op)?.element();
    if let Some(c) = w.constant(x) {
        let kind = match to {
            ElementType::Quant(q) => storage_kind(q)?,
            other => StorageKind::of(other).ok_or_else(|| format!("no storage for {other}"))?,
        };
        // A wrapping `as` cast of each value: the same bits in the other signedness.
        let data = kind.from_i64s(&(0..c.data.len()).map(|i| c.data.get_i64(i)).collect::<Vec<_>>());
        let cast = ConstTensor { dims: c.dims.clone(), data };
        w.bind_constant(Value::Result(id, 0), cast);
        return Ok(());
    }
    let from = w.func.value_type(x).element();
    if onnx_elem_type(from)? != onnx_elem_type(to)? {
        return Err(format!(
            "casting a computed tensor from {from} to {to} changes its ONNX type, and ONNX has no bit cast \
             (constants are re-typed)"
        ));
    }
    let name = w.input(x)?;
    w.bind_name(Value::Result(id, 0), name);
    Ok(())
}

fn quant_type(ty: &Type) -> Result<&QuantType, String> {
    ty.element().as_quant().ok_or_else(|| format!("expected a !quant.uniform tensor, got {ty}"))
}

fn storage_name(q: &QuantType) -> String {
    format!("{}{}", if q.storage_signed { "i" } else { "u" }, q.storage_width)
}

/// The dense storage of `q`'s integers.
fn storage_kind(q: &QuantType) -> Result<StorageKind, String> {
    let signedness = if q.storage_signed { Signedness::Signed } else { Signedness::Unsigned };
    StorageKind::of(&ElementType::Int { width: q.storage_width, signedness })
        .ok_or_else(|| format!("no storage for {}", storage_name(q)))
}

/// The quantization axis, in [0, rank).
fn axis(q: &QuantType, rank: usize) -> Result<Option<usize>, String> {
    match &q.params {
        QuantParams::PerTensor { .. } => Ok(None),
        QuantParams::PerAxis { axis, .. } => {
            let a = if *axis < 0 { axis + rank as i64 } else { *axis };
            usize::try_from(a)
                .ok()
                .filter(|&a| a < rank)
                .map(Some)
                .ok_or_else(|| format!("quantization axis {axis} is out of range for rank {rank}"))
        }
    }
}

/// A per-axis type needs one scale and zero point per index along its axis.
fn check_channels(q: &QuantType, channels: usize) -> Result<(), String> {
    match &q.params {
        QuantParams::PerAxis { scales, zero_points, .. }
            if scales.len() != channels || zero_points.len() != channels =>
        {
            Err(format!("{} scales for {channels} channels along the quantization axis", scales.len()))
        }
        _ => Ok(()),
    }
}

/// The constant quantized exactly as `qnn.quantize` does it (dfq-quant's scalar rule).
fn fold(c: &ConstTensor, q: &QuantType) -> Result<ConstTensor, String> {
    let (lo, hi) = q.storage_min_max();
    let (inner, channels) = match axis(q, c.dims.len())? {
        Some(a) => (c.dims[a + 1..].iter().product::<i64>() as usize, c.dims[a] as usize),
        None => (1, 1),
    };
    check_channels(q, channels)?;
    let ints: Vec<i64> = c
        .to_f32()
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            let (scale, zero_point) = dfq_quant::channel_params(q, (i / inner) % channels);
            dfq_quant::quantize(x, scale, zero_point, lo, hi)
        })
        .collect();
    Ok(ConstTensor { dims: c.dims.clone(), data: storage_kind(q)?.from_i64s(&ints) })
}

fn is_narrowed(q: &QuantType) -> bool {
    let full = QuantType { storage_range: None, ..q.clone() };
    q.storage_range.is_some() && q.storage_min_max() != full.storage_min_max()
}

/// QuantizeLinear saturates to the whole storage type; a narrowed range
/// (`i8<-127:127>`, `u8<0:15>` for 4 bits) is a clip first, at the reals the
/// range ends stand for: exact, since x/s is monotone in x and those bounds
/// divide back to the integers.
fn narrow(w: &mut Writer, input: String, q: &QuantType, rank: usize) -> Result<String, String> {
    let (lo, hi) = q.storage_min_max();
    let out = w.fresh(&format!("{input}_narrowed"));
    match axis(q, rank)? {
        None => {
            let (scale, zero_point) = dfq_quant::channel_params(q, 0);
            let lo = w.scalar_f32(dfq_quant::dequantize(lo, scale, zero_point));
            let hi = w.scalar_f32(dfq_quant::dequantize(hi, scale, zero_point));
            w.node("Clip", vec![input, lo, hi], vec![out.clone()], vec![]);
        }
        Some(a) => {
            let QuantParams::PerAxis { scales, .. } = &q.params else {
                return Err("expected a per-axis type".into());
            };
            let mut dims = vec![1; rank];
            dims[a] = scales.len() as i64;
            let bound = |end: i64| {
                let values = (0..scales.len())
                    .map(|ch| {
                        let (s, z) = dfq_quant::channel_params(q, ch);
                        dfq_quant::dequantize(end, s, z)
                    })
                    .collect();
                ConstTensor { dims: dims.clone(), data: DenseData::F32(values) }
            };
            let lo = w.initializer(&format!("{out}_min"), &bound(lo));
            let hi = w.initializer(&format!("{out}_max"), &bound(hi));
            let max = w.fresh(&format!("{out}_lower"));
            w.node("Max", vec![input, lo], vec![max.clone()], vec![]);
            w.node("Min", vec![max, hi], vec![out.clone()], vec![]);
        }
    }
    Ok(out)
}

/// Scale and zero-point inputs, and the `axis` attribute of a per-axis type.
/// Per-tensor parameters are shared scalars. DequantizeLinear of int32 takes no
/// zero point (it must be 0); QuantizeLinear always gets one, since its type
/// gives the output's.
fn params(
    w: &mut Writer,
    q: &QuantType,
    shape: &[i64],
    hint: &str,
    quantizing: bool,
) -> Result<(Vec<String>, Vec<AttributeProto>), String> {
    let kind = storage_kind(q)?;
    let axis = axis(q, shape.len())?;
    check_channels(q, axis.map_or(1, |a| shape[a] as usize))?;
    match (q.storage_signed, q.storage_width) {
        (_, 8) => {}
        (_, 16) => w.opset = w.opset.max(OPSET_16_BIT),
        (true, 32) if !quantizing => {}
        _ => {
            return Err(format!(
                "{} storage has no ONNX QuantizeLinear/DequantizeLinear form (8 or 16 bits, or i32 to dequantize)",
                storage_name(q)
            ))
        }
    }
    let zero_points: Vec<i64> = match &q.params {
        QuantParams::PerTensor { zero_point, .. } => vec![*zero_point],
        QuantParams::PerAxis { zero_points, .. } => zero_points.clone(),
    };
    let with_zero_point = q.storage_width != 32;
    if !with_zero_point && zero_points.iter().any(|&z| z != 0) {
        return Err("an i32 zero point must be 0 for DequantizeLinear".into());
    }
    let mut inputs = Vec::new();
    let mut attrs = Vec::new();
    match (&q.params, axis) {
        (QuantParams::PerTensor { scale, .. }, _) => {
            inputs.push(w.scalar_f32(*scale as f32));
            if with_zero_point {
                inputs.push(w.scalar(kind.from_i64s(&zero_points)));
            }
        }
        (QuantParams::PerAxis { scales, .. }, Some(a)) => {
            let n = scales.len() as i64;
            let scale = ConstTensor { dims: vec![n], data: DenseData::F32(scales.iter().map(|&s| s as f32).collect()) };
            inputs.push(w.initializer(&format!("{hint}_scale"), &scale));
            if with_zero_point {
                let zp = ConstTensor { dims: vec![n], data: kind.from_i64s(&zero_points) };
                inputs.push(w.initializer(&format!("{hint}_zero_point"), &zp));
            }
            attrs.push(AttributeProto::int("axis", a as i64));
        }
        (QuantParams::PerAxis { .. }, None) => return Err("a per-axis type without an axis".into()),
    }
    Ok((inputs, attrs))
}
