//! The knobs of a check run, mirroring FileCheck's command-line flags.

/// How [`check`](crate::check) reads the check file and matches the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Directive prefixes (`--check-prefixes`). Empty means `["CHECK"]`.
    pub prefixes: Vec<String>,
    /// Match spaces and tabs exactly instead of treating every run of them
    /// as one space (`--strict-whitespace`).
    pub strict_whitespace: bool,
    /// Patterns that must not occur between any two positive matches, nor
    /// before the first or after the last (`--implicit-check-not`).
    pub implicit_check_not: Vec<String>,
    /// Accept an empty input instead of rejecting it (`--allow-empty`).
    pub allow_empty_input: bool,
    /// Accept prefixes that no directive uses, as long as one prefix is used
    /// (`--allow-unused-prefixes`).
    pub allow_unused_prefixes: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            prefixes: vec![DEFAULT_PREFIX.to_string()],
            strict_whitespace: false,
            implicit_check_not: Vec::new(),
            allow_empty_input: false,
            allow_unused_prefixes: false,
        }
    }
}

pub(crate) const DEFAULT_PREFIX: &str = "CHECK";
