//! `tiny`: the shipped example, a MobileNetV2 in miniature (19 322 parameters, 1.1 M MAC).

use dfq_ir::Module;

use super::blocks::{conv_bn, inverted_residual, Bottleneck};
use crate::builder::NetBuilder;
use crate::spec::{Activation, Conv, Linear};

/// 1×3×32×32 in [-2, 2] → stem 3×3/2 (16) → bottlenecks 16→24/2, 24→24 (with the
/// residual add), 24→32/2, all expanding 4× → 1×1 head (64) → global pool →
/// linear to 10 classes. ReLU6 throughout, batch norms unfolded.
pub fn tiny(seed: u64) -> Module {
    let act = Activation::Relu6;
    let mut b = NetBuilder::new(&[1, 3, 32, 32], (-2.0, 2.0), seed);
    let input = b.input();
    let mut x = conv_bn(&mut b, input, &Conv::new(16, 3).stride(2).same_pad().named("stem"), Some(act));
    let blocks = [(24, 2), (24, 1), (32, 2)];
    for (i, (out_channels, stride)) in blocks.into_iter().enumerate() {
        let block = Bottleneck { expansion: 4, out_channels, stride };
        x = inverted_residual(&mut b, x, &format!("block{}", i + 1), block, act);
    }
    x = conv_bn(&mut b, x, &Conv::pointwise(64).named("head"), Some(act));
    x = b.global_avg_pool(x);
    x = b.flatten(x);
    let logits = b.linear(x, &Linear::new(10).named("fc"));
    b.finish(&[logits])
}
