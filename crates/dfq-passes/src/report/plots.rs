//! The report's figures, drawn as SVG with `plotters` from the per-layer rows:
//!
//! - `weight-ranges-<layer>.svg`: the per-output-channel weight ranges of the most
//!   imbalanced depthwise layer, before equalization and after (Nagel et al. 2019,
//!   Fig. 2);
//! - `weight-sqnr.svg`: per-layer weight quantization SQNR, naive vs the pipeline.

use std::fmt::Write;

use plotters::prelude::*;

use super::{ChannelRanges, LayerRow};

const BEFORE: RGBColor = RGBColor(31, 119, 180);
const AFTER: RGBColor = RGBColor(255, 127, 14);
const DEPTHWISE_BAND: RGBColor = RGBColor(228, 228, 228);
const FONT: &str = "sans-serif";

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// The figures' Markdown section and files.
pub(super) struct Figures {
    pub markdown: String,
    pub files: Vec<(String, Vec<u8>)>,
}

pub(super) fn figures(rows: &[LayerRow], has_equalize: bool) -> Figures {
    let mut fig = Figures { markdown: String::from("## Figures\n\n"), files: Vec::new() };
    weight_ranges_figure(&mut fig, rows, has_equalize);
    sqnr_figure(&mut fig, rows);
    fig
}

/// The layer to show ranges of: the depthwise layer whose channel ranges before
/// equalization are the most imbalanced, as in the paper (or, in a model without
/// depthwise layers, the most imbalanced layer). Layers whose channels are all zero
/// have no spread and are never chosen.
pub(super) fn most_imbalanced(rows: &[LayerRow]) -> Option<&LayerRow> {
    let pick = |depthwise_only: bool| {
        rows.iter()
            .filter(|r| r.depthwise || !depthwise_only)
            .filter_map(|r| Some((r, r.before.as_ref()?.spread()?)))
            .fold(None, |best: Option<(&LayerRow, f32)>, (r, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((r, s)),
            })
            .map(|(r, _)| r)
    };
    pick(true).or_else(|| pick(false))
}

fn weight_ranges_figure(fig: &mut Figures, rows: &[LayerRow], has_equalize: bool) {
    let md = &mut fig.markdown;
    let Some(row) = most_imbalanced(rows) else {
        md.push_str("No weight-range figure: no layer has nonzero weights before equalization.\n\n");
        return;
    };
    let Some(before) = &row.before else { return };
    let after = if has_equalize { row.equalized.as_ref() } else { None };
    let kind = if row.depthwise { "depthwise" } else { "no depthwise layer; most imbalanced" };
    let file = format!("weight-ranges-{}.svg", file_safe(&row.name));
    writeln!(md, "### Weight ranges of `{}` ({kind}, {} channels)\n", row.name, row.out_channels).unwrap();
    match draw_weight_ranges(row, before, after) {
        Ok(svg) => {
            writeln!(md, "![Per-channel weight ranges of {}]({file})\n", row.name).unwrap();
            fig.files.push((file, svg.into_bytes()));
        }
        Err(e) => writeln!(md, "(figure not drawn: {e})\n").unwrap(),
    }
    let spread = |r: &ChannelRanges| r.spread().map_or("–".into(), |s| format!("{s:.3e}"));
    write!(
        md,
        "Each bar spans one output channel's smallest to largest weight, as in Nagel et al. 2019, Fig. 2. \
         This is the layer whose channel ranges (max |w|) are the most imbalanced before equalization: \
         spread {}",
        spread(before)
    )
    .unwrap();
    match after {
        Some(a) => writeln!(md, ", {} after.\n", spread(a)).unwrap(),
        None if has_equalize => md.push_str(". (equalize did not produce this layer.)\n\n"),
        None => md.push_str(". The pipeline has no equalize step, so there is no \"after\" panel.\n\n"),
    }
}

fn sqnr_figure(fig: &mut Figures, rows: &[LayerRow]) {
    let md = &mut fig.markdown;
    md.push_str("### Weight quantization SQNR per layer\n\n");
    if rows.iter().all(|r| r.sqnr.is_none()) {
        md.push_str("No SQNR figure: the pipeline does not quantize.\n");
        return;
    }
    let scheme = rows.iter().find_map(|r| r.scheme.clone()).unwrap_or_default();
    match draw_sqnr(rows, &scheme) {
        Ok(svg) => {
            writeln!(md, "![Weight quantization SQNR per layer](weight-sqnr.svg)\n").unwrap();
            fig.files.push(("weight-sqnr.svg".into(), svg.into_bytes()));
        }
        Err(e) => writeln!(md, "(figure not drawn: {e})\n").unwrap(),
    }
    let mean = |get: fn(&LayerRow) -> Option<f64>| {
        let v: Vec<f64> = rows.iter().filter_map(get).filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            "–".to_string()
        } else {
            format!("{:.1} dB", v.iter().sum::<f64>() / v.len() as f64)
        }
    };
    writeln!(
        md,
        "SQNR = 10·log10(Σw² / Σ(w − DQ(Q(w)))²) of each layer's weights, {scheme}; x is the `#` column of the table. \
         Naive: the weights before equalization quantized directly; pipeline: the weights the pipeline quantized. \
         Mean over layers: naive {}, pipeline {}. Grey bands mark depthwise layers; exact (infinite) values are not drawn.",
        mean(|r| r.naive_sqnr),
        mean(|r| r.sqnr)
    )
    .unwrap();
}

