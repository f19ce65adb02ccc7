//! `equalize`: cross-layer equalization (Nagel et al. 2019, §4.1).
//!
//! For a layer W1 whose output reaches layers W2 only through positively
//! homogeneous ops (f(s·x) = s·f(x) for s > 0), scaling output channel i of W1
//! by 1/s_i and input channel i of every W2 by s_i leaves the function as it
//! was. With the symmetric ranges r1_i = max |row i of W1| and
//! r2_i = max |weights of W2 reading channel i| (over all W2s, output channels
//! and taps), s_i = sqrt(r1_i / r2_i) makes both ranges sqrt(r1_i·r2_i), which
//! evens out the per-channel ranges that per-tensor quantization suffers from.
//!
//! Between W1 and W2 the chain may cross, in any number and order:
//! - ops with the `ScaleEquivariant` trait (ReLU, PReLU — slopes stay —,
//!   max/avg/global-average pooling), unchanged;
//! - `nn.relu6` and `nn.clip` with constant bounds: bounds divide by s_i, so
//!   ReLU6 becomes a clip to [0, 6/s_i] with per-channel bounds (exact, unlike
//!   the paper's replacement by ReLU, which is the `relu6-to-relu` pass);
//! - `nn.flatten` at axis 1, which maps channel i to a block of H·W features
//!   of a linear W2 (conv → global pool → flatten → linear);
//! - fan-out, when every branch ends in layers (all W2s share s).
//!
//! A depthwise W2 reads channel i with its filter i alone: that filter is
//! multiplied by s_i, its bias and statistics stay. W1's bias and recorded
//! statistics (mean and std) divide by s_i. A channel whose range is zero on
//! either side keeps s_i = 1. Anything else reading W1's output (a residual add,
//! a concat, the function's return) leaves W1 alone, with a remark.
//!
//! Pairs overlap in chains (conv → depthwise → conv), so all pairs are swept in
//! program order until no scale of a sweep differs from 1 by more than
//! `tolerance`, or `max-iterations` sweeps ran; a remark (or a warning when it
//! did not converge) says which. Sweeps only track scales and per-block weight
//! maxima; the weights are rescaled and the graph rewritten once at the end.

mod activation;
pub(crate) mod chain;
pub(crate) mod clamp;
mod scaled;

use std::collections::{HashMap, HashSet};

use dfq_dialects::{nn, registry, Trait};
use dfq_ir::{Diagnostic, Function, Module, OpId, Value};
use dfq_rewrite::{OptionKind, OptionSpec, Pass, PassContext, PassError, PassInfo, PassOptions};

use crate::dce::remove_dead_ops;
use crate::layer::{ChannelStats, Layer};
use crate::quantize::ranges::{analyze, RangeOptions};
use activation::ActivationBound;
use chain::{follow, is_layer, Chain};
use clamp::{replace_with_clip, Bounds};
use scaled::ScaledLayer;

const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "tolerance",
        kind: OptionKind::Float,
        default: "1e-2",
        help: "Stop when no channel scale of a sweep differs from 1 by more than this",
    },
    OptionSpec { name: "max-iterations", kind: OptionKind::Int, default: "100", help: "Most sweeps over all pairs" },
    OptionSpec {
        name: "bound-activations",
        kind: OptionKind::Bool,
        default: "true",
        help: "Keep each activation's largest channel range (from the batch-norm statistics) from growing; false gives the paper's weight-only scales",
    },
];

