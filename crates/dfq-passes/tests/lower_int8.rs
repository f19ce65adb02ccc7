//! `lower-int8`: the integer graph computes what the QDQ graph computes.
//!
//! On one-op graphs the two agree exactly, except where the real value sits on
//! a rounding tie: `qnn.quantize` rounds halves to even, the fixed-point
//! requantization of qnn.toml halves up, and its 31-bit multiplier is a hair
//! off the real one, so a tie may land on either neighbour.
//! On whole networks the differences of single ties propagate; the figures are
//! printed and bounded.

mod common;

use common::{count_ops, folded, parse, print, random_args, returning, run_f32, try_run_passes};
use dfq_fixtures::{random, tiny, RandomNetConfig, Sampler};
use dfq_interp::Tensor;
use dfq_ir::{Function, Module, QuantParams, Value};

// ---------------------------------------------------------------------------
// Helpers

/// The final quantize of a QDQ function (the one feeding the returned dequantize):
/// its input value, scale and zero point.
fn final_quantize(f: &Function) -> (Value, f32, i64) {
    let dq = f.returned_values()[0].producer().unwrap();
    let q = f.op(dq).operands()[0].producer().unwrap();
    let ty = f.value_type(Value::Result(q, 0)).element().as_quant().unwrap().clone();
    let QuantParams::PerTensor { scale, zero_point } = ty.params else { panic!("per-tensor output") };
    (f.op(q).operands()[0], scale as f32, zero_point)
}

/// The QDQ model (`qdq`) and its lowering agree on every output element, but for
/// real values on (or, after f32 rounding, within 1e-3 of) a rounding tie, where
/// the integer result may be the other neighbour. Returns the number of ties seen.
fn assert_exact_but_ties(qdq: &Module, lowered: &Module, seed: u64) -> usize {
    let (f, g) = (&qdq.functions[0], &lowered.functions[0]);
    let x = random_args(f, seed);
    let (pre, scale, _) = final_quantize(f);
    let real = run_f32(&returning(f, pre), &x);
    let (want, got) = (run_f32(f, &x), run_f32(g, &x));
    let mut ties = 0;
    for (i, ((&r, &w), &o)) in real.iter().zip(&want).zip(&got).enumerate() {
        let steps = ((o - w) / scale).round() as i64;
        let t = r / scale;
        let tie = (t - t.floor() - 0.5).abs() < 1e-3;
        ties += tie as usize;
        let ok = steps == 0 || (tie && steps.abs() == 1);
        assert!(ok, "element {i}: real {r} (= {t} steps): QDQ gives {w}, integer {o}\n{}", print(lowered));
    }
    ties
}

/// Quantizes and lowers `text`, checks no float op of `gone` remains, and
/// compares the two models on a few inputs.
fn check_exact(text: &str, quantize: &str, gone: &[&str]) -> Module {
    let mut qdq = parse(text);
    try_run_passes(&mut qdq, quantize).unwrap();
    let mut lowered = qdq.clone();
    try_run_passes(&mut lowered, "lower-int8").unwrap();
    for name in gone {
        assert_eq!(count_ops(&lowered.functions[0], name), 0, "{name} left:\n{}", print(&lowered));
    }
    for seed in 0..4 {
        assert_exact_but_ties(&qdq, &lowered, seed);
    }
    lowered
}

// ---------------------------------------------------------------------------
// One-op graphs: exact

/// A conv's weights as a hex dense literal: k/64 with small k, the extremes −2
/// and 127/64 included so that the per-tensor scale is 2^-6 and the zero point 0.
fn conv_weights(count: usize, seed: u64) -> String {
    let mut s = Sampler::new(seed);
    let mut w: Vec<f32> = (0..count).map(|_| s.int(-20, 20) as f32 / 64.0).collect();
    w[0] = -2.0;
    w[count - 1] = 1.984375;
    let hex: String = w.iter().flat_map(|x| x.to_le_bytes()).map(|b| format!("{b:02X}")).collect();
    format!("\"0x{hex}\"")
}

