//! dfq's passes, one file each. [`register_all`] makes them available by name.

mod absorb_bias;
mod bias_correct;
mod canonicalize;
mod dce;
pub mod equalize;
mod finite;
mod float_type;
mod fold_bn;
pub mod gaussian;
pub mod layer;
mod lower_int8;
pub mod pipeline;
pub mod quantize;
mod relu6_to_relu;
pub mod report;

pub use absorb_bias::AbsorbBias;
pub use canonicalize::Canonicalize;
pub use dce::Dce;
pub use equalize::{Equalize, EqualizeOptions};
pub use fold_bn::FoldBatchNorm;
pub use lower_int8::LowerInt8;
pub use quantize::{Quantize, QuantizeOptions};
pub use relu6_to_relu::Relu6ToRelu;

use dfq_rewrite::PassRegistry;

/// Registers every pass of this crate.
pub fn register_all(registry: &mut PassRegistry) {
    registry.register(canonicalize::info());
    registry.register(dce::info());
    registry.register(fold_bn::info());
    registry.register(relu6_to_relu::info());
    registry.register(equalize::info());
    registry.register(absorb_bias::info());
    registry.register(bias_correct::info());
    registry.register(quantize::info());
    registry.register(lower_int8::info());
}

/// A registry holding every pass.
pub fn registry() -> PassRegistry {
    let mut r = PassRegistry::default();
    register_all(&mut r);
    r
}
