//! Plain CHECK, CHECK-COUNT, regex blocks, modifiers and prefixes.

use super::{fail, fail_with, pass, pass_with, prefixes};

#[test]
fn matches_in_order() {
    pass("// CHECK: one\n// CHECK: three\n", "one\ntwo\nthree\n");
}

#[test]
fn rejects_out_of_order_matches() {
    let message = fail("// CHECK: three\n// CHECK: one\n", "one\ntwo\nthree\n");
    assert!(
        message.contains("error: CHECK: expected string not found in input"),
        "{message}"
    );
}

#[test]
fn matches_anywhere_on_a_line_and_resumes_after_the_match() {
    pass("CHECK: b\nCHECK: d\n", "abcde\n");
    fail("CHECK: d\nCHECK: b\n", "abcde\n");
}

#[test]
fn a_match_stays_within_one_line() {
    fail("CHECK: a b\n", "a\nb\n");
    fail("CHECK: a{{.*}}b\n", "a\nb\n");
}

#[test]
fn regex_blocks_mix_with_literal_text() {
    pass(
        "CHECK: tensor<{{[0-9]+}}x{{[0-9]+}}xf32>\n",
        "%0 : tensor<16x3xf32>\n",
    );
    fail("CHECK: tensor<{{[0-9]+}}xf32>\n", "%0 : tensor<?xf32>\n");
    // Outside blocks, regex metacharacters are literal.
    pass("CHECK: a.b*(c)\n", "a.b*(c)\n");
    fail("CHECK: a.b\n", "axb\n");
}

#[test]
fn line_anchors_refer_to_input_lines() {
    pass("CHECK: {{^}}b\n", "ab\nb\n");
    fail("CHECK: {{^}}b\n", "ab\ncb\n");
    pass("CHECK: a{{$}}\n", "ab\na\n");
}

#[test]
fn count_matches_consecutively() {
    pass("CHECK-COUNT-3: x\nCHECK: end\n", "x\nx y x\nend\n");
    let message = fail("CHECK-COUNT-3: x\n", "x\nx\n");
    assert!(
        message.contains("error: CHECK-COUNT: expected string not found in input (3 out of 3)"),
        "{message}"
    );
}

#[test]
fn literal_modifier_disables_blocks() {
    pass(
        "CHECK{LITERAL}: [[1, 2], [3, 4]]\n",
        "dense<[[1, 2], [3, 4]]>\n",
    );
    pass("CHECK: a\nCHECK-SAME{LITERAL}: {{x}}\n", "a {{x}}\n");
    fail("CHECK{LITERAL}: {{.*}}\n", "anything\n");
}

#[test]
fn only_selected_prefixes_are_directives() {
    let check = "// A: apple\n// B: banana\n";
    pass_with(check, "apple\n", &prefixes(&["A"]));
    pass_with(check, "apple banana\n", &prefixes(&["A", "B"]));
    fail_with(check, "banana apple\n", &prefixes(&["A", "B"]));
}

#[test]
fn run_and_com_lines_are_comments() {
    let check = "// RUN: dfq-opt %s | FileCheck %s --check-prefix=CHECK\n// COM: CHECK: missing\n// CHECK: ok\n";
    pass(check, "ok\n");
}

#[test]
fn directives_must_not_be_glued_to_a_word() {
    pass(
        "// XCHECK: missing\n// CHECK: ok\n// CHECKS: missing\n",
        "ok\n",
    );
}

#[test]
fn only_the_first_directive_on_a_line_counts() {
    pass("CHECK: a CHECK: b\n", "a CHECK: b\n");
}
