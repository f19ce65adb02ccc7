//! `dfq-opt --report`: per-layer figures of what the DFQ passes did — each layer's
//! per-channel weight ranges before and after equalization, the weight scales
//! quantize chose, the weight quantization SQNR (and what naive quantization of the
//! same weights would have given), and the bias shift bias correction applied.
//! Built from snapshots of the module taken after each pass.
//!
//! The per-layer numbers are computed once ([`LayerRow`]); the Markdown table and
//! the SVG figures ([`plots`]) are both drawn from them.

mod plots;

use std::fmt::Write;

use dfq_ir::{Function, Module, OpId, QuantParams, QuantType, Value};

use crate::layer::{constant_f32, Layer, QuantizedLayer};
use crate::quantize::quantizer::{channel_params, choose_params, min_max, Grid, Params};

/// The module after each pass, in order; the first entry is the input.
pub type Snapshots = [(String, Module)];

/// A rendered report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The Markdown document, linking the figures by their names in `files`.
    pub markdown: String,
    /// The same document without the figures, for a report written as one file.
    pub markdown_without_figures: String,
    /// The figures: (file name, SVG text), to be written next to the Markdown.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Report {
    /// The reports of several inputs (`--split-input-file`) as one document. With
    /// more than one, each input's figure files get the prefix `input<i>-`, so
    /// that they cannot overwrite each other.
    pub fn join(reports: Vec<Report>) -> Report {
        let several = reports.len() > 1;
        let mut joined = Report::default();
        for (i, mut r) in reports.into_iter().enumerate() {
            if several {
                for (name, _) in &mut r.files {
                    let renamed = format!("input{}-{name}", i + 1);
                    // Names occur in the Markdown only as link targets, written `](name)`.
                    r.markdown = r.markdown.replace(&format!("]({name})"), &format!("]({renamed})"));
                    *name = renamed;
                }
            }
            let separator = if i > 0 { "\n" } else { "" };
            joined.markdown += separator;
            joined.markdown += &r.markdown;
            joined.markdown_without_figures += separator;
            joined.markdown_without_figures += &r.markdown_without_figures;
            joined.files.extend(r.files);
        }
        joined
    }
}

/// Per output channel, the smallest and the largest weight.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelRanges(pub Vec<(f32, f32)>);

impl ChannelRanges {
    fn of(layer: &Layer) -> ChannelRanges {
        ChannelRanges((0..layer.out_channels()).map(|o| min_max_f32(layer.row(o))).collect())
    }

    /// The range of each channel as the paper measures it: max |w|.
    fn magnitudes(&self) -> impl Iterator<Item = f32> + '_ {
        self.0.iter().map(|&(lo, hi)| lo.abs().max(hi.abs()))
    }

    fn summary(&self) -> RangeSummary {
        let nonzero = self.magnitudes().filter(|&r| r > 0.0);
        let (min, max) = nonzero.fold((f32::INFINITY, 0.0f32), |(lo, hi), r| (lo.min(r), hi.max(r)));
        let zero = self.magnitudes().filter(|&r| r == 0.0 || r.is_nan()).count();
        RangeSummary { min: if max > 0.0 { min } else { 0.0 }, max, zero }
    }

    /// Largest / smallest channel range.
    pub fn spread(&self) -> Option<f32> {
        self.summary().spread()
    }
}

fn min_max_f32(values: &[f32]) -> (f32, f32) {
    let (lo, hi) = min_max(values);
    (lo as f32, hi as f32)
}

/// Channel ranges of a layer. An all-zero channel (a pruned or dead one) is left
/// out of min and spread: zero is exact on every grid, so it costs nothing to
/// quantize, and counting it would make every such layer infinitely imbalanced.
struct RangeSummary {
    /// Smallest nonzero channel range (0 if all are zero).
    min: f32,
    max: f32,
    zero: usize,
}

impl RangeSummary {
    fn spread(&self) -> Option<f32> {
        (self.min > 0.0).then(|| self.max / self.min)
    }

