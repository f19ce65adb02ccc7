//! Data-free activation ranges (DESIGN §4).
//!
//! Every float value gets, per channel (axis 1; or one entry for the whole
//! tensor), a range [lo, hi] and the first two moments of its distribution:
//!
//! - a layer with batch-norm statistics (β, γ) outputs N(β, γ²): range β ± nγ;
//! - an activation clips: the range is clamped to its bounds (ReLU [0, ∞), ReLU6
//!   [0, 6], `nn.clip` scalar or per channel), the moments become those of the
//!   clipped normal;
//! - add: means and variances add (inputs taken as independent), the range is
//!   mean ± n·σ, within the sum of the input ranges;
//! - PReLU: the range's image (slope scalar or per channel), moments as for a
//!   normal input;
//! - concat along channels joins the channels, along other axes unions them;
//!   pooling keeps range and moments (averaging would shrink the variance if
//!   positions were independent, but feature maps correlate spatially, and the
//!   estimated means are not exact: a narrower range clipped logits on the
//!   fixtures); flatten spreads each channel over its features; reshape unions
//!   all channels;
//! - the network input is uniform over its `dfq.range`;
//! - a layer without statistics (no batch norm was folded into it) is estimated
//!   from its input: mean b + Σ w·E[x] and variance Σ w²·Var[x] (inputs taken as
//!   independent, whatever their position), range mean ± n·σ within the interval
//!   bound b + Σ [min, max](w·lo, w·hi). The pass remarks on each such layer.

use std::collections::HashMap;

use dfq_dialects::nn;
use dfq_ir::{Attribute, Diagnostic, Function, OpId, Value};

use crate::gaussian::{cdf, clipped_mean, pdf};
use crate::layer::{constant_f32, ChannelStats, Layer};

/// What the analysis knows of a value. All four vectors have one entry per
/// channel, or a single entry for the whole tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueRange {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
}

/// Settings of the analysis.
#[derive(Clone, Copy, Debug)]
pub struct RangeOptions {
    /// n in β ± nγ.
    pub std_devs: f64,
    /// The input range for arguments without `dfq.range`.
    pub input_range: Option<(f64, f64)>,
}

/// The ranges of all float values of a function, and remarks on estimates.
pub struct Analysis {
    pub ranges: HashMap<Value, ValueRange>,
    pub remarks: Vec<Diagnostic>,
}

impl ValueRange {
    /// N(mean, std²) per channel, range mean ± n·std.
    pub fn normal(mean: &[f32], std: &[f32], n: f64) -> ValueRange {
        let mean: Vec<f64> = mean.iter().map(|&m| m as f64).collect();
        let std: Vec<f64> = std.iter().map(|&s| (s as f64).abs()).collect();
        ValueRange {
            lo: mean.iter().zip(&std).map(|(m, s)| m - n * s).collect(),
            hi: mean.iter().zip(&std).map(|(m, s)| m + n * s).collect(),
            var: std.iter().map(|s| s * s).collect(),
            mean,
        }
    }

    /// Uniform over [lo, hi], for the whole tensor.
    pub fn uniform(lo: f64, hi: f64) -> ValueRange {
        ValueRange { lo: vec![lo], hi: vec![hi], mean: vec![(lo + hi) / 2.0], var: vec![(hi - lo).powi(2) / 12.0] }
    }

    pub fn channels(&self) -> usize {
        self.lo.len()
    }

    /// The range of the whole tensor: the union over channels.
    pub fn union(&self) -> (f64, f64) {
        let lo = self.lo.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }

    /// One entry for the whole tensor: the union of the ranges, the moments of
    /// the equal-weight mixture of the channels.
    pub fn collapse(&self) -> ValueRange {
        let n = self.channels() as f64;
        let (lo, hi) = self.union();
        let mean = self.mean.iter().sum::<f64>() / n;
        let var = self.mean.iter().zip(&self.var).map(|(m, v)| v + (m - mean).powi(2)).sum::<f64>() / n;
        ValueRange { lo: vec![lo], hi: vec![hi], mean: vec![mean], var: vec![var] }
    }

    /// Exactly `n` entries: a per-tensor value repeated, a per-channel one kept,
    /// anything else collapsed and repeated.
    pub fn expand(&self, n: usize) -> ValueRange {
        if self.channels() == n {
            return self.clone();
        }
        let one = if self.channels() == 1 { self.clone() } else { self.collapse() };
        ValueRange { lo: vec![one.lo[0]; n], hi: vec![one.hi[0]; n], mean: vec![one.mean[0]; n], var: vec![one.var[0]; n] }
    }