pub fn info() -> PassInfo {
    PassInfo {
        name: "equalize",
        summary: "Cross-layer equalization: rescale channels between consecutive layers to even out weight ranges",
        options: OPTIONS,
        create: |o| Ok(Box::new(Equalize { options: EqualizeOptions::from_pass_options(o)? })),
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EqualizeOptions {
    pub tolerance: f64,
    pub max_iterations: usize,
    pub bound_activations: bool,
}

impl Default for EqualizeOptions {
    fn default() -> EqualizeOptions {
        EqualizeOptions { tolerance: 1e-2, max_iterations: 100, bound_activations: true }
    }
}

impl EqualizeOptions {
    pub fn from_pass_options(o: &PassOptions) -> Result<EqualizeOptions, String> {
        let tolerance = o.float("tolerance");
        if tolerance < 0.0 {
            return Err(format!("equalize: tolerance must not be negative, got {tolerance}"));
        }
        let max_iterations = o.int("max-iterations");
        if max_iterations < 1 {
            return Err(format!("equalize: max-iterations must be at least 1, got {max_iterations}"));
        }
        Ok(EqualizeOptions {
            tolerance,
            max_iterations: max_iterations as usize,
            bound_activations: o.bool("bound-activations"),
        })
    }
}

pub struct Equalize {
    pub options: EqualizeOptions,
}

impl Pass for Equalize {
    fn name(&self) -> &'static str {
        "equalize"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            crate::finite::check_finite(f, "equalize").map_err(PassError::Diagnostics)?;
            equalize_function(f, &self.options, &mut ctx.diagnostics);
        }
        Ok(())
    }
}

/// What equalizing a function did.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub pairs: Vec<PairSummary>,
    /// Sweeps run over all pairs.
    pub sweeps: usize,
    pub converged: bool,
    /// The largest |s_i − 1| of the last sweep.
    pub last_change: f64,
}

/// One equalized W1 with its W2s (ids valid in the rewritten function).
#[derive(Clone, Debug, PartialEq)]
pub struct PairSummary {
    pub producer: OpId,
    pub consumers: Vec<OpId>,
    /// The total scale of each channel: W1's row i was divided by it.
    pub scales: Vec<f64>,
}

/// Equalizes every pair of `f`; remarks go to `diagnostics`.
pub fn equalize_function(f: &mut Function, options: &EqualizeOptions, diagnostics: &mut Vec<Diagnostic>) -> Summary {
    let (chains, mut layers) = find_chains(f, diagnostics);
    let bounds = if options.bound_activations { activation_bounds(f, &chains) } else { vec![None; chains.len()] };
    let mut scales: Vec<Vec<f64>> = chains.iter().map(|c| vec![1.0; c.channels]).collect();
    let (mut sweeps, mut last_change) = (0, 0.0);
    while !chains.is_empty() && sweeps < options.max_iterations {
        sweeps += 1;
        last_change = sweep(&chains, &bounds, &mut layers, &mut scales);
        if last_change <= options.tolerance {
            break;
        }
    }
    let converged = last_change <= options.tolerance;
    write_back(f, &chains, layers, &scales);
    remove_dead_ops(f);
    if !chains.is_empty() {
        diagnostics.push(convergence_diagnostic(f, chains.len(), sweeps, converged, last_change));
    }
    let pairs = chains
        .into_iter()
        .zip(scales)
        .map(|(c, scales)| PairSummary {
            producer: c.producer,
            consumers: c.consumers.iter().map(|w| w.op).collect(),
            scales,
        })
        .collect();
    Summary { pairs, sweeps, converged, last_change }
}

/// Each chain's bound from the data-free ranges of the function as it is. A
/// function input without `dfq.range` is taken as [-1, 1] here: it only matters
/// for layers that have no statistics of their own.
fn activation_bounds(f: &Function, chains: &[Chain]) -> Vec<Option<ActivationBound>> {
    let options = RangeOptions { std_devs: 6.0, input_range: Some((-1.0, 1.0)) };
    match analyze(f, options) {
        Ok(analysis) => chains.iter().map(|c| ActivationBound::of(f, c, &analysis)).collect(),
        Err(_) => vec![None; chains.len()],
    }
}

