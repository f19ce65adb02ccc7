//! Integer convolution and fully connected layers (qnn.conv2d, qnn.linear):
//! acc = bias[o] + Σ (x − z_in)·(w − z_w[o]), exact, then
//! out = clamp(z_out + Rescale(acc, M[o]), lo, hi).
//!
//! The sum is taken in i64 and must fit i32 at the end, where qnn.toml's i32
//! accumulation is exact; a sum beyond i32 is reported, not wrapped.

use super::conv::{self, ConvShape};
use super::linear;
use crate::quant::{OutputRange, Requantizer};

/// Quantization of an integer conv or linear layer, per output channel o.
pub(crate) struct QLayer<'a> {
    pub input_zero: i32,
    pub weight_zeros: &'a [i32],
    pub bias: Option<&'a [i32]>,
    /// Rescale(·, s_in·s_w[o] / s_out) for each o.
    pub requant: &'a [Requantizer],
    pub output: OutputRange,
}

/// `x` and `w` hold the stored integers (widened), NCHW and OIHW.
pub(crate) fn qconv2d(x: &[i32], w: &[i32], shape: &ConvShape, q: &QLayer) -> Result<Vec<i32>, String> {
    let x = center(x, |_| q.input_zero);
    let per_channel = w.len() / shape.out_channels.max(1);
    let w = center(w, |i| q.weight_zeros[i / per_channel]);
    let acc =
        conv::conv2d(&x, &w, shape, |o| bias(q, o), |a: &mut i64, x: i32, w: i32| *a += i64::from(x) * i64::from(w));
    requantize_channels(acc, shape.out_channels, shape.window.plane_out(), q)
}

/// (N, K) by (M, K): `x` and `w` hold the stored integers (widened).
pub(crate) fn qlinear(x: &[i32], w: &[i32], (n, k, m): (usize, usize, usize), q: &QLayer) -> Result<Vec<i32>, String> {
    let x = center(x, |_| q.input_zero);
    let w = center(w, |i| q.weight_zeros[i / k.max(1)]);
    let acc = linear::linear(
        &x,
        &w,
        (n, k, m),
        |o| bias(q, o),
        |a: &mut i64, x: i32, w: i32| *a += i64::from(x) * i64::from(w),
    );
    requantize_channels(acc, m, 1, q)
}

/// v − zero(i), the real value in units of the scale.
fn center(values: &[i32], zero: impl Fn(usize) -> i32) -> Vec<i32> {
    values.iter().enumerate().map(|(i, &v)| v - zero(i)).collect()
}

fn bias(q: &QLayer, o: usize) -> i64 {
    q.bias.map_or(0, |b| i64::from(b[o]))
}

/// The requantization epilogue over (N, channels, inner) accumulators.
fn requantize_channels(acc: Vec<i64>, channels: usize, inner: usize, q: &QLayer) -> Result<Vec<i32>, String> {
    acc.into_iter()
        .enumerate()
        .map(|(i, a)| {
            let o = (i / inner.max(1)) % channels.max(1);
            let r = q.requant[o].apply(a).map_err(|e| format!("output channel {o}: {e}"))?;
            Ok(q.output.place(r))
        })
        .collect()
}
