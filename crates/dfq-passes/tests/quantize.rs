//! `quantize`: the scale/zero-point math, the QDQ form it writes, and how close
//! the QDQ model's float output stays to FP32 on the fixtures.

mod common;

use common::metrics::sqnr_db;
use common::{count_ops, folded, parse, print, random_inputs, try_run_passes, CONV_RELU6};
use dfq_fixtures::{random, tiny, RandomNetConfig};
use dfq_ir::{Module, QuantParams, Severity};
use dfq_passes::quantize::quantizer::{channel_params, choose_params, Grid, Params, Scheme};
use dfq_quant::{dequantize, quantize};
use dfq_rewrite::PassError;

/// A scale as the IR prints it: an f32 value, written as the f64 it is.
fn f32_scale(s: f64) -> String {
    dfq_ir::float_fmt::format_f64(s as f32 as f64)
}

// ---------------------------------------------------------------------------
// Quantizer math

const W8: Scheme = Scheme { bits: 8, symmetric: false };
const W8_SYM: Scheme = Scheme { bits: 8, symmetric: true };

fn assert_valid(p: Params, grid: Grid) {
    assert!(p.scale > 0.0 && p.scale.is_finite(), "scale {p:?}");
    assert_eq!(p.scale as f32 as f64, p.scale, "scales are f32 values");
    assert!((grid.qmin..=grid.qmax).contains(&p.zero_point), "{p:?} on {grid:?}");
}

/// Real zero must survive quantization exactly (padding, ReLU's floor).
fn assert_zero_exact(p: Params, grid: Grid) {
    let q = quantize(0.0, p.scale as f32, p.zero_point, grid.qmin, grid.qmax);
    assert_eq!(dequantize(q, p.scale as f32, p.zero_point), 0.0);
}

#[test]
fn asymmetric_u8_activation_covers_its_range() {
    let grid = Grid::activation(W8, false);
    assert_eq!((grid.signed, grid.width, grid.qmin, grid.qmax, grid.storage_range()), (false, 8, 0, 255, None));
    let p = choose_params(-1.0, 3.0, grid, false);
    assert_valid(p, grid);
    assert_zero_exact(p, grid);
    assert!((p.scale - 4.0 / 255.0).abs() < 1e-7);
    assert_eq!(p.zero_point, 64);
    // Every value in range comes back within half a step.
    for i in 0..=400 {
        let x = -1.0 + i as f32 * 0.01;
        let back = dequantize(quantize(x, p.scale as f32, p.zero_point, 0, 255), p.scale as f32, p.zero_point);
        assert!((back - x).abs() <= p.scale as f32 * 0.5001, "{x} → {back}");
    }
}

#[test]
fn constant_and_all_zero_tensors_get_positive_finite_scales() {
    let grid = Grid::activation(W8, true);
    // A constant 0.5: the range widens to [0, 0.5], so 0.5 is the top of the grid.
    let p = choose_params(0.5, 0.5, grid, false);
    assert_valid(p, grid);
    assert_eq!(quantize(0.5, p.scale as f32, p.zero_point, 0, 255), 255);
    // All zeros: taken as [0, 1].
    for symmetric in [false, true] {
        let p = choose_params(0.0, 0.0, Grid::weight(Scheme { bits: 8, symmetric }), symmetric);
        assert_valid(p, Grid::weight(Scheme { bits: 8, symmetric }));
        assert_zero_exact(p, Grid::weight(Scheme { bits: 8, symmetric }));
    }
    // Degenerate inputs stay finite.
    for (lo, hi) in [(f64::NAN, f64::NAN), (f64::NEG_INFINITY, f64::INFINITY), (1e-45, 1e-45)] {
        assert_valid(choose_params(lo, hi, grid, false), grid);
    }
}

#[test]
fn all_zero_channel_keeps_a_valid_scale_per_channel() {
    let grid = Grid::weight(W8);
    let w = [0.0, 0.0, 0.0, -0.5, 0.25, 1.0];
    let params = channel_params(&w, 2, grid, false);
    assert_valid(params[0], grid);
    assert_valid(params[1], grid);
    assert_zero_exact(params[0], grid);
    assert!((params[1].scale - 1.5 / 255.0).abs() < 1e-7);
}