#[test]
fn conv_relu_with_power_of_two_scales() {
    // Input scale 2^-4 (range [0, 255/16]), weights 2^-6, bias 2^-10 with odd
    // integers, output 2^-3 (ReLU range [0, 1.875 + 6·5]): the multiplier is 2^-7.
    let text = format!(
        r#"
func.func @main(%x: tensor<1x2x5x5xf32> {{dfq.range = [0.0, 15.9375]}}) -> tensor<1x3x5x5xf32> {{
  %w = arith.constant dense<{}> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[0.5009765625, -0.2490234375, 1.0009765625]> : tensor<3xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {{pads = array<i64: 1, 1, 1, 1>, dfq.preact_mean = dense<[1.875, 0.0, 0.0]> : tensor<3xf32>, dfq.preact_std = dense<[5.0, 1.0, 1.0]> : tensor<3xf32>}} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32>
  %1 = "nn.relu"(%0) : (tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32>
  return %1 : tensor<1x3x5x5xf32>
}}"#,
        conv_weights(54, 1)
    );
    let lowered = check_exact(&text, "quantize", &["nn.conv2d", "nn.relu"]);
    let out = print(&lowered);
    assert!(out.contains("!quant.uniform<u8:f32, 0.0625:0>"), "{out}");
    assert!(out.contains("!quant.uniform<i8:f32, 0.015625:0>"), "{out}");
    assert!(out.contains("!quant.uniform<u8:f32, 0.125:0>"), "{out}");
    assert!(out.contains("dense<[513, -255, 1025]> : tensor<3xi32>"), "{out}");
    assert!(out.contains("act_min = 0 : i64"), "{out}");
    // Inputs on even integers and odd biases make every accumulator odd: no
    // accumulator is a tie (≡ 64 mod 128), so the agreement is exact everywhere.
    let mut qdq = parse(&text);
    try_run_passes(&mut qdq, "quantize").unwrap();
    let f = &qdq.functions[0];
    let mut s = Sampler::new(3);
    let x = Tensor::from_f32(vec![1, 2, 5, 5], (0..50).map(|_| s.int(0, 127) as f32 * 0.125).collect());
    assert_eq!(run_f32(f, std::slice::from_ref(&x)), run_f32(&lowered.functions[0], &[x]));
}

#[test]
fn depthwise_conv_relu6_per_channel_symmetric() {
    let text = format!(
        r#"
func.func @main(%x: tensor<2x3x6x6xf32> {{dfq.range = [-1.3, 2.1]}}) -> tensor<2x3x3x3xf32> {{
  %w = arith.constant dense<{}> : tensor<3x1x3x3xf32>
  %b = arith.constant dense<[0.3, -0.2, 0.05]> : tensor<3xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {{groups = 3 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 1>, dfq.preact_mean = dense<[0.5, 1.0, -0.5]> : tensor<3xf32>, dfq.preact_std = dense<[0.5, 1.5, 0.25]> : tensor<3xf32>}} : (tensor<2x3x6x6xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<2x3x3x3xf32>
  %1 = "nn.relu6"(%0) : (tensor<2x3x3x3xf32>) -> tensor<2x3x3x3xf32>
  return %1 : tensor<2x3x3x3xf32>
}}"#,
        conv_weights(27, 2)
    );
    let lowered = check_exact(&text, "quantize{per-channel symmetric}", &["nn.conv2d", "nn.relu6"]);
    let out = print(&lowered);
    // ReLU6 fused: act_max = z + round(6 / s) with s = 6/255 (ReLU6 clips the range).
    assert!(out.contains("act_max = 255 : i64"), "{out}");
    assert!(out.contains("!quant.uniform<i8<-127:127>:f32:0, {"), "{out}");
}

#[test]
fn relu6_bound_inside_the_range_is_fused_exactly() {
    // The add's range exceeds 6 before the ReLU6 (means 2 + 3 = 5, σ = √2):
    // s_out = 6/255, and a clip at 4 below it gives act_max = round(4/s) = 170.
    let text = r#"
func.func @main(%a: tensor<1x4x3x3xf32> {dfq.range = [-3.0, 3.0]}, %b: tensor<1x4x3x3xf32> {dfq.range = [-1.0, 5.0]}) -> tensor<1x4x3x3xf32> {
  %lo = arith.constant dense<0.0> : tensor<f32>
  %hi = arith.constant dense<4.0> : tensor<f32>
  %0 = "nn.add"(%a, %b) : (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %2 = "nn.clip"(%1, %lo, %hi) : (tensor<1x4x3x3xf32>, tensor<f32>, tensor<f32>) -> tensor<1x4x3x3xf32>
  return %2 : tensor<1x4x3x3xf32>
}"#;
    let lowered = check_exact(text, "quantize", &["nn.add", "nn.relu6", "nn.clip"]);
    let out = print(&lowered);
    assert!(out.contains("\"qnn.add\""), "{out}");
    assert!(out.contains("act_max = 255 : i64, act_min = 0 : i64"), "{out}");
}

#[test]
fn linear_without_activation_and_flatten() {
    let text = r#"
func.func @main(%x: tensor<2x3x2x2xf32> {dfq.range = [-2.0, 2.0]}) -> tensor<2x5xf32> {
  %w = arith.constant dense<[[0.1, -0.2, 0.3, 0.05, -0.5, 0.25, 0.0, 0.125, -0.75, 0.2, 0.6, -0.1], [0.4, 0.3, -0.2, 0.1, 0.0, -0.3, 0.2, 0.1, 0.05, -0.05, 0.15, 0.2], [-0.4, 0.1, 0.1, 0.1, 0.1, -0.1, 0.0, 0.0, 0.3, 0.3, -0.3, 0.9], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, -1.0, 0.5, -0.5, 0.25, -0.25, 0.2, -0.2, 0.1, -0.1, 0.05, -0.05]]> : tensor<5x12xf32>
  %b = arith.constant dense<[0.1, -0.1, 0.0, 0.7, 0.0]> : tensor<5xf32>
  %0 = "nn.flatten"(%x) {axis = 1 : i64} : (tensor<2x3x2x2xf32>) -> tensor<2x12xf32>
  %1 = "nn.linear"(%0, %w, %b) : (tensor<2x12xf32>, tensor<5x12xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %1 : tensor<2x5xf32>
}"#;
    for options in ["quantize", "quantize{per-channel}"] {
        let lowered = check_exact(text, options, &["nn.linear", "nn.flatten"]);
        assert_eq!(count_ops(&lowered.functions[0], "qnn.flatten"), 1);
    }
}

#[test]
fn pools_concat_and_max_pool_with_relu() {
    let text = r#"
func.func @main(%a: tensor<1x2x5x5xf32> {dfq.range = [-1.0, 3.0]}, %b: tensor<1x3x5x5xf32> {dfq.range = [0.0, 8.0]}) -> tensor<1x5x1x1xf32> {
  %0 = "nn.max_pool2d"(%a) {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  %2 = "nn.avg_pool2d"(%b) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x5x5xf32>) -> tensor<1x3x5x5xf32>
  %3 = "nn.concat"(%1, %2) {axis = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<1x3x5x5xf32>) -> tensor<1x5x5x5xf32>
  %4 = "nn.global_avg_pool"(%3) : (tensor<1x5x5x5xf32>) -> tensor<1x5x1x1xf32>
  return %4 : tensor<1x5x1x1xf32>
}"#;
    let mut qdq = parse(text);
    try_run_passes(&mut qdq, "quantize").unwrap();
    let mut lowered = qdq.clone();
    try_run_passes(&mut lowered, "lower-int8").unwrap();
    let out = print(&lowered);
    for op in ["qnn.max_pool2d", "qnn.clamp", "qnn.avg_pool2d", "qnn.concat", "qnn.global_avg_pool"] {
        assert_eq!(count_ops(&lowered.functions[0], op), 1, "{op}:\n{out}");
    }
    for op in ["nn.max_pool2d", "nn.relu", "nn.avg_pool2d", "nn.concat", "nn.global_avg_pool"] {
        assert_eq!(count_ops(&lowered.functions[0], op), 0, "{op}:\n{out}");
    }
    // Several rounding steps in a row: compare each stage through the whole chain.
    for seed in 0..8 {
        let x = random_args(&qdq.functions[0], seed);
        let (want, got) = (run_f32(&qdq.functions[0], &x), run_f32(&lowered.functions[0], &x));
        let (_, scale, _) = final_quantize(&qdq.functions[0]);
        for (w, o) in want.iter().zip(&got) {
            assert!(((w - o) / scale).abs() <= 1.0 + 1e-3, "{w} vs {o}\n{out}");
        }
    }
}

#[test]
fn single_pools_and_concat_are_exact_but_ties() {
    let cases = [
        r#"%0 = "nn.avg_pool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x5x5xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>"#,
        r#"%0 = "nn.global_avg_pool"(%x) : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>"#,
        r#"%0 = "nn.max_pool2d"(%x) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x5x5xf32>) -> tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>"#,
        r#"%0 = "nn.concat"(%x, %y) {axis = 1 : i64} : (tensor<1x3x5x5xf32>, tensor<1x3x5x5xf32>) -> tensor<1x6x5x5xf32>
  return %0 : tensor<1x6x5x5xf32>"#,
    ];
    for body in cases {
        let result = body.rsplit(": ").next().unwrap();
        let text = format!(
            "func.func @main(%x: tensor<1x3x5x5xf32> {{dfq.range = [-1.5, 2.5]}}, %y: tensor<1x3x5x5xf32> {{dfq.range = [0.0, 9.0]}}) -> {result} {{\n  {body}\n}}"
        );
        check_exact(&text, "quantize", &["nn.avg_pool2d", "nn.global_avg_pool", "nn.max_pool2d", "nn.concat"]);
    }
}

#[test]
fn per_channel_clip_becomes_a_channel_clamp() {
    // After equalization ReLU6 becomes clip(0, 6/s_c): bounds that differ per
    // channel are no scalar act_max. The conv is lowered with the loosest bounds
    // and followed by a qnn.channel_clamp with each channel's own.
    let text = r#"
func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %lo = arith.constant dense<0.0> : tensor<2xf32>
  %hi = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {dfq.preact_mean = dense<[0.5, 1.5]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.clip"(%0, %lo, %hi) : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}"#;
    let mut qdq = parse(text);
    try_run_passes(&mut qdq, "quantize").unwrap();
    let mut lowered = qdq.clone();
    let remarks = try_run_passes(&mut lowered, "lower-int8").unwrap();
    assert!(remarks.is_empty(), "{remarks:?}");
    assert_eq!(count_ops(&lowered.functions[0], "qnn.conv2d"), 1);
    assert_eq!(count_ops(&lowered.functions[0], "qnn.channel_clamp"), 1);
    assert_eq!(count_ops(&lowered.functions[0], "nn.clip"), 0);
    for seed in 0..4 {
        assert_exact_but_ties(&qdq, &lowered, seed);
    }
    // Clip bounds equal in every channel are fused.
    let uniform = text.replace("dense<[1.0, 3.0]>", "dense<[3.0, 3.0]>");
    check_exact(&uniform, "quantize", &["nn.clip", "nn.conv2d"]);
}

#[test]
fn unlowerable_ops_stay_in_float_with_a_remark() {
    let text = r#"
func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.sigmoid"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.conv2d"(%0, %w) {dfq.preact_mean = dense<[0.5, 1.5]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}"#;
    let mut qdq = parse(text);
    try_run_passes(&mut qdq, "quantize").unwrap();
    let mut lowered = qdq.clone();
    let remarks = try_run_passes(&mut lowered, "lower-int8").unwrap();
    assert!(remarks.iter().any(|d| d.message.contains("'nn.sigmoid' has no integer lowering")), "{remarks:?}");
    assert_eq!(count_ops(&lowered.functions[0], "nn.sigmoid"), 1);
    assert_eq!(count_ops(&lowered.functions[0], "qnn.conv2d"), 1, "the conv after it is lowered:\n{}", print(&lowered));
    for seed in 0..4 {
        assert_exact_but_ties(&qdq, &lowered, seed);
    }
    // 16-bit activations have no integer ops: everything stays in float, valid.
    let mut wide = parse(text);
    try_run_passes(&mut wide, "quantize{act-bits=16}").unwrap();
    let remarks = try_run_passes(&mut wide, "lower-int8").unwrap();
    assert!(remarks.iter().any(|d| d.message.contains("not 8-bit per tensor")), "{remarks:?}");
    assert_eq!(count_ops(&wide.functions[0], "nn.conv2d"), 1);
}

#[test]
fn network_input_and_output_keep_the_signature() {
    let mut m = tiny(1);
    let signature = (m.functions[0].args[0].ty.clone(), m.functions[0].result_types.clone());
    try_run_passes(&mut m, "fold-bn,quantize,lower-int8").unwrap();
    let f = &m.functions[0];
    assert_eq!((f.args[0].ty.clone(), f.result_types.clone()), signature);
    let first = f.ops().next().unwrap();
    assert_eq!(f.op(first).name, "qnn.quantize");
    let ret = f.returned_values()[0].producer().unwrap();
    assert_eq!(f.op(ret).name, "qnn.dequantize");
    for float in ["nn.conv2d", "nn.linear", "nn.add", "nn.relu6", "nn.global_avg_pool", "nn.flatten"] {
        assert_eq!(count_ops(&m.functions[0], float), 0, "{float} left in tiny");
    }
    // Exactly two conversions remain: the input's quantize, the output's dequantize.
    assert_eq!((count_ops(&m.functions[0], "qnn.quantize"), count_ops(&m.functions[0], "qnn.dequantize")), (1, 1));
}

// ---------------------------------------------------------------------------
// Whole networks

struct Agreement {
    elements: usize,
    within_one_step: usize,
    exact: usize,
    max_steps: f32,
    sqnr_qdq: f64,
    sqnr_int: f64,
}

/// The lowered model against the QDQ model (in output steps) and both against
/// FP32 (SQNR in dB), over `count` inputs.
fn agreement(fp32: &Module, options: &str, seed: u64, count: u64) -> Agreement {
    let mut qdq = fp32.clone();
    try_run_passes(&mut qdq, &format!("quantize{{{options}}}")).unwrap();
    let mut lowered = qdq.clone();
    try_run_passes(&mut lowered, "lower-int8").unwrap();
    assert_eq!(count_ops(&lowered.functions[0], "nn.conv2d") + count_ops(&lowered.functions[0], "nn.linear"), 0, "{}", print(&lowered));
    let (_, scale, _) = final_quantize(&qdq.functions[0]);
    let mut a = Agreement { elements: 0, within_one_step: 0, exact: 0, max_steps: 0.0, sqnr_qdq: 0.0, sqnr_int: 0.0 };
    let (mut signal, mut noise_qdq, mut noise_int) = (0.0f64, 0.0f64, 0.0f64);
    for k in 0..count {
        let x = random_args(&fp32.functions[0], seed * 100 + k);
        let reference = run_f32(&fp32.functions[0], &x);
        let want = run_f32(&qdq.functions[0], &x);
        let got = run_f32(&lowered.functions[0], &x);
        for ((&r, &w), &o) in reference.iter().zip(&want).zip(&got) {
            let steps = ((o - w) / scale).abs();
            a.elements += 1;
            a.exact += (steps < 1e-3) as usize;
            a.within_one_step += (steps <= 1.0 + 1e-3) as usize;
            a.max_steps = a.max_steps.max(steps);
            signal += (r as f64).powi(2);
            noise_qdq += (r as f64 - w as f64).powi(2);
            noise_int += (r as f64 - o as f64).powi(2);
        }
    }
    a.sqnr_qdq = 10.0 * (signal / noise_qdq).log10();
    a.sqnr_int = 10.0 * (signal / noise_int).log10();
    a
}

fn report(name: &str, a: &Agreement) {
    eprintln!(
        "{name}: integer vs QDQ: {}/{} exact, {}/{} within 1 step, max {:.0} steps; SQNR vs FP32: QDQ {:.1} dB, integer {:.1} dB",
        a.exact, a.elements, a.within_one_step, a.elements, a.max_steps, a.sqnr_qdq, a.sqnr_int
    );
}

#[test]
fn tiny_integer_model_matches_qdq() {
    let fp32 = folded(tiny(1));
    for options in ["", "per-channel"] {
        let a = agreement(&fp32, options, 1, 16);
        report(&format!("tiny {{{options}}}"), &a);
        assert!(a.within_one_step * 10 >= a.elements * 9, "fewer than 90% within one step");
        assert!((a.sqnr_int - a.sqnr_qdq).abs() < 3.0, "integer and QDQ SQNR differ");
    }
}

#[test]
fn random_integer_models_match_qdq() {
    let (mut elements, mut within, mut exact) = (0, 0, 0);
    for seed in 0..12 {
        let fp32 = folded(random(seed, &RandomNetConfig::default()));
        let a = agreement(&fp32, "per-channel", seed, 4);
        report(&format!("random({seed})"), &a);
        (elements, within, exact) = (elements + a.elements, within + a.within_one_step, exact + a.exact);
    }
    eprintln!("random, all seeds: {exact}/{elements} exact, {within}/{elements} within one output step");
    assert!(within * 10 >= elements * 9, "fewer than 90% within one step");
}
