//! `absorb-bias`: high-bias absorption (Nagel et al. 2019, §4.2).
//!
//! Equalization can leave large biases, so a layer's activations sit far above
//! zero and waste the range activation quantization must cover. When W1's
//! pre-activation y (statistics: mean β, std γ, recorded by fold-bn) passes a
//! ReLU, and y ≥ c, then ReLU(y) = ReLU(y − c) + c: W1's bias can drop by c and
//! every layer W2 reading the activation adds W2·c to its bias instead. Under
//! the Gaussian assumption y ~ N(β, γ²), c = max(0, β − n·γ) (n = `std-devs`,
//! 3 by default) makes y ≥ c hold for all but ~0.1 % of values.
//!
//! The activation may be `nn.relu`, `nn.relu6` or `nn.clip` with constant
//! bounds lo ≤ hi (finite lo): generally clip(y, lo, hi) = clip(y − c, lo, hi − c) + c
//! whenever y ≥ lo + c, so c_i = max(0, β_i − n·γ_i − lo_i). The lower bound
//! stays (shifting it too would be exact but keep the activation range as wide as
//! before, which defeats the purpose); the upper bound drops by c_i, which needs
//! c_i ≤ hi_i − lo_i, so c is capped there. ReLU6 thus becomes a per-channel clip.
//! W1's recorded mean drops by c (its std stays); W2's output, and so its
//! statistics, are unchanged.
//!
//! Between the activation and the W2s the shift may cross ops it passes through
//! unchanged (max, average and global-average pooling, flatten at axis 1) and
//! fan out to several layers. The rewrite is exact where y ≥ lo + c, except at
//! borders: a conv W2 with zero padding (or an average pool counting padding)
//! sees padded zeros where it would have seen c, yet its bias adds W2·c over all
//! taps, so border outputs move by the padded taps' share. Such consumers end
//! the rewrite with a remark unless `allow-padding` asks for the paper's
//! inexact version (on EfficientNet-Lite0, where every depthwise conv pads, it
//! cost 0.9 pt of top-1 after DFQ).

use dfq_dialects::nn;
use dfq_ir::{Diagnostic, Function, Module, OpId, Value};
use dfq_rewrite::{OptionKind, OptionSpec, Pass, PassContext, PassError, PassInfo, PassOptions};

use crate::dce::remove_dead_ops;
use crate::equalize::chain::{follow, is_layer, Chain};
use crate::equalize::read_consumers;
use crate::equalize::clamp::{replace_with_clip, Bounds};
use crate::layer::{single_user, ChannelStats, Layer};

const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "std-devs",
        kind: OptionKind::Float,
        default: "3",
        help: "n in c = max(0, β − n·γ): how far below the mean the activation may go",
    },
    OptionSpec {
        name: "allow-padding",
        kind: OptionKind::Bool,
        default: "false",
        help: "Also absorb into convs with zero padding (inexact at borders, as in the paper; cost 0.9 pt top-1 on EfficientNet-Lite0)",
    },
];

pub fn info() -> PassInfo {
    PassInfo {
        name: "absorb-bias",
        summary: "High-bias absorption: move the always-active part of biases across ReLUs into the next layer",
        options: OPTIONS,
        create: |o| Ok(Box::new(AbsorbBias::from_pass_options(o)?)),
    }
}

pub struct AbsorbBias {
    /// n in c = max(0, β − n·γ).
    pub std_devs: f64,
    /// Whether consumers may see zero padding (which makes absorption inexact at
    /// their borders); when not, such layers are skipped with a remark.
    pub allow_padding: bool,
}

impl Default for AbsorbBias {
    fn default() -> AbsorbBias {
        AbsorbBias { std_devs: 3.0, allow_padding: true }
    }
}

impl AbsorbBias {
    pub fn from_pass_options(o: &PassOptions) -> Result<AbsorbBias, String> {
        let std_devs = o.float("std-devs");
        if std_devs < 0.0 {
            return Err(format!("absorb-bias: std-devs must not be negative, got {std_devs}"));
        }
        Ok(AbsorbBias { std_devs, allow_padding: o.bool("allow-padding") })
    }
}

impl Pass for AbsorbBias {
    fn name(&self) -> &'static str {
        "absorb-bias"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            crate::finite::check_finite(f, "absorb-bias").map_err(PassError::Diagnostics)?;
            let layers: Vec<OpId> = f.ops().filter(|&op| is_layer(f, op)).collect();
            for op in layers {
                if let Err(why) = self.absorb(f, op) {
                    ctx.diagnostics.push(Diagnostic::remark(f.op(op).loc.clone(), format!("bias not absorbed: {why}")));
                }
            }
            remove_dead_ops(f);
        }
        Ok(())
    }
}