    fn cells(&self) -> String {
        let spread = self.spread().map_or("–".into(), |s| format!("{s:.3e}"));
        let zero = match self.zero {
            0 => String::new(),
            1 => " (1 zero channel)".into(),
            n => format!(" ({n} zero channels)"),
        };
        format!("{:.3e} | {:.3e} | {spread}{zero}", self.min, self.max)
    }
}

/// What the report shows of one layer, computed once for the table and the figures.
struct LayerRow {
    name: String,
    out_channels: usize,
    depthwise: bool,
    /// The float weights before equalization (after fold-bn, or of the input).
    before: Option<ChannelRanges>,
    /// Right after `equalize`, if the pipeline has it.
    equalized: Option<ChannelRanges>,
    /// The final model's float weights.
    last: ChannelRanges,
    /// The weight scale(s) quantize chose, as text.
    scale: Option<String>,
    /// The weight quantization scheme, "W8 per-tensor asymmetric".
    scheme: Option<String>,
    /// SQNR of the weights the pipeline quantized.
    sqnr: Option<f64>,
    /// SQNR of quantizing the `before` weights with the same scheme directly.
    naive_sqnr: Option<f64>,
    bias_shift: Option<f32>,
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
        // `_w` is dfq's naming, `_weight` the ONNX importer's (from PyTorch state dicts).
        .map(|w| w.strip_suffix("_weight").or_else(|| w.strip_suffix("_w")).unwrap_or(&w).to_string())
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

/// The weights quantized with the scheme (grid, symmetry, per-tensor or per-channel)
/// of `q`, but with scales chosen for these weights, as the quantize pass chooses them.
fn naive_fake_quant(layer: &Layer, q: &QuantType) -> Vec<f32> {
    let (qmin, qmax) = q.storage_min_max();
    let grid = Grid { signed: q.storage_signed, width: q.storage_width, qmin, qmax };
    let symmetric = weight_symmetric(q);
    let channels = layer.out_channels();
    let params: Vec<Params> = match q.params {
        QuantParams::PerAxis { .. } => channel_params(&layer.weight, channels, grid, symmetric),
        QuantParams::PerTensor { .. } => {
            let (lo, hi) = min_max(&layer.weight);
            vec![choose_params(lo, hi, grid, symmetric)]
        }
    };
    let row = layer.row_len().max(1);
    layer
        .weight
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let p = params[(i / row).min(params.len() - 1)];
            let (s, z) = (p.scale as f32, p.zero_point);
            dfq_quant::dequantize(dfq_quant::quantize(x, s, z, qmin, qmax), s, z)
        })
        .collect()
}

/// Symmetric weights use the narrow grid [−qmax, qmax] (docs/passes.md).
fn weight_symmetric(q: &QuantType) -> bool {
    let (qmin, qmax) = q.storage_min_max();
    qmin == -qmax
}

/// "W8 per-tensor asymmetric" and the like, for captions.
fn scheme_label(q: &QuantType) -> String {
    let (qmin, qmax) = q.storage_min_max();
    let levels = (qmax - qmin + 1).max(2) as u64;
    let bits = 64 - (levels - 1).leading_zeros();
    let granularity = if matches!(q.params, QuantParams::PerAxis { .. }) { "per-channel" } else { "per-tensor" };
    let symmetry = if weight_symmetric(q) { "symmetric" } else { "asymmetric" };
    format!("W{bits} {granularity} {symmetry}")
}

/// The quantized weight type of a layer in the QDQ form.
fn weight_quant_type(f: &Function, op: OpId) -> Option<QuantType> {
    let (_, q) = f.op(op).operands().get(1).and_then(|&w| crate::layer::behind_qdq(f, w))?;
    f.value_type(Value::Result(q, 0)).element().as_quant().cloned()
}

