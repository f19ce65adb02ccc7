//! Integer average pooling: sum = Σ (q − z_in) over the window in i32, then
//! out = clamp(z_out + Rescale(sum, s_in / (s_out·count)), storage range).
//! (Integer max pooling is the generic `pool::max_pool2d` on stored integers.)

use std::collections::HashMap;

use super::pool::window_sums;
use super::window::Window;
use crate::quant::{OutputRange, Requantizer};

pub(crate) struct QPool {
    pub input_zero: i64,
    pub input_scale: f64,
    pub output_scale: f64,
    pub output: OutputRange,
}

impl QPool {
    /// The requantizer of a window of `count` positions: M = s_in / (s_out·count).
    fn requantizer(&self, count: usize, cache: &mut HashMap<usize, Requantizer>) -> Result<Requantizer, String> {
        if let Some(r) = cache.get(&count) {
            return Ok(*r);
        }
        let r = Requantizer::new(self.input_scale / (self.output_scale * count as f64))?;
        cache.insert(count, r);
        Ok(r)
    }

    fn finish(&self, sum: i64, count: usize, cache: &mut HashMap<usize, Requantizer>) -> Result<i32, String> {
        Ok(self.output.place(self.requantizer(count, cache)?.apply(sum)?))
    }
}

pub(crate) fn avg_pool2d(
    x: &[i32],
    planes: usize,
    win: &Window,
    count_include_pad: bool,
    q: &QPool,
) -> Result<Vec<i32>, String> {
    let z = q.input_zero;
    let sums = window_sums(x, planes, win, count_include_pad, 0i64, |s, v| s + (i64::from(v) - z));
    let mut cache = HashMap::new();
    sums.into_iter().map(|(sum, count)| q.finish(sum, count, &mut cache)).collect()
}

/// Each of the planes of `plane_len` elements to one value.
pub(crate) fn global_avg_pool(x: &[i32], plane_len: usize, q: &QPool) -> Result<Vec<i32>, String> {
    let mut cache = HashMap::new();
    x.chunks_exact(plane_len)
        .map(|plane| {
            let sum = plane.iter().map(|&v| i64::from(v) - q.input_zero).sum();
            q.finish(sum, plane_len, &mut cache)
        })
        .collect()
}
