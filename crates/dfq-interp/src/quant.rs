//! The integer arithmetic of `dialects/qnn.toml`.
//!
//! The scalar rules live in the `dfq-quant` crate, shared with the passes and the
//! JIT so that no two copies can drift apart; they are re-exported here:
//!
//! - [`quantize_multiplier`]`(M) -> (m, k)`: (f, e) = frexp(M), m = round(f·2^31)
//!   half away from zero (renormalized to 2^30 and e + 1 if it reaches 2^31),
//!   k = 31 − e, so M ≈ m·2^−k;
//! - [`rescale`]`(a, m, k) = (a·m + 2^(k−1)) >> k` in i64 with an arithmetic
//!   shift, i.e. rounding halves toward +∞; no rounding term for k = 0; 0 for k ≥ 63;
//! - [`quantize`] / [`dequantize`]: ONNX QuantizeLinear (x / s in f32, halves to
//!   even, saturating; NaN gives the zero point) and DequantizeLinear.
//!
//! What this module adds is the interpreter's checked use of them: a
//! [`Requantizer`] refuses multipliers outside (0, 2^31) instead of panicking or
//! shifting left, and [`Requantizer::apply`] refuses accumulators beyond i32.

pub use dfq_quant::{dequantize, quantize, quantize_multiplier, rescale};

/// A real multiplier M in fixed point: M ≈ multiplier · 2^−shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Requantizer {
    pub multiplier: i32,
    /// k = 31 − e ≥ 0; may exceed 63 for tiny M, which then rescales to 0.
    pub shift: i32,
}

impl Requantizer {
    /// The fixed-point form of `real`, which must be finite and in (0, 2^31).
    pub fn new(real: f64) -> Result<Requantizer, String> {
        if !(real > 0.0 && real.is_finite()) {
            return Err(format!("requantization multiplier {real} must be positive and finite (are all scales > 0?)"));
        }
        let (multiplier, shift) = quantize_multiplier(real);
        if shift < 0 {
            return Err(format!("requantization multiplier {real} must be below 2^31"));
        }
        Ok(Requantizer { multiplier, shift })
    }

    /// Rescale(acc, M) for an i32 accumulator; an error if `acc` leaves i32, where
    /// the i32 arithmetic qnn.toml prescribes would have overflowed.
    pub fn apply(&self, acc: i64) -> Result<i64, String> {
        if i32::try_from(acc).is_err() {
            return Err(format!("accumulator {acc} overflows i32"));
        }
        Ok(rescale(acc, self.multiplier, self.shift))
    }
}

/// Where a requantized value lands: z_out + r, clamped to [lo, hi] (the storage
/// range intersected with any fused activation bounds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputRange {
    pub zero_point: i64,
    pub lo: i64,
    pub hi: i64,
}

impl OutputRange {
    /// `lo..=hi` must be non-empty.
    pub fn new(zero_point: i64, lo: i64, hi: i64) -> Result<OutputRange, String> {
        if lo > hi {
            return Err(format!("the output clamp [{lo}, {hi}] is empty"));
        }
        Ok(OutputRange { zero_point, lo, hi })
    }

    /// clamp(z_out + r, lo, hi).
    pub fn place(&self, rescaled: i64) -> i32 {
        // lo..=hi lies within a storage range of at most 32 bits, so the cast is exact.
        self.zero_point.saturating_add(rescaled).clamp(self.lo, self.hi) as i32
    }
}
