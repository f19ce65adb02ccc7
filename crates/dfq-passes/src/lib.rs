//! dfq's passes, one file each. [`register_all`] makes them available by name.

mod bias_correct;
mod canonicalize;
mod dce;
mod fold_bn;
pub mod gaussian;
pub mod layer;
pub mod pipeline;
pub mod report;

pub use canonicalize::Canonicalize;
pub use dce::Dce;
pub use fold_bn::FoldBatchNorm;

use dfq_rewrite::PassRegistry;

/// Registers every pass of this crate.
pub fn register_all(registry: &mut PassRegistry) {
    registry.register(canonicalize::info());
    registry.register(dce::info());
    registry.register(fold_bn::info());
    registry.register(bias_correct::info());
}

/// A registry holding every pass.
pub fn registry() -> PassRegistry {
    let mut r = PassRegistry::default();
    register_all(&mut r);
    r
}