    /// Each entry repeated `times` times in place (channel c → features c·times..).
    fn repeat_each(&self, times: usize) -> ValueRange {
        let rep = |v: &[f64]| v.iter().flat_map(|&x| std::iter::repeat_n(x, times)).collect();
        ValueRange { lo: rep(&self.lo), hi: rep(&self.hi), mean: rep(&self.mean), var: rep(&self.var) }
    }

    /// The value after clip(x, lo, hi) with scalar or per-channel bounds, the
    /// moments computed as if x were normal with its mean and variance.
    pub fn clip(&self, lo: &[f64], hi: &[f64]) -> ValueRange {
        let n = self.channels().max(lo.len()).max(hi.len());
        let me = self.expand(n);
        let at = |v: &[f64], c: usize| if v.len() == 1 { v[0] } else { v[c] };
        let mut out = me.clone();
        for c in 0..n {
            // As in ONNX, min > max yields max: the interval [a, a].
            let (a, b) = (at(lo, c), at(hi, c));
            let (a, b) = (a.min(b), b);
            out.lo[c] = me.lo[c].clamp(a, b);
            out.hi[c] = me.hi[c].clamp(a, b);
            let (m, s) = (me.mean[c], me.var[c].sqrt());
            out.mean[c] = clipped_mean(m, s, a, b);
            out.var[c] = (clipped_second_moment(m, s, a, b) - out.mean[c].powi(2)).max(0.0);
        }
        out
    }

    /// The value after PReLU, y = x for x ≥ 0 and a·x below, with a scalar or
    /// per-channel slope (moments as for a normal x).
    pub fn prelu(&self, slope: &[f64]) -> ValueRange {
        let n = self.channels().max(slope.len());
        let me = self.expand(n);
        let mut out = me.clone();
        for c in 0..n {
            let a = if slope.len() == 1 { slope[0] } else { slope[c] };
            let f = |x: f64| if x >= 0.0 { x } else { a * x };
            let candidates = [f(me.lo[c]), f(me.hi[c]), if me.lo[c] < 0.0 && me.hi[c] > 0.0 { 0.0 } else { f(me.lo[c]) }];
            out.lo[c] = candidates.iter().copied().fold(f64::INFINITY, f64::min);
            out.hi[c] = candidates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (m, s) = (me.mean[c], me.var[c].sqrt());
            let (inf, ninf) = (f64::INFINITY, f64::NEG_INFINITY);
            out.mean[c] = clipped_mean(m, s, 0.0, inf) + a * clipped_mean(m, s, ninf, 0.0);
            let second = clipped_second_moment(m, s, 0.0, inf) + a * a * clipped_second_moment(m, s, ninf, 0.0);
            out.var[c] = (second - out.mean[c].powi(2)).max(0.0);
        }
        out
    }

    /// The sum of two independent values, broadcast over channels.
    pub fn add(&self, other: &ValueRange, n_std: f64) -> ValueRange {
        // Per-channel against per-tensor broadcasts; mismatched channels collapse.
        let broadcastable = self.channels() == other.channels() || self.channels() == 1 || other.channels() == 1;
        let (a, b) = if broadcastable { (self.clone(), other.clone()) } else { (self.collapse(), other.collapse()) };
        let n = a.channels().max(b.channels());
        let (a, b) = (a.expand(n), b.expand(n));
        let mut out = ValueRange { lo: vec![0.0; n], hi: vec![0.0; n], mean: vec![0.0; n], var: vec![0.0; n] };
        for c in 0..n {
            out.mean[c] = a.mean[c] + b.mean[c];
            out.var[c] = a.var[c] + b.var[c];
            let spread = n_std * out.var[c].sqrt();
            out.lo[c] = (out.mean[c] - spread).max(a.lo[c] + b.lo[c]);
            out.hi[c] = (out.mean[c] + spread).min(a.hi[c] + b.hi[c]);
        }
        out
    }

    /// Channels (or features) concatenated, in order.
    fn concat(parts: &[ValueRange]) -> ValueRange {
        let join = |get: fn(&ValueRange) -> &Vec<f64>| parts.iter().flat_map(|p| get(p).iter().copied()).collect();
        ValueRange { lo: join(|p| &p.lo), hi: join(|p| &p.hi), mean: join(|p| &p.mean), var: join(|p| &p.var) }
    }

    /// The union of the parts, as one entry.
    fn union_of(parts: &[ValueRange]) -> ValueRange {
        let collapsed: Vec<ValueRange> = parts.iter().map(ValueRange::collapse).collect();
        ValueRange::concat(&collapsed).collapse()
    }
}

