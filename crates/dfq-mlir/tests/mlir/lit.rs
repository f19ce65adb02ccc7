//! `lit-tests/mlir/`: lit tests whose RUN lines use `mlir-opt-22` and
//! `FileCheck-22` (found on PATH) and the dfq tools, which are this very binary
//! behind symlinks named after them (see main.rs). Each file says
//! `REQUIRES: mlir`, so the default lit runner (crates/dfq-cli/tests/lit.rs)
//! reports it unsupported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::corpus::workspace;
use crate::harness::Test;

pub fn register(tests: &mut Vec<Test>) {
    let dir = workspace().join("lit-tests/mlir");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "mlir")).collect())
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        tests.push(Test::new("lit::mlir", move || Err(format!("no lit tests in {}", dir.display()))));
    }
    for path in files {
        let name = format!("lit::mlir/{}", path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        tests.push(Test::new(name, move || run(path)));
    }
}

fn run(path: PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    if !text.lines().any(|l| l.trim() == "// REQUIRES: mlir") {
        return Err("needs '// REQUIRES: mlir', or the default lit runner runs it without MLIR".into());
    }
    let bin = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut tools = BTreeMap::new();
    for tool in ["dfq-opt", "dfq-translate", "dfq-run"] {
        let link = bin.path().join(tool);
        std::os::unix::fs::symlink(&exe, &link).map_err(|e| e.to_string())?;
        tools.insert(tool.to_string(), link);
    }
    let features: BTreeSet<String> = ["mlir".to_string()].into();
    match dfq_lit::run_test_file(&path, &dfq_lit::LitConfig { tools, features }) {
        Ok(dfq_lit::Outcome::Passed) => Ok(()),
        Ok(dfq_lit::Outcome::Unsupported(why)) => Err(format!("unsupported with the mlir feature on: {why}")),
        Err(report) => Err(report),
    }
}
