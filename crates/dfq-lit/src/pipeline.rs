//! Running a parsed pipeline, stage after stage, with pipefail semantics:
//! every stage must end as expected, not just the last.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use crate::process::{self, Executed, Status};
use crate::shell::{Command, OutputFile, Pipeline, Stderr};
use crate::LitConfig;

/// The stage that ended the pipeline and why.
#[derive(Debug)]
pub(crate) struct StageFailure {
    /// 1-based.
    pub stage: usize,
    pub stages: usize,
    pub command: String,
    pub problem: String,
    pub stderr: String,
}

/// Runs the stages in order, each to completion, feeding each one's stdout
/// to the next; outputs in tests are small, so nothing needs streaming.
pub(crate) fn run(pipeline: &Pipeline, cwd: &Path, cfg: &LitConfig) -> Result<(), StageFailure> {
    let mut piped = Vec::new();
    for (index, stage) in pipeline.stages.iter().enumerate() {
        let fail = |problem: String, stderr: &[u8]| StageFailure {
            stage: index + 1,
            stages: pipeline.stages.len(),
            command: display_command(stage),
            problem,
            stderr: String::from_utf8_lossy(stderr).into_owned(),
        };
        let executed = run_stage(stage, std::mem::take(&mut piped), cwd, cfg)
            .map_err(|problem| fail(problem, b""))?;
        if let Some(problem) = unexpected_status(&executed.status, stage.negations) {
            return Err(fail(problem, &executed.stderr));
        }
        piped = executed.stdout;
    }
    Ok(())
}

/// Runs one stage with its redirections; the returned stdout is what the
/// next stage reads (empty when stdout went to a file).
fn run_stage(
    stage: &Command,
    piped: Vec<u8>,
    cwd: &Path,
    cfg: &LitConfig,
) -> Result<Executed, String> {
    let stdin = match &stage.stdin {
        Some(path) => std::fs::read(cwd.join(path))
            .map_err(|error| format!("cannot read '{path}': {error}"))?,
        None => piped,
    };
    let merge_stderr = stage.stderr == Stderr::ToStdout;
    let mut executed = process::run(&stage.argv, &stdin, merge_stderr, cwd, cfg)?;
    if let Some(file) = &stage.stdout {
        write_output(file, &std::mem::take(&mut executed.stdout), cwd)?;
    }
    if let Stderr::File(file) = &stage.stderr {
        write_output(file, &std::mem::take(&mut executed.stderr), cwd)?;
    }
    Ok(executed)
}

fn write_output(file: &OutputFile, bytes: &[u8], cwd: &Path) -> Result<(), String> {
    OpenOptions::new()
        .create(true)
        .write(true)
        .append(file.append)
        .truncate(!file.append)
        .open(cwd.join(&file.path))
        .and_then(|mut out| out.write_all(bytes))
        .map_err(|error| format!("cannot write '{}': {error}", file.path))
}

/// Describes how `status` differs from what `negations` `not`s expect, if
/// it does. As with LLVM's `not`, a crash never counts as the failure a
/// `not` asks for.
fn unexpected_status(status: &Status, negations: usize) -> Option<String> {
    let mut succeeded = *status == Status::Exited(0);
    let mut crashed = matches!(status, Status::Crashed(_));
    let mut wants_failure = false;
    for _ in 0..negations {
        succeeded = !succeeded && !crashed;
        crashed = false;
        wants_failure = !wants_failure;
    }
    if succeeded {
        return None;
    }
    let expected = if wants_failure {
        "expected non-zero, under 'not'"
    } else {
        "expected 0"
    };
    Some(match status {
        Status::Exited(code) => format!("exit status {code} ({expected})"),
        Status::Crashed(how) => format!("crashed: {how} ({expected})"),
    })
}

/// The stage as a shell would read it back, for reports.
fn display_command(stage: &Command) -> String {
    let nots = std::iter::repeat_n("not".to_string(), stage.negations);
    nots.chain(stage.argv.iter().map(|arg| quote(arg)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=,:%@+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_expectations_follow_not() {
        let crashed = Status::Crashed("signal: 11".into());
        assert_eq!(unexpected_status(&Status::Exited(0), 0), None);
        assert_eq!(unexpected_status(&Status::Exited(1), 1), None);
        assert_eq!(unexpected_status(&Status::Exited(0), 2), None);
        assert_eq!(unexpected_status(&crashed, 2), None);
        assert_eq!(
            unexpected_status(&Status::Exited(3), 0).unwrap(),
            "exit status 3 (expected 0)"
        );
        assert_eq!(
            unexpected_status(&Status::Exited(0), 1).unwrap(),
            "exit status 0 (expected non-zero, under 'not')"
        );
        assert_eq!(
            unexpected_status(&crashed, 1).unwrap(),
            "crashed: signal: 11 (expected non-zero, under 'not')"
        );
    }

    #[test]
    fn displays_commands_readably() {
        let stage = Command {
            negations: 1,
            argv: vec![
                "tool".into(),
                "--x=1".into(),
                "a b".into(),
                "it's".into(),
                "".into(),
            ],
            ..Command::default()
        };
        assert_eq!(
            display_command(&stage),
            r"not tool --x=1 'a b' 'it'\''s' ''"
        );
    }
}
