//! Normalizations: inference-mode batch norm, softmax along an axis.

/// The per-channel statistics of a batch norm.
pub(crate) struct BatchNormParams<'a> {
    pub scale: &'a [f32],
    pub bias: &'a [f32],
    pub mean: &'a [f32],
    pub var: &'a [f32],
    pub epsilon: f32,
}

/// y = (x − mean[c]) · (γ[c] / sqrt(var[c] + ε)) + β[c] over (N, C, inner) data,
/// in place. The factor is computed once per channel (as onnxruntime does); the
/// result differs from the literal formula by rounding only.
pub(crate) fn batch_norm(x: &mut [f32], channels: usize, inner: usize, p: &BatchNormParams) {
    if inner == 0 {
        return;
    }
    let factor: Vec<f32> = (0..channels).map(|c| p.scale[c] / (p.var[c] + p.epsilon).sqrt()).collect();
    for (i, block) in x.chunks_exact_mut(inner).enumerate() {
        let c = i % channels;
        let (mean, f, beta) = (p.mean[c], factor[c], p.bias[c]);
        for v in block {
            *v = (*v - mean) * f + beta;
        }
    }
}

/// Softmax along the middle axis of (outer, len, inner) data, in place:
/// exp(x − max) / Σ exp(x − max).
pub(crate) fn softmax(x: &mut [f32], len: usize, inner: usize) {
    if len == 0 || inner == 0 {
        return;
    }
    for block in x.chunks_exact_mut(len * inner) {
        for i in 0..inner {
            let max = (0..len).map(|k| block[k * inner + i]).fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for k in 0..len {
                let e = (block[k * inner + i] - max).exp();
                block[k * inner + i] = e;
                sum += e;
            }
            for k in 0..len {
                block[k * inner + i] /= sum;
            }
        }
    }
}
