//! The distributions of generated parameters, chosen to look like a trained
//! MobileNet as DFQ sees it, pathology included.
//!
//! Conv weights, `W[o, i, kh, kw] = a_o · N(0, 2 / fan_in)` (He init, `fan_in =
//! in/groups · KH · KW`), with a per-output-channel gain `a_o ~ LogNormal(0, 0.3)`,
//! or `LogNormal(0, 1)` for depthwise convs, whose trained channels differ most.
//! Conv bias, where present: `N(0, 0.1²)`.
//!
//! Linear layers: `W ~ N(0, 1 / K)`, bias `N(0, 0.01²)`.
//!
//! Batch norm, per channel:
//! - scale `|γ| ~ LogNormal(0, 0.5)` (depthwise: `LogNormal(0, 1)`), negative
//!   with probability 3%;
//! - shift `β ~ N(0.2, 0.8²)`, except that 10% of channels have a high bias,
//!   `β = 3|γ| + U(0, 1)` (so high-bias absorption has work to do);
//! - near-dead channels, probability 3% (depthwise: 6%, and at least one in any
//!   depthwise layer of 8 channels or more): `|γ| ~ LogUniform(1e-4, 1e-3)` and
//!   `β ~ N(0, 0.5²)`, so the channel is nearly constant (dead under ReLU if β < 0);
//! - running mean and variance: the propagated moments of the input (see
//!   [`crate::stats`]) with training noise, `μ + N(0, (0.05σ)²)` and
//!   `σ² · LogNormal(0, 0.1)`, at least 1e-4.
//!
//! After folding, `W·γ/σ`, the ranges of a layer's output channels then differ by
//! 100× or more: near-dead channels give tiny ones, and a depthwise channel fed by
//! a near-dead channel upstream has a tiny σ and so a huge one (as in real
//! MobileNetV2, Nagel et al. 2019, Fig. 2).

use crate::sample::Sampler;
use crate::stats::ChannelStats;

/// What kind of layer produces a batch norm's input: depthwise layers get the
/// wider spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Dense,
    Depthwise,
}

impl LayerKind {
    fn spread(self) -> f64 {
        match self {
            LayerKind::Dense => 0.5,
            LayerKind::Depthwise => 0.8,
        }
    }
}

/// Conv weights in OIHW order.
pub fn conv_weight(s: &mut Sampler, out_channels: usize, fan_in: usize, kind: LayerKind) -> Vec<f32> {
    let std = (2.0 / fan_in as f64).sqrt();
    let gain_spread = match kind {
        LayerKind::Dense => 0.3,
        LayerKind::Depthwise => 0.6,
    };
    let mut w = Vec::with_capacity(out_channels * fan_in);
    for _ in 0..out_channels {
        let gain = s.log_normal(gain_spread);
        w.extend((0..fan_in).map(|_| (gain * std * s.normal()) as f32));
    }
    w
}

pub fn conv_bias(s: &mut Sampler, out_channels: usize) -> Vec<f32> {
    (0..out_channels).map(|_| (0.1 * s.normal()) as f32).collect()
}

/// Linear weights, `(out, in)`.
pub fn linear_weight(s: &mut Sampler, out_features: usize, in_features: usize) -> Vec<f32> {
    let std = (1.0 / in_features as f64).sqrt();
    (0..out_features * in_features).map(|_| (std * s.normal()) as f32).collect()
}

pub fn linear_bias(s: &mut Sampler, out_features: usize) -> Vec<f32> {
    (0..out_features).map(|_| (0.01 * s.normal()) as f32).collect()
}

/// Batch-norm parameters in ONNX's operand order.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchNormParams {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub mean: Vec<f32>,
    pub var: Vec<f32>,
    pub epsilon: f32,
}

/// Floor of running variances. A channel dead on the inputs we model was rarely
/// exactly dead on every training batch; the floor also caps the folded gain
/// `γ/σ` of a channel fed by a dead one near 100γ, the size seen in MobileNetV2.
const MIN_RUNNING_VAR: f64 = 1e-4;

/// Samples a batch norm for an input with statistics `input`.
pub fn batch_norm(s: &mut Sampler, input: &ChannelStats, kind: LayerKind, epsilon: f32) -> BatchNormParams {
    let n = input.channels();
    let dead_rate = match kind {
        LayerKind::Dense => 0.02,
        LayerKind::Depthwise => 0.04,
    };
    let mut dead: Vec<bool> = (0..n).map(|_| s.chance(dead_rate)).collect();
    if kind == LayerKind::Depthwise && n >= 8 && !dead.contains(&true) {
        dead[s.int(0, n as i64 - 1) as usize] = true;
    }
    let mut p = BatchNormParams { gamma: vec![], beta: vec![], mean: vec![], var: vec![], epsilon };
    for (c, &dead) in dead.iter().enumerate() {
        let (gamma, beta) = if dead {
            (s.log_uniform(1e-3, 1e-2), 0.5 * s.normal())
        } else {
            let g = s.log_normal(kind.spread());
            let b = if s.chance(0.1) { 3.0 * g + s.uniform() } else { 0.2 + 0.8 * s.normal() };
            (g, b)
        };
        let sign = if s.chance(0.03) { -1.0 } else { 1.0 };
        let sd = input.var[c].sqrt();
        p.gamma.push((sign * gamma) as f32);
        p.beta.push(beta as f32);
        p.mean.push((input.mean[c] + 0.05 * sd * s.normal()) as f32);
        p.var.push((input.var[c] * s.log_normal(0.1)).max(MIN_RUNNING_VAR) as f32);
    }
    p
}
