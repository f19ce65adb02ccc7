//! The passes' part of the bad-input catalogue (docs/hardening.md): weights a
//! careless exporter produces. Each case either works, with finite scales and
//! verified IR, or stops with an error located at the constant to blame.

mod common;

use common::{parse, print, run_passes, try_run_passes};
use dfq_interp::{run_function, Tensor};
use dfq_ir::{Module, Severity};
use dfq_rewrite::PassError;

const DFQ: &str = "fold-bn,equalize,absorb-bias,quantize,bias-correct";

/// conv → BN → ReLU → conv → BN: the smallest graph every DFQ step acts on.
/// `{W1}`, `{GAMMA}`, `{VAR}` are the first conv's weights and its BN's γ and variance.
const TEMPLATE: &str = r#"
func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<{W1}> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %gamma = arith.constant dense<{GAMMA}> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %var = arith.constant dense<{VAR}> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.batch_norm"(%0, %gamma, %beta, %mean, %var) {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %2 = "nn.relu"(%1) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %w2 = arith.constant dense<[[[[0.5]], [[-1.0]]], [[[2.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %b2 = arith.constant dense<0.0> : tensor<2xf32>
  %3 = "nn.conv2d"(%2, %w2, %b2) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}
"#;

const W1: &str = "[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]";

fn model(w1: &str, gamma: &str, var: &str) -> String {
    TEMPLATE.replace("{W1}", w1).replace("{GAMMA}", gamma).replace("{VAR}", var)
}

/// A fixed input in [−1, 1].
fn input() -> Tensor {
    Tensor::from_f32(vec![1, 2, 4, 4], (0..32).map(|i| ((i * 7) % 17) as f32 / 8.0 - 1.0).collect())
}

fn run(module: &Module) -> Vec<f32> {
    let out = run_function(module.function("main").unwrap(), vec![input()]).unwrap();
    out[0].to_f32_lossy()
}

/// The scales of every `!quant.uniform<..:f32, SCALE:ZP>` (and per-channel
/// `{SCALE:ZP, ...}` list) printed in `text`; each must be finite and positive.
fn scales(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for part in text.split("!quant.uniform<").skip(1) {
        let body = &part[..part.find(">>").or_else(|| part.find('>')).unwrap()];
        let params = body.split_once("f32").map(|(_, p)| p).unwrap_or("");
        for token in params.split([',', '{', '}', ' ']).filter(|t| t.contains(':')) {
            if let Ok(s) = token.split(':').next().unwrap().parse::<f64>() {
                out.push(s);
            }
        }
    }
    assert!(!out.is_empty(), "no quantized types in:\n{text}");
    for s in &out {
        assert!(s.is_finite() && *s > 0.0, "scale {s} in:\n{text}");
    }
    out
}

fn error_text(e: PassError) -> String {
    match e {
        PassError::Diagnostics(d) => {
            assert!(d.0.iter().all(|d| d.severity == Severity::Error && d.loc.is_some()), "{d}");
            d.to_string()
        }
        PassError::Message(m) => panic!("expected located diagnostics, got the message '{m}'"),
    }
}

#[test]
fn nan_and_infinite_weights_are_refused_by_every_dfq_pass_at_the_constant() {
    let nan = model("[[[[1.0]], [[0x7FC00000]]], [[[0.25]], [[2.0]]]]", "[1.0, 2.0]", "[1.0, 4.0]");
    for pass in ["fold-bn", "equalize", "absorb-bias", "quantize", "bias-correct", DFQ] {
        let mut m = parse(&nan);
        let err = error_text(try_run_passes(&mut m, pass).unwrap_err());
        // The whole pipeline stops at its first pass.
        let refusing = if pass == DFQ { "fold-bn" } else { pass };
        let expected = format!(
            "test.mlir:3:3: error: {refusing}: constant holds NaN at element 1 (index [0, 1, 0, 0]) of 'tensor<2x2x1x1xf32>'; \
             data-free quantization needs finite weights"
        );
        assert!(err.starts_with(&expected), "{pass}: {err}");
    }
    // An infinity in a BN parameter, and a splat of -inf.
    let mut m = parse(&model(W1, "[1.0, 0x7F800000]", "[1.0, 4.0]"));
    let err = error_text(try_run_passes(&mut m, "fold-bn").unwrap_err());
    assert!(err.starts_with("test.mlir:5:3: error: fold-bn: constant holds +infinity at element 1 of 'tensor<2xf32>'"), "{err}");
    let mut m = parse(&model(W1, "0xFF800000", "[1.0, 4.0]"));
    let err = error_text(try_run_passes(&mut m, "fold-bn").unwrap_err());
    assert!(err.contains("holds -infinity at element 0 (a splat: every element)"), "{err}");
}

