//! Reading a test file's directives: `RUN:`, `REQUIRES:`, `UNSUPPORTED:`.

use std::collections::BTreeSet;

/// What a test file asks the runner to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Script {
    pub run_lines: Vec<RunLine>,
    pub requires: Vec<String>,
    pub unsupported: Vec<String>,
}

/// One command, joined from a `RUN:` line and its continuations.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RunLine {
    /// 1-based line of the first `RUN:` line.
    pub line: usize,
    pub command: String,
}

#[derive(Clone, Copy)]
enum Keyword {
    Run,
    Requires,
    Unsupported,
}

const KEYWORDS: [(&str, Keyword); 3] = [
    ("RUN:", Keyword::Run),
    ("REQUIRES:", Keyword::Requires),
    ("UNSUPPORTED:", Keyword::Unsupported),
];

/// Collects the directives; as in lit, a directive may sit anywhere on a
/// line (usually after a comment marker) and takes the rest of it.
pub(crate) fn parse(text: &str) -> Result<Script, String> {
    let mut script = Script::default();
    let mut continues = false;
    for (index, line) in text.lines().enumerate() {
        let Some((keyword, rest)) = first_keyword(line) else {
            continue;
        };
        let number = index + 1;
        match keyword {
            Keyword::Run => {
                // A trailing backslash glues the next RUN: line on, leading
                // space and all, so `a\` + ` b` reads `a b` as in lit.
                let rest = rest.trim_end();
                let (body, next_continues) = match rest.strip_suffix('\\') {
                    Some(body) => (body, true),
                    None => (rest, false),
                };
                match script.run_lines.last_mut() {
                    Some(run) if continues => run.command.push_str(body),
                    _ => script.run_lines.push(RunLine {
                        line: number,
                        command: body.trim_start().to_string(),
                    }),
                }
                continues = next_continues;
            }
            Keyword::Requires => script.requires.extend(features(rest, number)?),
            Keyword::Unsupported => script.unsupported.extend(features(rest, number)?),
        }
    }
    if continues {
        let line = script.run_lines.last().map_or(0, |run| run.line);
        return Err(format!(
            "line {line}: RUN line ends with '\\' but no RUN: line follows"
        ));
    }
    Ok(script)
}

impl Script {
    /// Why the test cannot run with `features`, if it cannot.
    pub(crate) fn unsupported_reason(&self, features: &BTreeSet<String>) -> Option<String> {
        let missing: Vec<&str> = self
            .requires
            .iter()
            .filter(|f| !features.contains(*f))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Some(format!("missing required features: {}", missing.join(", ")));
        }
        let excluded: Vec<&str> = self
            .unsupported
            .iter()
            .filter(|f| features.contains(*f))
            .map(String::as_str)
            .collect();
        if !excluded.is_empty() {
            return Some(format!(
                "unsupported with features: {}",
                excluded.join(", ")
            ));
        }
        None
    }
}

/// The earliest keyword on the line and the text after it.
fn first_keyword(line: &str) -> Option<(Keyword, &str)> {
    KEYWORDS
        .iter()
        .filter_map(|&(name, keyword)| line.find(name).map(|at| (at, name, keyword)))
        .min_by_key(|&(at, _, _)| at)
        .map(|(at, name, keyword)| (keyword, &line[at + name.len()..]))
}

/// A comma-separated feature list. lit's boolean expressions are not
/// supported; refusing them beats misreading `a && !b` as a feature name.
fn features(list: &str, line: usize) -> Result<Vec<String>, String> {
    let mut features = Vec::new();
    for feature in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let plain = feature
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+=/".contains(c));
        if !plain {
            return Err(format!(
                "line {line}: feature expressions are not supported, only comma-separated \
                 names: '{feature}'"
            ));
        }
        features.push(feature.to_string());
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_lines(text: &str) -> Vec<(usize, String)> {
        parse(text)
            .unwrap()
            .run_lines
            .into_iter()
            .map(|run| (run.line, run.command))
            .collect()
    }

    #[test]
    fn finds_run_lines_after_any_comment_marker() {
        let text = "// RUN: a %s\n# RUN: b\nnot a directive\n  ; RUN:c  \n";
        assert_eq!(
            run_lines(text),
            vec![(1, "a %s".into()), (2, "b".into()), (4, "c".into())]
        );
    }

    #[test]
    fn joins_continuation_lines() {
        let text = "// RUN: tool %s\\\n// other\n// RUN:   | FileCheck %s\n// RUN: next\n";
        assert_eq!(
            run_lines(text),
            vec![(1, "tool %s   | FileCheck %s".into()), (4, "next".into())]
        );
        assert_eq!(run_lines("RUN: a\\\nRUN:b\n"), vec![(1, "ab".into())]);
    }

    #[test]
    fn rejects_a_dangling_continuation() {
        let error = parse("// RUN: a\n// RUN: b \\\n").unwrap_err();
        assert_eq!(
            error,
            "line 2: RUN line ends with '\\' but no RUN: line follows"
        );
    }

    #[test]
    fn reads_feature_lists() {
        let script =
            parse("// REQUIRES: x86, asserts\n// REQUIRES: z\n// UNSUPPORTED: windows\n").unwrap();
        assert_eq!(script.requires, vec!["x86", "asserts", "z"]);
        assert_eq!(script.unsupported, vec!["windows"]);
    }

    #[test]
    fn rejects_feature_expressions() {
        let error = parse("// REQUIRES: a && !b\n").unwrap_err();
        assert!(
            error.contains("feature expressions are not supported"),
            "{error}"
        );
    }

    #[test]
    fn explains_why_a_test_is_unsupported() {
        let script = parse("// REQUIRES: a, b\n// UNSUPPORTED: c\n").unwrap();
        let features = |list: &[&str]| list.iter().map(|f| f.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(script.unsupported_reason(&features(&["a", "b"])), None);
        assert_eq!(
            script.unsupported_reason(&features(&["a"])),
            Some("missing required features: b".into())
        );
        assert_eq!(
            script.unsupported_reason(&features(&["a", "b", "c"])),
            Some("unsupported with features: c".into())
        );
    }
}
