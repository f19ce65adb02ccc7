//! Helpers shared by the pass tests: running pipelines, drawing inputs, and
//! comparing interpreter outputs. Each test binary uses a part of them.
#![allow(dead_code)]

pub mod metrics;

use dfq_dialects::verify_module;
use dfq_fixtures::Sampler;
use dfq_interp::{run_function, Tensor};
use dfq_ir::{parse_module, Diagnostic, Function, Module, Operation, SourceFile, Value};
use dfq_rewrite::{parse_pipeline, PassContext, PassError};

/// A conv with fold-bn's statistics and a ReLU6, on an input in [−1, 1]:
/// the smallest graph every quantization decision shows up in.
pub const CONV_RELU6: &str = r#"
func.func @main(%x: tensor<1x2x4x4xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[2.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.5, -0.25]> : tensor<2xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {dfq.preact_mean = dense<[0.5, -0.25]> : tensor<2xf32>, dfq.preact_std = dense<[0.5, 1.0]> : tensor<2xf32>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %1 = "nn.relu6"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}
"#;

pub fn parse(text: &str) -> Module {
    parse_module(&SourceFile::new("test.mlir", text)).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

pub fn print(m: &Module) -> String {
    dfq_ir::print_module(m, &Default::default())
}

/// Runs `pipeline` (e.g. `"fold-bn,equalize"`) from the registry, verifying
/// after each pass; returns the diagnostics.
pub fn run_passes(module: &mut Module, pipeline: &str) -> Vec<Diagnostic> {
    try_run_passes(module, pipeline).unwrap_or_else(|e| panic!("'{pipeline}' failed: {e}"))
}

/// [`run_passes`] for pipelines that may fail: a pass that cannot be created
/// (bad options) or that fails is an `Err`; invalid IR still panics.
pub fn try_run_passes(module: &mut Module, pipeline: &str) -> Result<Vec<Diagnostic>, PassError> {
    let registry = dfq_passes::registry();
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).unwrap() {
        let (pass, _) = registry.create(&entry).map_err(PassError::Message)?;
        pass.run(module, &mut ctx)?;
        verify_module(module).unwrap_or_else(|d| panic!("'{}' produced invalid IR: {d}\n{}", entry.name, print(module)));
    }
    Ok(ctx.diagnostics)
}

/// `module` after fold-bn.
pub fn folded(mut module: Module) -> Module {
    run_passes(&mut module, "fold-bn");
    module
}

/// One draw for argument `index`: i.i.d. normal around the middle of its
/// `dfq.range` (σ a quarter of its width), clipped to it; N(0, 4) clipped to
/// ±4 without one.
fn draw(f: &Function, index: usize, s: &mut Sampler) -> Tensor {
    let (lo, hi) = dfq_dialects::input_range(&f.args[index]).unwrap().unwrap_or((-4.0, 4.0));
    let (shape, _) = dfq_interp::expected_input(f, index).unwrap();
    let n: usize = shape.iter().product();
    let data = (0..n).map(|_| ((lo + hi) / 2.0 + s.normal() * (hi - lo) / 4.0).clamp(lo, hi) as f32).collect();
    Tensor::from_f32(shape, data)
}

/// `count` inputs for argument 0, drawn as [`draw`] says.
pub fn random_inputs(f: &Function, seed: u64, count: usize) -> Vec<Tensor> {
    let mut s = Sampler::new(seed);
    (0..count).map(|_| draw(f, 0, &mut s)).collect()
}

/// One input for every argument of `f`, drawn as [`draw`] says.
pub fn random_args(f: &Function, seed: u64) -> Vec<Tensor> {
    let mut s = Sampler::new(seed);
    (0..f.args.len()).map(|i| draw(f, i, &mut s)).collect()
}

/// The first result of `f` on `inputs` (one per argument), as f32.
pub fn run_f32(f: &Function, inputs: &[Tensor]) -> Vec<f32> {
    let out = run_function(f, inputs.to_vec()).unwrap_or_else(|e| panic!("{e}"));
    out[0].as_f32().expect("f32 output").to_vec()
}

/// The first output of the first function on `input`, as f32.
pub fn output(module: &Module, input: &Tensor) -> Vec<f32> {
    run_f32(&module.functions[0], std::slice::from_ref(input))
}

/// `f` returning `v` instead of its results (to look inside a network).
pub fn returning(f: &Function, v: Value) -> Function {
    let mut g = f.clone();
    let ret = g.terminator().unwrap();
    g.remove_op(ret);
    g.result_types = vec![f.value_type(v).clone()];
    g.push_op(Operation::new("func.return", vec![v], vec![]));
    g
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
