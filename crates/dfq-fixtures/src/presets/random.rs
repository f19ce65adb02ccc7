//! `random`: small networks of random shape for property tests. Every seed draws
//! a different mix of what the passes, the interpreter and the JIT must handle:
//! residual adds, concats, max and average pooling, depthwise and grouped convs,
//! stride 2, dilation, asymmetric padding, odd channel counts, convs on 1×1
//! feature maps, ReLU and ReLU6, batch sizes above one.

use std::ops::RangeInclusive;

use dfq_ir::{Module, Value};

use super::blocks::{conv_bn, inverted_residual, separable, Bottleneck};
use crate::builder::NetBuilder;
use crate::sample::Sampler;
use crate::spec::{Activation, Conv, Linear, Pool};

/// The size limits of random networks. The defaults keep each one small enough
/// for the reference interpreter to run in milliseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomNetConfig {
    /// Blocks after the stem.
    pub blocks: RangeInclusive<usize>,
    pub batch: RangeInclusive<i64>,
    pub input_channels: RangeInclusive<i64>,
    /// Input height and width, drawn independently.
    pub input_size: RangeInclusive<i64>,
    /// Upper bound of the channels a block outputs (expansions may exceed it).
    pub max_channels: i64,
    pub classes: RangeInclusive<i64>,
}

impl Default for RandomNetConfig {
    fn default() -> RandomNetConfig {
        RandomNetConfig {
            blocks: 2..=6,
            batch: 1..=2,
            input_channels: 1..=4,
            input_size: 5..=16,
            max_channels: 24,
            classes: 2..=10,
        }
    }
}

pub fn random(seed: u64, config: &RandomNetConfig) -> Module {
    let mut s = Sampler::new(seed);
    let shape = [
        s.int(*config.batch.start(), *config.batch.end()),
        s.int(*config.input_channels.start(), *config.input_channels.end()),
        s.int(*config.input_size.start(), *config.input_size.end()),
        s.int(*config.input_size.start(), *config.input_size.end()),
    ];
    // Two decimals are plenty for a range and keep the printed attribute short.
    let range = (-round2(s.uniform_in(0.0, 3.0)), round2(s.uniform_in(0.5, 3.0)));
    // The structure and the weights come from independent streams of the seed.
    let mut b = NetBuilder::new(&shape, range, seed ^ 0x9E37_79B9_7F4A_7C15);
    b.set_bn_epsilon(s.pick(&[1e-5, 1e-3]));
    let mut net = RandomNet { b, s, max_channels: config.max_channels, blocks: 0 };
    let stem_channels = net.width();
    let input = net.b.input();
    let mut x = net.conv_block(input, "stem", stem_channels);
    for _ in 0..net.s.int(*config.blocks.start() as i64, *config.blocks.end() as i64) {
        x = net.block(x);
    }
    let classes = net.s.int(*config.classes.start(), *config.classes.end());
    let logits = net.head(x, classes);
    net.b.finish(&[logits])
}

struct RandomNet {
    b: NetBuilder,
    s: Sampler,
    max_channels: i64,
    blocks: usize,
}

impl RandomNet {
    fn block(&mut self, x: Value) -> Value {
        self.blocks += 1;
        let name = format!("block{}", self.blocks);
        let c = self.b.channels(x);
        match self.s.int(0, 5) {
            0 => {
                let out = self.width();
                self.conv_block(x, &name, out)
            }
            1 => {
                let out = if self.s.chance(0.5) { c } else { self.width() };
                let (expansion, stride) = (self.s.pick(&[1, 2, 3, 6]), self.stride(x));
                let block = Bottleneck { expansion, out_channels: out, stride };
                let act = self.act();
                inverted_residual(&mut self.b, x, &name, block, act)
            }
            2 => self.residual(x, &name),
            3 => self.fire(x, &name),
            4 => self.pool(x),
            _ => {
                let (out, stride, act) = (self.width(), self.stride(x), self.act());
                separable(&mut self.b, x, &name, out, stride, act)
            }
        }
    }

    /// A random conv, batch norm (mostly) and activation (mostly).
    fn conv_block(&mut self, x: Value, name: &str, out_channels: i64) -> Value {
        let conv = self.random_conv(x, out_channels).named(name);
        let act = self.s.chance(0.85).then(|| self.act());
        if self.s.chance(0.8) {
            conv_bn(&mut self.b, x, &conv, act)
        } else {
            let y = self.b.conv(x, &conv.bias(true));
            act.map_or(y, |act| self.b.activation(y, act))
        }
    }

    /// `x + conv(conv(x))`, the ResNet basic block, activated after the add or not.
    fn residual(&mut self, x: Value, name: &str) -> Value {
        let c = self.b.channels(x);
        let act = self.act();
        let y = conv_bn(&mut self.b, x, &Conv::new(c, 3).same_pad().named(format!("{name}_a")), Some(act));
        let y = conv_bn(&mut self.b, y, &Conv::pointwise(c).named(format!("{name}_b")), None);
        let sum = self.b.add(x, y);
        if self.s.chance(0.5) {
            self.b.activation(sum, act)
        } else {
            sum
        }
    }