#[test]
fn nan_statistics_on_a_layer_are_refused_by_quantize() {
    let text = common::CONV_RELU6.replace("dfq.preact_std = dense<[0.5, 1.0]>", "dfq.preact_std = dense<[0.5, 0x7FC00000]>");
    let mut m = parse(&text);
    let err = error_text(try_run_passes(&mut m, "quantize").unwrap_err());
    assert!(
        err.contains("error: quantize: 'nn.conv2d' attribute 'dfq.preact_std' holds NaN at element 1 of 'tensor<2xf32>'"),
        "{err}"
    );
}

/// Runs the DFQ pipeline (per-tensor or per-channel) and lower-int8 on `text`;
/// checks finite positive scales and that the integer model stays close to the
/// float one. Returns the diagnostics of the DFQ pipeline.
fn quantizes_cleanly(text: &str) -> Vec<dfq_ir::Diagnostic> {
    let float = parse(text);
    let reference = run(&float);
    assert!(reference.iter().all(|v| v.is_finite()));
    let mut diags = Vec::new();
    for quantize in ["quantize", "quantize{per-channel symmetric}"] {
        let mut m = float.clone();
        diags = run_passes(&mut m, &DFQ.replace("quantize", quantize));
        assert!(diags.iter().all(|d| d.severity != Severity::Error));
        run_passes(&mut m, "lower-int8");
        scales(&print(&m));
        let out = run(&m);
        let worst = out.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        let peak = reference.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(worst <= 0.1 * peak.max(1.0), "{quantize}: error {worst} against peak {peak}\n{}", print(&m));
    }
    diags
}

#[test]
fn an_all_zero_output_channel_quantizes() {
    // Channel 0 of the first conv has only zero weights: its range is [0, 0]
    // before BN, and equalize must not divide by its zero range.
    quantizes_cleanly(&model("[[[[0.0]], [[0.0]]], [[[0.25]], [[2.0]]]]", "[1.0, 2.0]", "[1.0, 4.0]"));
}

#[test]
fn an_all_zero_weight_tensor_quantizes() {
    quantizes_cleanly(&model("0.0", "[1.0, 2.0]", "[1.0, 4.0]"));
}

#[test]
fn zero_range_weights_quantize() {
    // Every weight of the tensor is 0.5: the per-tensor range [0.5, 0.5] has
    // zero width (an asymmetric grid must still include zero).
    quantizes_cleanly(&model("0.5", "[1.0, 2.0]", "[1.0, 4.0]"));
}

#[test]
fn a_batch_norm_with_zero_gamma_folds_and_quantizes() {
    // γ = 0 makes channel 1 a constant β after BN: zero weights, a std of 0 in
    // the statistics, and a zero-width range for quantize.
    let mut m = parse(&model(W1, "[1.0, 0.0]", "[1.0, 4.0]"));
    run_passes(&mut m, "fold-bn");
    let text = print(&m);
    assert!(text.contains("dfq.preact_std = dense<[1.0, 0.0]>"), "{text}");
    quantizes_cleanly(&model(W1, "[1.0, 0.0]", "[1.0, 4.0]"));
    quantizes_cleanly(&model(W1, "0.0", "[1.0, 4.0]"));
}

