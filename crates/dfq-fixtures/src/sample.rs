//! A seeded random source whose draws are the same on every platform.
//!
//! ChaCha8 is specified bit for bit, and every distribution here is built from
//! integer draws with portable arithmetic (see [`crate::math`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::math;

#[derive(Clone, Debug)]
pub struct Sampler {
    rng: ChaCha8Rng,
}

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        Sampler { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.rng.gen::<f64>()
    }

    /// Uniform in [lo, hi).
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Log-uniform in [lo, hi): equally likely to land in each decade.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo * math::exp(self.uniform() * math::ln(hi / lo))
    }

    /// Standard normal, as the Irwin–Hall sum of twelve uniforms minus six: mean 0,
    /// variance 1, tails cut at ±6σ, which suits weight initializers well.
    pub fn normal(&mut self) -> f64 {
        // Twelve 32-bit uniforms from six 64-bit draws; the sum is exact in u64.
        let mut sum = 0u64;
        for _ in 0..6 {
            let r = self.rng.gen::<u64>();
            sum += (r >> 32) + (r & 0xFFFF_FFFF);
        }
        sum as f64 / 4_294_967_296.0 - 6.0
    }

    /// `exp(N(0, sigma²))`: a positive factor whose median is 1.
    pub fn log_normal(&mut self, sigma: f64) -> f64 {
        math::exp(sigma * self.normal())
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..=hi)
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.gen_range(0..items.len())]
    }
}
