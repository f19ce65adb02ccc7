//! The activation between W1 and its W2s, as equalization sees it.
//!
//! Dividing W1's channel i by s_i divides the activation's channel i too. The
//! paper's scales only look at weights, so a channel whose W1 row is small next
//! to its W2 column gets s_i < 1 and its activation grows by 1/s_i; under
//! per-tensor activation quantization that one channel then sets the step for
//! all of them (on EfficientNet-Lite0 the steps grew up to 700×, and top-1 fell
//! from 89% to 64%). [`ActivationBound`] keeps the per-tensor range of the
//! quantized activation where it was: channel i's range [lo_i, hi_i], divided by
//! its total scale, must stay inside the tensor's range [L, H] (holding zero)
//! before equalization.

use dfq_ir::{Function, Value};

use super::chain::Chain;
use crate::layer::single_user;
use crate::quantize::ranges::Analysis;

/// Per-channel lower bounds on the total scales of one chain.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ActivationBound {
    pub min_scale: Vec<f64>,
}

impl ActivationBound {
    /// The bound for `chain` from the data-free ranges the quantize pass will
    /// use (`analysis`, taken before equalization), or `None` when the range of
    /// the activation is not known per channel.
    pub fn of(f: &Function, chain: &Chain, analysis: &Analysis) -> Option<ActivationBound> {
        let range = analysis.ranges.get(&quantized_activation(f, chain))?;
        if range.channels() != chain.channels {
            return None;
        }
        let (lo, hi) = range.union();
        let (lo, hi) = (lo.min(0.0), hi.max(0.0));
        let needed = |r: f64, bound: f64| if r != 0.0 && bound != 0.0 { r / bound } else { 0.0 };
        let min_scale: Vec<f64> =
            range.lo.iter().zip(&range.hi).map(|(&l, &h)| needed(h, hi).max(needed(l, lo))).collect();
        min_scale.iter().all(|s| s.is_finite()).then_some(ActivationBound { min_scale })
    }
}

/// The value whose quantization W1's channel scales reach: W1's output after the
/// clamps that follow it alone (quantize fuses those into W1's output pair).
/// Past a fan-out, pooling or clamps keep the ranges of their input per
/// channel, so bounding this value bounds the rest of the chain.
fn quantized_activation(f: &Function, chain: &Chain) -> Value {
    let mut value = Value::Result(chain.producer, 0);
    while let Some(op) = single_user(f, value) {
        let clamp = matches!(f.op(op).name.as_str(), "nn.relu" | "nn.relu6" | "nn.clip");
        if !clamp || !chain.hops.iter().any(|h| h.op == op && h.features_per_channel == 1) {
            break;
        }
        value = Value::Result(op, 0);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equalize::chain::follow;
    use crate::quantize::ranges::{analyze, RangeOptions};
    use dfq_ir::{parse_module, SourceFile};

    const CONV_RELU6_CONV: &str = r#"module {
  func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
    %w1 = arith.constant dense<[[[[1.0]], [[0.0]]], [[[0.0]], [[1.0]]]]> : tensor<2x2x1x1xf32>
    %b1 = arith.constant dense<[0.0, 0.0]> : tensor<2xf32>
    %y = "nn.conv2d"(%x, %w1, %b1) {dfq.preact_mean = dense<[1.0, 0.5]> : tensor<2xf32>, dfq.preact_std = dense<[2.0, 0.25]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %a = "nn.relu6"(%y) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    %z = "nn.conv2d"(%a, %w1, %b1) : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    return %z : tensor<1x2x4x4xf32>
  }
}
"#;

    #[test]
    fn clamps_narrow_the_range_and_the_largest_channel_sets_the_bound() {
        let module = parse_module(&SourceFile::new("test.mlir", CONV_RELU6_CONV)).expect("parses");
        let f = &module.functions[0];
        let w1 = f.ops().find(|&op| f.op(op).name == "nn.conv2d").expect("conv");
        let chain = follow(f, w1, Value::Result(w1, 0), 2, |_, _| Ok(())).expect("chain");
        let options = RangeOptions { std_devs: 6.0, input_range: None };
        let analysis = analyze(f, options).expect("ranges");
        let bound = ActivationBound::of(f, &chain, &analysis).expect("per-channel ranges");
        // Channel 0: 1 ± 12 clipped to [0, 6] → 6; channel 1: 0.5 ± 1.5 → 2.
        assert_eq!(bound.min_scale, vec![1.0, 2.0 / 6.0]);
    }
}
