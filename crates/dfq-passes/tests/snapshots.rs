//! One insta snapshot of the printed IR after each pass, on small hand-written
//! graphs with weights few enough to print inline. Each test says in one line
//! what its snapshot must show; review changes with `cargo insta review`.

mod common;

use common::{parse, print, run_passes, CONV_RELU6};

/// The module after `pipeline`, printed; with the pass's remarks, if any, after
/// it as comments (they say what a pass left alone and why).
fn after(input: &str, pipeline: &str) -> String {
    let mut m = parse(input);
    let diagnostics = run_passes(&mut m, pipeline);
    let mut out = print(&m);
    for d in diagnostics {
        let line = d.loc.map(|l| format!("line {}: ", l.line)).unwrap_or_default();
        let severity = format!("{:?}", d.severity).to_lowercase();
        out.push_str(&format!("// {severity} {line}{}\n", d.message));
    }
    out
}

// ---------------------------------------------------------------------------
// fold-bn

/// σ = sqrt(var) = [2, 0.5], γ/σ = [1, −1].
const CONV_BN: &str = r#"
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]]], [[[-1.0]], [[0.5]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[2.0, -0.5]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %1 : tensor<1x2x2x2xf32>
}
"#;

#[test]
fn fold_bn_conv_with_bias() {
    // Look for: no batch_norm; W rows ×[1, −1] = [[1, 2], [1, −0.5]]; b = (b − μ)·γ/σ + β = [0.5, 5];
    // dfq.preact_mean = β = [0.5, 1], dfq.preact_std = |γ| = [2, 0.5].
    insta::assert_snapshot!(after(CONV_BN, "fold-bn"));
}

#[test]
fn fold_bn_conv_without_bias() {
    // Look for: the conv gains a bias −μ·γ/σ + β = [−0.5, 4]; weights and statistics as with a bias.
    let input = CONV_BN.replace(r#""nn.conv2d"(%x, %w, %b)"#, r#""nn.conv2d"(%x, %w)"#).replace(
        "(tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>",
        "(tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>",
    );
    insta::assert_snapshot!(after(&input, "fold-bn"));
}

#[test]
fn fold_bn_unfoldable_batch_norm_stays() {
    // Look for: the batch_norm on the function argument is unchanged, with a remark saying why.
    let input = r#"
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %p = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = "nn.batch_norm"(%x, %p, %p, %p, %p) : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
"#;
    insta::assert_snapshot!(after(input, "fold-bn"));
}

// ---------------------------------------------------------------------------
// relu6-to-relu

#[test]
fn relu6_to_relu() {
    // Look for: nn.relu where nn.relu6 was, same operand and type; nothing else changes.
    let input = r#"
func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %0 = "nn.relu6"(%x) : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}
"#;
    insta::assert_snapshot!(after(input, "relu6-to-relu"));
}

// ---------------------------------------------------------------------------
// equalize

/// conv → ReLU → conv, W1's rows 4 and 0.25, W2's columns 1 and 1. Channel 1's
/// activations are small (β ± 6γ within [0, 0.7]), so no activation range
/// limits the scales.
const CONV_RELU_CONV: &str = r#"
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[2.0, 1.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[2.0, 0.1]> : tensor<2xf32>, dfq.preact_std = dense<[4.0, 0.1]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x3x3xf32>
  return %2 : tensor<1x1x3x3xf32>
}
"#;

#[test]
fn equalize_conv_relu_conv() {
    // Look for: r1 = [4, 0.25], r2 = [1, 1] → s = [2, 0.5]: W1 rows, b1 and the statistics ÷ s
    // (W1 = diag(2, 0.5), b1 = [1, 2], preact_mean [1, 0.2], std [2, 0.2]), W2 columns × s
    // ([2, 0.5]); the ReLU stays.
    insta::assert_snapshot!(after(CONV_RELU_CONV, "equalize{tolerance=1e-7}"));
}

