//! `[[VAR:regex]]` definitions, `[[VAR]]` uses and `[[@LINE]]`.

use super::{fail, pass};

#[test]
fn a_use_matches_the_captured_text() {
    let check = "CHECK: %[[X:[0-9]+]] = nn.relu\nCHECK: return %[[X]]\n";
    pass(check, "%3 = nn.relu\nreturn %3\n");
    fail(check, "%3 = nn.relu\nreturn %4\n");
}

#[test]
fn a_use_is_literal_text() {
    let check = "CHECK: type=[[T:.*]];\nCHECK: again [[T]]\n";
    pass(check, "type=tensor<1x?xf32>;\nagain tensor<1x?xf32>\n");
    fail(check, "type=a.b;\nagain axb\n");
}

#[test]
fn redefinition_replaces_the_value() {
    pass(
        "CHECK: [[V:[a-z]]]=1\nCHECK: [[V:[a-z]]]=2\nCHECK: last [[V]]\n",
        "a=1\nb=2\nlast b\n",
    );
}

#[test]
fn a_later_directive_on_the_same_line_can_use_a_definition() {
    pass(
        "CHECK: op [[R:r[0-9]+]],\nCHECK-SAME: [[R]]\n",
        "op r1, r1\n",
    );
    fail(
        "CHECK: op [[R:r[0-9]+]],\nCHECK-SAME: [[R]]\n",
        "op r1, r2\n",
    );
}

#[test]
fn using_an_undefined_variable_is_an_error() {
    let message = fail("CHECK: a\nCHECK: b [[NOPE]]\n", "a\nb c\n");
    assert_eq!(
        message,
        "t.mlir:2:10: error: undefined variable: NOPE\nCHECK: b [[NOPE]]\n         ^"
    );
}

#[test]
fn using_a_variable_in_its_defining_pattern_is_rejected() {
    let message = fail("CHECK: [[R:r[0-9]+]], [[R]]\n", "r1, r1\n");
    assert!(
        message
            .starts_with("t.mlir:1:23: error: variable 'R' is used in the pattern that defines it"),
        "{message}"
    );
}

#[test]
fn failures_show_the_substituted_values() {
    let message = fail("CHECK: [[X:[0-9]+]]\nCHECK: use [[X]]\n", "7\nuse 8\n");
    assert!(
        message.contains("t.mlir:2:12: note: with \"X\" equal to \"7\""),
        "{message}"
    );
}

#[test]
fn line_numbers_of_the_check_file() {
    let check =
        "// CHECK: error at line [[@LINE+1]]\nbad();\n// CHECK: line [[@LINE]] and [[@LINE-2]]\n";
    pass(check, "error at line 2\nline 3 and 1\n");
}

#[test]
fn malformed_blocks_are_errors() {
    let message = fail("CHECK: {{[0-9]+\n", "1\n");
    assert!(
        message.starts_with("t.mlir:1:8: error: found start of regex string with no end '}}'"),
        "{message}"
    );
    let message = fail("CHECK: [[#N]]\n", "1\n");
    assert!(
        message.contains("numeric substitution blocks ([[#...]]) are not supported"),
        "{message}"
    );
    let message = fail("CHECK: x{{(}}\n", "x\n");
    assert!(
        message.starts_with("t.mlir:1:11: error: invalid regex '(': "),
        "{message}"
    );
}
