//! End-to-end tests: small test files written to a temporary directory and
//! run with the built-ins and system tools (`cat`, `sh`).

use std::path::{Path, PathBuf};

use dfq_lit::{run_test_file, LitConfig, Outcome};
use tempfile::TempDir;

struct Suite {
    dir: TempDir,
    cfg: LitConfig,
}

impl Suite {
    fn new() -> Self {
        let mut cfg = LitConfig::default();
        cfg.tools.insert("cat".into(), PathBuf::from("/bin/cat"));
        cfg.features.insert("int8".into());
        Suite {
            dir: tempfile::tempdir().unwrap(),
            cfg,
        }
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn run(&self, content: &str) -> Result<Outcome, String> {
        run_test_file(&self.write("test.mlir", content), &self.cfg)
    }

    fn pass(&self, content: &str) {
        match self.run(content) {
            Ok(Outcome::Passed) => {}
            other => panic!("expected a pass, got {other:?}"),
        }
    }

    fn fail(&self, content: &str) -> String {
        match self.run(content) {
            Err(report) => report,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

#[test]
fn echo_into_filecheck_passes() {
    Suite::new()
        .pass("// RUN: echo hello world | FileCheck %s\n// CHECK: hello\n// CHECK-SAME: world\n");
}

#[test]
fn a_failing_filecheck_is_reported_in_full() {
    let suite = Suite::new();
    let report = suite.fail("// RUN: echo hello | FileCheck %s\n// CHECK: goodbye\n");
    let test = suite.dir.path().join("test.mlir");
    let test = test.display();
    assert!(
        report.starts_with(&format!(
            "{test}:1: RUN line failed\n  echo hello | FileCheck {test}\n"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "stage 2 of 2: FileCheck {test}\nexit status 1 (expected 0)\n"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "stderr:\n{test}:2:11: error: CHECK: expected string not found in input"
        )),
        "{report}"
    );
    assert!(
        report.contains("<stdin>:1:1: note: scanning from here\nhello"),
        "{report}"
    );
}

#[test]
fn not_inverts_the_exit_status() {
    let suite = Suite::new();
    suite.pass("// RUN: not false\n// RUN: not not true\n");
    let report = suite.fail("// RUN: not true\n");
    assert!(
        report.contains("stage 1 of 1: not true\nexit status 0 (expected non-zero, under 'not')"),
        "{report}"
    );
}

#[test]
fn every_stage_must_succeed() {
    let report = Suite::new().fail("// RUN: false | count 0\n");
    assert!(
        report.contains("stage 1 of 2: false\nexit status 1 (expected 0)\n(no stderr)"),
        "{report}"
    );
}

#[test]
fn tools_come_from_the_map() {
    let suite = Suite::new();
    suite.pass("// RUN: cat %s | FileCheck %s\n// CHECK: RUN: cat\n");
    suite.pass("// RUN: cat < %s | count 2\n// second line\n");
}

#[test]
fn tools_come_from_path() {
    Suite::new().pass("// RUN: sh -c 'echo from-sh' | FileCheck %s\n// CHECK: from-sh\n");
}

#[test]
fn an_unknown_tool_fails_the_test() {
    // Not FileCheck-22: CI installs it for the MLIR tests.
    let report = Suite::new().fail("// RUN: dfq-no-such-tool %s\n");
    assert!(report.contains("unknown tool 'dfq-no-such-tool'"), "{report}");
}

#[test]
fn stderr_of_the_failing_stage_is_reported() {
    let report = Suite::new().fail("// RUN: sh -c 'echo boom >&2; exit 3'\n");
    assert!(
        report.contains("exit status 3 (expected 0)\nstderr:\nboom"),
        "{report}"
    );
}

#[test]
fn stderr_can_be_merged_into_stdout() {
    let suite = Suite::new();
    let test =
        "// RUN: not sh -c 'echo one; echo two >&2; echo three; exit 1' 2>&1 | FileCheck %s\n\
                // CHECK: one\n// CHECK-NEXT: two\n// CHECK-NEXT: three\n";
    suite.pass(test);
    suite.write("no-directives.txt", "nothing to check\n");
    suite.pass(
        "// RUN: not FileCheck %S/no-directives.txt < %s 2>&1 | FileCheck %s --check-prefix=ERR\n\
         // ERR: error: no check strings found with prefix\n",
    );
}

#[test]
fn a_crash_is_not_the_failure_not_expects() {
    let report = Suite::new().fail("// RUN: not sh -c 'kill -9 $$'\n");
    assert!(report.contains("crashed: signal: 9"), "{report}");
}

#[test]
fn redirections_and_temp_paths() {
    let suite = Suite::new();
    suite.pass(
        "// RUN: echo first > %t && echo second >> %t\n\
         // RUN: count 2 < %t\n\
         // RUN: FileCheck %s --input-file=%t\n\
         // RUN: FileCheck %s --input-file %t\n\
         // RUN: sh -c 'echo err >&2' 2> %t.err && cat %t.err | FileCheck %s --check-prefix=ERR\n\
         // CHECK: first\n// CHECK-NEXT: second\n// ERR: err\n",
    );
}

#[test]
fn temp_paths_are_private_and_removed() {
    let suite = Suite::new();
    suite.pass("// RUN: echo %t > %S/where\n");
    let temp = std::fs::read_to_string(suite.dir.path().join("where")).unwrap();
    let temp = Path::new(temp.trim());
    assert!(temp.ends_with("test.mlir.tmp"), "{}", temp.display());
    assert!(
        !temp.parent().unwrap().exists(),
        "{} was not removed",
        temp.display()
    );
}

#[test]
fn substitutions_and_continuations() {
    let suite = Suite::new();
    let dir = suite.dir.path().display();
    suite.pass(&format!(
        "// RUN: echo 100%% done in %S \\\n\
         // RUN:   | FileCheck %s\n\
         // CHECK: 100% done in {dir}{{{{$}}}}\n"
    ));
    suite.fail("// RUN: echo 100%% | FileCheck %s\n// CHECK: 100%%\n");
    suite.pass("// RUN: echo 100%% | FileCheck %s\n// CHECK: 100%{{$}}\n");
}

#[test]
fn filecheck_options_reach_the_matcher() {
    let suite = Suite::new();
    suite.pass("// RUN: echo a b | FileCheck %s --check-prefixes=ONE,TWO\n// ONE: a\n// TWO: b\n");
    suite.pass(
        "// RUN: echo 'x  y' | FileCheck %s -check-prefix=S --strict-whitespace\n// S: x  y\n",
    );
    suite.fail(
        "// RUN: echo 'x y' | FileCheck %s -check-prefix=S --strict-whitespace\n// S: x  y\n",
    );
    suite.fail("// RUN: echo ok error | FileCheck %s --implicit-check-not=error\n// CHECK: ok\n");
    suite.pass("// RUN: echo -n | FileCheck %s --allow-empty\n// CHECK-NOT: x\n");
    let report = suite.fail("// RUN: echo a | FileCheck %s --match-full-lines\n// CHECK: a\n");
    assert!(report.contains("exit status 2 (expected 0)"), "{report}");
    assert!(
        report.contains("FileCheck: option '--match-full-lines' is not supported"),
        "{report}"
    );
}

#[test]
fn requires_and_unsupported() {
    let suite = Suite::new();
    assert_eq!(
        suite.run("// REQUIRES: int8\n// RUN: true\n"),
        Ok(Outcome::Passed)
    );
    assert_eq!(
        suite.run("// REQUIRES: int8, gpu\n// RUN: false\n"),
        Ok(Outcome::Unsupported(
            "missing required features: gpu".into()
        ))
    );
    assert_eq!(
        suite.run("// UNSUPPORTED: int8\n// RUN: false\n"),
        Ok(Outcome::Unsupported(
            "unsupported with features: int8".into()
        ))
    );
}

#[test]
fn malformed_tests_fail_with_a_reason() {
    let suite = Suite::new();
    assert!(suite
        .fail("// CHECK: nothing runs\n")
        .ends_with("no RUN: lines"));
    let report = suite.fail("// RUN: echo a || true\n");
    assert!(
        report
            .contains(":1: cannot parse RUN line: unsupported shell syntax '||'\n  echo a || true"),
        "{report}"
    );
    let report = suite.fail("// RUN: not --crash true\n");
    assert!(
        report.contains("'not --crash' is not supported"),
        "{report}"
    );
    let report = suite.fail("// RUN: echo \\\n");
    assert!(
        report.contains("RUN line ends with '\\' but no RUN: line follows"),
        "{report}"
    );
    let missing = suite.dir.path().join("missing.mlir");
    assert!(run_test_file(&missing, &suite.cfg)
        .unwrap_err()
        .contains("cannot read"));
}

#[test]
fn commands_run_in_the_test_directory() {
    let suite = Suite::new();
    suite.write("input.txt", "relative\n");
    suite.pass("// RUN: cat input.txt | FileCheck %s\n// CHECK: relative\n");
}

#[test]
fn test_files_may_hold_invalid_utf8() {
    let suite = Suite::new();
    let path = suite.write(
        "latin1.mlir",
        b"// RUN: cat %s | FileCheck %s\n// caf\xe9\n// CHECK: caf\n",
    );
    assert_eq!(run_test_file(&path, &suite.cfg), Ok(Outcome::Passed));
}
