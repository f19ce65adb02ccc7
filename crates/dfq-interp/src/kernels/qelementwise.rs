//! Elementwise quantized ops: quantize, dequantize, requantize, add, clamp.

use super::broadcast::zip_with;
use crate::quant::{self, OutputRange, Requantizer};

/// Scale (as f32, as ONNX uses it) and zero point of each element: one pair for
/// a per-tensor type, else one per index along the quantized axis of
/// (outer, axis, inner) data.
pub(crate) struct ElementQuant {
    pub scales: Vec<f32>,
    pub zero_points: Vec<i64>,
    pub inner: usize,
}

impl ElementQuant {
    fn at(&self, i: usize) -> (f32, i64) {
        let c = if self.scales.len() == 1 { 0 } else { (i / self.inner) % self.scales.len() };
        (self.scales[c], self.zero_points[c])
    }
}

/// q = clamp(round_half_even(x / s) + z, lo, hi).
pub(crate) fn quantize(x: &[f32], q: &ElementQuant, (lo, hi): (i64, i64)) -> Vec<i64> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| {
            let (s, z) = q.at(i);
            quant::quantize(v, s, z, lo, hi)
        })
        .collect()
}

/// x = (q − z)·s in f32.
pub(crate) fn dequantize(values: &[i32], q: &ElementQuant) -> Vec<f32> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let (s, z) = q.at(i);
            quant::dequantize(v.into(), s, z)
        })
        .collect()
}

/// One input's way into an output quantization: q ↦ z_out + Rescale(q − z_in, M).
pub(crate) struct Rescaling {
    pub input_zero: i64,
    pub requant: Requantizer,
    pub output: OutputRange,
}

/// qnn.requantize, and each input of qnn.concat.
pub(crate) fn requantize(values: &[i32], r: &Rescaling) -> Result<Vec<i32>, String> {
    values.iter().map(|&v| Ok(r.output.place(r.requant.apply(i64::from(v) - r.input_zero)?))).collect()
}

/// TFLite's quantized add. Each side is shifted left by 20 bits and brought to
/// the common scale 2·max(s_l, s_r), then the sum to the output scale.
pub(crate) struct AddParams {
    pub zeros: [i64; 2],
    /// Rescale(·, s_side / s) for lhs and rhs.
    pub sides: [Requantizer; 2],
    /// Rescale(·, s / (2^20·s_out)).
    pub sum: Requantizer,
    pub output: OutputRange,
}

pub(crate) const ADD_LEFT_SHIFT: u32 = 20;

pub(crate) fn add(
    lhs: (&[i32], &[usize]),
    rhs: (&[i32], &[usize]),
    out: &[usize],
    p: &AddParams,
) -> Result<Vec<i32>, String> {
    let side = |k: usize, q: i32| p.sides[k].apply((i64::from(q) - p.zeros[k]) << ADD_LEFT_SHIFT);
    zip_with(lhs, rhs, out, |l, r| Ok(p.output.place(p.sum.apply(side(0, l)? + side(1, r)?)?))).into_iter().collect()
}

/// min(max(q, lo), hi) on the stored integers (with lo > hi, every value is hi).
pub(crate) fn clamp(values: &mut [i32], lo: i32, hi: i32) {
    for v in values {
        *v = (*v).max(lo).min(hi);
    }
}