    /// SqueezeNet's fire module, sometimes with an Inception-style pooling branch:
    /// squeeze 1×1, then 1×1 and 3×3 branches concatenated.
    fn fire(&mut self, x: Value, name: &str) -> Value {
        let act = self.act();
        let half = (self.max_channels / 2).max(1);
        let squeeze = self.s.int(1, half);
        let sq = conv_bn(&mut self.b, x, &Conv::pointwise(squeeze).named(format!("{name}_squeeze")), Some(act));
        let (e1, e3) = (self.s.int(1, half), self.s.int(1, half));
        let mut branches = vec![
            conv_bn(&mut self.b, sq, &Conv::pointwise(e1).named(format!("{name}_e1")), Some(act)),
            conv_bn(&mut self.b, sq, &Conv::new(e3, 3).same_pad().named(format!("{name}_e3")), Some(act)),
        ];
        if self.s.chance(0.3) {
            branches.push(self.b.max_pool(sq, &Pool::new(3).stride(1).pads([1; 4])));
        }
        self.b.concat(&branches)
    }

    fn pool(&mut self, x: Value) -> Value {
        let [h, w] = self.hw(x);
        let k = if h.min(w) >= 3 { self.s.int(2, 3) } else { 1 };
        let stride = if h.min(w) >= 2 { self.s.int(1, 2) } else { 1 };
        // Padding must stay below the window, or a window could see only padding.
        let pads = [0; 4].map(|_| if self.s.chance(0.3) { self.s.int(0, k - 1) } else { 0 });
        let pool = Pool::new(k).stride(stride).pads(pads);
        if self.s.chance(0.5) {
            self.b.max_pool(x, &pool)
        } else {
            self.b.avg_pool(x, &pool)
        }
    }

    /// Global pooling or a plain flatten, sometimes with a 1×1 conv on the 1×1
    /// map in between, then the classifier.
    fn head(&mut self, x: Value, classes: i64) -> Value {
        let [h, w] = self.hw(x);
        let features = if h * w * self.b.channels(x) > 256 || self.s.chance(0.5) {
            let mut y = self.b.global_avg_pool(x);
            if self.s.chance(0.5) {
                let out = self.width();
                y = self.b.conv(y, &Conv::pointwise(out).bias(true).named("head"));
                y = self.b.relu(y);
            }
            y
        } else {
            x
        };
        let flat = self.b.flatten(features);
        self.b.linear(flat, &Linear::new(classes).named("fc"))
    }

    /// A conv of any kernel, stride, padding, dilation and grouping that fits `x`.
    fn random_conv(&mut self, x: Value, out_channels: i64) -> Conv {
        let [h, w] = self.hw(x);
        let in_channels = self.b.channels(x);
        let mut conv = Conv::new(out_channels, self.s.pick(&[1, 3, 3, 5]));
        if self.s.chance(0.1) {
            conv = conv.kernel_hw(1, 3);
        }
        if conv.kernel[0] == 3 && conv.kernel[1] == 3 && self.s.chance(0.15) {
            conv = conv.dilation(2);
        }
        conv = match self.s.int(0, 2) {
            0 => conv.same_pad(),
            1 => conv,
            _ => {
                let reach = [0, 1, 0, 1].map(|i| conv.dilations[i] * (conv.kernel[i] - 1));
                conv.pads(reach.map(|r| self.s.int(0, r)))
            }
        };
        conv = conv.stride(self.stride(x));
        let common = gcd(in_channels, out_channels);
        if common > 1 && self.s.chance(0.25) {
            let divisors: Vec<i64> = (2..=common).filter(|d| common % d == 0).collect();
            conv = conv.groups(self.s.pick(&divisors));
        }
        let fits = |c: &Conv| {
            crate::shape::window_output_2d([h, w], c.kernel, c.strides, c.pads, c.dilations).iter().all(|&d| d >= 1)
        };
        if fits(&conv) {
            conv
        } else {
            Conv::pointwise(out_channels)
        }
    }

    fn width(&mut self) -> i64 {
        self.s.int(1, self.max_channels)
    }

    fn stride(&mut self, x: Value) -> i64 {
        let [h, w] = self.hw(x);
        if h.min(w) >= 2 && self.s.chance(0.3) {
            2
        } else {
            1
        }
    }

    fn act(&mut self) -> Activation {
        self.s.pick(&[Activation::Relu, Activation::Relu6])
    }

    fn hw(&self, x: Value) -> [i64; 2] {
        let shape = self.b.shape(x);
        [shape[2], shape[3]]
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
