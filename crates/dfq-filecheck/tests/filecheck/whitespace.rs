//! Horizontal whitespace canonicalization and --strict-whitespace.

use super::{fail, fail_with, pass, pass_with};
use dfq_filecheck::CheckOptions;

fn strict() -> CheckOptions {
    CheckOptions {
        strict_whitespace: true,
        ..CheckOptions::default()
    }
}

#[test]
fn a_space_matches_any_run_of_spaces_and_tabs() {
    pass("CHECK: a b\n", "a \t  b\n");
    pass("CHECK: a \t  b\n", "a b\n");
    pass("CHECK: a{{ }}b\n", "a\t\tb\n");
}

#[test]
fn a_space_needs_some_whitespace() {
    fail("CHECK: a b\n", "ab\n");
}

#[test]
fn leading_and_trailing_pattern_whitespace_is_ignored() {
    pass("CHECK:      ab   \t\n", "ab\n");
    pass("CHECK:\tx\n", "x\n");
}

#[test]
fn strict_whitespace_matches_exactly() {
    pass_with("CHECK: a\tb\n", "a\tb\n", &strict());
    fail_with("CHECK: a b\n", "a\tb\n", &strict());
    fail_with("CHECK: a b\n", "a  b\n", &strict());
    // Only the inside of a pattern is strict; its ends are still trimmed.
    pass_with("CHECK:   a  b  \n", "xa  b\n", &strict());
}

#[test]
fn crlf_input_is_read_as_lf() {
    pass(
        "CHECK: a\nCHECK-NEXT: b\nCHECK-EMPTY:\nCHECK-NEXT: c{{$}}\n",
        "a\r\nb\r\n\r\nc\r\n",
    );
    pass_with("CHECK: a\nCHECK-NEXT: b{{$}}\n", "a\r\nb\r\n", &strict());
}

#[test]
fn diagnostics_point_into_the_original_input() {
    // "x" is at column 8 once the tabs and spaces are counted as written.
    let message = fail("CHECK: y\n", "\t    \t x\n");
    assert!(
        message.contains("<stdin>:1:8: note: scanning from here\n\t    \t x\n\t    \t ^"),
        "{message}"
    );
    let message = fail("CHECK: a\nCHECK-NOT: b  c\nCHECK: d\n", "a   b \t c  d\n");
    assert!(
        message.contains("<stdin>:1:5: note: found here\na   b \t c  d\n    ^~~~"),
        "{message}"
    );
}
