//! dfq's dialects. `dialects/*.toml` declares every op; build.rs turns the
//! declarations into static [`OpDef`]s and typed op views (`nn::Conv2d`, ...),
//! and this crate adds what needs code: the [`Registry`] that verifies ops for
//! `dfq_ir`'s verifier, type inference ([`infer_result_types`], [`infer_types`]),
//! and the dialect reference docs.
//!
//! ```
//! use dfq_dialects::{infer_types, nn, verify_module};
//! use dfq_ir::{parse_module, Attributes, SourceFile};
//!
//! let text = r#"func.func @f(%x: tensor<1x2x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
//!   %0 = "nn.conv2d"(%x, %w) : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
//!   return %0 : tensor<1x4x6x6xf32>
//! }"#;
//! let module = parse_module(&SourceFile::new("f.mlir", text)).unwrap();
//! verify_module(&module).unwrap();
//!
//! let f = &module.functions[0];
//! let conv = f.ops().find_map(|id| nn::Conv2d::cast(f, id)).unwrap();
//! assert_eq!((conv.strides(), conv.groups(), conv.bias()), (&[1, 1][..], 1, None));
//!
//! // A pass building a new op asks for its result type instead of computing it.
//! let operands = [f.value_type(conv.output())];
//! let pooled = infer_types("nn.global_avg_pool", &operands, &Attributes::new()).unwrap();
//! assert_eq!(pooled[0].known().unwrap().to_string(), "tensor<1x4x1x1xf32>");
//! ```

mod accessors;
mod constant;
mod constraints;
pub mod def;
mod docs;
mod generated;
mod infer;
mod module;
mod registry;
mod shapes;
mod signature;
pub mod spec;
mod verify;

pub use constant::{constant_elements, is_constant};
pub use def::{Arity, AttrDef, AttrDefault, DialectDef, OpDef, OperandDef, Presence, ResultDef, METADATA_PREFIX};
pub use docs::{dialect_specs, render_dialect_docs};
pub use generated::{arith, func, nn, qnn, quant, DIALECTS};
pub use infer::{infer_result_types, infer_types, InferredType};
pub use module::{input_range, verify_arguments, verify_module, verify_module_with, RANGE_ATTR};
pub use registry::{registry, Registry};
pub use spec::{AttrKind, DialectSpec, InferRule, Trait, TypeConstraint};
