//! dfq's intermediate representation: MLIR-compatible text parsed by a pest
//! grammar into petgraph dataflow graphs, printed back byte-stable.

pub mod attr;
pub mod diag;
pub mod float_fmt;
pub mod func;
pub mod hex;
mod order;
pub mod parser;
pub mod printer;
pub mod types;
pub mod verify;

pub use attr::{Attribute, Attributes, DenseData, DenseElements, StorageKind};
pub use diag::{Diagnostic, Diagnostics, Location, Severity, SourceFile};
pub use func::{Argument, Function, Module, OpId, Operation, Use, Value};
pub use order::Ops;
pub use parser::{parse_module, source_from_bytes};
pub use types::{ElementType, QuantParams, QuantType, Signedness, TensorType, Type, MAX_TENSOR_ELEMENTS};
pub use printer::{print_module, PrintOptions};
pub use verify::{verify_function, verify_module, OpVerifier};