/// Everything the report shows, one row per layer of the final model, in order.
fn layer_rows(snapshots: &Snapshots, f: &Function) -> Vec<LayerRow> {
    let passes: Vec<&str> = snapshots.iter().skip(1).map(|(p, _)| p.as_str()).collect();
    let before_cle = snapshot(snapshots, "fold-bn").or_else(|| snapshots.first().and_then(|(_, m)| m.functions.first()));
    let equalized = snapshot(snapshots, "equalize");
    let before_bc = if passes.contains(&"bias-correct") { snapshot(snapshots, "quantize") } else { None };
    let layer_in = |g: Option<&Function>, op| g.and_then(|g| g.contains(op).then(|| float_layer(g, op)).flatten());
    f.ops()
        .filter_map(|op| {
            let last = float_layer(f, op)?;
            let before = layer_in(before_cle, op);
            let quantized = QuantizedLayer::read(f, op);
            let q_type = weight_quant_type(f, op);
            let naive_sqnr = match (&before, &q_type) {
                (Some(b), Some(q)) => Some(sqnr_db(&b.weight, &naive_fake_quant(b, q))),
                _ => None,
            };
            Some(LayerRow {
                name: layer_name(f, op),
                out_channels: last.out_channels(),
                // The float layer knows its input's channel count; the QDQ reading guesses.
                depthwise: before.as_ref().unwrap_or(&last).is_depthwise(),
                before: before.as_ref().map(ChannelRanges::of),
                equalized: layer_in(equalized, op).as_ref().map(ChannelRanges::of),
                last: ChannelRanges::of(&last),
                scale: q_type.as_ref().map(scale_text),
                scheme: q_type.as_ref().map(scheme_label),
                sqnr: quantized.map(|q| sqnr_db(&q.layer.weight, &q.fake_quant)),
                naive_sqnr,
                bias_shift: bias_shift(before_bc, f, op),
            })
        })
        .collect()
}

pub fn render(snapshots: &Snapshots) -> Report {
    let mut out = String::from("# dfq report\n\n");
    let passes: Vec<&str> = snapshots.iter().skip(1).map(|(p, _)| p.as_str()).collect();
    writeln!(out, "Pipeline: {}\n", if passes.is_empty() { "(none)".into() } else { passes.join(" → ") }).unwrap();
    let Some(f) = snapshots.last().and_then(|(_, m)| m.functions.first()) else {
        return Report { markdown_without_figures: out.clone(), markdown: out, files: Vec::new() };
    };
    let rows = layer_rows(snapshots, f);
    out.push_str(
        "Weight ranges are max |w| per output channel; spread = largest / smallest channel range \
         (all-zero channels left out). Naive SQNR: the weights before equalization quantized \
         directly with the same scheme.\n\n\
         | # | layer | C_out | range min (before CLE) | max | spread | range min (final) | max | spread | weight scale | weight SQNR (dB) | naive SQNR (dB) | bias shift max abs |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let dash = || "–".to_string();
    for (i, row) in rows.iter().enumerate() {
        let before = row.before.as_ref().map_or("– | – | –".into(), |r| r.summary().cells());
        let db = |x: Option<f64>| x.map_or_else(dash, |x| format!("{x:.1}"));
        writeln!(
            out,
            "| {i} | {} | {} | {before} | {} | {} | {} | {} | {} |",
            row.name,
            row.out_channels,
            row.last.summary().cells(),
            row.scale.clone().unwrap_or_else(dash),
            db(row.sqnr),
            db(row.naive_sqnr),
            row.bias_shift.map_or_else(dash, |s| format!("{s:.3e}")),
        )
        .unwrap();
    }
    let figures = plots::figures(&rows, passes.contains(&"equalize"));
    Report {
        markdown_without_figures: format!(
            "{out}\nFigures (per-channel weight ranges, per-layer SQNR) are written with `--report DIR`.\n"
        ),
        markdown: format!("{out}\n{}", figures.markdown),
        files: figures.files,
    }
}

/// The weight scale, or the range of per-channel scales.
fn scale_text(q: &QuantType) -> String {
    match &q.params {
        QuantParams::PerTensor { scale, .. } => format!("{scale:.3e}"),
        QuantParams::PerAxis { scales, .. } => {
            let lo = scales.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = scales.iter().copied().fold(0.0, f64::max);
            format!("{lo:.2e}…{hi:.2e} (per channel)")
        }
    }
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
