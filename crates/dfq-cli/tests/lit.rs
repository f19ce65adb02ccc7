//! Runs every `lit-tests/**/*.mlir` file: its `// RUN:` lines execute the real
//! binaries (dfq-opt, ...) and pipe into an in-process FileCheck.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn config() -> dfq_lit::LitConfig {
    let tools: BTreeMap<String, PathBuf> = [("dfq-opt", env!("CARGO_BIN_EXE_dfq-opt")), ("dfq-run", env!("CARGO_BIN_EXE_dfq-run")), ("dfq-translate", env!("CARGO_BIN_EXE_dfq-translate"))]
        .into_iter()
        .map(|(name, path)| (name.to_string(), PathBuf::from(path)))
        .collect();
    dfq_lit::LitConfig { tools, features: BTreeSet::new() }
}

fn run(path: &Path) -> datatest_stable::Result<()> {
    match dfq_lit::run_test_file(path, &config()) {
        Ok(dfq_lit::Outcome::Passed) => Ok(()),
        Ok(dfq_lit::Outcome::Unsupported(why)) => {
            eprintln!("UNSUPPORTED {}: {why}", path.display());
            Ok(())
        }
        Err(report) => Err(Box::new(Report(report))),
    }
}

datatest_stable::harness! {
    { test = run, root = "../../lit-tests", pattern = r"\.mlir$" },
}

/// A failure report shown as the runner wrote it (the harness prints errors with
/// `Debug`, which would escape every newline).
struct Report(String);

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Report {}