/// E[clip(x, lo, hi)²] for x ~ N(μ, σ²), bounds possibly infinite.
fn clipped_second_moment(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    if sigma <= 0.0 || !sigma.is_finite() {
        return mu.clamp(lo, hi).powi(2);
    }
    let (a, b) = ((lo - mu) / sigma, (hi - mu) / sigma);
    let below = if lo.is_finite() { lo * lo * cdf(a) } else { 0.0 };
    let above = if hi.is_finite() { hi * hi * (1.0 - cdf(b)) } else { 0.0 };
    // ∫ x² over [lo, hi] of the normal density, with z·φ(z) → 0 at infinite bounds.
    let z_pdf = |z: f64| if z.is_finite() { z * pdf(z) } else { 0.0 };
    let mass = cdf(b) - cdf(a);
    let inside = (mu * mu + sigma * sigma) * mass + 2.0 * mu * sigma * (pdf(a) - pdf(b)) + sigma * sigma * (z_pdf(a) - z_pdf(b));
    below + above + inside
}

/// Runs the analysis over `f` in program order. Fails, at the argument's
/// location, when a float input has neither `dfq.range` nor a default range.
pub fn analyze(f: &Function, options: RangeOptions) -> Result<Analysis, Diagnostic> {
    let mut analysis = Analysis { ranges: HashMap::new(), remarks: Vec::new() };
    for (i, arg) in f.args.iter().enumerate() {
        if !arg.ty.as_tensor().is_some_and(|t| t.element.is_float()) {
            continue;
        }
        let (lo, hi) = argument_range(f, i, options.input_range)?;
        analysis.ranges.insert(Value::Arg(i as u32), ValueRange::uniform(lo, hi));
    }
    for op in f.ops() {
        if let Some(range) = op_range(f, op, &analysis.ranges, options, &mut analysis.remarks) {
            analysis.ranges.insert(Value::Result(op, 0), range);
        }
    }
    Ok(analysis)
}

fn argument_range(f: &Function, index: usize, default: Option<(f64, f64)>) -> Result<(f64, f64), Diagnostic> {
    let arg = &f.args[index];
    let name = arg.name.as_ref().map_or(format!("#{index}"), |n| format!("%{n}"));
    match dfq_dialects::input_range(arg) {
        Ok(Some(range)) => Ok(range),
        Err(e) => Err(Diagnostic::error(arg.loc.clone().or(f.loc.clone()), format!("argument {name}: {e}"))),
        Ok(None) => default.ok_or_else(|| {
            Diagnostic::error(
                arg.loc.clone().or(f.loc.clone()),
                format!(
                    "argument {name} of '@{}' has no '{}' attribute, so its quantization range is unknown; \
                     add {{{} = [min, max]}} to the argument or pass quantize{{input-range=min,max}}",
                    f.name,
                    dfq_dialects::RANGE_ATTR,
                    dfq_dialects::RANGE_ATTR
                ),
            )
        }),
    }
}

/// The range of `op`'s (first) result from its operands' ranges.
fn op_range(
    f: &Function,
    op: OpId,
    ranges: &HashMap<Value, ValueRange>,
    options: RangeOptions,
    remarks: &mut Vec<Diagnostic>,
) -> Option<ValueRange> {
    let operation = f.op(op);
    let input = |i: usize| operation.operands().get(i).and_then(|v| ranges.get(v));
    match operation.name.as_str() {
        "nn.conv2d" | "nn.linear" => layer_range(f, op, input(0), options.std_devs, remarks),
        "nn.relu" => Some(input(0)?.clip(&[0.0], &[f64::INFINITY])),
        "nn.relu6" => Some(input(0)?.clip(&[0.0], &[6.0])),
        "nn.clip" => {
            let clip = nn::Clip::cast(f, op)?;
            Some(input(0)?.clip(&clip_bound(f, clip.min())?, &clip_bound(f, clip.max())?))
        }
        "nn.add" => Some(input(0)?.add(input(1)?, options.std_devs)),
        "nn.max_pool2d" | "nn.avg_pool2d" | "nn.global_avg_pool" => input(0).cloned(),
        "nn.concat" => concat_range(f, op, ranges),
        "nn.flatten" => flatten_range(f, op, input(0)?),
        "nn.reshape" => Some(input(0)?.collapse()),
        "nn.sigmoid" | "nn.softmax" => Some(ValueRange::uniform(0.0, 1.0)),
        "nn.prelu" => {
            let slope = constant_f32(f, operation.operands()[1])?;
            Some(input(0)?.prelu(&slope.into_iter().map(f64::from).collect::<Vec<_>>()))
        }
        "nn.batch_norm" => batch_norm_range(f, op, input(0)?),
        _ => None,
    }
}

