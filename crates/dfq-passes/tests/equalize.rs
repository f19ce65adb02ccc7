//! `equalize`: the function is preserved (interpreter outputs before and after
//! agree), each pair's channel ranges end up equal, the sweeps converge, and the
//! per-channel range spread of depthwise layers — DFQ's motivating problem —
//! collapses.

mod common;

use common::{count_ops, max_relative_deviation, parse, random_inputs, run_passes};
use dfq_fixtures::{mobilenet_v2, random, tiny, RandomNetConfig};
use dfq_ir::{Function, Module, OpId, Value};
use dfq_passes::equalize::{equalize_function, EqualizeOptions, PairSummary, Summary};
use dfq_passes::layer::Layer;
use dfq_passes::quantize::ranges::{analyze, RangeOptions};

// ---------------------------------------------------------------------------
// Helpers

fn folded(mut m: Module) -> Module {
    run_passes(&mut m, "fold-bn");
    m
}

/// The shipped example and random networks (residual adds, concats, pools,
/// grouped and depthwise convs, ReLU and ReLU6, flatten heads), BN folded.
fn fixtures() -> Vec<(String, Module)> {
    let mut nets = vec![("tiny(1)".to_string(), folded(tiny(1))), ("tiny(2)".to_string(), folded(tiny(2)))];
    for seed in 0..24 {
        nets.push((format!("random({seed})"), folded(random(seed, &RandomNetConfig::default()))));
    }
    nets
}

fn equalize(m: &mut Module) -> Summary {
    equalize_function(&mut m.functions[0], &EqualizeOptions::default(), &mut Vec::new())
}

/// The paper's scales: weight ranges only, no activation bound.
const PAPER: EqualizeOptions = EqualizeOptions { tolerance: 1e-2, max_iterations: 100, bound_activations: false };

fn equalize_as_paper(m: &mut Module) -> Summary {
    equalize_function(&mut m.functions[0], &PAPER, &mut Vec::new())
}

fn layer(f: &Function, op: OpId) -> Layer {
    Layer::read(f, op).expect("pairs hold layers")
}

/// r2 per channel of the pair's W1: the largest input range, over all W2s, of
/// the features the channel feeds (a block of them behind a flatten).
fn consumer_ranges(f: &Function, pair: &PairSummary) -> Vec<f32> {
    let channels = pair.scales.len();
    let mut r2 = vec![0.0f32; channels];
    for &op in &pair.consumers {
        let ranges = layer(f, op).input_ranges();
        let per_channel = ranges.len() / channels;
        for (k, r) in ranges.into_iter().enumerate() {
            r2[k / per_channel] = r2[k / per_channel].max(r);
        }
    }
    r2
}

fn relative_difference(a: f32, b: f32) -> f32 {
    (a - b).abs() / a.abs().max(b.abs())
}

/// Largest over smallest per-channel range of a layer's weights.
fn spread(f: &Function, op: OpId) -> f32 {
    let ranges = layer(f, op).output_ranges();
    let max = ranges.iter().copied().fold(0.0, f32::max);
    let min = ranges.iter().copied().fold(f32::INFINITY, f32::min);
    max / min
}

// ---------------------------------------------------------------------------
// Function preservation

#[test]
fn equalize_preserves_outputs_on_fixtures() {
    let (mut worst, mut pairs, mut clips) = (0.0f64, 0, 0);
    for (name, reference) in fixtures() {
        let mut eq = reference.clone();
        run_passes(&mut eq, "equalize");
        let f = &eq.functions[0];
        clips += count_ops(f, "nn.clip");
        pairs += count_ops(&reference.functions[0], "nn.relu6") - count_ops(f, "nn.relu6");
        let xs = random_inputs(&reference.functions[0], 11, 3);
        let dev = max_relative_deviation(&reference, &eq, &xs);
        assert!(dev < 1e-4, "{name}: equalize changed outputs by {dev:.2e} (relative)");
        worst = worst.max(dev);
    }
    println!(
        "equalize: largest output deviation {worst:.2e} (relative to max |output|); {pairs} ReLU6 became {clips} clips"
    );
    assert!(clips > 0 && clips == pairs, "ReLU6s between equalized layers become per-channel clips");
}

