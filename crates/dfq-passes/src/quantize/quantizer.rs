//! Scale and zero-point selection: a real range [lo, hi] and a bit width become
//! the parameters of a `!quant.uniform` type.
//!
//! Storage: b ≤ 8 bits are stored in 8-bit integers, 9–16 bits in 16-bit ones; a
//! width below the storage's narrows the type's storage range (`u8<0:15>` for 4
//! bits). Activations are unsigned (`u8`, zero point anywhere in the grid) unless
//! they are symmetric and may be negative (`i8`, zero point 0). Weights are signed
//! (`i8`): asymmetric ones use the full grid [−2^(b−1), 2^(b−1) − 1] with a zero
//! point, symmetric ones the narrow grid [−(2^(b−1) − 1), 2^(b−1) − 1] with zero
//! point 0, so that ±max map to ±qmax.
//!
//! Every range is widened to include 0, so that real zero (padding, ReLU's floor)
//! is exactly representable; a range that is then still empty (an all-zero tensor
//! or channel) is taken as [0, 1], which keeps the scale positive and finite.
//! Scales are rounded to f32, the precision quantize/dequantize compute in.

use dfq_ir::{ElementType, QuantParams, QuantType};

/// How many bits a tensor gets and whether its zero point is pinned to 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub bits: u32,
    pub symmetric: bool,
}

/// The integers a quantized tensor may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub signed: bool,
    /// Width of the storage type: 8 or 16 (32 for biases).
    pub width: u32,
    pub qmin: i64,
    pub qmax: i64,
}

/// The scale and zero point of one tensor or channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    /// Positive, finite, and exactly representable in f32.
    pub scale: f64,
    pub zero_point: i64,
}

/// The storage width for `bits` of precision.
pub fn storage_width(bits: u32) -> u32 {
    if bits <= 8 {
        8
    } else {
        16
    }
}

impl Grid {
    /// The grid of a weight tensor.
    pub fn weight(scheme: Scheme) -> Grid {
        let half = 1i64 << (scheme.bits - 1);
        let qmin = if scheme.symmetric { -(half - 1) } else { -half };
        Grid { signed: true, width: storage_width(scheme.bits), qmin, qmax: half - 1 }
    }

    /// The grid of an activation; `nonnegative` when its range has no negative part.
    pub fn activation(scheme: Scheme, nonnegative: bool) -> Grid {
        if scheme.symmetric && !nonnegative {
            let half = 1i64 << (scheme.bits - 1);
            return Grid { signed: true, width: storage_width(scheme.bits), qmin: -(half - 1), qmax: half - 1 };
        }
        Grid { signed: false, width: storage_width(scheme.bits), qmin: 0, qmax: (1i64 << scheme.bits) - 1 }
    }

    /// The grid of a bias: all of i32, zero point 0.
    pub fn bias() -> Grid {
        Grid { signed: true, width: 32, qmin: i32::MIN as i64, qmax: i32::MAX as i64 }
    }

    /// The full range of the storage type.
    fn storage_bounds(&self) -> (i64, i64) {
        if self.signed {
            (-(1i64 << (self.width - 1)), (1i64 << (self.width - 1)) - 1)
        } else {
            (0, (1i64 << self.width) - 1)
        }
    }

    /// The narrowed storage range a type must spell out, `None` when the grid is
    /// the whole storage type.
    pub fn storage_range(&self) -> Option<(i64, i64)> {
        (self.storage_bounds() != (self.qmin, self.qmax)).then_some((self.qmin, self.qmax))
    }

    /// A quantized f32 element type on this grid, per tensor (one `Params`) or per
    /// axis 0 (one per channel).
    pub fn quant_type(&self, params: &[Params], per_axis: bool) -> QuantType {
        let quant_params = if per_axis {
            QuantParams::PerAxis {
                axis: 0,
                scales: params.iter().map(|p| p.scale).collect(),
                zero_points: params.iter().map(|p| p.zero_point).collect(),
            }
        } else {
            QuantParams::PerTensor { scale: params[0].scale, zero_point: params[0].zero_point }
        };
        QuantType {
            storage_signed: self.signed,
            storage_width: self.width,
            storage_range: self.storage_range(),
            expressed: ElementType::F32,
            params: quant_params,
        }
    }
}

/// Parameters mapping [lo, hi] onto `grid`. Symmetric schemes pin the zero point
/// to 0 (`grid` must then be a narrow signed grid, or an unsigned one for a
/// range without negative values); asymmetric ones place it so that 0 is exact.
pub fn choose_params(lo: f64, hi: f64, grid: Grid, symmetric: bool) -> Params {
    let (lo, hi) = widen(sanitize(lo), sanitize(hi));
    if symmetric {
        let magnitude = if grid.qmin < 0 { lo.abs().max(hi) } else { hi };
        return Params { scale: f32_scale(magnitude / grid.qmax as f64), zero_point: 0 };
    }
    let scale = f32_scale((hi - lo) / (grid.qmax - grid.qmin) as f64);
    // Nudge: the zero point is an integer, so real 0 lands exactly on the grid.
    let zero_point = (grid.qmin as f64 - lo / scale).round_ties_even() as i64;
    Params { scale, zero_point: zero_point.clamp(grid.qmin, grid.qmax) }
}

/// Per-channel parameters of `values` laid out as `channels` equal rows (axis 0).
pub fn channel_params(values: &[f32], channels: usize, grid: Grid, symmetric: bool) -> Vec<Params> {
    let row = values.len() / channels.max(1);
    (0..channels)
        .map(|c| {
            let (lo, hi) = min_max(&values[c * row..(c + 1) * row]);
            choose_params(lo, hi, grid, symmetric)
        })
        .collect()
}

/// Smallest and largest element (0, 0 for an empty slice; NaNs are ignored).
pub fn min_max(values: &[f32]) -> (f64, f64) {
    let lo = values.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if lo > hi {
        (0.0, 0.0)
    } else {
        (lo as f64, hi as f64)
    }
}

/// NaN becomes 0 and infinities the largest finite f32, so the scale stays finite.
fn sanitize(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-(f32::MAX as f64) / 4.0, f32::MAX as f64 / 4.0)
    }
}

/// Includes 0; an empty range becomes [0, 1].
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    if hi - lo < f32::MIN_POSITIVE as f64 {
        (0.0, 1.0)
    } else {
        (lo, hi)
    }
}

/// The scale rounded to f32, never below the smallest normal f32.
fn f32_scale(scale: f64) -> f64 {
    (scale as f32).max(f32::MIN_POSITIVE) as f64
}
