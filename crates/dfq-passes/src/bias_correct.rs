//! `bias-correct`: bias correction on the QDQ graph.
//!
//! Quantizing weights adds an error ε = DQ(Q(W)) − W whose effect on a layer's
//! output has a mean, E[ε·x] = ε·E[x], which shifts every activation downstream.
//! Without data, E[x] per input channel comes from the statistics of the layer
//! that produced x (β, |γ| recorded by fold-bn): x ~ N(β, γ²) passed through the
//! activation in between (ReLU, ReLU6, a clip, or none), whose mean has a closed
//! form (`gaussian::clipped_mean`). The correction b −= ε·E[x] is summed over
//! input channels and spatial taps; like the paper, it ignores that padded border
//! positions see zeros instead of E[x].
//!
//! With the option `calibration=<inputs.npy>` the pass instead measures the
//! shift on those inputs (the paper's empirical variant, which is *not*
//! data-free): see [`empirical`].

mod empirical;

use dfq_dialects::nn;
use dfq_ir::{DenseElements, Diagnostic, Function, Module, OpId, Value};
use dfq_rewrite::{OptionKind, OptionSpec, Pass, PassContext, PassError, PassInfo};

use crate::gaussian::clipped_mean;
use crate::layer::{constant_f32, insert_constant, ChannelStats, LayerKind, QuantizedLayer};

const OPTIONS: &[OptionSpec] = &[OptionSpec {
    name: "calibration",
    kind: OptionKind::String,
    default: "",
    help: "A float32 .npy of inputs (N×C×H×W, or one C×H×W sample): measure the shift on them (empirical, not data-free)",
}];

pub fn info() -> PassInfo {
    PassInfo {
        name: "bias-correct",
        summary: "Correct the mean output shift that weight quantization causes (analytic and data-free, or measured on calibration inputs)",
        options: OPTIONS,
        create: |o| {
            let path = o.string("calibration");
            let calibration = if path.is_empty() { None } else { Some(empirical::Calibration::load(path)?) };
            Ok(Box::new(BiasCorrect { calibration }))
        },
    }
}

pub struct BiasCorrect {
    /// Inputs for the empirical variant; `None` runs the analytic one.
    calibration: Option<empirical::Calibration>,
}

impl Pass for BiasCorrect {
    fn name(&self) -> &'static str {
        "bias-correct"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            crate::finite::check_finite(f, "bias-correct").map_err(PassError::Diagnostics)?;
            let corrected = match &self.calibration {
                Some(calibration) => empirical::correct_function(f, calibration, ctx)?,
                None => {
                    let layers: Vec<OpId> = f.ops().filter(|&op| QuantizedLayer::read(f, op).is_some()).collect();
                    let mut corrected = 0;
                    for op in layers {
                        match correct(f, op) {
                            Ok(()) => corrected += 1,
                            Err(why) => ctx.diagnostics.push(not_corrected(f, op, &why)),
                        }
                    }
                    corrected
                }
            };
            // The replaced bias constants are dead now.
            if corrected > 0 {
                crate::dce::remove_dead_ops(f);
            }
        }
        Ok(())
    }
}

fn correct(f: &mut Function, op: OpId) -> Result<(), String> {
    let QuantizedLayer { layer, fake_quant, bias_quantize } =
        QuantizedLayer::read(f, op).ok_or("its weights are not in quantize/dequantize form")?;
    let Some(bias_quantize) = bias_quantize else {
        return Err("it has no quantized bias to adjust".into());
    };
    let input = f.op(op).operands()[0];
    let means = input_means(f, input).ok_or("the mean of its input is unknown (no statistics upstream)")?;
    let in_channels = match layer.kind {
        LayerKind::Linear => layer.weight_shape[1] as usize,
        LayerKind::Conv { .. } => layer.weight_shape[1] as usize * layer.groups() as usize,
    };
    let means = expand_to(means, in_channels).ok_or("its input channels do not map onto the statistics")?;
    let out = layer.out_channels();
    let per_group_in = layer.weight_shape[1] as usize;
    let out_per_group = out / layer.groups() as usize;
    let taps = layer.taps();
    let mut bias = layer.bias.clone();
    for (o, b) in bias.iter_mut().enumerate() {
        let first_in = (o / out_per_group) * per_group_in;
        let mut shift = 0.0f64;
        for j in 0..per_group_in {
            let base = (o * per_group_in + j) * taps;
            let eps: f64 = (base..base + taps).map(|k| (fake_quant[k] - layer.weight[k]) as f64).sum();
            shift += eps * means[first_in + j];
        }
        *b -= shift as f32;
    }
    replace_bias(f, bias_quantize, bias);
    Ok(())
}

