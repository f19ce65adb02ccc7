//! CHECK-NEXT, CHECK-SAME and CHECK-EMPTY: matches relative to the line of
//! the previous match.

use super::{fail, pass};

#[test]
fn next_matches_the_following_line() {
    pass("CHECK: a\nCHECK-NEXT: b\nCHECK-NEXT: c\n", "a\nb\nc\n");
    pass("CHECK: a\nCHECK-NEXT: b\n", "x a\ny b z\n");
}

#[test]
fn next_rejects_a_match_further_down() {
    let message = fail("CHECK: a\nCHECK-NEXT: c\n", "a\nb\nc\n");
    assert!(
        message.contains(
            "t.mlir:2:13: error: CHECK-NEXT: is not on the line after the previous match"
        ),
        "{message}"
    );
    assert!(
        message.contains("<stdin>:3:1: note: 'next' match was here"),
        "{message}"
    );
    assert!(
        message.contains("<stdin>:1:2: note: previous match ended here"),
        "{message}"
    );
    assert!(
        message.contains("<stdin>:2:1: note: non-matching line after previous match is here"),
        "{message}"
    );
}

#[test]
fn next_rejects_a_match_on_the_same_line() {
    let message = fail("CHECK: a\nCHECK-NEXT: b\n", "a b\nb\n");
    assert!(
        message.contains("error: CHECK-NEXT: is on the same line as previous match"),
        "{message}"
    );
}

#[test]
fn next_reports_a_missing_string() {
    let message = fail("CHECK: a\nCHECK-NEXT: z\n", "a\nb\n");
    assert!(
        message.contains("error: CHECK-NEXT: expected string not found in input"),
        "{message}"
    );
}

#[test]
fn next_cannot_come_first() {
    let message = fail("// CHECK-NEXT: a\n", "a\n");
    assert_eq!(message, "t.mlir:1:4: error: found 'CHECK-NEXT' without previous 'CHECK: line\n// CHECK-NEXT: a\n   ^");
    let message = fail("CHECK-NOT: x\nCHECK-SAME: a\n", "a\n");
    assert!(
        message.contains("found 'CHECK-SAME' without previous 'CHECK: line"),
        "{message}"
    );
    let message = fail("CHECK-EMPTY:\n", "\n");
    assert!(
        message.contains("found 'CHECK-EMPTY' without previous 'CHECK: line"),
        "{message}"
    );
}

#[test]
fn same_matches_later_on_the_same_line() {
    pass("CHECK: a\nCHECK-SAME: b\nCHECK-SAME: c\n", "a b c\n");
    let message = fail("CHECK: a\nCHECK-SAME: b\n", "a\nb\n");
    assert!(
        message.contains(
            "t.mlir:2:13: error: CHECK-SAME: is not on the same line as the previous match"
        ),
        "{message}"
    );
    // SAME only looks after the previous match.
    fail("CHECK: b\nCHECK-SAME: a\n", "a b\n");
}

#[test]
fn empty_matches_an_empty_next_line() {
    pass("CHECK: a\nCHECK-EMPTY:\nCHECK-NEXT: b\n", "a\n\nb\n");
    pass("CHECK: last\nCHECK-EMPTY:\n", "last\n\n");
}

#[test]
fn empty_rejects_a_non_empty_next_line() {
    let message = fail("CHECK: a\nCHECK-EMPTY:\n", "a\nb\n\n");
    assert!(
        message.contains("error: CHECK-EMPTY: is not on the line after the previous match"),
        "{message}"
    );
    // Whitespace is something.
    fail("CHECK: a\nCHECK-EMPTY:\n", "a\n \nb");
}

#[test]
fn empty_takes_no_pattern() {
    let message = fail("CHECK: a\nCHECK-EMPTY: b\n", "a\n\nb\n");
    assert!(
        message.contains(
            "t.mlir:2:14: error: found non-empty check string for empty check with prefix 'CHECK:'"
        ),
        "{message}"
    );
}

#[test]
fn next_and_same_follow_a_label() {
    pass(
        "CHECK-LABEL: func @f\nCHECK-NEXT: return\n",
        "func @f\nreturn\n",
    );
    pass("CHECK-LABEL: func\nCHECK-SAME: @f\n", "func @f\n");
}