#[test]
fn negative_only_range_includes_zero() {
    let grid = Grid::activation(W8, false);
    let p = choose_params(-3.0, -1.0, grid, false);
    assert_valid(p, grid);
    assert_eq!(p.zero_point, 255, "0 is the top of [−3, 0]");
    assert_zero_exact(p, grid);
    let wgrid = Grid::weight(W8);
    let p = choose_params(-2.0, -0.5, wgrid, false);
    assert_eq!(p.zero_point, 127);
    assert_zero_exact(p, wgrid);
}

#[test]
fn two_bit_grids() {
    let s2 = Scheme { bits: 2, symmetric: false };
    let act = Grid::activation(s2, true);
    assert_eq!((act.qmin, act.qmax, act.storage_range()), (0, 3, Some((0, 3))));
    let p = choose_params(0.0, 6.0, act, false);
    assert_eq!((p.scale, p.zero_point), (2.0, 0));
    assert_eq!(act.quant_type(&[p], false).to_string(), "!quant.uniform<u8<0:3>:f32, 2.0:0>");
    let w = Grid::weight(s2);
    assert_eq!((w.qmin, w.qmax), (-2, 1));
    let p = choose_params(-1.0, 0.5, w, false);
    assert_valid(p, w);
    assert_zero_exact(p, w);
    // Symmetric 2-bit weights are ternary: {−1, 0, 1}·s.
    let sym = Grid::weight(Scheme { bits: 2, symmetric: true });
    assert_eq!((sym.qmin, sym.qmax), (-1, 1));
    let p = choose_params(-0.3, 0.7, sym, true);
    assert_eq!((p.scale, p.zero_point), (0.7f32 as f64, 0));
}

#[test]
fn four_bit_activation_narrows_u8() {
    let grid = Grid::activation(Scheme { bits: 4, symmetric: false }, true);
    let p = choose_params(0.0, 1.5, grid, false);
    assert_eq!(grid.quant_type(&[p], false).to_string(), "!quant.uniform<u8<0:15>:f32, 0.10000000149011612:0>");
}

#[test]
fn sixteen_bit_grids_use_16_bit_storage() {
    let s16 = Scheme { bits: 16, symmetric: false };
    let act = Grid::activation(s16, false);
    assert_eq!((act.signed, act.width, act.qmin, act.qmax, act.storage_range()), (false, 16, 0, 65535, None));
    let p = choose_params(-1.0, 1.0, act, false);
    assert_valid(p, act);
    assert_zero_exact(p, act);
    assert!((p.scale - 2.0 / 65535.0).abs() < 1e-9);
    let w = Grid::weight(s16);
    assert_eq!((w.width, w.qmin, w.qmax, w.storage_range()), (16, -32768, 32767, None));
    let t = w.quant_type(&[choose_params(-1.0, 1.0, w, false)], false);
    assert!(t.to_string().starts_with("!quant.uniform<i16:f32, "), "{t}");
    // 12 bits narrow the 16-bit storage.
    let a12 = Grid::activation(Scheme { bits: 12, symmetric: false }, true);
    assert_eq!(a12.storage_range(), Some((0, 4095)));
}

