//! Behaviour tests for `dfq_filecheck::check`, one module per topic.

mod diagnostics;
mod labels;
mod next_same_empty;
mod not_dag;
mod plain;
mod variables;
mod whitespace;

use dfq_filecheck::{check, CheckOptions};

/// Asserts that `input` passes the directives in `check_text`.
fn pass(check_text: &str, input: &str) {
    pass_with(check_text, input, &CheckOptions::default());
}

fn pass_with(check_text: &str, input: &str, opts: &CheckOptions) {
    if let Err(failure) = check(check_text, "t.mlir", input, "<stdin>", opts) {
        panic!("expected a pass, got:\n{failure}");
    }
}

/// Asserts that `input` fails `check_text` and returns the message.
fn fail(check_text: &str, input: &str) -> String {
    fail_with(check_text, input, &CheckOptions::default())
}

fn fail_with(check_text: &str, input: &str, opts: &CheckOptions) -> String {
    match check(check_text, "t.mlir", input, "<stdin>", opts) {
        Ok(()) => panic!("expected a failure for input:\n{input}"),
        Err(failure) => failure.message,
    }
}

fn prefixes(list: &[&str]) -> CheckOptions {
    CheckOptions {
        prefixes: list.iter().map(|p| p.to_string()).collect(),
        ..CheckOptions::default()
    }
}
