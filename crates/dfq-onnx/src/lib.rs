//! ONNX import and export. Import: an ONNX model becomes a module of dfq's `nn`
//! dialect, with one function `@main` whose arguments are the graph's inputs.
//! Export ([`export_onnx`], see [`export`]): a float or QDQ function becomes an
//! ONNX model with QuantizeLinear/DequantizeLinear.
//!
//! - Initializers become `arith.constant`s named after them (large ones print as
//!   `dense_resource` blobs), created where first used; constants that only give
//!   attributes (a reshape's shape, a clip's bounds) leave nothing behind.
//! - Every result type comes from the dialects' type inference, starting from the
//!   input's static shape ([`ImportOptions::input_shape`] fixes dynamic ones).
//! - BatchNormalization stays `nn.batch_norm` (folding is the fold-bn pass);
//!   Clip(0, 6) becomes `nn.relu6`; TF-style `auto_pad` becomes explicit pads;
//!   Gemm and MatMul (+ a bias Add) become `nn.linear` with an (M, K) weight.
//! - Unsupported operators are reported all at once, node by node.
//!
//! ```
//! use dfq_onnx::{import_onnx, ImportError, ImportOptions};
//!
//! let err = import_onnx(b"module {}", &ImportOptions::default()).unwrap_err();
//! assert!(matches!(err, ImportError::NotOnnx(_)));
//! ```
//!
//! The messages of [`proto`] are a hand-written subset of `onnx.proto` for prost,
//! so that building needs no `protoc`.

mod attrs;
mod builder;
mod error;
pub mod export;
mod fusion;
mod import;
mod names;
mod node;
mod ops;
mod optable;
mod options;
pub mod proto;
mod tensor;

pub use error::{ImportError, NodeRef};
pub use export::{export_model, export_onnx, ExportError, ExportOptions};
pub use import::import_onnx;
pub use ops::SUPPORTED_OPS;
pub use options::{parse_shape, ImportOptions, InputRange};
