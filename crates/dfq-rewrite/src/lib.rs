//! Rewrite infrastructure in MLIR's shape: patterns propose [`Patch`]es, a greedy
//! driver applies them to a fixpoint, and [`Pass`]es are registered by name so
//! `dfq-opt` can expose each one as a flag.

mod driver;
mod options;
mod pass;
mod patch;
mod pipeline;

pub use driver::{apply_patterns_greedily, GreedyConfig, RewriteError, RewriteStats};
pub use options::{OptionKind, OptionSpec, PassOptions};
pub use pass::{Pass, PassContext, PassError, PassInfo, PassManager, PassRegistry};
pub use patch::{NewOp, Patch, PatchValue, Pattern};
pub use pipeline::{parse_pipeline, PipelineEntry};
