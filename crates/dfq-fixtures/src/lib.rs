//! Seeded generators of realistic MobileNet-like networks in dfq's `nn` dialect.
//!
//! [`NetBuilder`] builds a `func.func @main` layer by layer (weights as
//! `arith.constant`s named after their layer, shapes computed, batch-norm
//! statistics consistent with the activations they see); the [`presets`] build
//! MobileNetV1/V2, the shipped `tiny` example, and random networks for property
//! tests from it. Everything is a pure function of the seed, bit for bit on every
//! platform. See [`init`] for the parameter distributions, which reproduce the
//! per-channel range disparity that makes naive int8 quantization of MobileNetV2
//! fail and DFQ necessary.
//!
//! ```
//! use dfq_fixtures::{Conv, Linear, NetBuilder};
//!
//! let mut b = NetBuilder::new(&[1, 3, 8, 8], (-1.0, 1.0), 7);
//! let x = b.conv(b.input(), &Conv::new(8, 3).stride(2).same_pad().named("stem"));
//! let x = b.batch_norm(x);
//! let x = b.relu6(x);
//! let x = b.global_avg_pool(x);
//! let x = b.flatten(x);
//! let y = b.linear(x, &Linear::new(4).named("fc"));
//! let module = b.finish(&[y]);
//! let text = dfq_ir::print_module(&module, &Default::default());
//! assert!(text.contains("%stem_w = arith.constant"));
//! ```

pub mod analysis;
mod builder;
pub mod init;
pub mod math;
pub mod presets;
pub mod sample;
mod shape;
mod spec;
pub mod stats;
pub mod stress;

pub use analysis::{count_macs, count_params, folded_ranges, FoldedRanges};
pub use builder::NetBuilder;
pub use init::{BatchNormParams, LayerKind};
pub use presets::{mobilenet_v1, mobilenet_v2, random, tiny, Preset, RandomNetConfig};
pub use sample::Sampler;
pub use shape::{window_output, window_output_2d};
pub use spec::{Activation, Conv, Linear, Pool};
pub use stats::ChannelStats;
