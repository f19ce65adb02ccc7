//! Error measures between a reference model and a quantized one.

use dfq_interp::Tensor;
use dfq_ir::Module;

use super::output;

/// 10·log10(Σ ref² / Σ (ref − test)²) over all inputs, in dB.
pub fn sqnr_db(reference: &Module, test: &Module, inputs: &[Tensor]) -> f64 {
    let (mut signal, mut noise) = (0.0f64, 0.0f64);
    for x in inputs {
        for (a, b) in output(reference, x).iter().zip(output(test, x)) {
            signal += (*a as f64).powi(2);
            noise += (*a as f64 - b as f64).powi(2);
        }
    }
    10.0 * (signal / noise.max(1e-30)).log10()
}

/// The systematic part of the error: per output element, the mean of
/// (test − ref) over the inputs; returns the average magnitude of that mean.
pub fn mean_error_shift(reference: &Module, test: &Module, inputs: &[Tensor]) -> f64 {
    let mut sum: Vec<f64> = Vec::new();
    for x in inputs {
        let (r, t) = (output(reference, x), output(test, x));
        sum.resize(r.len(), 0.0);
        for (s, (a, b)) in sum.iter_mut().zip(r.iter().zip(&t)) {
            *s += *b as f64 - *a as f64;
        }
    }
    sum.iter().map(|s| (s / inputs.len() as f64).abs()).sum::<f64>() / sum.len().max(1) as f64
}