/// conv → ReLU → global pool → flatten → linear, conv → PReLU → max pool →
/// flatten (4 features per channel) → linear, and a fan-out to two convs.
const CROSSINGS: &str = r#"
func.func @main(%x: tensor<2x2x4x4xf32>) -> (tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x3x4x4xf32>, tensor<2x2x2x2xf32>) {
  %w1 = arith.constant dense<[[[[0.1]], [[0.2]]], [[[3.0]], [[-1.0]]], [[[0.01]], [[0.02]]]]> : tensor<3x2x1x1xf32>
  %b1 = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %0 = "nn.conv2d"(%x, %w1, %b1) : (tensor<2x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  %1 = "nn.relu"(%0) : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  %2 = "nn.global_avg_pool"(%1) : (tensor<2x3x4x4xf32>) -> tensor<2x3x1x1xf32>
  %3 = "nn.flatten"(%2) {axis = 1 : i64} : (tensor<2x3x1x1xf32>) -> tensor<2x3xf32>
  %w2 = arith.constant dense<[[1.0, 0.5, 8.0], [-2.0, 0.25, 4.0], [0.5, 0.5, 0.5]]> : tensor<3x3xf32>
  %4 = "nn.linear"(%3, %w2) : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>

  %w3 = arith.constant dense<[[[[2.0]], [[0.5]]], [[[0.05]], [[-0.1]]]]> : tensor<2x2x1x1xf32>
  %5 = "nn.conv2d"(%x, %w3) : (tensor<2x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<2x2x4x4xf32>
  %slope = arith.constant dense<[[[0.1]], [[0.3]]]> : tensor<2x1x1xf32>
  %6 = "nn.prelu"(%5, %slope) : (tensor<2x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<2x2x4x4xf32>
  %7 = "nn.max_pool2d"(%6) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x2x4x4xf32>) -> tensor<2x2x2x2xf32>
  %8 = "nn.flatten"(%7) {axis = 1 : i64} : (tensor<2x2x2x2xf32>) -> tensor<2x8xf32>
  %w4 = arith.constant dense<[[0.1, 0.2, 0.3, 0.4, 5.0, 6.0, 7.0, 8.0], [1.0, -1.0, 1.0, -1.0, 0.5, 0.5, 0.5, 0.5]]> : tensor<2x8xf32>
  %9 = "nn.linear"(%8, %w4) : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x2xf32>

  %w5 = arith.constant dense<[[[[4.0]], [[0.5]]], [[[0.01]], [[0.1]]]]> : tensor<2x2x1x1xf32>
  %10 = "nn.conv2d"(%x, %w5) : (tensor<2x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<2x2x4x4xf32>
  %11 = "nn.relu6"(%10) : (tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  %w6 = arith.constant dense<0.3> : tensor<3x2x3x3xf32>
  %12 = "nn.conv2d"(%11, %w6) {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x4x4xf32>
  %w7 = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[0.1, 0.2], [0.3, 0.4]]]]> : tensor<2x1x2x2xf32>
  %13 = "nn.avg_pool2d"(%11) {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>} : (tensor<2x2x4x4xf32>) -> tensor<2x2x3x3xf32>
  %14 = "nn.conv2d"(%13, %w7) {groups = 2 : i64} : (tensor<2x2x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<2x2x2x2xf32>
  return %4, %9, %12, %14 : tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x3x4x4xf32>, tensor<2x2x2x2xf32>
}
"#;

/// Every output of the function, concatenated.
fn all_outputs(m: &Module, x: &dfq_interp::Tensor) -> Vec<f32> {
    let out = dfq_interp::run_function(&m.functions[0], vec![x.clone()]).unwrap();
    out.iter().flat_map(|t| t.as_f32().unwrap().to_vec()).collect()
}

/// Both scale rules cross the same ops and keep the function; the paper's
/// equalizes the ranges exactly (the bounded rule stops short where an
/// activation would widen).
#[test]
fn equalize_crosses_pooling_flatten_prelu_and_fan_out() {
    for paper in [false, true] {
        crossings_keep_function(paper);
    }
}

fn crossings_keep_function(paper: bool) {
    let reference = parse(CROSSINGS);
    let mut eq = reference.clone();
    let summary = if paper { equalize_as_paper(&mut eq) } else { equalize(&mut eq) };
    common::run_passes(&mut eq, "dce");
    assert_eq!(summary.pairs.len(), 3, "conv→linear, conv→linear, conv→(conv, depthwise)");
    assert_eq!(summary.pairs[2].consumers.len(), 2);
    assert!(summary.converged);
    let f = &eq.functions[0];
    assert_eq!(count_ops(f, "nn.relu6"), 0);
    assert_eq!(count_ops(f, "nn.clip"), 1);
    for x in random_inputs(&reference.functions[0], 3, 4) {
        let (a, b) = (all_outputs(&reference, &x), all_outputs(&eq, &x));
        let scale = a.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let dev = a.iter().zip(&b).fold(0.0f32, |m, (a, b)| m.max((a - b).abs())) / scale;
        assert!(dev < 1e-5, "outputs moved by {dev:.2e}");
    }
    if !paper {
        return;
    }
    for pair in &summary.pairs {
        let (r1, r2) = (layer(f, pair.producer).output_ranges(), consumer_ranges(f, pair));
        for (a, b) in r1.iter().zip(&r2) {
            assert!(relative_difference(*a, *b) < 1e-5, "ranges {a} and {b} not equalized");
        }
    }
}

// ---------------------------------------------------------------------------
// Ranges and convergence

/// The paper's weight-only scales: after the sweeps every pair's two ranges
/// agree per channel within the tolerance (at the default, and near float
/// precision when asked for), and a pair sharing no layer with another got both
/// ranges to sqrt(r1·r2) at once.
#[test]
fn pairs_end_with_equal_ranges_and_sweeps_converge() {
    let tight = EqualizeOptions { tolerance: 1e-7, max_iterations: 1000, ..PAPER };
    for options in [PAPER, tight] {
        let bound = (2.0 * options.tolerance as f32).max(1e-5);
        let mut most_sweeps = 0;
        for (name, before) in fixtures() {
            let mut after = before.clone();
            let summary = equalize_function(&mut after.functions[0], &options, &mut Vec::new());
            assert!(summary.converged, "{name}: not converged after {} sweeps", summary.sweeps);
            assert!(summary.sweeps < options.max_iterations);
            most_sweeps = most_sweeps.max(summary.sweeps);
            let (f0, f) = (&before.functions[0], &after.functions[0]);
            for pair in &summary.pairs {
                let r1 = layer(f, pair.producer).output_ranges();
                let r2 = consumer_ranges(f, pair);
                for (i, (&a, &b)) in r1.iter().zip(&r2).enumerate() {
                    if a > 0.0 && b > 0.0 {
                        assert!(relative_difference(a, b) < bound, "{name}: channel {i}: r1 = {a}, r2 = {b}");
                    }
                }
                if is_isolated(&summary, pair) {
                    let (r1_0, r2_0) = (layer(f0, pair.producer).output_ranges(), consumer_ranges(f0, pair));
                    for i in (0..r1.len()).filter(|&i| r1_0[i] > 0.0 && r2_0[i] > 0.0) {
                        let expected = (r1_0[i] * r2_0[i]).sqrt();
                        assert!(relative_difference(r1[i], expected) < 1e-5, "{name}: {} vs {expected}", r1[i]);
                    }
                }
            }
        }
        println!("equalize (tolerance {:.0e}): at most {most_sweeps} sweeps on the fixtures", options.tolerance);
    }
}

/// The per-tensor range of every clamped activation (ReLU, ReLU6, clip output),
/// in program order, as the quantize pass would estimate it from the statistics.
/// Equalize swaps a ReLU6 for a clip in place, so positions match across it.
fn clamped_activation_ranges(m: &Module) -> Vec<f64> {
    let f = &m.functions[0];
    let options = RangeOptions { std_devs: 6.0, input_range: Some((-1.0, 1.0)) };
    let analysis = analyze(f, options).expect("ranges");
    f.ops()
        .filter(|&op| matches!(f.op(op).name.as_str(), "nn.relu" | "nn.relu6" | "nn.clip"))
        .map(|op| {
            // Quantization extends every range to hold zero.
            let (lo, hi) = analysis.ranges[&Value::Result(op, 0)].union();
            hi.max(0.0) - lo.min(0.0)
        })
        .collect()
}

/// With `bound-activations` (the default) no clamped activation's per-tensor
/// range grows, so activation quantization never gets coarser, while the sweeps
/// still converge and still shrink the depthwise spread.
#[test]
fn bounded_scales_never_widen_an_activation() {
    let mut nets = fixtures();
    nets.push(("mobilenet_v2(0)".into(), folded(mobilenet_v2(0))));
    let mut widest_by_paper = 0.0f64;
    for (name, before) in nets {
        let ranges_before = clamped_activation_ranges(&before);
        for (options, bounded) in [(EqualizeOptions::default(), true), (PAPER, false)] {
            let mut after = before.clone();
            let summary = equalize_function(&mut after.functions[0], &options, &mut Vec::new());
            assert!(summary.converged, "{name}");
            common::run_passes(&mut after, "dce");
            let ranges_after = clamped_activation_ranges(&after);
            assert_eq!(ranges_after.len(), ranges_before.len(), "{name}");
            for (k, (&old, &range)) in ranges_before.iter().zip(&ranges_after).enumerate() {
                if bounded {
                    assert!(range <= old * (1.0 + 1e-5), "{name}: activation {k} widened from {old} to {range}");
                } else {
                    widest_by_paper = widest_by_paper.max(range / old);
                }
            }
        }
    }
    println!("paper scales widen a clamped activation by up to {widest_by_paper:.2}x");
    // The bound is not vacuous: the paper's scales widen activations on these nets.
    assert!(widest_by_paper > 1.5);
}

fn is_isolated(summary: &Summary, pair: &PairSummary) -> bool {
    let others = summary.pairs.iter().filter(|p| p.producer != pair.producer);
    let mut touched = others.flat_map(|p| std::iter::once(p.producer).chain(p.consumers.iter().copied()));
    !touched.any(|op| op == pair.producer || pair.consumers.contains(&op))
}

#[test]
fn zero_range_channels_keep_scale_one() {
    let text = r#"
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w1 = arith.constant dense<[[[[0.0]], [[0.0]]], [[[2.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[0.0]]], [[[1.0]], [[0.0]]]]> : tensor<2x2x1x1xf32>
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}
"#;
    let mut m = parse(text);
    let summary = equalize(&mut m);
    // Channel 0 has no weights in W1, channel 1 none in W2.
    assert_eq!(summary.pairs[0].scales, vec![1.0, 1.0]);
    let w1 = layer(&m.functions[0], summary.pairs[0].producer);
    assert!(w1.weight.iter().all(|w| w.is_finite()));
}

#[test]
fn relu6_becomes_clip_at_six_over_s() {
    let text = r#"
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %w1 = arith.constant dense<[[[[4.0]], [[0.0]]], [[[0.0]], [[0.25]]]]> : tensor<2x2x1x1xf32>
  %0 = "nn.conv2d"(%x, %w1) : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[1.0]]]]> : tensor<1x2x1x1xf32>
  %2 = "nn.conv2d"(%1, %w2) : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x3x3xf32>
  return %2 : tensor<1x1x3x3xf32>
}
"#;
    let mut m = parse(text);
    let summary = equalize(&mut m);
    // s = sqrt(r1 / r2) = sqrt(4 / 1), sqrt(0.25 / 1).
    assert_eq!(summary.pairs[0].scales, vec![2.0, 0.5]);
    let f = &m.functions[0];
    let clip = f.ops().find(|&op| f.op(op).name == "nn.clip").expect("ReLU6 became a clip");
    let bound = |i: usize| dfq_passes::layer::constant_f32(f, f.op(clip).operands()[i]).unwrap();
    assert_eq!((bound(1), bound(2)), (vec![0.0, 0.0], vec![3.0, 12.0]));
    assert_eq!(count_ops(f, "nn.relu6"), 0);
}

