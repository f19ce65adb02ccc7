//! The interpreter's one error type.

use std::fmt;

use dfq_ir::Location;

/// Why a function could not be run: a malformed graph, an unsupported op, inputs
/// that do not match the signature, or integer arithmetic outside its defined range.
#[derive(Debug)]
pub struct InterpError {
    pub message: String,
    /// The op (or argument) to blame, when it has a source location.
    pub loc: Option<Location>,
}

impl InterpError {
    pub fn new(message: impl Into<String>, loc: Option<Location>) -> InterpError {
        InterpError { message: message.into(), loc }
    }
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.loc {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for InterpError {}