/// The chain from every layer whose output can be rescaled, with the layers
/// involved read for the sweeps; a remark for the other layers.
fn find_chains(f: &Function, diagnostics: &mut Vec<Diagnostic>) -> (Vec<Chain>, HashMap<OpId, ScaledLayer>) {
    let mut chains = Vec::new();
    let mut layers = HashMap::new();
    for op in f.ops().filter(|&op| is_layer(f, op)) {
        let Some(w1) = Layer::read(f, op) else { continue };
        let found = follow(f, op, Value::Result(op, 0), w1.out_channels(), scaling_crosses)
            .and_then(|chain| read_consumers(f, &chain).map(|w2s| (chain, w2s)));
        match found {
            Ok((chain, w2s)) => {
                layers.insert(op, ScaledLayer::new(w1));
                layers.extend(w2s.into_iter().map(|w2| (w2.op, ScaledLayer::new(w2))));
                chains.push(chain);
            }
            Err(why) => diagnostics.push(Diagnostic::remark(f.op(op).loc.clone(), format!("not equalized: {why}"))),
        }
    }
    (chains, layers)
}

/// The W2s of `chain`, if all have f32 constant weights and biases.
pub(crate) fn read_consumers(f: &Function, chain: &Chain) -> Result<Vec<Layer>, String> {
    let read = |op| Layer::read(f, op).ok_or("it reaches a layer whose weights or bias are not f32 constants");
    Ok(chain.consumers.iter().map(|c| read(c.op)).collect::<Result<_, _>>()?)
}

/// Whether per-channel scaling passes through `op` (possibly with its bounds rescaled).
fn scaling_crosses(f: &Function, op: OpId) -> Result<(), String> {
    let name = f.op(op).name.as_str();
    let equivariant = registry().lookup(name).is_some_and(|def| def.has_trait(Trait::ScaleEquivariant));
    if equivariant || name == "nn.relu6" || nn::Flatten::cast(f, op).is_some() {
        return Ok(());
    }
    if name == "nn.clip" {
        return Bounds::read(f, op)
            .map(|_| ())
            .ok_or_else(|| "it reaches a clip whose bounds are not constants".into());
    }
    Err(format!("its output reaches '{name}', which per-channel scaling does not pass through"))
}

/// Equalizes each pair once, in program order; returns the largest |s_i − 1|.
fn sweep(
    chains: &[Chain],
    bounds: &[Option<ActivationBound>],
    layers: &mut HashMap<OpId, ScaledLayer>,
    scales: &mut [Vec<f64>],
) -> f64 {
    let mut largest = 0.0f64;
    for ((chain, bound), total) in chains.iter().zip(bounds).zip(scales) {
        let mut s = pair_scales(chain, layers);
        if let Some(bound) = bound {
            // The total scale t_i·s_i stays at least the bound.
            for ((s, t), min) in s.iter_mut().zip(total.iter()).zip(&bound.min_scale) {
                *s = s.max(min / t);
            }
        }
        apply(chain, layers, &s);
        for (t, s) in total.iter_mut().zip(&s) {
            *t *= s;
            largest = largest.max((s - 1.0).abs());
        }
    }
    largest
}

/// s_i = sqrt(r1_i / r2_i), or 1 where a range is zero.
fn pair_scales(chain: &Chain, layers: &mut HashMap<OpId, ScaledLayer>) -> Vec<f64> {
    let r2 = consumer_ranges(chain, layers);
    let r1 = layers.get_mut(&chain.producer).expect("read").output_ranges();
    r1.iter()
        .zip(&r2)
        .map(|(&r1, &r2)| {
            let s = (r1 / r2).sqrt();
            if r1 > 0.0 && r2 > 0.0 && s.is_finite() {
                s
            } else {
                1.0
            }
        })
        .collect()
}

/// r2 per W1 channel: the largest input range of the features it feeds, over all W2s.
fn consumer_ranges(chain: &Chain, layers: &mut HashMap<OpId, ScaledLayer>) -> Vec<f64> {
    let mut r2 = vec![0.0f64; chain.channels];
    for consumer in &chain.consumers {
        let per_channel = consumer.features_per_channel;
        let ranges = layers.get_mut(&consumer.op).expect("read").input_ranges();
        for (k, &r) in ranges.iter().enumerate() {
            r2[k / per_channel] = r2[k / per_channel].max(r);
        }
    }
    r2
}