/// A clip bound as scalar (one entry) or per-channel values.
pub fn clip_bound(f: &Function, v: Value) -> Option<Vec<f64>> {
    if let Some(values) = constant_f32(f, v) {
        return Some(values.into_iter().map(f64::from).collect());
    }
    let op = f.op(v.producer()?);
    if op.name != "arith.constant" {
        return None;
    }
    op.attr("value").and_then(Attribute::as_float).map(|x| vec![x])
}

fn layer_range(
    f: &Function,
    op: OpId,
    input: Option<&ValueRange>,
    n_std: f64,
    remarks: &mut Vec<Diagnostic>,
) -> Option<ValueRange> {
    let layer = Layer::read(f, op);
    let out_channels = layer.as_ref().map(Layer::out_channels);
    if let Some(stats) = ChannelStats::read(f, op).filter(|s| Some(s.mean.len()) == out_channels || out_channels.is_none()) {
        return Some(ValueRange::normal(&stats.mean, &stats.std, n_std));
    }
    let loc = f.op(op).loc.clone();
    let (Some(layer), Some(input)) = (layer, input) else {
        remarks.push(Diagnostic::remark(loc, "output range unknown: no batch-norm statistics and no input range to estimate it from"));
        return None;
    };
    remarks.push(Diagnostic::remark(
        loc,
        "no batch-norm statistics: output range estimated by propagating the input's moments through the weights",
    ));
    let padded = nn::Conv2d::cast(f, op).is_some_and(|c| c.pads().iter().any(|&p| p > 0));
    Some(propagate_through_layer(&layer, input, n_std, padded))
}

/// Output moments and range of a layer from its input's (see the module docs).
fn propagate_through_layer(layer: &Layer, input: &ValueRange, n_std: f64, padded: bool) -> ValueRange {
    let per_group_in = layer.weight_shape[1] as usize;
    let in_channels = per_group_in * layer.groups() as usize;
    let x = input.expand(in_channels);
    let out = layer.out_channels();
    let out_per_group = out / layer.groups() as usize;
    let taps = layer.taps();
    let mut r = ValueRange { lo: vec![0.0; out], hi: vec![0.0; out], mean: vec![0.0; out], var: vec![0.0; out] };
    for o in 0..out {
        let first_in = (o / out_per_group) * per_group_in;
        let (mut mean, mut var, mut lo, mut hi) = (layer.bias[o] as f64, 0.0, layer.bias[o] as f64, layer.bias[o] as f64);
        for (k, &w) in layer.row(o).iter().enumerate() {
            let (w, c) = (w as f64, first_in + k / taps);
            // Padded positions read zeros, so the interval bound must admit 0.
            let (xl, xh) = if padded { (x.lo[c].min(0.0), x.hi[c].max(0.0)) } else { (x.lo[c], x.hi[c]) };
            mean += w * x.mean[c];
            var += w * w * x.var[c];
            lo += (w * xl).min(w * xh);
            hi += (w * xl).max(w * xh);
        }
        let spread = n_std * var.sqrt();
        r.mean[o] = mean;
        r.var[o] = var;
        r.lo[o] = (mean - spread).max(lo).min(hi);
        r.hi[o] = (mean + spread).min(hi).max(r.lo[o]);
    }
    r
}

fn concat_range(f: &Function, op: OpId, ranges: &HashMap<Value, ValueRange>) -> Option<ValueRange> {
    let concat = nn::Concat::cast(f, op)?;
    let parts: Vec<ValueRange> = concat.inputs().iter().map(|v| ranges.get(v).cloned()).collect::<Option<_>>()?;
    let rank = f.value_type(concat.output()).as_tensor()?.rank() as i64;
    let axis = if concat.axis() < 0 { concat.axis() + rank } else { concat.axis() };
    let channels = |v: &Value| f.value_type(*v).as_tensor().and_then(|t| t.shape.get(1).copied().flatten());
    let per_channel = axis == 1
        && concat.inputs().iter().zip(&parts).all(|(v, p)| channels(v).is_some_and(|c| c as usize == p.channels()));
    if per_channel {
        return Some(ValueRange::concat(&parts));
    }
    if axis == 1 {
        // Each input's entries spread over its channels, then joined.
        let expanded: Option<Vec<ValueRange>> =
            concat.inputs().iter().zip(&parts).map(|(v, p)| Some(p.expand(channels(v)? as usize))).collect();
        return expanded.map(|e| ValueRange::concat(&e));
    }
    Some(ValueRange::union_of(&parts))
}

