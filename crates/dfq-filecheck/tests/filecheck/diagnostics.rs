//! The shape of failure reports, check-file errors and options.

use super::{fail, fail_with, pass_with, prefixes};
use dfq_filecheck::{check, CheckFailure, CheckOptions};

#[test]
fn not_found_report_matches_filecheck() {
    let message = fail(
        "// CHECK: func\n// CHECK-NEXT: qnn.requantize\n",
        "func @f\n  qnn.quantize\n",
    );
    let expected = "\
t.mlir:2:16: error: CHECK-NEXT: expected string not found in input
// CHECK-NEXT: qnn.requantize
               ^
<stdin>:1:6: note: scanning from here
func @f
     ^";
    assert_eq!(message, expected);
}

#[test]
fn scanning_starts_at_the_next_non_blank_character() {
    let message = fail("CHECK: a\nCHECK: z\n", "a\n\n   b\n");
    assert!(
        message.contains("<stdin>:3:4: note: scanning from here\n   b\n   ^"),
        "{message}"
    );
}

#[test]
fn next_report_lists_both_matches() {
    let message = fail("CHECK: a\nCHECK-NEXT: c\n", "a\nb\nc\n");
    let expected = "\
t.mlir:2:13: error: CHECK-NEXT: is not on the line after the previous match
CHECK-NEXT: c
            ^
<stdin>:3:1: note: 'next' match was here
c
^
<stdin>:1:2: note: previous match ended here
a
 ^
<stdin>:2:1: note: non-matching line after previous match is here
b
^";
    assert_eq!(message, expected);
}

#[test]
fn not_report_underlines_the_excluded_text() {
    let message = fail(
        "CHECK: begin\nCHECK-NOT: nn.conv2d\nCHECK: end\n",
        "begin\n  %0 = nn.conv2d(%x)\nend\n",
    );
    let expected = "\
t.mlir:2:12: error: CHECK-NOT: excluded string found in input
CHECK-NOT: nn.conv2d
           ^
<stdin>:2:8: note: found here
  %0 = nn.conv2d(%x)
       ^~~~~~~~~";
    assert_eq!(message, expected);
}

#[test]
fn empty_patterns_are_errors() {
    let message = fail("// CHECK:\n", "x\n");
    assert_eq!(
        message,
        "t.mlir:1:10: error: found empty check string with prefix 'CHECK:'\n// CHECK:\n         ^"
    );
    let message = fail("CHECK: a\nCHECK-NOT:   \n", "a\n");
    assert!(
        message.starts_with("t.mlir:2:14: error: found empty check string with prefix 'CHECK:'"),
        "{message}"
    );
}

#[test]
fn a_check_file_without_directives_is_an_error() {
    assert_eq!(
        fail("// nothing to see\n", "x\n"),
        "error: no check strings found with prefix 'CHECK:'"
    );
    let message = fail_with("A: x\n", "x\n", &prefixes(&["A", "B", "C"]));
    assert_eq!(
        message,
        "error: no check strings found with prefixes 'B:', 'C:'"
    );
}

#[test]
fn unused_prefixes_can_be_allowed() {
    let opts = CheckOptions {
        allow_unused_prefixes: true,
        ..prefixes(&["A", "B"])
    };
    pass_with("A: x\n", "x\n", &opts);
    let message = fail_with("C: x\n", "x\n", &opts);
    assert_eq!(
        message,
        "error: no check strings found with prefixes 'A:', 'B:'"
    );
}

#[test]
fn invalid_prefixes_are_rejected() {
    let message = fail_with("CHECK: x\n", "x\n", &prefixes(&["9A"]));
    assert!(
        message.contains("supplied check prefix must start with a letter"),
        "{message}"
    );
    let message = fail_with("A: x\n", "x\n", &prefixes(&["A", "A"]));
    assert!(
        message.contains("must be unique among check and comment prefixes: 'A'"),
        "{message}"
    );
    let message = fail_with("RUN: x\n", "x\n", &prefixes(&["RUN"]));
    assert!(
        message.contains("must be unique among check and comment prefixes: 'RUN'"),
        "{message}"
    );
}

#[test]
fn no_prefixes_means_check() {
    pass_with("CHECK: x\n", "x\n", &prefixes(&[]));
}

#[test]
fn empty_input_is_rejected_unless_allowed() {
    assert_eq!(fail("CHECK-NOT: x\n", ""), "error: '<stdin>' is empty.");
    let opts = CheckOptions {
        allow_empty_input: true,
        ..CheckOptions::default()
    };
    pass_with("CHECK-NOT: x\n", "", &opts);
    let message = fail_with("CHECK: x\n", "", &opts);
    assert!(
        message.contains("<stdin>:1:1: note: scanning from here"),
        "{message}"
    );
}

#[test]
fn check_file_errors_come_before_input_errors() {
    let message = fail("CHECK-COUNT-0: x\n", "");
    assert_eq!(message, "t.mlir:1:1: error: invalid count in -COUNT specification on prefix 'CHECK'\nCHECK-COUNT-0: x\n^");
}

#[test]
fn failure_is_a_displayable_error() {
    let failure = check(
        "CHECK: x\n",
        "t.mlir",
        "y\n",
        "<stdin>",
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert_eq!(failure.to_string(), failure.message);
    let _: &dyn std::error::Error = &failure;
    assert_eq!(
        failure,
        CheckFailure {
            message: failure.message.clone()
        }
    );
}

#[test]
fn default_options_match_filecheck() {
    let opts = CheckOptions::default();
    assert_eq!(opts.prefixes, vec!["CHECK".to_string()]);
    assert!(!opts.strict_whitespace && !opts.allow_empty_input && !opts.allow_unused_prefixes);
    assert!(opts.implicit_check_not.is_empty());
}
