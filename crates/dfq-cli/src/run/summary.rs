//! `--print`: a few lines per result that tell at a glance whether a run is sane.
//!
//! ```text
//! result #0: tensor<1x10xf32>
//!   min -3.20512  max 4.1107  mean 0.2213  std 2.0452
//!   top-5 row 0: 7 (4.1107), 2 (3.0012), 9 (1.554), 0 (0.9981), 4 (0.221)
//! ```

use std::fmt::Write;

use dfq_interp::Tensor;

/// Classifier rows shown before the rest are elided.
const MAX_ROWS: usize = 8;
const TOP_K: usize = 5;

/// The summary of every result, in order.
pub fn render(results: &[Tensor]) -> String {
    let mut out = String::new();
    for (i, t) in results.iter().enumerate() {
        let _ = writeln!(out, "result #{i}: {}", describe(t));
        let values = t.to_f32_lossy();
        let _ = writeln!(out, "  {}", statistics(&values));
        if let [rows, classes] = t.shape[..] {
            if classes >= 2 {
                top_k(&mut out, &values, rows, classes);
            }
        }
    }
    out
}

/// `tensor<1x10xf32>`: the result's runtime type in MLIR notation.
fn describe(t: &Tensor) -> String {
    let dims: String = t.shape.iter().map(|d| format!("{d}x")).collect();
    format!("tensor<{dims}{}>", t.dtype())
}

/// min, max, mean and (population) standard deviation, NaNs left out and counted.
fn statistics(values: &[f32]) -> String {
    let finite: Vec<f64> = values.iter().filter(|v| !v.is_nan()).map(|&v| v.into()).collect();
    let nans = values.len() - finite.len();
    let nan_note = if nans > 0 { format!("  nan {nans}") } else { String::new() };
    if finite.is_empty() {
        return format!("no values{nan_note}");
    }
    let n = finite.len() as f64;
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = finite.iter().sum::<f64>() / n;
    let var = finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    format!("min {}  max {}  mean {}  std {}{nan_note}", num(min), num(max), num(mean), num(var.sqrt()))
}

/// The largest `TOP_K` entries of each row, largest first; ties by index.
fn top_k(out: &mut String, values: &[f32], rows: usize, classes: usize) {
    for (r, row) in values.chunks(classes).enumerate().take(MAX_ROWS) {
        let mut order: Vec<usize> = (0..classes).collect();
        // NaN sorts last: it is no one's prediction.
        let key = |i: usize| if row[i].is_nan() { f32::NEG_INFINITY } else { row[i] };
        order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        let picks: Vec<String> =
            order.iter().take(TOP_K).map(|&c| format!("{c} ({})", num(row[c].into()))).collect();
        let _ = writeln!(out, "  top-{} row {r}: {}", TOP_K.min(classes), picks.join(", "));
    }
    if rows > MAX_ROWS {
        let _ = writeln!(out, "  ... {} more rows", rows - MAX_ROWS);
    }
}

/// Six significant digits without trailing zeros, like C's `%g`.
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".to_string() } else { v.to_string() };
    }
    let magnitude = v.abs().log10().floor() as i32;
    if !(-5..6).contains(&magnitude) {
        let s = format!("{v:.5e}");
        let (mantissa, exponent) = s.split_once('e').expect("exponent format");
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    trim_zeros(&format!("{v:.*}", (5 - magnitude) as usize))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_printf_g() {
        let cases = [(0.0, "0"), (1.0, "1"), (-2.5, "-2.5"), (1234.5678, "1234.57"), (0.000123456, "0.000123456")];
        for (v, s) in cases {
            assert_eq!(num(v), s);
        }
        assert_eq!(num(1.5e-7), "1.5e-7");
        assert_eq!(num(f64::INFINITY), "inf");
    }

    #[test]
    fn classifier_output_gets_top_5_per_row() {
        let t = Tensor::from_f32(vec![2, 6], vec![0., 5., 1., 4., 2., 3., 1., 1., 9., 0., 0., 0.]);
        let text = render(&[t]);
        assert_eq!(
            text,
            "result #0: tensor<2x6xf32>\n  min 0  max 9  mean 2.16667  std 2.60875\n  \
             top-5 row 0: 1 (5), 3 (4), 5 (3), 4 (2), 2 (1)\n  top-5 row 1: 2 (9), 0 (1), 1 (1), 3 (0), 4 (0)\n"
        );
    }

    #[test]
    fn feature_maps_get_statistics_only() {
        let t = Tensor::from_i8(vec![1, 2, 1, 1], vec![-3, 5]);
        assert_eq!(render(&[t]), "result #0: tensor<1x2x1x1xi8>\n  min -3  max 5  mean 1  std 4\n");
    }

    #[test]
    fn nans_are_counted_not_averaged() {
        let t = Tensor::from_f32(vec![3], vec![1.0, f32::NAN, 3.0]);
        assert!(render(&[t]).contains("min 1  max 3  mean 2  std 1  nan 1"));
    }
}
