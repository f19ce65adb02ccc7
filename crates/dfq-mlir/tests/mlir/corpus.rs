//! The inputs the MLIR tests run over: lit-test inputs dfq accepts, and the
//! fixture presets with their DFQ and int8 pipeline outputs.

#![allow(dead_code)] // parts serve only the feature-gated tests

use std::path::{Path, PathBuf};

use dfq_ir::{parse_module, print_module, Module, PrintOptions, SourceFile};
use dfq_rewrite::{parse_pipeline, PassContext};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A module to check, and where it came from.
pub struct Case {
    pub name: String,
    pub source: SourceFile,
    pub module: Module,
}

/// `lit-tests/**/*.mlir`, split at `// -----` where the RUN lines split, keeping
/// the chunks dfq parses and verifies (unregistered dialects allowed): files
/// whose RUN lines expect failure (`not`, `--verify-diagnostics`) are read too,
/// but their intentionally invalid chunks are exactly those dfq rejects.
pub fn lit_inputs() -> Vec<Case> {
    let mut files = Vec::new();
    collect(&workspace().join("lit-tests"), &mut files);
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let runs: Vec<&str> = text.lines().filter_map(|l| l.trim_start().strip_prefix("// RUN:")).collect();
        let rel = path.strip_prefix(workspace().join("lit-tests")).unwrap_or(&path).display().to_string();
        let split = runs.iter().any(|r| r.contains("--split-input-file"));
        let chunks: Vec<(u32, &str)> = if split { split_chunks(&text) } else { vec![(1, text.as_str())] };
        for (i, (first_line, chunk)) in chunks.into_iter().enumerate() {
            let source = SourceFile::with_first_line(&rel, chunk, first_line);
            let Ok(module) = parse_module(&source) else { continue };
            let registry = dfq_dialects::Registry::new().allow_unregistered(true);
            if dfq_dialects::verify_module_with(&module, &registry).is_err() || module.functions.is_empty() {
                continue;
            }
            let name = if split { format!("{rel}#{i}") } else { rel.clone() };
            cases.push(Case { name, source, module });
        }
    }
    cases
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "mlir") {
            out.push(p);
        }
    }
}

/// Chunks between `// -----` lines, each with the line it starts on.
fn split_chunks(text: &str) -> Vec<(u32, &str)> {
    let mut chunks = Vec::new();
    let (mut start, mut start_line, mut line) = (0, 1u32, 1u32);
    let mut offset = 0;
    for l in text.split_inclusive('\n') {
        if l.trim_end() == "// -----" {
            chunks.push((start_line, &text[start..offset]));
            start = offset + l.len();
            start_line = line + 1;
        }
        offset += l.len();
        line += 1;
    }
    chunks.push((start_line, &text[start..]));
    chunks
}

pub fn run_passes(mut module: Module, pipeline: &str) -> Result<Module, String> {
    let registry = dfq_passes::registry();
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).map_err(|e| format!("{e:?}"))? {
        let (pass, _) = registry.create(&entry).map_err(|e| e.to_string())?;
        pass.run(&mut module, &mut ctx).map_err(|e| format!("{}: {e:?}", entry.name))?;
    }
    Ok(module)
}

/// The data-free pipeline of `dfq-opt --dfq`.
pub const DFQ: &str = "fold-bn,equalize,absorb-bias,quantize,bias-correct";

/// A module as dfq prints it, parsed back: what a user's file holds.
pub fn case(name: String, module: &Module) -> Case {
    let text = print_module(module, &PrintOptions::default());
    let source = SourceFile::new(&name, &text);
    let module = parse_module(&source).unwrap_or_else(|e| panic!("{name}: dfq cannot parse its own output: {e:?}"));
    Case { name, source, module }
}

/// The shipped example through `--dfq` and `--lower-int8`.
pub fn example_int8() -> Module {
    let path = workspace().join("examples/mobilenet_tiny.mlir");
    let text = std::fs::read_to_string(&path).expect("examples/mobilenet_tiny.mlir");
    let module = parse_module(&SourceFile::new("mobilenet_tiny.mlir", &text)).expect("the example parses");
    let q = run_passes(module, DFQ).expect("--dfq runs on the example");
    run_passes(q, "lower-int8").expect("lower-int8 runs on the example")
}
