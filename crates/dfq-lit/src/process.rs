//! Running one command: a built-in, or a program from the tool map or PATH.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::{builtins, LitConfig};

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Exited(i32),
    /// Killed by a signal; the text says which.
    Crashed(String),
}

/// What a command did.
#[derive(Debug)]
pub(crate) struct Executed {
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Executed {
    pub(crate) fn exited(
        code: i32,
        stdout: impl Into<Vec<u8>>,
        stderr: impl Into<Vec<u8>>,
    ) -> Self {
        Executed {
            status: Status::Exited(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }
}

/// Runs `argv` in `cwd` with `stdin`; with `merge_stderr` its stderr is
/// interleaved into its stdout. `Err` means it could not be started.
pub(crate) fn run(
    argv: &[String],
    stdin: &[u8],
    merge_stderr: bool,
    cwd: &Path,
    cfg: &LitConfig,
) -> Result<Executed, String> {
    let (name, args) = argv.split_first().ok_or("missing command")?;
    if let Some(mut executed) = builtins::run(name, args, stdin, cwd) {
        if merge_stderr {
            let stderr = std::mem::take(&mut executed.stderr);
            executed.stdout.extend(stderr);
        }
        return Ok(executed);
    }
    let program = resolve_tool(name, cfg, cwd).ok_or_else(|| {
        format!("unknown tool '{name}': not a built-in, not in the tool map, not on PATH")
    })?;
    run_program(&program, args, stdin, merge_stderr, cwd)
        .map_err(|error| format!("cannot run '{}': {error}", program.display()))
}

/// The tool map first, so a test suite pins the binaries it tests; then a
/// path as written; then PATH, like a shell.
fn resolve_tool(name: &str, cfg: &LitConfig, cwd: &Path) -> Option<PathBuf> {
    if let Some(path) = cfg.tools.get(name) {
        return Some(path.clone());
    }
    if name.contains(['/', std::path::MAIN_SEPARATOR]) {
        let path = cwd.join(name);
        return path.is_file().then_some(path);
    }
    let search_path = std::env::var_os("PATH")?;
    std::env::split_paths(&search_path)
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

fn run_program(
    program: &Path,
    args: &[String],
    stdin: &[u8],
    merge_stderr: bool,
    cwd: &Path,
) -> std::io::Result<Executed> {
    let mut command = std::process::Command::new(program);
    command.args(args).current_dir(cwd).stdin(Stdio::piped());
    // Both streams into one file keeps their interleaving, which two pipes
    // read separately would lose.
    let merged = if merge_stderr {
        let file = tempfile::tempfile()?;
        command.stdout(file.try_clone()?).stderr(file.try_clone()?);
        Some(file)
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        None
    };
    let mut child = command.spawn()?;
    let input = child.stdin.take();
    let output = std::thread::scope(|scope| {
        // Fed from a thread so that a tool blocked on writing its output
        // cannot deadlock against us blocked on writing its input.
        scope.spawn(move || {
            if let Some(mut input) = input {
                // A tool may exit without reading its input; that is fine.
                let _ = input.write_all(stdin);
            }
        });
        child.wait_with_output()
    })?;
    let status = match output.status.code() {
        Some(code) => Status::Exited(code),
        None => Status::Crashed(output.status.to_string()),
    };
    let (stdout, stderr) = match merged {
        Some(mut file) => {
            let mut combined = Vec::new();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut combined)?;
            (combined, Vec::new())
        }
        None => (output.stdout, output.stderr),
    };
    Ok(Executed {
        status,
        stdout,
        stderr,
    })
}
