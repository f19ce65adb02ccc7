//! Reading a module file and checking it: shared by the tools so that every one
//! of them reports a bad model with the same located diagnostics.

use dfq_dialects::Registry;
use dfq_ir::{Diagnostic, Diagnostics, Module, SourceFile};

use crate::io;

/// Why a module could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read at all; the message names it.
    Io(String),
    /// The text is not a valid module; the diagnostics point into `source`.
    Invalid { source: SourceFile, diagnostics: Vec<Diagnostic> },
}

impl LoadError {
    /// The error as the tools print it, `tool: error: ...` for an unreadable
    /// file and MLIR-style located diagnostics (source line, caret) otherwise.
    pub fn render(&self, tool: &str) -> String {
        match self {
            LoadError::Io(message) => format!("{tool}: error: {message}\n"),
            LoadError::Invalid { source, diagnostics } => Diagnostics(diagnostics.clone()).render(&[source]),
        }
    }
}

/// The name diagnostics use for `path`: `<stdin>` for `-`.
pub fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Reads `path` (`-` for stdin) as MLIR source text, which must be UTF-8.
pub fn read_source(path: &str) -> Result<SourceFile, LoadError> {
    let bytes = io::read_input(path).map_err(LoadError::Io)?;
    let name = display_name(path);
    dfq_ir::source_from_bytes(name, &bytes).map_err(|d| LoadError::Invalid {
        // The diagnostic's caret needs the text, even if it is not all valid.
        source: SourceFile::new(name, &String::from_utf8_lossy(&bytes)),
        diagnostics: vec![d],
    })
}

/// Parses `src` and verifies the module against `dialects`.
pub fn parse_and_verify(src: &SourceFile, dialects: &Registry) -> Result<Module, Vec<Diagnostic>> {
    let module = dfq_ir::parse_module(src).map_err(|d| d.0)?;
    dfq_dialects::verify_module_with(&module, dialects).map_err(|d| d.0)?;
    Ok(module)
}

/// Reads, parses and verifies the module in `path`. The source comes back too,
/// for rendering later diagnostics (of a run, say) with their source lines.
pub fn load_module(path: &str, dialects: &Registry) -> Result<(SourceFile, Module), LoadError> {
    let source = read_source(path)?;
    match parse_and_verify(&source, dialects) {
        Ok(module) => Ok((source, module)),
        Err(diagnostics) => Err(LoadError::Invalid { source, diagnostics }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, text: &[u8]) -> String {
        let path = dir.path().join("m.mlir");
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn verifier_errors_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let text = "func.func @f(%x: tensor<2xf32>) -> tensor<3xf32> {
  %0 = \"nn.relu\"(%x) : (tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
";
        let path = write(&dir, text.as_bytes());
        let err = load_module(&path, &Registry::new()).unwrap_err();
        let shown = err.render("t");
        assert!(shown.starts_with(&format!("{path}:2:")), "{shown}");
        assert!(shown.contains("nn.relu"), "{shown}");
    }

    #[test]
    fn unreadable_and_non_utf8_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.mlir");
        let err = load_module(missing.to_str().unwrap(), &Registry::new()).unwrap_err();
        assert!(err.render("t").starts_with("t: error: cannot read"));
        let path = write(&dir, b"func.func @f() {\xff}");
        let err = load_module(&path, &Registry::new()).unwrap_err();
        assert!(err.render("t").contains("invalid UTF-8 byte 0xFF"));
    }
}
