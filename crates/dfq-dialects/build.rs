//! Generates the op definitions and typed op views from `dialects/*.toml` into
//! `$OUT_DIR/dialects.rs`, which `src/generated.rs` includes.

use std::path::{Path, PathBuf};

// The library uses parts of the schema (descriptions for docs) that generation does not.
#[allow(dead_code)]
#[path = "src/spec.rs"]
mod spec;

#[path = "build/codegen.rs"]
mod codegen;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dialects");
    let dir = dir.canonicalize().unwrap_or_else(|e| panic!("cannot open {}: {e}", dir.display()));
    // Watching the directory catches added and removed files.
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut dialects = Vec::new();
    for path in toml_files(&dir) {
        println!("cargo:rerun-if-changed={}", path.display());
        dialects.push((read_dialect(&path), path));
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("dialects.rs");
    std::fs::write(&out, codegen::generate(&dialects))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// The TOML files of `dir`, sorted so the generated code is stable.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn read_dialect(path: &Path) -> spec::DialectSpec {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let dialect: spec::DialectSpec = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if let Err(e) = dialect.validate(stem) {
        panic!("{}: {e}", path.display());
    }
    dialect
}