#[test]
fn symmetric_versus_asymmetric() {
    // Symmetric weights: narrow signed grid, zero point 0, scale max|w| / 127.
    let sym = Grid::weight(W8_SYM);
    assert_eq!(sym.storage_range(), Some((-127, 127)));
    let p = choose_params(-0.5, 1.27, sym, true);
    assert_eq!(p.zero_point, 0);
    assert!((p.scale - 0.01).abs() < 1e-8);
    assert_eq!(sym.quant_type(&[p], false).to_string(), "!quant.uniform<i8<-127:127>:f32, 0.009999999776482582:0>");
    // Asymmetric weights use all of i8 with a zero point.
    let asym = Grid::weight(W8);
    let p = choose_params(-0.5, 1.27, asym, false);
    assert!((p.scale - 1.77 / 255.0).abs() < 1e-7);
    assert_eq!(p.zero_point, -56);
    // Symmetric activations: unsigned with zero point 0 when non-negative, else narrow i8.
    let relu = Grid::activation(W8_SYM, true);
    assert_eq!((relu.signed, relu.qmin, relu.qmax), (false, 0, 255));
    assert_eq!(choose_params(0.0, 5.1, relu, true).zero_point, 0);
    let signed = Grid::activation(W8_SYM, false);
    assert_eq!((signed.signed, signed.qmin, signed.qmax), (true, -127, 127));
    let p = choose_params(-2.0, 1.0, signed, true);
    assert!((p.scale - 2.0 / 127.0).abs() < 1e-7);
}

#[test]
fn per_channel_scales_follow_each_row() {
    let grid = Grid::weight(W8_SYM);
    let w = [1.27, -0.5, 0.0, 0.127, -0.0635, 0.1];
    let p = channel_params(&w, 2, grid, true);
    assert!((p[0].scale - 0.01).abs() < 1e-8 && (p[1].scale - 0.001).abs() < 1e-9, "{p:?}");
    let t = grid.quant_type(&p, true);
    assert!(matches!(t.params, QuantParams::PerAxis { axis: 0, ref scales, .. } if scales.len() == 2));
    assert!(t.to_string().starts_with("!quant.uniform<i8<-127:127>:f32:0, {"), "{t}");
}

// ---------------------------------------------------------------------------
// The QDQ form on hand-written graphs


#[test]
fn conv_relu6_gets_pairs_on_input_weights_bias_and_activation() {
    let mut m = parse(CONV_RELU6);
    try_run_passes(&mut m, "quantize").unwrap();
    let text = print(&m);
    assert_eq!(count_ops(&m.functions[0], "qnn.quantize"), 4, "{text}");
    assert_eq!(count_ops(&m.functions[0], "qnn.dequantize"), 4, "{text}");
    // Input [-1, 1] → scale 2/255, zero point 127 (127.5 rounds to even, but the
    // f32 scale is a hair above 2/255).
    assert!(text.contains("(tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.007843137718737125:127>>"), "{text}");
    // Weights in [-0.5, 2] on i8: scale 2.5/255, zero point -128 + 0.5/s = -77.
    assert!(text.contains("tensor<2x2x1x1x!quant.uniform<i8:f32, 0.009803921915590763:-77>>"), "{text}");
    // Bias: i32, scale s_in·s_w, zero point 0.
    let s_bias = (2.0f32 / 255.0) as f64 * (2.5f32 / 255.0) as f64;
    assert!(text.contains(&format!("tensor<2x!quant.uniform<i32:f32, {}:0>>", dfq_ir::float_fmt::format_f64(s_bias))), "{text}");
    // The activation pair follows the ReLU6: range max over channels of
    // clip(β ± 6γ, 0, 6) = [0, 3.5] ∪ [0, 5.75] → scale 5.75/255.
    let relu = text.find("nn.relu6").unwrap();
    let after = &text[relu..];
    assert!(after.contains(&format!("!quant.uniform<u8:f32, {}:0>", f32_scale(5.75 / 255.0))), "{text}");
    // The function still returns f32.
    assert!(text.contains("return") && text.contains("-> tensor<1x2x4x4xf32> {"));
}

