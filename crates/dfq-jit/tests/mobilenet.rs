//! The MobileNetV1 anchor network (568.7 M MAC) end to end: int8 bit-exact with
//! the interpreter for every kernel family, f32 close to it; and one compiled
//! function run from several threads at once.

mod common;

use common::{kernels, lower_int8, random_inputs, run_passes};
use dfq_fixtures::{mobilenet_v1, Activation};
use dfq_interp::run_function;
use dfq_jit::{CompiledFunction, JitOptions};

#[test]
fn mobilenet_v1_int8_is_bit_exact_with_every_kernel() {
    let module = lower_int8(mobilenet_v1(3, Activation::Relu6), "");
    let f = &module.functions[0];
    let inputs = random_inputs(f, 3);
    let expect = run_function(f, inputs.clone()).unwrap();
    for kernel in kernels() {
        let compiled = CompiledFunction::compile(f, &JitOptions { threads: 2, kernel }).unwrap();
        assert_eq!(compiled.run(inputs.clone()).unwrap(), expect, "{kernel}");
    }
}

#[test]
fn mobilenet_v1_f32_is_close() {
    let module = run_passes(mobilenet_v1(4, Activation::Relu), "fold-bn");
    let f = &module.functions[0];
    common::assert_close(f, &random_inputs(f, 4), 1e-4, "mobilenet_v1 f32");
}

#[test]
fn one_function_runs_on_many_threads_at_once() {
    let module = lower_int8(dfq_fixtures::tiny(5), "");
    let f = &module.functions[0];
    let compiled = CompiledFunction::compile(f, &JitOptions { threads: 2, kernel: Default::default() }).unwrap();
    let cases: Vec<_> = (0..8).map(|s| random_inputs(f, s)).collect();
    let expect: Vec<_> = cases.iter().map(|x| run_function(f, x.clone()).unwrap()).collect();
    std::thread::scope(|s| {
        for (x, e) in cases.iter().zip(&expect) {
            let compiled = &compiled;
            s.spawn(move || {
                for _ in 0..20 {
                    assert_eq!(&compiled.run(x.clone()).unwrap(), e);
                }
            });
        }
    });
}
