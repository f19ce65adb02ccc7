//! `--verify-diagnostics`: the test file states which diagnostics it expects in
//! comments, MLIR-style, and the run fails on any missing or unexpected one.
//!
//! ```mlir
//! // expected-error @+1 {{does not dominate}}
//! %0 = "nn.relu"(%1) ...
//! ```
//! `@+N`/`@-N` are relative lines, `@above`/`@below` mean `@-1`/`@+1`, no `@` means
//! this line. The text between `{{` and `}}` must occur in the message.

use std::sync::OnceLock;

use dfq_ir::{Diagnostic, Location, Severity, SourceFile};
use regex::Regex;

#[derive(Debug)]
struct Expectation {
    severity: Severity,
    line: u32,
    text: String,
    /// Where the directive itself is, for "was not produced" reports.
    at: Location,
    seen: bool,
}

fn directive() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"expected-(error|warning|remark|note)\s*(?:@(above|below|[+-]\d+))?\s*\{\{(.*?)\}\}")
            .expect("valid regex")
    })
}

/// Checks `produced` (with notes flattened in) against the directives in `src`.
/// Returns the mismatches as error diagnostics; empty means the chunk passes.
pub fn verify(src: &SourceFile, produced: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut expected = parse_expectations(src);
    let mut problems = Vec::new();
    let flat = produced.iter().flat_map(|d| std::iter::once(d).chain(d.notes.iter()));
    for d in flat {
        let hit = expected.iter_mut().find(|e| {
            !e.seen
                && e.severity == d.severity
                && d.loc.as_ref().is_some_and(|l| l.line == e.line && *l.file == *e.at.file)
                && d.message.contains(&e.text)
        });
        match hit {
            Some(e) => e.seen = true,
            None => problems.push(Diagnostic::error(
                d.loc.clone(),
                format!("unexpected {}: {}", d.severity, d.message),
            )),
        }
    }
    for e in expected.into_iter().filter(|e| !e.seen) {
        problems.push(Diagnostic::error(
            Some(e.at),
            format!("expected {} \"{}\" on line {} was not produced", e.severity, e.text, e.line),
        ));
    }
    problems
}

fn parse_expectations(src: &SourceFile) -> Vec<Expectation> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in src.text().split_inclusive('\n') {
        for caps in directive().captures_iter(raw) {
            let whole = caps.get(0).expect("match");
            let at = src.location(offset + whole.start());
            let delta: i64 = match caps.get(2).map(|m| m.as_str()) {
                None => 0,
                Some("above") => -1,
                Some("below") => 1,
                Some(n) => n.parse().unwrap_or(0),
            };
            let severity = match &caps[1] {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                "remark" => Severity::Remark,
                _ => Severity::Note,
            };
            out.push(Expectation {
                severity,
                line: (at.line as i64 + delta).max(0) as u32,
                text: caps[3].to_string(),
                at,
                seen: false,
            });
        }
        offset += raw.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(src: &SourceFile, line_text: &str, sev: Severity, msg: &str) -> Diagnostic {
        let off = src.text().find(line_text).unwrap();
        Diagnostic::new(sev, Some(src.location(off)), msg)
    }

    #[test]
    fn matches_relative_lines_and_notes() {
        let src = SourceFile::new("t", "// expected-error @+1 {{bad op}}\nop1\nop2 // expected-note {{here}}\n");
        let d = diag(&src, "op1", Severity::Error, "a bad op indeed").with_note(Some(src.location(src.text().find("op2").unwrap())), "defined here");
        assert!(verify(&src, &[d]).is_empty());
    }

    #[test]
    fn reports_missing_and_unexpected() {
        let src = SourceFile::new("t", "// expected-error @below {{bad}}\nop1\nop2\n");
        let problems = verify(&src, &[diag(&src, "op2", Severity::Error, "bad")]);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].message.starts_with("unexpected error: bad"));
        assert!(problems[1].message.contains("was not produced"));
    }
}