impl AbsorbBias {
    /// Absorbs what it can of W1's bias (`op`) into the layers after its activation.
    fn absorb(&self, f: &mut Function, op: OpId) -> Result<(), String> {
        let mut w1 = Layer::read(f, op).ok_or("its weights are not constants")?;
        let mut stats = ChannelStats::read(f, op).ok_or("it has no recorded statistics (fold-bn records them)")?;
        let act = single_user(f, Value::Result(op, 0))
            .filter(|&a| matches!(f.op(a).name.as_str(), "nn.relu" | "nn.relu6" | "nn.clip"))
            .ok_or("its output does not go through a ReLU-like activation alone")?;
        let bounds = Bounds::read(f, act).ok_or("its activation's bounds are not constants")?;
        let channels = w1.out_channels();
        if (0..channels).any(|i| !bounds.lo(i).is_finite() || bounds.lo(i) > bounds.hi(i)) {
            return Err("its activation's lower bounds are not finite and below the upper bounds".into());
        }
        let chain = follow(f, op, Value::Result(act, 0), channels, shift_crosses)?;
        if !self.allow_padding && pads_with_zeros(f, &chain) {
            return Err("a layer after it pads with zeros, where absorption is inexact (allow-padding=false)".into());
        }
        let w2s = read_consumers(f, &chain)?;
        let c = self.shifts(&stats, &bounds);
        if c.iter().all(|&c| c == 0.0) {
            return Ok(());
        }
        for (i, &c) in c.iter().enumerate() {
            w1.bias[i] -= c;
            stats.mean[i] -= c;
        }
        w1.write(f);
        stats.write(f, op);
        if f.op(act).name != "nn.relu" {
            let lo = (0..channels).map(|i| bounds.lo(i)).collect();
            let hi = (0..channels).map(|i| bounds.hi(i) - c[i]).collect();
            replace_with_clip(f, act, Bounds { lo, hi });
        }
        for (mut w2, consumer) in w2s.into_iter().zip(&chain.consumers) {
            add_shift_to_bias(&mut w2, consumer.features_per_channel, &c);
            w2.write(f);
        }
        Ok(())
    }

    /// c_i = max(0, β_i − n·γ_i − lo_i), at most hi_i − lo_i.
    fn shifts(&self, stats: &ChannelStats, bounds: &Bounds) -> Vec<f32> {
        let n = self.std_devs as f32;
        (0..stats.mean.len())
            .map(|i| {
                let c = (stats.mean[i] - n * stats.std[i] - bounds.lo(i)).max(0.0);
                c.min(bounds.hi(i) - bounds.lo(i))
            })
            .collect()
    }
}

/// Whether a per-channel shift passes through `op` unchanged: x − c in, y − c out.
fn shift_crosses(f: &Function, op: OpId) -> Result<(), String> {
    let name = f.op(op).name.as_str();
    // Pooling takes a maximum or a mean of one channel, flatten moves elements.
    let crosses =
        matches!(name, "nn.max_pool2d" | "nn.avg_pool2d" | "nn.global_avg_pool") || nn::Flatten::cast(f, op).is_some();
    if crosses {
        Ok(())
    } else {
        Err(format!("its activation reaches '{name}', which a per-channel shift does not pass through"))
    }
}

/// Whether a consumer conv, or an average pool counting padding, sees zeros
/// where the shifted activation would have been.
fn pads_with_zeros(f: &Function, chain: &Chain) -> bool {
    let padded = |pads: &[i64]| pads.iter().any(|&p| p != 0);
    let conv_pads = chain.consumers.iter().filter_map(|c| nn::Conv2d::cast(f, c.op)).any(|c| padded(c.pads()));
    let pool_pads = chain
        .hops
        .iter()
        .filter_map(|h| nn::AvgPool2d::cast(f, h.op))
        .any(|p| p.count_include_pad() && padded(p.pads()));
    conv_pads || pool_pads
}

/// b2 += W2·c: each output's bias grows by c_i times the sum of its weights
/// reading channel i, over input features (`per_channel` per channel) and taps.
fn add_shift_to_bias(w2: &mut Layer, per_channel: usize, c: &[f32]) {
    let taps = w2.taps();
    for o in 0..w2.out_channels() {
        let shift: f64 = w2
            .row(o)
            .chunks_exact(taps)
            .enumerate()
            .map(|(j, run)| run.iter().map(|&w| w as f64).sum::<f64>() * c[w2.input_feature(o, j) / per_channel] as f64)
            .sum();
        w2.bias[o] += shift as f32;
    }
}