#[test]
fn a_batch_norm_with_negative_variance_stays_unfolded_with_a_remark() {
    let text = model(W1, "[1.0, 2.0]", "[1.0, -4.0]");
    let mut m = parse(&text);
    let diags = run_passes(&mut m, "fold-bn");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let rendered = diags[0].render(&[]);
    assert!(
        rendered.starts_with("test.mlir:10:3: remark: batch norm left unfolded: a variance plus epsilon is not positive"),
        "{rendered}"
    );
    assert!(print(&m).contains("nn.batch_norm"));
    // The rest of the pipeline goes on around it, and every scale stays finite.
    let mut m = parse(&text);
    run_passes(&mut m, DFQ);
    scales(&print(&m));
}

#[test]
fn an_op_a_pass_cannot_handle_is_a_remark_not_a_failure() {
    // A sigmoid between the layers: equalize, absorb-bias and lower-int8 skip
    // what they cannot transform, with remarks, and the rest is quantized.
    let text = model(W1, "[1.0, 2.0]", "[1.0, 4.0]").replace("\"nn.relu\"", "\"nn.sigmoid\"");
    let mut m = parse(&text);
    let diags = run_passes(&mut m, &format!("{DFQ},lower-int8"));
    assert!(diags.iter().all(|d| d.severity == Severity::Remark), "{diags:?}");
    let shown: Vec<String> = diags.iter().map(|d| d.render(&[])).collect();
    assert!(shown.iter().any(|d| d.contains("left in float: 'nn.sigmoid' has no integer lowering")), "{shown:#?}");
    scales(&print(&m));
}

#[test]
fn a_nan_input_range_is_refused_in_the_ir_and_in_the_option() {
    let text = "func.func @main(%x: tensor<4xf32> {dfq.range = [0x7FF8000000000000 : f64, 1.0]}) -> tensor<4xf32> {\n  return %x : tensor<4xf32>\n}\n";
    let err = dfq_dialects::verify_module(&parse(text)).unwrap_err().render(&[]);
    assert!(err.starts_with("test.mlir:1:17: error: argument %x of '@main': 'dfq.range' bounds must be finite, got [NaN, 1]"), "{err}");
    let mut m = parse(common::CONV_RELU6);
    match try_run_passes(&mut m, "quantize{input-range=nan,1}") {
        Err(PassError::Message(e)) => assert_eq!(e, "quantize: input-range must be 'min,max' with finite min ≤ max, got 'nan,1'"),
        other => panic!("expected an option error, got {other:?}"),
    }
}

#[test]
fn fuzz_passes_an_f16_model_is_refused_by_quantize_at_the_argument() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/passes-f16-argument.mlir");
    let mut m = parse(&std::fs::read_to_string(path).unwrap());
    // The fuzz target's pipeline; invalid IR after any pass would panic here.
    let pipeline = "fold-bn,equalize,absorb-bias,quantize{input-range=-1,1},bias-correct,lower-int8,canonicalize,dce";
    let err = error_text(try_run_passes(&mut m, pipeline).unwrap_err());
    let expected = "test.mlir:4:21: error: quantize: argument %X is 'tensor<1x3x8x8xf16>'; dfq quantizes f32 models; \
                    convert the model to f32 first";
    assert!(err.starts_with(expected), "{err}");
    // The first op producing f16 is named too.
    let mut m = parse("func.func @f(%x: tensor<4xf16>) -> tensor<4xf16> {\n  %0 = \"nn.relu\"(%x) : (tensor<4xf16>) -> tensor<4xf16>\n  return %0 : tensor<4xf16>\n}");
    let err = error_text(try_run_passes(&mut m, "quantize{input-range=-1,1}").unwrap_err());
    assert!(err.contains("test.mlir:2:3: error: quantize: 'nn.relu' produces 'tensor<4xf16>'"), "{err}");
}
