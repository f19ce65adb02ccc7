//! Diagnostics in MLIR's shape: `file:line:col: error: message`, the source line,
//! and a caret under the column; notes attached to related locations.

use std::fmt;
use std::sync::Arc;

/// A point in a source file. Lines and columns count from 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// A source text with an index of line starts, so offsets turn into line:col in
/// O(log n) even for files holding tens of megabytes of weights.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
    line_starts: Vec<usize>,
    /// Added to every line number: a chunk of a `--split-input-file` input reports
    /// lines of the whole file.
    first_line: u32,
}

impl SourceFile {
    pub fn new(name: &str, text: &str) -> SourceFile {
        SourceFile::with_first_line(name, text, 1)
    }

    pub fn with_first_line(name: &str, text: &str, first_line: u32) -> SourceFile {
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { name: name.into(), text: text.into(), line_starts, first_line }
    }

    pub fn name(&self) -> &Arc<str> {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The location of byte `offset`; columns count characters, as MLIR's do.
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        Location { file: self.name.clone(), line: line as u32 + self.first_line, col: col as u32 + 1 }
    }

    /// The text of the line `loc` points into, without its newline.
    pub fn line_text(&self, loc: &Location) -> Option<&str> {
        if *loc.file != *self.name || loc.line < self.first_line {
            return None;
        }
        let idx = (loc.line - self.first_line) as usize;
        let start = *self.line_starts.get(idx)?;
        let end = self.line_starts.get(idx + 1).map_or(self.text.len(), |&e| e - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Remark,
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Remark => "remark",
            Severity::Note => "note",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub loc: Option<Location>,
    pub notes: Vec<Diagnostic>,
}

impl Diagnostic {
    pub fn new(severity: Severity, loc: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity, message: message.into(), loc, notes: Vec::new() }
    }

    pub fn error(loc: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, loc, message)
    }

    pub fn warning(loc: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, loc, message)
    }

    pub fn remark(loc: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Remark, loc, message)
    }

    pub fn with_note(mut self, loc: Option<Location>, message: impl Into<String>) -> Diagnostic {
        self.notes.push(Diagnostic::new(Severity::Note, loc, message));
        self
    }

    /// Renders the diagnostic and its notes, with source lines and carets where
    /// `sources` has the file.
    pub fn render(&self, sources: &[&SourceFile]) -> String {
        let mut out = String::new();
        self.render_into(sources, &mut out);
        for note in &self.notes {
            note.render_into(sources, &mut out);
        }
        out
    }

    fn render_into(&self, sources: &[&SourceFile], out: &mut String) {
        use fmt::Write;
        match &self.loc {
            Some(loc) => {
                let _ = writeln!(out, "{loc}: {}: {}", self.severity, self.message);
                let line = sources.iter().find_map(|s| s.line_text(loc));
                if let Some(line) = line {
                    let (shown, caret) = excerpt(line, loc.col.saturating_sub(1) as usize);
                    let _ = writeln!(out, "{shown}");
                    let _ = writeln!(out, "{}^", " ".repeat(caret));
                }
            }
            None => {
                let _ = writeln!(out, "{}: {}", self.severity, self.message);
            }
        }
    }
}

/// Source lines longer than this are shown as a window around the column, so a
/// minified or generated one-line input does not flood the terminal.
const MAX_SHOWN_CHARS: usize = 160;

/// The part of `line` to show (tabs as spaces) and the caret's offset in it.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    if chars.len() <= MAX_SHOWN_CHARS {
        return (chars.into_iter().collect(), col);
    }
    let start = col.saturating_sub(MAX_SHOWN_CHARS / 2).min(chars.len() - MAX_SHOWN_CHARS);
    let end = start + MAX_SHOWN_CHARS;
    let mut shown = String::new();
    let mut caret = col - start;
    if start > 0 {
        shown.push_str("...");
        caret += 3;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, caret)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(&[]).trim_end())
    }
}

/// One or more diagnostics: the error type of parsing and verification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn render(&self, sources: &[&SourceFile]) -> String {
        self.0.iter().map(|d| d.render(sources)).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.render(&[]).trim_end())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_line_and_caret() {
        let src = SourceFile::new("t.mlir", "module {\n  %0 = bad\n}\n");
        let loc = src.location(src.text().find("bad").unwrap());
        assert_eq!((loc.line, loc.col), (2, 8));
        let d = Diagnostic::error(Some(loc), "expected op");
        assert_eq!(d.render(&[&src]), "t.mlir:2:8: error: expected op\n  %0 = bad\n       ^\n");
    }

    #[test]
    fn long_lines_are_shown_around_the_column() {
        let text = format!("{}bad{}", "x".repeat(1000), "y".repeat(1000));
        let src = SourceFile::new("t.mlir", &text);
        let d = Diagnostic::error(Some(src.location(1000)), "here");
        let rendered = d.render(&[&src]);
        let lines: Vec<&str> = rendered.lines().collect();
        assert!(lines[1].starts_with("...") && lines[1].ends_with("...") && lines[1].len() < 200, "{rendered}");
        // The caret still points at the 'b' of "bad".
        let caret = lines[2].find('^').unwrap();
        assert_eq!(&lines[1][caret..caret + 3], "bad");
    }

    #[test]
    fn split_chunks_keep_file_line_numbers() {
        let src = SourceFile::with_first_line("t.mlir", "a\nb", 10);
        let loc = src.location(2);
        assert_eq!(loc.line, 11);
        assert_eq!(src.line_text(&loc), Some("b"));
    }
}