/// W1's channel i divides by s_i; every W2's input channel i multiplies by it.
fn apply(chain: &Chain, layers: &mut HashMap<OpId, ScaledLayer>, s: &[f64]) {
    layers.get_mut(&chain.producer).expect("read").divide_outputs(s);
    for consumer in &chain.consumers {
        let w2 = layers.get_mut(&consumer.op).expect("read");
        let features = chain.channels * consumer.features_per_channel;
        let per_feature: Vec<f64> = (0..features).map(|k| s[k / consumer.features_per_channel]).collect();
        w2.multiply_inputs(&per_feature);
    }
}

/// Writes the rescaled layers back, then divides W1's statistics and the clamps
/// between W1 and its W2s by the total scales.
fn write_back(f: &mut Function, chains: &[Chain], layers: HashMap<OpId, ScaledLayer>, scales: &[Vec<f64>]) {
    let producers: HashSet<OpId> = chains.iter().map(|c| c.producer).collect();
    // Sorted so constants are created in a deterministic order.
    let mut layers: Vec<(OpId, ScaledLayer)> = layers.into_iter().collect();
    layers.sort_by_key(|(op, _)| *op);
    for (op, layer) in layers {
        let layer = layer.finish();
        // Only a W1's bias changes; a W2 without a bias keeps having none.
        if producers.contains(&op) && layer.has_bias {
            layer.write(f);
        } else {
            layer.write_weight(f);
        }
    }
    for (chain, s) in chains.iter().zip(scales) {
        if s.iter().any(|&s| s != 1.0) {
            rescale_statistics(f, chain.producer, s);
            rescale_clamps(f, chain, s);
        }
    }
}

fn rescale_statistics(f: &mut Function, op: OpId, s: &[f64]) {
    if let Some(mut stats) = ChannelStats::read(f, op) {
        divide(&mut stats.mean, s);
        divide(&mut stats.std, s);
        stats.write(f, op);
    }
}

/// ReLU6s and clips between W1 and its W2s become clips with bounds / s_i
/// (per feature: a flattened channel's features share its scale).
fn rescale_clamps(f: &mut Function, chain: &Chain, s: &[f64]) {
    for hop in &chain.hops {
        if !matches!(f.op(hop.op).name.as_str(), "nn.relu6" | "nn.clip") {
            continue;
        }
        let bounds = Bounds::read(f, hop.op).expect("chains hold clips with constant bounds");
        let per_channel = hop.features_per_channel;
        let n = chain.channels * per_channel;
        let lo = (0..n).map(|k| (bounds.lo(k) as f64 / s[k / per_channel]) as f32).collect();
        let hi = (0..n).map(|k| (bounds.hi(k) as f64 / s[k / per_channel]) as f32).collect();
        replace_with_clip(f, hop.op, Bounds { lo, hi });
    }
}

fn divide(values: &mut [f32], s: &[f64]) {
    values.iter_mut().zip(s).for_each(|(v, &s)| *v = (*v as f64 / s) as f32);
}

fn convergence_diagnostic(f: &Function, pairs: usize, sweeps: usize, converged: bool, change: f64) -> Diagnostic {
    let what = format!("equalized {pairs} layer pair(s)");
    if converged {
        Diagnostic::remark(
            f.loc.clone(),
            format!("{what}: converged after {sweeps} sweep(s), last scale change {change:.1e}"),
        )
    } else {
        Diagnostic::warning(
            f.loc.clone(),
            format!(
                "{what}: not converged after {sweeps} sweep(s), last scale change {change:.1e} is above the tolerance"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<EqualizeOptions, String> {
        EqualizeOptions::from_pass_options(&PassOptions::parse("equalize", text, OPTIONS)?)
    }

    #[test]
    fn options() {
        assert_eq!(parse("").unwrap(), EqualizeOptions::default());
        assert_eq!(
            parse("tolerance=1e-6 max-iterations=7").unwrap(),
            EqualizeOptions { tolerance: 1e-6, max_iterations: 7, bound_activations: true }
        );
        assert!(parse("max-iterations=0").unwrap_err().contains("at least 1"));
        assert!(parse("tolerance=-1").unwrap_err().contains("negative"));
    }
}
