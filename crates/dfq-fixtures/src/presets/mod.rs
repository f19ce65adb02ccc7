//! Ready-made networks, each a pure function of its seed.

mod blocks;
mod mobilenet;
mod random;
mod tiny;

use std::fmt;
use std::str::FromStr;

use dfq_ir::Module;

pub use blocks::{conv_bn, inverted_residual, separable, Bottleneck};
pub use mobilenet::{mobilenet_v1, mobilenet_v2};
pub use random::{random, RandomNetConfig};
pub use tiny::tiny;

use crate::spec::Activation;

/// The presets by name, as the `dfq-gen-model` binary offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    Tiny,
    MobileNetV2,
    MobileNetV1,
    Random,
}

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::Tiny, Preset::MobileNetV2, Preset::MobileNetV1, Preset::Random];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Tiny => "tiny",
            Preset::MobileNetV2 => "mobilenet-v2",
            Preset::MobileNetV1 => "mobilenet-v1",
            Preset::Random => "random",
        }
    }

    /// One line for help texts.
    pub fn description(self) -> &'static str {
        match self {
            Preset::Tiny => "MobileNetV2 in miniature, 1x3x32x32 -> 10 classes, 19k parameters (the shipped example)",
            Preset::MobileNetV2 => "MobileNetV2 1.0, 1x3x224x224 -> 1000 classes, 3.5M parameters, ReLU6",
            Preset::MobileNetV1 => "MobileNetV1 1.0, 1x3x224x224 -> 1000 classes, 568.7M MAC, ReLU",
            Preset::Random => "a small network of random shape, as property tests use",
        }
    }

    /// The network for `seed`, with the preset's defaults (MobileNetV1 with ReLU,
    /// random networks with [`RandomNetConfig::default`]).
    pub fn build(self, seed: u64) -> Module {
        match self {
            Preset::Tiny => tiny(seed),
            Preset::MobileNetV2 => mobilenet_v2(seed),
            Preset::MobileNetV1 => mobilenet_v1(seed, Activation::Relu),
            Preset::Random => random(seed, &RandomNetConfig::default()),
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = String;

    fn from_str(s: &str) -> Result<Preset, String> {
        Preset::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
            format!("unknown preset '{s}' (expected one of: {})", names.join(", "))
        })
    }
}
