//! An LLVM FileCheck-compatible matcher, used by dfq's lit tests to check
//! tool output against `// CHECK:` directives written in the test file.
//!
//! [`check`] reads the directives from one text and verifies another text
//! against them, reporting failures the way FileCheck does:
//!
//! ```text
//! test.mlir:4:16: error: CHECK-NEXT: expected string not found in input
//! // CHECK-NEXT: qnn.requantize
//!                ^
//! <stdin>:3:1: note: scanning from here
//! ...
//! ```
//!
//! Supported: `PREFIX:`, `-NEXT:`, `-SAME:`, `-EMPTY:`, `-NOT:`, `-DAG:`,
//! `-LABEL:`, `-COUNT-n:`, the `{LITERAL}` modifier, `COM:`/`RUN:` comment
//! lines, `{{regex}}` (Rust regex syntax), `[[VAR:regex]]` / `[[VAR]]` string
//! variables (scoped to CHECK-LABEL blocks unless named `$VAR`, as with
//! FileCheck's `--enable-var-scope`), `[[@LINE]]`, `[[@LINE+N]]` and
//! `[[@LINE-N]]`. Not supported: numeric `[[#...]]` blocks, and using a
//! variable in the very pattern that defines it (which needs a regex
//! backreference); both are reported as errors rather than misread.

mod canonical;
mod diagnostic;
mod directive;
mod failure;
mod matcher;
mod options;
mod pattern;
mod program;
mod variables;

pub use failure::CheckFailure;
pub use options::CheckOptions;

use canonical::Canonical;
use diagnostic::{Diagnostic, Sources};
use program::Program;

/// Verifies `input` against the directives in `check_text`.
///
/// `check_name` and `input_name` (e.g. `"<stdin>"`) are only used in
/// messages. On failure the error holds every diagnostic FileCheck would
/// print: a malformed check file stops at its first error, while a
/// mismatch in one CHECK-LABEL block still lets the later blocks report.
pub fn check(
    check_text: &str,
    check_name: &str,
    input: &str,
    input_name: &str,
    opts: &CheckOptions,
) -> Result<(), CheckFailure> {
    let command_lines: Vec<String> = opts
        .implicit_check_not
        .iter()
        .map(|p| program::implicit_source(p))
        .collect();
    let canonical_input = Canonical::new(input, !opts.strict_whitespace);
    let sources = Sources {
        check_name,
        check_text,
        input_name,
        input_text: input,
        input: &canonical_input,
        command_lines: &command_lines,
    };
    let fail = |diagnostics: &[Diagnostic]| CheckFailure {
        message: sources.render(diagnostics),
    };
    let program = Program::build(check_text, opts).map_err(|diagnostic| fail(&[diagnostic]))?;
    if input.is_empty() && !opts.allow_empty_input {
        return Err(fail(&[Diagnostic::error(
            None,
            format!("'{input_name}' is empty."),
        )]));
    }
    matcher::run(&program, canonical_input.text()).map_err(|diagnostics| fail(&diagnostics))
}
