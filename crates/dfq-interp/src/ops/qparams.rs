//! Quantization parameters read from `!quant.uniform` types, validated as the
//! parser validates them (positive finite scales, zero points within the storage
//! range), since types built in code skip the parser.

use dfq_ir::{QuantParams, QuantType, Type};

use crate::kernels::qelementwise::ElementQuant;
use crate::signature::dtype_of;

/// A per-tensor quantization.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TensorQuant {
    pub scale: f64,
    pub zero_point: i64,
    /// The storage range (narrowed if the type says so).
    pub range: (i64, i64),
}

fn quant_type(ty: &Type) -> Result<&QuantType, String> {
    ty.element().as_quant().ok_or_else(|| format!("expected a quantized type, got '{ty}'"))
}

/// The storage range of `q`, within what its runtime integers can hold.
fn storage_range(q: &QuantType, ty: &Type) -> Result<(i64, i64), String> {
    let (lo, hi) = q.storage_min_max();
    let (dlo, dhi) = dtype_of(ty)?.int_range().ok_or_else(|| format!("'{ty}' has no integer storage"))?;
    Ok((lo.max(dlo), hi.min(dhi)))
}

fn check(ty: &Type, scale: f64, zero_point: i64, (lo, hi): (i64, i64)) -> Result<(), String> {
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(format!("'{ty}' has the invalid scale {scale}"));
    }
    if !(lo..=hi).contains(&zero_point) {
        return Err(format!("'{ty}' has the zero point {zero_point} outside its storage range [{lo}, {hi}]"));
    }
    Ok(())
}

pub(crate) fn per_tensor(ty: &Type) -> Result<TensorQuant, String> {
    let q = quant_type(ty)?;
    let range = storage_range(q, ty)?;
    match q.params {
        QuantParams::PerTensor { scale, zero_point } => {
            check(ty, scale, zero_point, range)?;
            Ok(TensorQuant { scale, zero_point, range })
        }
        QuantParams::PerAxis { .. } => Err(format!("expected a per-tensor quantized type, got '{ty}'")),
    }
}

/// Scales and zero points of a weight's `channels` output channels (axis 0),
/// repeated for a per-tensor type.
pub(crate) fn per_output_channel(ty: &Type, channels: usize) -> Result<(Vec<f64>, Vec<i32>), String> {
    let q = quant_type(ty)?;
    let range = storage_range(q, ty)?;
    let (scales, zero_points) = match &q.params {
        QuantParams::PerTensor { scale, zero_point } => (vec![*scale; channels], vec![*zero_point; channels]),
        QuantParams::PerAxis { axis: 0, scales, zero_points } if scales.len() == channels => {
            (scales.clone(), zero_points.clone())
        }
        QuantParams::PerAxis { axis, scales, .. } => {
            return Err(format!(
                "weight '{ty}' must be quantized per tensor or along axis 0 with {channels} scales, \
                 not along axis {axis} with {}",
                scales.len()
            ))
        }
    };
    for (&s, &z) in scales.iter().zip(&zero_points) {
        check(ty, s, z, range)?;
    }
    // Zero points lie in an 8-bit storage range here, so they fit i32.
    Ok((scales, zero_points.into_iter().map(|z| z as i32).collect()))
}

/// Per-element parameters for quantize/dequantize of a tensor of `shape`, and
/// the storage range.
pub(crate) fn per_element(ty: &Type, shape: &[usize]) -> Result<(ElementQuant, (i64, i64)), String> {
    let q = quant_type(ty)?;
    let range = storage_range(q, ty)?;
    let (scales, zero_points, inner) = match &q.params {
        QuantParams::PerTensor { scale, zero_point } => (vec![*scale], vec![*zero_point], 1),
        QuantParams::PerAxis { axis, scales, zero_points } => {
            let axis = usize::try_from(*axis).ok().filter(|&a| a < shape.len() && shape[a] == scales.len());
            let axis = axis.ok_or_else(|| format!("'{ty}' does not fit a tensor of shape {shape:?}"))?;
            (scales.clone(), zero_points.clone(), shape[axis + 1..].iter().product())
        }
    };
    for (&s, &z) in scales.iter().zip(&zero_points) {
        check(ty, s, z, range)?;
    }
    // As ONNX does, the scale is used rounded to f32.
    let scales: Vec<f32> = scales.iter().map(|&s| s as f32).collect();
    if let Some(s) = scales.iter().find(|s| !(**s > 0.0 && s.is_finite())) {
        return Err(format!("'{ty}' has a scale that is {s} as f32"));
    }
    Ok((ElementQuant { scales, zero_points, inner }, range))
}
