//! Full-size MobileNets at 224×224, with the published layer tables.

use dfq_ir::Module;

use super::blocks::{conv_bn, inverted_residual, separable, Bottleneck};
use crate::builder::NetBuilder;
use crate::spec::{Activation, Conv, Linear};

/// ImageNet inputs normalized by the usual per-channel mean and std.
const IMAGENET_RANGE: (f64, f64) = (-2.1179, 2.64);

/// MobileNetV2 (Sandler et al. 2018), width 1.0, as torchvision builds it:
/// 3 504 872 parameters, ReLU6, batch norms unfolded (ε = 1e-5).
pub fn mobilenet_v2(seed: u64) -> Module {
    // (t, c, n, s): expansion, output channels, repeats, stride of the first repeat.
    const TABLE: [(i64, i64, usize, i64); 7] =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
    let act = Activation::Relu6;
    let mut b = NetBuilder::new(&[1, 3, 224, 224], IMAGENET_RANGE, seed);
    let input = b.input();
    let mut x = conv_bn(&mut b, input, &Conv::new(32, 3).stride(2).same_pad().named("stem"), Some(act));
    let mut index = 0;
    for (expansion, out_channels, repeats, stride) in TABLE {
        for r in 0..repeats {
            let block = Bottleneck { expansion, out_channels, stride: if r == 0 { stride } else { 1 } };
            x = inverted_residual(&mut b, x, &format!("block{index}"), block, act);
            index += 1;
        }
    }
    x = conv_bn(&mut b, x, &Conv::pointwise(1280).named("head"), Some(act));
    x = b.global_avg_pool(x);
    x = b.flatten(x);
    let logits = b.linear(x, &Linear::new(1000).named("fc"));
    b.finish(&[logits])
}

/// MobileNetV1 (Howard et al. 2017), width 1.0: 568.7 M multiply-adds,
/// 4 231 976 parameters; batch norms unfolded with TensorFlow's ε = 1e-3.
/// The paper uses ReLU; [`Activation::Relu6`] gives the TF-slim variant.
pub fn mobilenet_v1(seed: u64, act: Activation) -> Module {
    // (output channels, stride) of the 13 depthwise-separable pairs.
    const TABLE: [(i64, i64); 13] = [
        (64, 1),
        (128, 2),
        (128, 1),
        (256, 2),
        (256, 1),
        (512, 2),
        (512, 1),
        (512, 1),
        (512, 1),
        (512, 1),
        (512, 1),
        (1024, 2),
        (1024, 1),
    ];
    let mut b = NetBuilder::new(&[1, 3, 224, 224], IMAGENET_RANGE, seed);
    b.set_bn_epsilon(1e-3);
    let input = b.input();
    let mut x = conv_bn(&mut b, input, &Conv::new(32, 3).stride(2).same_pad().named("stem"), Some(act));
    for (i, (out_channels, stride)) in TABLE.into_iter().enumerate() {
        x = separable(&mut b, x, &format!("block{i}"), out_channels, stride, act);
    }
    x = b.global_avg_pool(x);
    x = b.flatten(x);
    let logits = b.linear(x, &Linear::new(1000).named("fc"));
    b.finish(&[logits])
}
