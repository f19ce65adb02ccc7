//! `dfq-opt --report`: per-layer figures of what the DFQ passes did — each layer's
//! per-channel weight ranges before and after equalization, the weight scales
//! quantize chose, the weight quantization SQNR, and the bias shift bias
//! correction applied. Built from snapshots of the module taken after each pass.

use std::fmt::Write;

use dfq_ir::{Function, Module, OpId, Value};

use crate::layer::{constant_f32, Layer, QuantizedLayer};

/// The module after each pass, in order; the first entry is the input.
pub type Snapshots = [(String, Module)];

/// Per-channel weight ranges (max |w| of each output channel) of a layer.
fn channel_ranges(layer: &Layer) -> Vec<f32> {
    (0..layer.out_channels()).map(|o| layer.row(o).iter().fold(0.0f32, |m, w| m.max(w.abs()))).collect()
}

struct RangeSummary {
    min: f32,
    max: f32,
}

impl RangeSummary {
    fn of(ranges: &[f32]) -> RangeSummary {
        let min = ranges.iter().copied().fold(f32::INFINITY, f32::min);
        let max = ranges.iter().copied().fold(0.0, f32::max);
        RangeSummary { min, max }
    }

    fn cells(&self) -> String {
        let spread = if self.min > 0.0 { format!("{:.3e}", self.max / self.min) } else { "∞ (zero channel)".into() };
        format!("{:.3e} | {:.3e} | {spread}", self.min, self.max)
    }
}

/// A layer's float weights, whether or not the graph is quantized yet.
fn float_layer(f: &Function, op: OpId) -> Option<Layer> {
    Layer::read(f, op).or_else(|| QuantizedLayer::read(f, op).map(|q| q.layer))
}

fn snapshot<'m>(snapshots: &'m Snapshots, pass: &str) -> Option<&'m Function> {
    snapshots.iter().find(|(p, _)| p == pass).and_then(|(_, m)| m.functions.first())
}

fn layer_name(f: &Function, op: OpId) -> String {
    let weight = f.op(op).operands().get(1).and_then(|w| w.producer()).and_then(|p| {
        let w = f.op(p);
        let constant = if w.name == "qnn.dequantize" { w.operands()[0].producer().map(|q| f.op(q).operands()[0]) } else { None };
        match constant.and_then(|c| c.producer()) {
            Some(c) => f.op(c).result_names[0].clone(),
            None => w.result_names[0].clone(),
        }
    });
    weight
        .map(|w| w.strip_suffix("_w").unwrap_or(&w).to_string())
        .or_else(|| f.op(op).loc.as_ref().map(|l| format!("{}:{}", l.line, l.col)))
        .unwrap_or_else(|| "?".into())
}

/// 10·log10(Σw² / Σ(w − ŵ)²) in dB.
fn sqnr_db(w: &[f32], w_hat: &[f32]) -> f64 {
    let signal: f64 = w.iter().map(|&x| (x as f64).powi(2)).sum();
    let noise: f64 = w.iter().zip(w_hat).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum();
    if noise == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (signal / noise).log10()
    }
}

pub fn render(snapshots: &Snapshots) -> String {
    let mut out = String::from("# dfq report\n\n");
    let passes: Vec<&str> = snapshots.iter().skip(1).map(|(p, _)| p.as_str()).collect();
    writeln!(out, "Pipeline: {}\n", if passes.is_empty() { "(none)".into() } else { passes.join(" → ") }).unwrap();
    let Some((_, last)) = snapshots.last() else { return out };
    let Some(f) = last.functions.first() else { return out };
    let before_cle = snapshot(snapshots, "fold-bn").or_else(|| snapshots[0].1.functions.first());
    let before_bc = if passes.contains(&"bias-correct") { snapshot(snapshots, "quantize") } else { None };
    out.push_str(
        "Weight ranges are max |w| per output channel; spread = largest / smallest channel range.\n\n\
         | layer | C_out | range min (before CLE) | max | spread | range min (final) | max | spread | weight scale | weight SQNR (dB) | bias shift max abs |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for op in f.ops() {
        let Some(final_layer) = float_layer(f, op) else { continue };
        let before = before_cle.and_then(|g| g.contains(op).then(|| float_layer(g, op)).flatten());
        let before_cells = before.as_ref().map_or("– | – | –".into(), |l| RangeSummary::of(&channel_ranges(l)).cells());
        let final_cells = RangeSummary::of(&channel_ranges(&final_layer)).cells();
        let quantized = QuantizedLayer::read(f, op);
        let (scale, sqnr) = match &quantized {
            Some(q) => (weight_scales(f, op), format!("{:.1}", sqnr_db(&q.layer.weight, &q.fake_quant))),
            None => ("–".into(), "–".into()),
        };
        let shift = bias_shift(before_bc, f, op).map_or("–".into(), |s| format!("{s:.3e}"));
        writeln!(out, "| {} | {} | {before_cells} | {final_cells} | {scale} | {sqnr} | {shift} |", layer_name(f, op), final_layer.out_channels()).unwrap();
    }
    out
}

/// The weight scale, or the range of per-channel scales.
fn weight_scales(f: &Function, op: OpId) -> String {
    let scales = f.op(op).operands().get(1).and_then(|&w| crate::layer::behind_qdq(f, w)).and_then(|(_, q)| {
        let ty = f.value_type(Value::Result(q, 0)).element().as_quant()?.clone();
        Some(match ty.params {
            dfq_ir::QuantParams::PerTensor { scale, .. } => format!("{scale:.3e}"),
            dfq_ir::QuantParams::PerAxis { scales, .. } => {
                let lo = scales.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = scales.iter().copied().fold(0.0, f64::max);
                format!("{lo:.2e}…{hi:.2e} (per channel)")
            }
        })
    });
    scales.unwrap_or_else(|| "–".into())
}

/// max |b_final − b_before| over channels, when bias correction ran.
fn bias_shift(before: Option<&Function>, after: &Function, op: OpId) -> Option<f32> {
    let before = before?;
    let bias = |f: &Function| {
        let b = *f.op(op).operands().get(2)?;
        let (float_b, _) = crate::layer::behind_qdq(f, b)?;
        constant_f32(f, float_b)
    };
    let (b0, b1) = (bias(before)?, bias(after)?);
    Some(b0.iter().zip(&b1).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max))
}
