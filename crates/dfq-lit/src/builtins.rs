//! Commands the runner implements itself: `FileCheck` (in-process, through
//! dfq-filecheck), `count`, `echo`, `true` and `false`.

use std::path::Path;

use crate::filecheck_command;
use crate::process::Executed;

/// Runs `name` if it is a built-in; `None` means it is not one.
pub(crate) fn run(name: &str, args: &[String], stdin: &[u8], cwd: &Path) -> Option<Executed> {
    let executed = match name {
        "FileCheck" => filecheck_command::run(args, stdin, cwd),
        "count" => count(args, stdin),
        "echo" => echo(args),
        "true" => Executed::exited(0, "", ""),
        "false" => Executed::exited(1, "", ""),
        _ => return None,
    };
    Some(executed)
}

/// `count N`: succeeds if stdin has exactly N lines (newlines, as LLVM's
/// `count` counts them).
fn count(args: &[String], stdin: &[u8]) -> Executed {
    let [expected] = args else {
        return Executed::exited(2, "", "usage: count <number of lines>\n");
    };
    let Ok(expected) = expected.parse::<usize>() else {
        return Executed::exited(2, "", format!("count: '{expected}' is not a number\n"));
    };
    let lines = stdin.iter().filter(|&&b| b == b'\n').count();
    if lines == expected {
        Executed::exited(0, "", "")
    } else {
        Executed::exited(1, "", format!("Expected {expected} lines, got {lines}.\n"))
    }
}

/// `echo [-n] words...`
fn echo(args: &[String]) -> Executed {
    let (newline, words) = match args.split_first() {
        Some((flag, words)) if flag == "-n" => ("", words),
        _ => ("\n", args),
    };
    Executed::exited(0, format!("{}{newline}", words.join(" ")), "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::Status;

    fn run_builtin(name: &str, args: &[&str], stdin: &str) -> Executed {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run(name, &args, stdin.as_bytes(), Path::new(".")).expect("a built-in")
    }

    #[test]
    fn count_compares_newlines() {
        assert_eq!(
            run_builtin("count", &["2"], "a\nb\n").status,
            Status::Exited(0)
        );
        assert_eq!(run_builtin("count", &["0"], "").status, Status::Exited(0));
        let executed = run_builtin("count", &["3"], "a\nb\n");
        assert_eq!(executed.status, Status::Exited(1));
        assert_eq!(executed.stderr, b"Expected 3 lines, got 2.\n");
        assert_eq!(run_builtin("count", &["x"], "").status, Status::Exited(2));
        assert_eq!(run_builtin("count", &[], "").status, Status::Exited(2));
    }

    #[test]
    fn echo_joins_its_arguments() {
        assert_eq!(run_builtin("echo", &["a", "b c"], "").stdout, b"a b c\n");
        assert_eq!(run_builtin("echo", &["-n", "x"], "").stdout, b"x");
        assert_eq!(run_builtin("echo", &[], "").stdout, b"\n");
    }

    #[test]
    fn true_and_false() {
        assert_eq!(run_builtin("true", &[], "").status, Status::Exited(0));
        assert_eq!(run_builtin("false", &[], "").status, Status::Exited(1));
    }

    #[test]
    fn other_names_are_not_built_in() {
        for name in ["cat", "FileCheck-22", "not", "dfq-opt"] {
            assert!(run(name, &[], b"", Path::new(".")).is_none(), "{name}");
        }
    }
}
