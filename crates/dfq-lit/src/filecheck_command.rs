//! The built-in `FileCheck` command: LLVM FileCheck's command line on top
//! of dfq-filecheck.

use std::path::Path;

use dfq_filecheck::CheckOptions;

use crate::process::Executed;

/// Options that only change how FileCheck presents a failure; accepted so
/// RUN lines written for LLVM's FileCheck work, and otherwise ignored.
const PRESENTATION_OPTIONS: [&str; 3] = ["dump-input", "dump-input-context", "dump-input-filter"];

/// FileCheck's exit status for a bad command line or unreadable file.
const USAGE_ERROR: i32 = 2;

#[derive(Debug, PartialEq, Eq)]
struct Invocation {
    check_file: String,
    input_file: Option<String>,
    options: CheckOptions,
}

/// Checks the input file (or `stdin`) against the check file; exits 1 with
/// the diagnostics on stderr when it does not match.
pub(crate) fn run(args: &[String], stdin: &[u8], cwd: &Path) -> Executed {
    let invocation = match parse_args(args) {
        Ok(invocation) => invocation,
        Err(message) => return usage_error(message),
    };
    let check_text = match read(cwd, &invocation.check_file) {
        Ok(text) => text,
        Err(message) => return usage_error(message),
    };
    let (input, input_name) = match &invocation.input_file {
        Some(path) => match read(cwd, path) {
            Ok(text) => (text, path.as_str()),
            Err(message) => return usage_error(message),
        },
        None => (String::from_utf8_lossy(stdin).into_owned(), "<stdin>"),
    };
    let result = dfq_filecheck::check(
        &check_text,
        &invocation.check_file,
        &input,
        input_name,
        &invocation.options,
    );
    match result {
        Ok(()) => Executed::exited(0, "", ""),
        Err(failure) => Executed::exited(1, "", format!("{failure}\n")),
    }
}

fn parse_args(args: &[String]) -> Result<Invocation, String> {
    let mut check_file = None;
    let mut input_file = None;
    let mut prefixes = Vec::new();
    let mut options = CheckOptions::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        // LLVM's command-line library takes `-flag` and `--flag` alike.
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            if check_file.replace(arg.clone()).is_some() {
                return Err(format!("unexpected extra argument '{arg}'"));
            }
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (flag, None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .map(str::to_string)
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("option '{arg}' needs a value"))
        };
        match name {
            "check-prefix" => prefixes.push(value()?),
            "check-prefixes" => prefixes.extend(value()?.split(',').map(str::to_string)),
            "implicit-check-not" => options.implicit_check_not.push(value()?),
            "input-file" => input_file = Some(value()?),
            "strict-whitespace" => options.strict_whitespace = switch(arg, inline)?,
            "allow-empty" => options.allow_empty_input = switch(arg, inline)?,
            "allow-unused-prefixes" => options.allow_unused_prefixes = switch(arg, inline)?,
            // Variables are always scoped to CHECK-LABEL blocks here.
            "enable-var-scope" => {
                if !switch(arg, inline)? {
                    return Err(
                        "variables are always scoped; '--enable-var-scope=false' is not supported"
                            .to_string(),
                    );
                }
            }
            name if PRESENTATION_OPTIONS.contains(&name) => {
                value()?;
            }
            "match-full-lines"
            | "ignore-case"
            | "allow-deprecated-dag-overlap"
            | "comment-prefixes" => {
                return Err(format!(
                    "option '{arg}' is not supported by the built-in FileCheck"
                ));
            }
            _ if name.starts_with('D') => {
                return Err(format!(
                    "option '{arg}' is not supported by the built-in FileCheck"
                ));
            }
            _ => return Err(format!("unknown option '{arg}'")),
        }
    }
    if !prefixes.is_empty() {
        options.prefixes = prefixes;
    }
    let check_file = check_file.ok_or("no check file given")?;
    Ok(Invocation {
        check_file,
        input_file,
        options,
    })
}

/// A boolean flag: `--flag`, `--flag=true` or `--flag=false`.
fn switch(arg: &str, inline: Option<&str>) -> Result<bool, String> {
    match inline {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(format!(
            "option '{arg}' takes no value other than true or false"
        )),
    }
}

/// Reads a file as text; stray non-UTF-8 bytes become U+FFFD rather than
/// making the check impossible.
fn read(cwd: &Path, path: &str) -> Result<String, String> {
    let bytes =
        std::fs::read(cwd.join(path)).map_err(|error| format!("cannot read '{path}': {error}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn usage_error(message: String) -> Executed {
    Executed::exited(USAGE_ERROR, "", format!("FileCheck: {message}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Invocation, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        parse_args(&args)
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_to_the_check_prefix() {
        let invocation = parse(&["t.mlir"]).unwrap();
        assert_eq!(invocation.check_file, "t.mlir");
        assert_eq!(invocation.input_file, None);
        assert_eq!(invocation.options, CheckOptions::default());
    }

    #[test]
    fn collects_prefixes_from_every_spelling() {
        let invocation = parse(&[
            "--check-prefix=A",
            "-check-prefix",
            "B",
            "t.mlir",
            "--check-prefixes=C,D",
        ])
        .unwrap();
        assert_eq!(invocation.options.prefixes, strings(&["A", "B", "C", "D"]));
    }

    #[test]
    fn reads_the_other_options() {
        let invocation = parse(&[
            "t.mlir",
            "--strict-whitespace",
            "--implicit-check-not=error",
            "--implicit-check-not",
            "warning",
            "--allow-empty",
            "--allow-unused-prefixes=true",
            "--input-file",
            "out.txt",
            "--dump-input=fail",
            "--enable-var-scope",
        ])
        .unwrap();
        let options = &invocation.options;
        assert!(
            options.strict_whitespace && options.allow_empty_input && options.allow_unused_prefixes
        );
        assert_eq!(options.implicit_check_not, strings(&["error", "warning"]));
        assert_eq!(invocation.input_file.as_deref(), Some("out.txt"));
        assert_eq!(
            parse(&["--input-file=x", "t"])
                .unwrap()
                .input_file
                .as_deref(),
            Some("x")
        );
    }

    #[test]
    fn rejects_what_it_does_not_implement() {
        let cases = [
            (
                &["t", "--match-full-lines"][..],
                "option '--match-full-lines' is not supported by the built-in FileCheck",
            ),
            (
                &["t", "-DVAR=1"][..],
                "option '-DVAR=1' is not supported by the built-in FileCheck",
            ),
            (&["t", "--frobnicate"][..], "unknown option '--frobnicate'"),
            (
                &["t", "--check-prefix"][..],
                "option '--check-prefix' needs a value",
            ),
            (&["t", "u"][..], "unexpected extra argument 'u'"),
            (
                &["--strict-whitespace=yes", "t"][..],
                "option '--strict-whitespace=yes' takes no value other than true or false",
            ),
            (&[][..], "no check file given"),
        ];
        for (args, expected) in cases {
            assert_eq!(parse(args).unwrap_err(), expected, "{args:?}");
        }
    }
}
