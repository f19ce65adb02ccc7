//! lit's `%` substitutions in RUN lines.

use std::path::Path;

pub(crate) struct Substitutions {
    /// `%s`: the test file.
    source: String,
    /// `%S`: the test file's directory.
    source_dir: String,
    /// `%t`: a path private to this run of the test.
    temp: String,
}

impl Substitutions {
    pub(crate) fn new(source: &Path, source_dir: &Path, temp: &Path) -> Self {
        Substitutions {
            source: source.display().to_string(),
            source_dir: source_dir.display().to_string(),
            temp: temp.display().to_string(),
        }
    }

    /// Replaces `%s`, `%S`, `%t` and `%%` in one left-to-right pass, so a
    /// substituted path is never substituted again. Other `%` sequences are
    /// left alone, as lit does.
    pub(crate) fn apply(&self, command: &str) -> String {
        let mut out = String::with_capacity(command.len());
        let mut chars = command.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some('s') => out.push_str(&self.source),
                Some('S') => out.push_str(&self.source_dir),
                Some('t') => out.push_str(&self.temp),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substitutions() -> Substitutions {
        Substitutions::new(
            Path::new("/t/a%s.mlir"),
            Path::new("/t"),
            Path::new("/tmp/x/a.tmp"),
        )
    }

    #[test]
    fn replaces_paths() {
        assert_eq!(
            substitutions().apply("tool %s -o %t.out -I %S"),
            "tool /t/a%s.mlir -o /tmp/x/a.tmp.out -I /t"
        );
    }

    #[test]
    fn escapes_and_unknown_sequences() {
        assert_eq!(substitutions().apply("echo 100%% %d %"), "echo 100% %d %");
        assert_eq!(substitutions().apply("%%s"), "%s");
    }
}