/// flatten at axis 1 of (N, C, d…) lays channel c over features c·Πd..; other
/// flattens mix channels and keep only their union.
fn flatten_range(f: &Function, op: OpId, input: &ValueRange) -> Option<ValueRange> {
    let flatten = nn::Flatten::cast(f, op)?;
    let shape = f.value_type(flatten.input()).as_tensor()?.static_shape()?;
    let axis = if flatten.axis() < 0 { flatten.axis() + shape.len() as i64 } else { flatten.axis() };
    if input.channels() == 1 {
        return Some(input.clone());
    }
    if axis == 1 && shape.len() >= 2 && shape[1] as usize == input.channels() {
        let inner: i64 = shape[2..].iter().product();
        return Some(input.repeat_each(inner as usize));
    }
    Some(input.collapse())
}

/// An unfolded batch norm is a per-channel affine map y = k·(x − μ) + β.
fn batch_norm_range(f: &Function, op: OpId, input: &ValueRange) -> Option<ValueRange> {
    let bn = nn::BatchNorm::cast(f, op)?;
    let get = |v| constant_f32(f, v).map(|x| x.into_iter().map(f64::from).collect::<Vec<f64>>());
    let (gamma, beta, mean, var) = (get(bn.scale())?, get(bn.bias())?, get(bn.mean())?, get(bn.var())?);
    let n = gamma.len();
    let x = input.expand(n);
    let mut out = x.clone();
    for c in 0..n {
        let k = gamma[c] / (var[c] + bn.epsilon() as f64).sqrt();
        let (a, b) = (k * (x.lo[c] - mean[c]) + beta[c], k * (x.hi[c] - mean[c]) + beta[c]);
        out.lo[c] = a.min(b);
        out.hi[c] = a.max(b);
        out.mean[c] = k * (x.mean[c] - mean[c]) + beta[c];
        out.var[c] = k * k * x.var[c];
    }
    out.lo.iter().chain(&out.hi).all(|v| v.is_finite()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integrate(mu: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
        crate::gaussian::expectation(|x| x.clamp(lo, hi).powi(2), mu, sigma)
    }

    #[test]
    fn second_moment_matches_integration() {
        for (mu, sigma, lo, hi) in [
            (0.0, 1.0, 0.0, f64::INFINITY),
            (3.0, 2.0, 0.0, 6.0),
            (-1.0, 3.0, f64::NEG_INFINITY, f64::INFINITY),
            (10.0, 4.0, 0.0, 2.5),
        ] {
            let closed = clipped_second_moment(mu, sigma, lo, hi);
            let numeric = integrate(mu, sigma, lo, hi);
            assert!((closed - numeric).abs() < 1e-5 * (1.0 + numeric), "{mu} {sigma} {lo} {hi}: {closed} vs {numeric}");
        }
    }

    #[test]
    fn prelu_maps_the_range() {
        let r = ValueRange::uniform(-2.0, 4.0).prelu(&[0.25]);
        assert_eq!((r.lo[0], r.hi[0]), (-0.5, 4.0));
        let r = ValueRange::uniform(-2.0, 1.0).prelu(&[-1.0]);
        assert_eq!((r.lo[0], r.hi[0]), (0.0, 2.0));
    }

    #[test]
    fn add_sums_means_and_variances() {
        let a = ValueRange::normal(&[1.0], &[3.0], 6.0);
        let b = ValueRange::normal(&[2.0], &[4.0], 6.0);
        let s = a.add(&b, 6.0);
        assert_eq!((s.mean[0], s.var[0]), (3.0, 25.0));
        assert_eq!((s.lo[0], s.hi[0]), (3.0 - 30.0, 3.0 + 30.0));
    }

    #[test]
    fn clip_clamps_ranges_per_channel() {
        let r = ValueRange::normal(&[0.0, 5.0], &[1.0, 1.0], 6.0).clip(&[0.0], &[6.0, 2.0]);
        assert_eq!((r.lo.clone(), r.hi.clone()), (vec![0.0, 0.0], vec![6.0, 2.0]));
        // N(5, 1) clipped at 2 is almost surely 2.
        assert!((r.mean[1] - 2.0).abs() < 1e-2 && r.var[1] < 1e-2, "{r:?}");
    }
}