/// A layer name as a file name: anything but letters, digits, '-', '_' and '.' becomes '_'.
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

/// [lo, hi] padded by 5% (and by 1 when empty), so that nothing touches the frame.
fn padded(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
    (lo - pad)..(hi + pad)
}

/// Integer tick labels only (a float axis may place ticks at halves).
fn integer_label(x: &f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        String::new()
    }
}

fn draw_weight_ranges(row: &LayerRow, before: &ChannelRanges, after: Option<&ChannelRanges>) -> DrawResult<String> {
    let channels = before.0.len();
    let panels: Vec<(&ChannelRanges, String, RGBColor)> = std::iter::once((before, "before equalization (batch norm folded)", BEFORE))
        .chain(after.map(|a| (a, "after equalization", AFTER)))
        .map(|(r, what, color)| {
            let spread = r.spread().map_or("–".into(), |s| format!("{s:.3e}"));
            (r, format!("{what}: channel range spread {spread}"), color)
        })
        .collect();
    // Wide enough that a few hundred channels stay distinguishable; SVG scales anyway.
    let width = (160 + 6 * channels as u32).clamp(900, 2400);
    let height = 60 + 360 * panels.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let title = format!("Per-output-channel weight ranges of {} ({} channels)", row.name, row.out_channels);
        let root = root.titled(&title, (FONT, 24))?;
        for (area, (ranges, caption, color)) in root.split_evenly((panels.len(), 1)).iter().zip(&panels) {
            let lo = ranges.0.iter().map(|r| r.0 as f64).fold(0.0, f64::min);
            let hi = ranges.0.iter().map(|r| r.1 as f64).fold(0.0, f64::max);
            let mut chart = ChartBuilder::on(area)
                .caption(caption, (FONT, 18))
                .margin(12)
                .x_label_area_size(45)
                .y_label_area_size(80)
                .build_cartesian_2d(-0.5..channels as f64 - 0.5, padded(lo, hi))?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .light_line_style(TRANSPARENT)
                .x_labels(channels.clamp(2, 16))
                .x_label_formatter(&integer_label)
                .x_desc("output channel")
                .y_desc("weight value (min to max per channel)")
                .axis_desc_style((FONT, 15))
                .draw()?;
            chart.draw_series(ranges.0.iter().enumerate().map(|(i, &(lo, hi))| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, lo as f64), (x + 0.35, hi as f64)], color.filled())
            }))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (channels as f64 - 0.5, 0.0)],
                BLACK.mix(0.6).stroke_width(1),
            )))?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn draw_sqnr(rows: &[LayerRow], scheme: &str) -> DrawResult<String> {
    let finite = |get: fn(&LayerRow) -> Option<f64>| -> Vec<(f64, f64)> {
        rows.iter().enumerate().filter_map(|(i, r)| get(r).filter(|x| x.is_finite()).map(|y| (i as f64, y))).collect()
    };
    let naive = finite(|r| r.naive_sqnr);
    let pipeline = finite(|r| r.sqnr);
    let lo = naive.iter().chain(&pipeline).map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = naive.iter().chain(&pipeline).map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    // Room below the lowest point for the legend.
    let (lo, hi) = if lo <= hi { (lo - 0.4 * (hi - lo).max(1.0), hi) } else { (0.0, 1.0) };
    let n = rows.len();
    let width = (200 + 14 * n as u32).clamp(900, 2400);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let y = padded(lo, hi);
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Weight quantization SQNR per layer ({scheme})"), (FONT, 22))
            .margin(14)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, y.clone())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(n.clamp(2, 20))
            .x_label_formatter(&integer_label)
            .x_desc("layer index (# in the report's table)")
            .y_desc("weight SQNR (dB)")
            .axis_desc_style((FONT, 15))
            .draw()?;
        chart
            .draw_series(rows.iter().enumerate().filter(|(_, r)| r.depthwise).map(|(i, _)| {
                let x = i as f64;
                Rectangle::new([(x - 0.5, y.start), (x + 0.5, y.end)], DEPTHWISE_BAND.filled())
            }))?
            .label("depthwise layer")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], DEPTHWISE_BAND.filled()));
        for (points, label, color) in
            [(&naive, "naive (weights before equalization)", BEFORE), (&pipeline, "after the pipeline", AFTER)]
        {
            chart
                .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.5))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
