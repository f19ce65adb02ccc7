//! The error type returned when a check fails.

use std::fmt;

/// A failed check: either the check file is malformed or the input does not
/// match it. `message` holds FileCheck-style diagnostics, one or more, each
/// with its location and the offending line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    pub message: String,
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CheckFailure {}
