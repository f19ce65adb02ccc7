//! Elementwise f32 activations, in place.
//!
//! Comparisons are written so that NaN propagates (`x < 0` is false for NaN), as
//! ONNX runtimes do, instead of f32::max's NaN-dropping.

pub(crate) fn relu(x: &mut [f32]) {
    for v in x {
        if *v < 0.0 {
            *v = 0.0;
        }
    }
}

pub(crate) fn relu6(x: &mut [f32]) {
    clip(x, 0.0, 6.0);
}

pub(crate) fn sigmoid(x: &mut [f32]) {
    for v in x {
        *v = 1.0 / (1.0 + (-*v).exp());
    }
}

/// y = min(max(x, lo), hi): with lo > hi every element becomes hi, as in ONNX.
fn clip(x: &mut [f32], lo: f32, hi: f32) {
    for v in x {
        if *v < lo {
            *v = lo;
        }
        if *v > hi {
            *v = hi;
        }
    }
}

/// Clip with bounds per channel of (N, C, inner) data; `lo` and `hi` hold one
/// value (shared by all channels) or C.
pub(crate) fn clip_channels(x: &mut [f32], channels: usize, inner: usize, lo: &[f32], hi: &[f32]) {
    let bound = |b: &[f32], c: usize| if b.len() == 1 { b[0] } else { b[c] };
    if inner == 0 {
        return;
    }
    for (i, block) in x.chunks_exact_mut(inner).enumerate() {
        let c = i % channels;
        clip(block, bound(lo, c), bound(hi, c));
    }
}