#[test]
fn equalize_depthwise_chain() {
    // Look for: channel 0's three ranges 8, 1, 1 meet at 2 (W1 row 0 → 2, depthwise filter 0 → 2,
    // W3 column 0 → 2); channel 1 (ranges 1, 1, 1) is left as it is; the depthwise bias of
    // channel 0 divides by the second pair's scale.
    let input = r#"
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w1 = arith.constant dense<[[[[8.0]], [[0.0]]], [[[0.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) {dfq.preact_mean = dense<[1.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %wd = arith.constant dense<1.0> : tensor<2x1x3x3xf32>
  %bd = arith.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %2 = "nn.conv2d"(%1, %wd, %bd) {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, dfq.preact_mean = dense<[1.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %3 = "nn.relu"(%2) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w3 = arith.constant dense<[[[[1.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  %4 = "nn.conv2d"(%3, %w3) : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x3x3xf32>
  return %4 : tensor<1x1x3x3xf32>
}
"#;
    insta::assert_snapshot!(after(input, "equalize{tolerance=1e-7}"));
}

#[test]
fn equalize_relu6_becomes_per_channel_clip() {
    // Look for: nn.relu6 replaced by nn.clip with per-channel bounds min 0, max 6/s_i, where s_i
    // divides W1's row i, b1 and the statistics and multiplies W2's column i (s = [2, 0.5] as with
    // the ReLU, max = [3, 12]): the function is unchanged.
    let input = CONV_RELU_CONV.replace(r#""nn.relu"("#, r#""nn.relu6"("#);
    insta::assert_snapshot!(after(&input, "equalize{tolerance=1e-7}"));
}

// ---------------------------------------------------------------------------
// absorb-bias

#[test]
fn absorb_bias_moves_the_always_positive_part() {
    // Look for: c = max(0, β − 3γ) = [4.5, 0]: b1 = [6, 1] − c = [1.5, 1] and W1's preact_mean
    // [1.5, 1] (std unchanged); b2 = 0.5 + Σ W2·c = 0.5 + 2·4.5 = [9.5]; the ReLU stays.
    let input = r#"
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[0.0]]], [[[0.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[6.0, 1.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[6.0, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %w2 = arith.constant dense<[[[[2.0]], [[0.5]]]]> : tensor<1x2x1x1xf32>
  %b2 = arith.constant dense<[0.5]> : tensor<1xf32>
  %2 = "nn.conv2d"(%1, %w2, %b2) : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %2 : tensor<1x1x2x2xf32>
}
"#;
    insta::assert_snapshot!(after(input, "absorb-bias"));
}

// ---------------------------------------------------------------------------
// quantize

#[test]
fn quantize_per_tensor() {
    // Look for: four quantize/dequantize pairs: input u8 scale 2/255 zp 127; weights one i8 scale
    // 2.5/255 zp −77; bias i32 scale s_in·s_w zp 0; after the ReLU6 u8 scale 5.75/255 zp 0.
    insta::assert_snapshot!(after(CONV_RELU6, "quantize"));
}

#[test]
fn quantize_per_channel() {
    // Look for: weights per axis 0 ({scale:zp} for each row, asymmetric), the bias per axis too
    // (scale s_in·s_w[o]); activations stay per tensor.
    insta::assert_snapshot!(after(CONV_RELU6, "quantize{per-channel}"));
}

#[test]
fn quantize_symmetric() {
    // Look for: every zero point 0: weights i8<-127:127> scale 2/127, the input (range < 0) signed
    // i8<-127:127> scale 1/127, the ReLU6 output (range ≥ 0) u8 scale 5.75/255.
    insta::assert_snapshot!(after(CONV_RELU6, "quantize{symmetric}"));
}

// ---------------------------------------------------------------------------
// bias-correct

/// conv → ReLU → conv: the second conv's input has statistics upstream, so
/// its bias can be corrected analytically; the first conv's cannot.
const TWO_CONVS: &str = r#"
func.func @main(%x: tensor<1x2x2x2xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[0.5, 1.0]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %w2 = arith.constant dense<[[[[0.3]], [[-0.7]]], [[[0.11]], [[0.9]]]]> : tensor<2x2x1x1xf32>
  %b2 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
  %2 = "nn.conv2d"(%1, %w2, %b2) {dfq.preact_mean = dense<[0.0, 0.0]> : tensor<2xf32>, dfq.preact_std = dense<[1.0, 1.0]> : tensor<2xf32>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}
"#;

#[test]
fn quantize_then_bias_correct() {
    // Look for: compared with quantize alone (the next snapshot), only %b2 — the float bias in
    // front of the second conv's bias quantize — differs: it is −ε·E[x], nonzero, where
    // E[x] is the mean of ReLU(N(β, γ²)); the first conv keeps its bias (remark: no statistics).
    insta::assert_snapshot!(after(TWO_CONVS, "quantize,bias-correct"));
}

#[test]
fn quantize_before_bias_correct() {
    // Look for: the reference for the snapshot above: %b2 = [0, 0] in front of its quantize.
    insta::assert_snapshot!(after(TWO_CONVS, "quantize"));
}

// ---------------------------------------------------------------------------
// lower-int8

#[test]
fn lower_int8_conv_relu6() {
    // Look for: one qnn.conv2d reading i8 weights (of the quantized type) and an i32 bias, with the
    // ReLU6 fused as act_min = 0, act_max = 255; the input keeps its qnn.quantize and the output
    // its qnn.dequantize; no nn.conv2d or nn.relu6 left.
    insta::assert_snapshot!(after(CONV_RELU6, "quantize,lower-int8"));
}

// ---------------------------------------------------------------------------
// canonicalize, dce

#[test]
fn canonicalize_folds_shape_ops() {
    // Look for: the reshape of %c is a constant of shape 4 ([1, 2, 3, 4]); the reshape chain
    // becomes one reshape of %x; the identity reshape and the one-input concat are gone.
    let input = r#"
func.func @main(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<3x2xf32>, tensor<4xf32>) {
  %c = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = "nn.reshape"(%c) {shape = array<i64: 4>} : (tensor<2x2xf32>) -> tensor<4xf32>
  %1 = "nn.reshape"(%x) {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = "nn.reshape"(%1) {shape = array<i64: 6>} : (tensor<3x2xf32>) -> tensor<6xf32>
  %3 = "nn.reshape"(%1) {shape = array<i64: 3, 2>} : (tensor<3x2xf32>) -> tensor<3x2xf32>
  %4 = "nn.concat"(%3) {axis = 0 : i64} : (tensor<3x2xf32>) -> tensor<3x2xf32>
  return %2, %4, %0 : tensor<6xf32>, tensor<3x2xf32>, tensor<4xf32>
}
"#;
    insta::assert_snapshot!(after(input, "canonicalize"));
}

#[test]
fn dce_removes_unused_ops() {
    // Look for: %dead, %unused and the constant only they read are gone; %0 and the return stay.
    let input = r#"
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %dead = "nn.add"(%x, %c) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %unused = "nn.relu"(%dead) : (tensor<2xf32>) -> tensor<2xf32>
  %0 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
"#;
    insta::assert_snapshot!(after(input, "dce"));
}
