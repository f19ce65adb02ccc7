//! CHECK-LABEL: blocks that checks cannot escape.

use super::{fail, pass};

const TWO_FUNCTIONS: &str = "func @f {\n  arith.addf\n}\nfunc @g {\n  arith.mulf\n}\n";

#[test]
fn checks_stay_inside_their_block() {
    pass(
        "CHECK-LABEL: func @f\nCHECK: addf\nCHECK-LABEL: func @g\nCHECK: mulf\n",
        TWO_FUNCTIONS,
    );
    // Without labels, `mulf` would be found in @g's body.
    let message = fail(
        "CHECK-LABEL: func @f\nCHECK: mulf\nCHECK-LABEL: func @g\n",
        TWO_FUNCTIONS,
    );
    assert!(
        message.contains("t.mlir:2:8: error: CHECK: expected string not found in input"),
        "{message}"
    );
}

#[test]
fn each_block_reports_its_own_failure() {
    let check = "CHECK-LABEL: func @f\nCHECK: missing1\nCHECK-LABEL: func @g\nCHECK: missing2\n";
    let message = fail(check, TWO_FUNCTIONS);
    assert!(message.contains("t.mlir:2:8: error"), "{message}");
    assert!(message.contains("t.mlir:4:8: error"), "{message}");
}

#[test]
fn a_missing_label_stops_the_check() {
    let message = fail(
        "CHECK-LABEL: func @f\nCHECK-LABEL: func @h\nCHECK: missing\n",
        TWO_FUNCTIONS,
    );
    assert!(
        message.starts_with("t.mlir:2:14: error: CHECK-LABEL: expected string not found in input"),
        "{message}"
    );
    assert!(!message.contains("missing"), "{message}");
}

#[test]
fn labels_match_in_order() {
    fail(
        "CHECK-LABEL: func @g\nCHECK-LABEL: func @f\n",
        TWO_FUNCTIONS,
    );
}

#[test]
fn not_before_a_label_stops_at_the_label() {
    let check = "CHECK-LABEL: func @f\nCHECK-NOT: mulf\nCHECK-LABEL: func @g\n";
    pass(check, TWO_FUNCTIONS);
    fail(
        "CHECK-LABEL: func @f\nCHECK-NOT: addf\nCHECK-LABEL: func @g\n",
        TWO_FUNCTIONS,
    );
}

#[test]
fn a_block_check_may_not_run_into_the_label() {
    fail("CHECK-LABEL: a\nCHECK: b c\nCHECK-LABEL: c\n", "a\nb c\n");
}

#[test]
fn labels_clear_local_variables() {
    let check = "CHECK-LABEL: f\nCHECK: v=[[V:[0-9]+]]\nCHECK-LABEL: g\nCHECK: use [[V]]\n";
    let message = fail(check, "f\nv=1\ng\nuse 1\n");
    assert!(
        message.contains("t.mlir:4:12: error: undefined variable: V"),
        "{message}"
    );
}

#[test]
fn global_variables_survive_labels() {
    let check = "CHECK-LABEL: f\nCHECK: v=[[$V:[0-9]+]]\nCHECK-LABEL: g\nCHECK: use [[$V]]\n";
    pass(check, "f\nv=1\ng\nuse 1\n");
}

#[test]
fn variables_before_the_first_label_are_kept_for_it() {
    pass(
        "CHECK: v=[[V:[0-9]+]]\nCHECK: use [[V]]\nCHECK-LABEL: f\n",
        "v=1\nuse 1\nf\n",
    );
}

#[test]
fn labels_cannot_use_variables() {
    let message = fail(
        "CHECK: [[N:[a-z]+]]\nCHECK-LABEL: func @[[N]]\n",
        "f\nfunc @f\n",
    );
    assert!(
        message.starts_with("t.mlir:2:20: error: CHECK-LABEL: directives cannot contain variable definitions or uses"),
        "{message}"
    );
}
