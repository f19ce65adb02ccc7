//! The JIT's one error type.

use std::fmt;

use dfq_ir::{Location, Operation};

/// Why a function could not be compiled or run: an op or a case the JIT does not
/// support (named with its location), a CPU without the requested kernels, or
/// inputs that do not match the signature.
#[derive(Debug, Clone)]
pub struct JitError {
    pub message: String,
    /// The op (or argument) to blame, when it has a source location.
    pub loc: Option<Location>,
}

impl JitError {
    pub fn new(message: impl Into<String>, loc: Option<Location>) -> JitError {
        JitError { message: message.into(), loc }
    }

    /// "'qnn.conv2d' op <message>", located at the op.
    pub fn at_op(op: &Operation, message: impl fmt::Display) -> JitError {
        JitError::new(format!("'{}' op {message}", op.name), op.loc.clone())
    }
}

impl fmt::Display for JitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loc {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for JitError {}