#[test]
fn per_channel_symmetric_and_narrow_bit_widths() {
    let mut m = parse(CONV_RELU6);
    try_run_passes(&mut m, "quantize{per-channel symmetric weight-bits=4 act-bits=4}").unwrap();
    let text = print(&m);
    // Rows [1, -0.5] and [0.25, 2]: symmetric 4-bit scales 1/7 and 2/7.
    assert!(text.contains("!quant.uniform<i8<-7:7>:f32:0, {0.1428571492433548:0, 0.2857142984867096:0}>"), "{text}");
    assert!(text.contains("!quant.uniform<i32:f32:0, {"), "per-channel bias: {text}");
    // Activations non-negative after ReLU6: unsigned, zero point 0, 4 bits.
    assert!(text.contains("!quant.uniform<u8<0:15>:f32, 0.38333332538604736:0>"), "{text}");
    // The symmetric input range [-1, 1] is signed.
    assert!(text.contains("!quant.uniform<i8<-7:7>:f32, 0.1428571492433548:0>>"), "{text}");
    // 16-bit weights and activations: verify (the run helper checks).
    let mut m = parse(CONV_RELU6);
    try_run_passes(&mut m, "quantize{weight-bits=16 act-bits=16}").unwrap();
    assert!(print(&m).contains("!quant.uniform<u16:f32, "));
}

#[test]
fn missing_input_range_is_a_located_error_naming_the_argument() {
    let text = CONV_RELU6.replace(" {dfq.range = [-1.0, 1.0]}", "");
    let mut m = parse(&text);
    let err = try_run_passes(&mut m, "quantize").unwrap_err();
    let PassError::Diagnostics(d) = err else { panic!("expected a diagnostic, got {err}") };
    let d = &d.0[0];
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("argument %x of '@main' has no 'dfq.range'"), "{}", d.message);
    let loc = d.loc.as_ref().expect("located");
    assert_eq!((loc.line, &*loc.file), (2, "test.mlir"));
    // The option supplies it.
    let mut m = parse(&text);
    try_run_passes(&mut m, "quantize{input-range=-1,1}").unwrap();
    assert!(print(&m).contains("u8:f32, 0.007843137718737125:127"));
}

#[test]
fn options_are_validated() {
    let registry = dfq_passes::registry();
    for bad in ["weight-bits=1", "act-bits=17", "input-range=1", "input-range=2,1", "std-devs=0"] {
        let entry = dfq_rewrite::PipelineEntry { name: "quantize".into(), options: bad.into() };
        assert!(registry.create(&entry).is_err(), "{bad} accepted");
    }
}

#[test]
fn residual_add_concat_and_pools() {
    let text = r#"
func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [0.0, 1.0]}) -> tensor<1x4x1x1xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w) {dfq.preact_mean = dense<[0.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 2.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.conv2d"(%0, %w) {dfq.preact_mean = dense<[3.0, 0.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %2 = "nn.add"(%0, %1) : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %3 = "nn.relu"(%2) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %4 = "nn.max_pool2d"(%3) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %5 = "nn.concat"(%4, %4) {axis = 1 : i64} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32>
  %6 = "nn.global_avg_pool"(%5) : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  return %6 : tensor<1x4x1x1xf32>
}
"#;
    let mut m = parse(text);
    try_run_passes(&mut m, "quantize").unwrap();
    let out = print(&m);
    let ty_after = |op: &str| {
        let at = out.find(op).unwrap_or_else(|| panic!("{op} missing: {out}"));
        let q = out[at..].find("\"qnn.quantize\"").unwrap() + at;
        let line = &out[q..out[q..].find('\n').unwrap() + q];
        line[line.rfind("!quant").unwrap()..].to_string()
    };
    // The add's range: means 3 and 1, σ = √2 and √5 per channel, clipped by the
    // ReLU: channel 0 [0, 3 + 6√2], channel 1 [0, 1 + 6√5]; union max 14.416.
    let expected = f32_scale((1.0 + 6.0 * 5f64.sqrt()) / 255.0);
    assert!(ty_after("nn.relu").starts_with(&format!("!quant.uniform<u8:f32, {expected}:0>")), "{out}");
    // Max pooling keeps its input's quantization.
    assert_eq!(ty_after("nn.max_pool2d"), ty_after("nn.relu"));
    assert_eq!(ty_after("nn.concat"), ty_after("nn.relu"), "a union of equal ranges");
    assert!(out.contains("nn.global_avg_pool"));
    // Input, the weights of both convs, and six activations.
    assert_eq!(count_ops(&m.functions[0], "qnn.quantize"), 9, "{out}");
}

