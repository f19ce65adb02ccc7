//! Test helpers: parse and verify MLIR text, and check diagnostics against
//! MLIR-style expectations written in the text:
//! `// expected-error {{message}}` (same line) or `// expected-error @+1 {{message}}`
//! (a line below; `@-1` above), likewise `expected-note`. Messages match exactly.

#![allow(dead_code)] // each test binary uses some of the helpers

use dfq_dialects::{verify_module_with, Registry};
use dfq_ir::{parse_module, Diagnostic, Module, Severity, SourceFile};

pub fn parse(text: &str) -> Module {
    let src = SourceFile::new("test.mlir", text);
    parse_module(&src).unwrap_or_else(|e| panic!("parse failed:\n{}", e.render(&[&src])))
}

/// Verifies `text`, panicking with the rendered diagnostics if it fails.
pub fn assert_valid(text: &str) {
    let src = SourceFile::new("test.mlir", text);
    let module = parse(text);
    if let Err(e) = dfq_dialects::verify_module(&module) {
        panic!("verification failed:\n{}", e.render(&[&src]));
    }
}

/// Verifies `text` and compares every diagnostic and note with the expectations
/// written in it.
pub fn assert_diagnostics(text: &str) {
    assert_diagnostics_with(text, &Registry::new());
}

pub fn assert_diagnostics_with(text: &str, registry: &Registry) {
    let module = parse(text);
    let diags = verify_module_with(&module, registry).err().map(|d| d.0).unwrap_or_default();
    let mut got: Vec<(Severity, u32, String)> = diags.iter().flat_map(flatten).collect();
    let mut want = expectations(text);
    got.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    want.sort_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2)));
    assert!(!want.is_empty(), "the test text has no expected-error");
    assert_eq!(got, want, "diagnostics (severity, line, message) differ from the expectations");
}

fn flatten(d: &Diagnostic) -> Vec<(Severity, u32, String)> {
    std::iter::once(d)
        .chain(&d.notes)
        .map(|d| (d.severity, d.loc.as_ref().map_or(0, |l| l.line), d.message.clone()))
        .collect()
}

fn expectations(text: &str) -> Vec<(Severity, u32, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for (marker, severity) in [("expected-error", Severity::Error), ("expected-note", Severity::Note)] {
            let Some(at) = line.find(marker) else { continue };
            let rest = &line[at + marker.len()..];
            let open = rest.find("{{").expect("expectation has {{message}}");
            let offset: i64 = rest[..open].trim().strip_prefix('@').map_or(0, |o| o.parse().expect("@+N or @-N"));
            let close = rest.rfind("}}").expect("expectation ends with }}");
            let target = (i as i64 + 1 + offset) as u32;
            out.push((severity, target, rest[open + 2..close].to_string()));
        }
    }
    out
}