// ---------------------------------------------------------------------------
// The pathology: per-channel range spread of depthwise layers

/// Spread (largest / smallest channel range) of each depthwise layer.
fn depthwise_spreads(f: &Function) -> Vec<(OpId, f32)> {
    f.ops().filter_map(|op| Layer::read(f, op).filter(Layer::is_depthwise).map(|_| (op, spread(f, op)))).collect()
}

fn geometric_mean(xs: &[f32]) -> f64 {
    (xs.iter().map(|&x| (x as f64).ln()).sum::<f64>() / xs.len() as f64).exp()
}

/// Both scale rules collapse the spread by orders of magnitude; the paper's
/// goes furthest, the bounded rule stops where an activation would widen.
#[test]
fn depthwise_range_spread_collapses_on_mobilenet_v2() {
    let before = folded(mobilenet_v2(0));
    let spreads_before = depthwise_spreads(&before.functions[0]);
    let b: Vec<f32> = spreads_before.iter().map(|s| s.1).collect();
    let (worst_before, gm_before) = (b.iter().copied().fold(0.0, f32::max), geometric_mean(&b));
    for paper in [false, true] {
        let mut after = before.clone();
        let summary = if paper { equalize_as_paper(&mut after) } else { equalize(&mut after) };
        assert!(summary.converged);
        let spreads_after = depthwise_spreads(&after.functions[0]);
        let a: Vec<f32> = spreads_after.iter().map(|s| s.1).collect();
        let (worst_after, gm_after) = (a.iter().copied().fold(0.0, f32::max), geometric_mean(&a));
        println!(
            "mobilenet_v2 depthwise spread ({}): worst {worst_before:.3e} -> {worst_after:.3e} ({:.0}x), \
             geometric mean {gm_before:.3e} -> {gm_after:.3e} ({:.0}x), {} sweeps",
            if paper { "paper" } else { "bounded" },
            worst_before / worst_after,
            gm_before / gm_after,
            summary.sweeps
        );
        for ((op, s0), (_, s1)) in spreads_before.iter().zip(&spreads_after) {
            assert!(s1 <= s0, "layer {op:?}: spread grew from {s0} to {s1}");
        }
        // Measured: paper worst 1.6e6 → 69 (2.3e4×), geometric mean 2.8e5 → 38
        // (7.2e3×); bounded worst → 1.3e2 (1.2e4×), geometric mean 3.9e3×.
        assert!(worst_before / worst_after > 1e3 && gm_before / gm_after > 1e3);
        if paper {
            assert!(worst_after < 100.0);
        }
    }
}
