//! A small `lit`-style test runner: a test file carries `RUN:` lines, and
//! the test passes when every one of them runs as expected.
//!
//! ```text
//! // RUN: dfq-opt %s --canonicalize | FileCheck %s
//! // RUN: not dfq-opt %s --bogus 2>&1 | FileCheck %s --check-prefix=ERR
//! ```
//!
//! RUN lines are parsed and executed here, not by `/bin/sh`, so tests
//! behave the same everywhere. The language: words with `'single'` and
//! `"double"` quotes and backslash escapes; pipelines (`|`, with pipefail
//! semantics); `&&` lists; `not` before a command to require that it fail;
//! redirections `< f`, `> f`, `>> f`, `2> f` and `2>&1`. Other shell syntax
//! (`;`, `||`, `&`, parentheses) is an error; `$VAR` and globs are plain text.
//!
//! `FileCheck`, `count`, `echo`, `true` and `false` are built in, FileCheck
//! running in-process through dfq-filecheck; other commands come from
//! [`LitConfig::tools`], then from `PATH`. Substitutions: `%s` (the test
//! file), `%S` (its directory), `%t` (a path in a temporary directory that
//! is removed after the test) and `%%`. `REQUIRES:` and `UNSUPPORTED:` take
//! comma-separated feature names. Each RUN line runs in the test file's
//! directory.

mod builtins;
mod filecheck_command;
mod pipeline;
mod process;
mod script;
mod shell;
mod substitute;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use pipeline::StageFailure;
use script::RunLine;
use substitute::Substitutions;

/// What the runner may use.
#[derive(Clone, Debug, Default)]
pub struct LitConfig {
    /// Command name → binary, e.g. `dfq-opt` → the freshly built one.
    pub tools: BTreeMap<String, PathBuf>,
    /// Features matched against `REQUIRES:` and `UNSUPPORTED:`.
    pub features: BTreeSet<String>,
}

/// How a test that did not fail ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Skipped; the text says which features made it so.
    Unsupported(String),
}

/// Runs the test in `path`. `Err` is a report for a person: the test file,
/// the failing RUN line as executed, the failing stage, its exit status and
/// its stderr (which holds FileCheck's diagnostics when FileCheck failed).
pub fn run_test_file(path: &Path, cfg: &LitConfig) -> Result<Outcome, String> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("{}: cannot read: {error}", path.display()))?;
    // Tests may hold deliberately invalid UTF-8; RUN lines never do.
    let text = String::from_utf8_lossy(&bytes);
    let script = script::parse(&text).map_err(|error| format!("{}: {error}", path.display()))?;
    if let Some(reason) = script.unsupported_reason(&cfg.features) {
        return Ok(Outcome::Unsupported(reason));
    }
    if script.run_lines.is_empty() {
        return Err(format!("{}: no RUN: lines", path.display()));
    }
    let path = std::path::absolute(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("/"));
    let temp_dir = tempfile::Builder::new()
        .prefix("dfq-lit-")
        .tempdir()
        .map_err(|error| {
            format!(
                "{}: cannot create a temporary directory: {error}",
                path.display()
            )
        })?;
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let substitutions = Substitutions::new(
        &path,
        dir,
        &temp_dir.path().join(format!("{file_name}.tmp")),
    );
    for run in &script.run_lines {
        let command = substitutions.apply(&run.command);
        let pipelines = shell::parse(&command).map_err(|error| {
            format!(
                "{}:{}: cannot parse RUN line: {error}\n  {command}",
                path.display(),
                run.line
            )
        })?;
        for pipeline in &pipelines {
            pipeline::run(pipeline, dir, cfg)
                .map_err(|failure| report(&path, run, &command, &failure))?;
        }
    }
    Ok(Outcome::Passed)
}

fn report(path: &Path, run: &RunLine, command: &str, failure: &StageFailure) -> String {
    let mut report = format!(
        "{}:{}: RUN line failed\n  {command}\nstage {} of {}: {}\n{}\n",
        path.display(),
        run.line,
        failure.stage,
        failure.stages,
        failure.command,
        failure.problem,
    );
    if failure.stderr.trim().is_empty() {
        report.push_str("(no stderr)");
    } else {
        report.push_str("stderr:\n");
        report.push_str(failure.stderr.trim_end());
    }
    report
}
