//! Helpers shared by the pass tests: running pipelines, drawing inputs, and
//! comparing interpreter outputs. Each test binary uses a part of them.
#![allow(dead_code)]

pub mod metrics;

use dfq_dialects::verify_module;
use dfq_fixtures::Sampler;
use dfq_interp::{run_function, Tensor};
use dfq_ir::{parse_module, Diagnostic, Function, Module, SourceFile};
use dfq_rewrite::{parse_pipeline, PassContext};

pub fn parse(text: &str) -> Module {
    parse_module(&SourceFile::new("test.mlir", text)).unwrap_or_else(|e| panic!("{e}"))
}

pub fn print(m: &Module) -> String {
    dfq_ir::print_module(m, &Default::default())
}

/// Runs `pipeline` (e.g. `"fold-bn,equalize"`) from the registry, verifying
/// after each pass; returns the diagnostics.
pub fn run_passes(module: &mut Module, pipeline: &str) -> Vec<Diagnostic> {
    let registry = dfq_passes::registry();
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).unwrap() {
        let (pass, _) = registry.create(&entry).unwrap_or_else(|e| panic!("{e}"));
        pass.run(module, &mut ctx).unwrap_or_else(|e| panic!("'{}' failed: {e}", entry.name));
        verify_module(module).unwrap_or_else(|d| panic!("'{}' produced invalid IR: {d}", entry.name));
    }
    ctx.diagnostics
}

/// `count` inputs for argument 0: i.i.d. normal around the middle of the
/// `dfq.range` (σ a quarter of its width), clipped to it; N(0, 1) without one.
pub fn random_inputs(f: &Function, seed: u64, count: usize) -> Vec<Tensor> {
    let (lo, hi) = dfq_dialects::input_range(&f.args[0]).unwrap().unwrap_or((-4.0, 4.0));
    let (shape, _) = dfq_interp::expected_input(f, 0).unwrap();
    let n: usize = shape.iter().product();
    let mut s = Sampler::new(seed);
    (0..count)
        .map(|_| {
            let data = (0..n).map(|_| ((lo + hi) / 2.0 + s.normal() * (hi - lo) / 4.0).clamp(lo, hi) as f32).collect();
            Tensor::from_f32(shape.clone(), data)
        })
        .collect()
}

/// The first output of the first function on `input`, as f32.
pub fn output(module: &Module, input: &Tensor) -> Vec<f32> {
    let out = run_function(&module.functions[0], vec![input.clone()]).unwrap_or_else(|e| panic!("{e}"));
    out[0].as_f32().expect("f32 output").to_vec()
}

/// The largest |reference − test| over each input's output, relative to that
/// output's largest |reference|.
pub fn max_relative_deviation(reference: &Module, test: &Module, inputs: &[Tensor]) -> f64 {
    let mut worst = 0.0f64;
    for x in inputs {
        let (a, b) = (output(reference, x), output(test, x));
        let scale = a.iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64)).max(f64::MIN_POSITIVE);
        let diff = a.iter().zip(&b).fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b as f64).abs()));
        worst = worst.max(diff / scale);
    }
    worst
}

/// How many ops of `f` are named `name`.
pub fn count_ops(f: &Function, name: &str) -> usize {
    f.ops().filter(|&op| f.op(op).name == name).count()
}
