//! The building blocks MobileNets are made of.

use dfq_ir::Value;

use crate::builder::NetBuilder;
use crate::spec::{Activation, Conv};

/// conv → batch norm → activation (none for linear bottlenecks).
pub fn conv_bn(b: &mut NetBuilder, x: Value, conv: &Conv, act: Option<Activation>) -> Value {
    let y = b.conv(x, conv);
    let y = b.batch_norm(y);
    match act {
        Some(act) => b.activation(y, act),
        None => y,
    }
}

/// One MobileNetV2 bottleneck: expansion factor, output channels, stride.
#[derive(Clone, Copy, Debug)]
pub struct Bottleneck {
    pub expansion: i64,
    pub out_channels: i64,
    pub stride: i64,
}

/// MobileNetV2's inverted residual: 1×1 expand (skipped for expansion 1), 3×3
/// depthwise with the stride, linear 1×1 projection, and a residual add when the
/// shape is kept. Layers are named `{name}_expand`, `{name}_dw`, `{name}_project`.
pub fn inverted_residual(b: &mut NetBuilder, x: Value, name: &str, block: Bottleneck, act: Activation) -> Value {
    let in_channels = b.channels(x);
    let hidden = in_channels * block.expansion;
    let mut y = x;
    if block.expansion != 1 {
        y = conv_bn(b, y, &Conv::pointwise(hidden).named(format!("{name}_expand")), Some(act));
    }
    let dw = Conv::depthwise(hidden, 3).stride(block.stride).named(format!("{name}_dw"));
    y = conv_bn(b, y, &dw, Some(act));
    y = conv_bn(b, y, &Conv::pointwise(block.out_channels).named(format!("{name}_project")), None);
    if block.stride == 1 && in_channels == block.out_channels {
        y = b.add(x, y);
    }
    y
}

/// MobileNetV1's depthwise-separable pair: 3×3 depthwise, then 1×1 pointwise,
/// each followed by batch norm and `act`. Layers are `{name}_dw`, `{name}_pw`.
pub fn separable(b: &mut NetBuilder, x: Value, name: &str, out_channels: i64, stride: i64, act: Activation) -> Value {
    let c = b.channels(x);
    let y = conv_bn(b, x, &Conv::depthwise(c, 3).stride(stride).named(format!("{name}_dw")), Some(act));
    conv_bn(b, y, &Conv::pointwise(out_channels).named(format!("{name}_pw")), Some(act))
}
