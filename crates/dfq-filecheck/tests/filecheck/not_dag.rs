//! CHECK-NOT, CHECK-DAG and --implicit-check-not.

use super::{fail, fail_with, pass, pass_with};
use dfq_filecheck::CheckOptions;

#[test]
fn not_applies_between_neighbouring_matches() {
    let check = "CHECK: begin\nCHECK-NOT: bad\nCHECK: end\n";
    pass(check, "bad\nbegin\nok\nend\nbad\n");
    let message = fail(check, "begin\nbad\nend\n");
    assert!(
        message.contains("t.mlir:2:12: error: CHECK-NOT: excluded string found in input"),
        "{message}"
    );
    assert!(
        message.contains("<stdin>:2:1: note: found here\nbad\n^~~"),
        "{message}"
    );
}

#[test]
fn not_before_the_first_and_after_the_last_match() {
    fail("CHECK-NOT: bad\nCHECK: ok\n", "bad\nok\n");
    pass("CHECK-NOT: bad\nCHECK: ok\n", "ok\nbad\n");
    fail("CHECK: ok\nCHECK-NOT: bad\n", "ok\nbad\n");
    pass("CHECK-NOT: bad\n", "good\n");
}

#[test]
fn every_matching_not_is_reported() {
    let message = fail("CHECK-NOT: x\nCHECK-NOT: y\nCHECK: end\n", "x y\nend\n");
    assert_eq!(
        message.matches("excluded string found").count(),
        2,
        "{message}"
    );
}

#[test]
fn not_with_same_checks_the_rest_of_the_line() {
    let check = "CHECK: loc(\nCHECK-NOT: column\nCHECK-SAME: scope\n";
    pass(check, "loc(line: 5, scope: 1)\n");
    fail(check, "loc(line: 5, column: 2, scope: 1)\n");
}

#[test]
fn dag_matches_in_any_order() {
    let check = "CHECK-DAG: first\nCHECK-DAG: second\nCHECK: after\n";
    pass(check, "second\nfirst\nafter\n");
    pass(check, "first\nsecond\nafter\n");
}

#[test]
fn dag_matches_do_not_overlap() {
    let check = "CHECK-DAG: add\nCHECK-DAG: add\n";
    pass(check, "add\nmul\nadd\n");
    fail(check, "add\nmul\n");
}

#[test]
fn the_next_check_starts_after_the_last_dag_match() {
    let check = "CHECK-DAG: a\nCHECK-DAG: b\nCHECK: c\n";
    pass(check, "b\na\nc\n");
    fail(check, "b\nc\na\n");
}

#[test]
fn dag_only_looks_after_the_previous_match() {
    fail("CHECK: start\nCHECK-DAG: x\n", "x\nstart\n");
}

#[test]
fn dag_reports_the_missing_pattern() {
    let message = fail("CHECK-DAG: a\nCHECK-DAG: z\n", "a\nb\n");
    assert!(
        message.contains("t.mlir:2:12: error: CHECK-DAG: expected string not found in input"),
        "{message}"
    );
}

#[test]
fn not_between_dag_groups_orders_the_groups() {
    let check = "CHECK-DAG: BEFORE\nCHECK-NOT: NOT\nCHECK-DAG: AFTER\n";
    pass(check, "BEFORE\nAFTER\n");
    fail(check, "AFTER\nBEFORE\n");
    let message = fail(check, "BEFORE\nNOT\nAFTER\n");
    assert!(
        message.contains("CHECK-NOT: excluded string found in input"),
        "{message}"
    );
}

#[test]
fn not_before_a_dag_group_stops_at_its_first_match() {
    let check = "CHECK: start\nCHECK-NOT: bad\nCHECK-DAG: x\nCHECK-DAG: y\n";
    pass(check, "start\ny\nbad\nx\n");
    fail(check, "start\nbad\ny\nx\n");
}

#[test]
fn dag_variables_feed_later_checks() {
    let check = "CHECK-DAG: add [[A:r[0-9]+]], r1\nCHECK-DAG: add [[B:r[0-9]+]], r3\nCHECK: mul r5, [[A]], [[B]]\n";
    pass(check, "add r7, r3\nadd r6, r1\nmul r5, r6, r7\n");
    fail(check, "add r7, r3\nadd r6, r1\nmul r5, r7, r6\n");
}

fn implicit(patterns: &[&str]) -> CheckOptions {
    CheckOptions {
        implicit_check_not: patterns.iter().map(|p| p.to_string()).collect(),
        ..CheckOptions::default()
    }
}

#[test]
fn implicit_not_applies_everywhere() {
    let opts = implicit(&["error"]);
    pass_with("CHECK: a\nCHECK: b\n", "a\nb\n", &opts);
    for input in ["error\na\nb\n", "a\nerror\nb\n", "a\nb\nerror\n"] {
        fail_with("CHECK: a\nCHECK: b\n", input, &opts);
    }
}

#[test]
fn implicit_not_points_at_the_command_line() {
    let message = fail_with("CHECK: a\n", "a\nwarning: x\n", &implicit(&["warning:"]));
    assert!(
        message.starts_with("command line:1:22: error: IMPLICIT-CHECK-NOT: excluded string found in input\n-implicit-check-not='warning:'\n                     ^"),
        "{message}"
    );
    assert!(
        message.contains("<stdin>:2:1: note: found here"),
        "{message}"
    );
}

#[test]
fn implicit_not_alone_is_a_complete_check() {
    pass_with("no directives here\n", "fine\n", &implicit(&["error"]));
    fail_with("no directives here\n", "an error\n", &implicit(&["error"]));
}

#[test]
fn implicit_not_accepts_regex_blocks() {
    fail_with(
        "CHECK: a\n",
        "a\nwarning 42\n",
        &implicit(&["warning {{[0-9]+}}"]),
    );
}

#[test]
fn a_dag_may_use_a_variable_from_an_earlier_dag_of_its_group() {
    let check = "CHECK-DAG: vmov.32 [[REG:d[0-9]+]][0]\nCHECK-DAG: vmov.32 [[REG]][1]\n";
    pass(check, "vmov.32 d0[1]\nvmov.32 d0[0]\n");
    fail(check, "vmov.32 d1[1]\nvmov.32 d0[0]\n");
}

#[test]
fn identical_dag_groups_claim_distinct_lines() {
    let check = "CHECK-DAG: [[T:[0-9]+]]: begin\nCHECK-DAG: [[T]]: end\n\
                 CHECK-DAG: [[T:[0-9]+]]: begin\nCHECK-DAG: [[T]]: end\n";
    pass(check, "1: begin\n2: begin\n2: end\n1: end\n");
    fail(check, "1: begin\n1: end\n");
}