fn not_corrected(f: &Function, op: OpId, why: &str) -> Diagnostic {
    Diagnostic::remark(f.op(op).loc.clone(), format!("bias not corrected: {why}"))
}

/// Points `bias_quantize` at a new constant holding `bias`, named like the old
/// one (which may be shared, so it is never edited; dce removes it once dead).
/// Returns the new constant op.
fn replace_bias(f: &mut Function, bias_quantize: OpId, bias: Vec<f32>) -> Value {
    let old = f.op(bias_quantize).operands()[0];
    let name = old.producer().and_then(|p| f.op(p).result_names.first().cloned().flatten());
    let new_bias = DenseElements::from_f32(&[bias.len() as i64], bias);
    let v = insert_constant(f, bias_quantize, new_bias, name.unwrap_or_else(|| "bias".into()));
    f.set_operand(bias_quantize, 0, v);
    v
}

/// E[x] per channel of `v`, walking back through quantize/dequantize pairs,
/// activations, residual adds and mean-preserving ops to the layers whose
/// statistics describe it.
fn input_means(f: &Function, mut v: Value) -> Option<Vec<f64>> {
    // Bounds of the activations met on the way, composed (clamps nest by intersection).
    let mut lo: Vec<f64> = vec![f64::NEG_INFINITY];
    let mut hi: Vec<f64> = vec![f64::INFINITY];
    loop {
        let op = v.producer()?;
        let name = f.op(op).name.as_str();
        match name {
            "qnn.quantize" | "qnn.dequantize" | "nn.avg_pool2d" | "nn.global_avg_pool" | "nn.flatten" => {}
            // A residual sum: means add. (A clamp after the sum would need the
            // sum's distribution, not just its mean.)
            "nn.add" if lo == [f64::NEG_INFINITY] && hi == [f64::INFINITY] => {
                let [a, b] = f.op(op).operands() else { return None };
                let (ma, mb) = (input_means(f, *a)?, input_means(f, *b)?);
                return (ma.len() == mb.len()).then(|| ma.iter().zip(&mb).map(|(x, y)| x + y).collect());
            }
            "nn.relu" => intersect(&mut lo, &mut hi, &[0.0], &[f64::INFINITY]),
            "nn.relu6" => intersect(&mut lo, &mut hi, &[0.0], &[6.0]),
            "nn.clip" => {
                let clip = nn::Clip::cast(f, op)?;
                let cmin: Vec<f64> = constant_f32(f, clip.min())?.into_iter().map(f64::from).collect();
                let cmax: Vec<f64> = constant_f32(f, clip.max())?.into_iter().map(f64::from).collect();
                intersect(&mut lo, &mut hi, &cmin, &cmax);
            }
            _ => {
                let stats = ChannelStats::read(f, op)?;
                let n = stats.mean.len();
                let at = |b: &[f64], c: usize| if b.len() == 1 { b[0] } else { b[c] };
                if (lo.len() != 1 && lo.len() != n) || (hi.len() != 1 && hi.len() != n) {
                    return None;
                }
                return Some(
                    (0..n)
                        .map(|c| clipped_mean(stats.mean[c] as f64, stats.std[c] as f64, at(&lo, c), at(&hi, c)))
                        .collect(),
                );
            }
        }
        v = *f.op(op).operands().first()?;
    }
}

/// Narrows the bounds `lo`/`hi` (scalar or per channel) by another clamp's.
fn intersect(lo: &mut Vec<f64>, hi: &mut Vec<f64>, other_lo: &[f64], other_hi: &[f64]) {
    let combine = |a: &[f64], b: &[f64], pick: fn(f64, f64) -> f64| -> Vec<f64> {
        let n = a.len().max(b.len());
        let at = |v: &[f64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
        (0..n).map(|i| pick(at(a, i), at(b, i))).collect()
    };
    *lo = combine(lo, other_lo, f64::max);
    *hi = combine(hi, other_hi, f64::min);
}

/// Channel means for `n` input features: a flattened (C, H, W) map gives each
/// channel's mean to its H·W consecutive features.
fn expand_to(means: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    if means.len() == n {
        return Some(means);
    }
    if means.is_empty() || !n.is_multiple_of(means.len()) {
        return None;
    }
    let per = n / means.len();
    Some(means.iter().flat_map(|&m| std::iter::repeat_n(m, per)).collect())
}