#[test]
fn layer_without_statistics_is_estimated_with_a_remark() {
    let text = r#"
func.func @main(%x: tensor<1x4xf32> {dfq.range = [0.0, 1.0]}) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 1.0, 1.0, 1.0], [-1.0, 0.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %b = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = "nn.linear"(%x, %w, %b) : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
"#;
    let mut m = parse(text);
    let remarks = try_run_passes(&mut m, "quantize").unwrap();
    assert!(remarks.iter().any(|d| d.message.contains("no batch-norm statistics")), "{remarks:?}");
    // Channel 0: mean 2, σ = √(4/12) → 2 ± 3.46 within the interval bound [0, 4];
    // channel 1: 1 − x₀ in [0, 1]. The union [0, 4] (0 included).
    let out = print(&m);
    assert!(out.contains(&format!("!quant.uniform<u8:f32, {}:0>", f32_scale(4.0 / 255.0))), "{out}");
}

#[test]
fn quantizing_twice_changes_nothing() {
    let mut m = parse(CONV_RELU6);
    try_run_passes(&mut m, "quantize").unwrap();
    let once = print(&m);
    let remarks = try_run_passes(&mut m, "quantize").unwrap();
    assert_eq!(print(&m), once);
    assert!(remarks.is_empty(), "{remarks:?}");
}

// ---------------------------------------------------------------------------
// Fixtures: the QDQ model runs and stays close to FP32

fn qdq_sqnr(fp32: &Module, options: &str, seed: u64) -> f64 {
    let mut q = fp32.clone();
    try_run_passes(&mut q, &format!("quantize{{{options}}}")).unwrap();
    sqnr_db(fp32, &q, &random_inputs(&fp32.functions[0], seed, 4))
}

#[test]
fn tiny_qdq_model_is_close_to_fp32() {
    let fp32 = folded(tiny(1));
    let per_tensor = qdq_sqnr(&fp32, "", 7);
    let per_channel = qdq_sqnr(&fp32, "per-channel", 7);
    let symmetric = qdq_sqnr(&fp32, "symmetric per-channel", 7);
    let w6 = qdq_sqnr(&fp32, "weight-bits=6 per-channel", 7);
    eprintln!(
        "tiny: QDQ SQNR W8A8 per-tensor {per_tensor:.1} dB, per-channel {per_channel:.1} dB, \
         symmetric per-channel {symmetric:.1} dB, W6A8 per-channel {w6:.1} dB"
    );
    // Per tensor, tiny's folded depthwise weights span ranges too different for
    // one scale (the disparity DFQ's equalization exists for); per channel is fine.
    assert!(per_tensor > 3.0, "per-tensor {per_tensor:.1} dB");
    assert!(per_channel > 25.0, "per-channel {per_channel:.1} dB");
    assert!(symmetric > 25.0, "symmetric {symmetric:.1} dB");
    assert!(w6 > 15.0 && w6 < per_channel, "W6 {w6:.1} dB");
}

#[test]
fn random_qdq_models_are_close_to_fp32() {
    let mut per_channel: Vec<f64> = (0..16)
        .map(|seed| {
            let fp32 = folded(random(seed, &RandomNetConfig::default()));
            let (t, c) = (qdq_sqnr(&fp32, "", seed), qdq_sqnr(&fp32, "per-channel", seed));
            eprintln!("random({seed}): QDQ SQNR W8A8 per-tensor {t:.1} dB, per-channel {c:.1} dB");
            c
        })
        .collect();
    per_channel.sort_by(f64::total_cmp);
    // A few seeds have activations beyond β ± 6γ (their batch-norm statistics do
    // not describe the test inputs well), which clips; most are close.
    assert!(per_channel[0] > 5.0, "worst seed {:.1} dB", per_channel[0]);
    assert!(per_channel[8] > 25.0, "median {:.1} dB", per_channel[8]);
}
