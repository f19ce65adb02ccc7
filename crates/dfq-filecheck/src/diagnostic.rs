//! LLVM-style diagnostics: `file:line:col: error: message`, then the line
//! and a caret under the column (with `~` under the rest of a range).

use std::fmt::Write as _;

use crate::canonical::Canonical;

/// Which text a diagnostic points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceId {
    CheckFile,
    /// The input, in canonical coordinates.
    Input,
    /// The pseudo-file standing for the n-th `--implicit-check-not` flag.
    CommandLine(usize),
}

/// A point (`len == 0`) or range in one of the sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub source: SourceId,
    pub start: usize,
    pub len: usize,
}

impl Span {
    pub(crate) fn point(source: SourceId, start: usize) -> Self {
        Span {
            source,
            start,
            len: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    Error,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    pub severity: Severity,
    pub span: Option<Span>,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn error(span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
        }
    }

    pub(crate) fn note(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            span: Some(span),
            message: message.into(),
        }
    }
}

/// Everything a diagnostic can point into, with the names to print.
pub(crate) struct Sources<'a> {
    pub check_name: &'a str,
    pub check_text: &'a str,
    pub input_name: &'a str,
    pub input_text: &'a str,
    pub input: &'a Canonical,
    pub command_lines: &'a [String],
}

impl Sources<'_> {
    pub(crate) fn render(&self, diagnostics: &[Diagnostic]) -> String {
        let mut out = String::new();
        for diagnostic in diagnostics {
            self.render_one(&mut out, diagnostic);
        }
        out.truncate(out.trim_end().len());
        out
    }

    fn render_one(&self, out: &mut String, diagnostic: &Diagnostic) {
        let severity = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Note => "note",
        };
        let Some(span) = diagnostic.span else {
            let _ = writeln!(out, "{severity}: {}", diagnostic.message);
            return;
        };
        let (name, text, start, end) = match span.source {
            SourceId::CheckFile => (
                self.check_name,
                self.check_text,
                span.start,
                span.start + span.len,
            ),
            SourceId::CommandLine(index) => (
                "command line",
                self.command_lines[index].as_str(),
                span.start,
                span.start + span.len,
            ),
            // Matching ran on canonical text; point into what the tool printed.
            SourceId::Input => (
                self.input_name,
                self.input_text,
                self.input.original_offset(span.start),
                self.input.original_offset(span.start + span.len),
            ),
        };
        let line = Line::containing(text, start);
        let column = start - line.start + 1;
        let _ = writeln!(
            out,
            "{name}:{}:{column}: {severity}: {}",
            line.number, diagnostic.message
        );
        let _ = writeln!(out, "{}", line.text);
        let _ = writeln!(
            out,
            "{}",
            caret_line(line.text, start - line.start, end - start)
        );
    }
}

/// The line of `text` around a byte offset.
struct Line<'a> {
    number: usize,
    start: usize,
    text: &'a str,
}

impl<'a> Line<'a> {
    fn containing(text: &'a str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[start..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| start + i);
        let number = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
        Line {
            number,
            start,
            text: &text[start..end],
        }
    }
}

/// Spaces up to `column` (tabs kept, so the caret lines up in a terminal),
/// a `^`, and `~` under the rest of a range of `len` bytes on the line.
fn caret_line(line: &str, column: usize, len: usize) -> String {
    let column = column.min(line.len());
    let mut caret: String = line[..column]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    caret.push('^');
    let range_end = (column + len).min(line.len());
    let underlined = line[column..range_end].chars().count();
    caret.extend(std::iter::repeat_n('~', underlined.saturating_sub(1)));
    caret
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, span: Span, severity: Severity) -> String {
        let input = Canonical::new("", true);
        let sources = Sources {
            check_name: "t.mlir",
            check_text: text,
            input_name: "<stdin>",
            input_text: "",
            input: &input,
            command_lines: &[],
        };
        sources.render(&[Diagnostic {
            severity,
            span: Some(span),
            message: "msg".into(),
        }])
    }

    #[test]
    fn points_at_line_and_column() {
        let text = "first\n// CHECK: foo\nlast";
        let out = render(text, Span::point(SourceId::CheckFile, 16), Severity::Error);
        assert_eq!(out, "t.mlir:2:11: error: msg\n// CHECK: foo\n          ^");
    }

    #[test]
    fn underlines_ranges_and_keeps_tabs() {
        let text = "\tab cd";
        let span = Span {
            source: SourceId::CheckFile,
            start: 4,
            len: 2,
        };
        let out = render(text, span, Severity::Note);
        assert_eq!(out, "t.mlir:1:5: note: msg\n\tab cd\n\t   ^~");
    }

    #[test]
    fn end_of_text_is_a_valid_location() {
        let out = render("abc\n", Span::point(SourceId::CheckFile, 4), Severity::Note);
        assert_eq!(out, "t.mlir:2:1: note: msg\n\n^");
    }
}
