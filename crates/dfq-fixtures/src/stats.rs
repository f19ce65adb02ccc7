//! Per-channel activation statistics, propagated through the network as it is
//! built, so that each batch norm's running mean and variance are the moments its
//! input would actually have (as after training), not arbitrary numbers.
//!
//! The model is the one DFQ itself uses: channels are Gaussian and independent
//! (across channels and spatial taps). That keeps activations O(1) all the way
//! down, and it reproduces MobileNet's real pathology by mechanism rather than by
//! decree: a near-dead channel feeding a depthwise conv gives that conv's output
//! channel a tiny variance, its batch norm divides by a tiny σ, and the folded
//! weights of that channel become huge.

use crate::math::clamped_normal_moments;

/// Mean and variance of each channel (dimension 1) of a value.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

impl ChannelStats {
    pub fn uniform(channels: usize, mean: f64, var: f64) -> ChannelStats {
        ChannelStats { mean: vec![mean; channels], var: vec![var; channels] }
    }

    pub fn channels(&self) -> usize {
        self.mean.len()
    }

    /// Through a convolution (or, with 1×1 taps, a linear layer) with weights laid
    /// out `[out][in / groups][taps]`. Border padding is ignored.
    pub fn conv(&self, weight: &[f32], out_channels: usize, groups: usize, bias: Option<&[f32]>) -> ChannelStats {
        let in_per_group = self.channels() / groups;
        let out_per_group = out_channels / groups;
        let per_out = weight.len() / out_channels;
        let taps = per_out / in_per_group;
        let mut out = ChannelStats::uniform(out_channels, 0.0, 0.0);
        for (o, w_o) in weight.chunks_exact(per_out).enumerate() {
            let first_in = (o / out_per_group) * in_per_group;
            let (mut mean, mut var) = (0.0, 0.0);
            for (i, w_oi) in w_o.chunks_exact(taps).enumerate() {
                let (m, v) = (self.mean[first_in + i], self.var[first_in + i]);
                for &w in w_oi {
                    let w = w as f64;
                    mean += w * m;
                    var += w * w * v;
                }
            }
            out.mean[o] = mean + bias.map_or(0.0, |b| b[o] as f64);
            out.var[o] = var;
        }
        out
    }

    /// A batch norm whose running statistics match its input outputs `N(β, γ²)`.
    pub fn batch_norm(gamma: &[f32], beta: &[f32]) -> ChannelStats {
        ChannelStats {
            mean: beta.iter().map(|&b| b as f64).collect(),
            var: gamma.iter().map(|&g| (g as f64) * (g as f64)).collect(),
        }
    }

    /// Through `clamp(x, lo, hi)`: ReLU is `[0, ∞)`, ReLU6 `[0, 6]`.
    pub fn clamp(&self, lo: f64, hi: f64) -> ChannelStats {
        let (mean, var) = self
            .mean
            .iter()
            .zip(&self.var)
            .map(|(&m, &v)| clamped_normal_moments(m, v, lo, hi))
            .unzip();
        ChannelStats { mean, var }
    }

    /// Through `a + b` of independent values: means and variances add.
    pub fn add(&self, other: &ChannelStats) -> ChannelStats {
        ChannelStats {
            mean: self.mean.iter().zip(&other.mean).map(|(a, b)| a + b).collect(),
            var: self.var.iter().zip(&other.var).map(|(a, b)| a + b).collect(),
        }
    }

    /// Along the channel axis.
    pub fn concat(parts: &[&ChannelStats]) -> ChannelStats {
        ChannelStats {
            mean: parts.iter().flat_map(|p| p.mean.iter().copied()).collect(),
            var: parts.iter().flat_map(|p| p.var.iter().copied()).collect(),
        }
    }

    /// Each channel repeated `n` times, as flattening `C×H×W` into features does.
    pub fn repeat_each(&self, n: usize) -> ChannelStats {
        let rep = |v: &[f64]| v.iter().flat_map(|&x| std::iter::repeat_n(x, n)).collect();
        ChannelStats { mean: rep(&self.mean), var: rep(&self.var) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depthwise_conv_keeps_channels_apart() {
        let x = ChannelStats { mean: vec![1.0, 0.0], var: vec![1.0, 0.0] };
        // Two groups, one input channel each, two taps.
        let y = x.conv(&[1.0, 1.0, 2.0, 2.0], 2, 2, Some(&[0.5, 0.0]));
        assert_eq!(y.mean, vec![2.5, 0.0]);
        assert_eq!(y.var, vec![2.0, 0.0]);
    }

    #[test]
    fn dense_conv_sums_inputs() {
        let x = ChannelStats { mean: vec![1.0, 2.0], var: vec![1.0, 4.0] };
        let y = x.conv(&[1.0, -1.0], 1, 1, None);
        assert_eq!((y.mean[0], y.var[0]), (-1.0, 5.0));
    }
}
