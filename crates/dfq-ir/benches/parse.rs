//! Parse and print throughput on a MobileNetV2-size module: 3.5 M f32 weights in
//! `dense_resource` blobs (about 28 MB of hex). Run with
//! `cargo bench -p dfq-ir --bench parse`; prints MB/s for parse and print.

use std::time::{Duration, Instant};

use dfq_ir::{
    parse_module, print_module, Argument, Attribute, DenseElements, ElementType, Function, Module, Operation,
    PrintOptions, SourceFile, Type, Value,
};

const TOTAL_WEIGHTS: usize = 3_500_000;
const TENSORS: usize = 100;

fn weights_module() -> Module {
    let per = TOTAL_WEIGHTS / TENSORS;
    let ty = Type::tensor(&[per as i64], ElementType::F32);
    let mut f = Function::new("main", vec![Argument::new(ty.clone())], vec![ty.clone()]);
    let mut acc = Value::Arg(0);
    let mut seed = 0x9E3779B9u32;
    for i in 0..TENSORS {
        let values: Vec<f32> = (0..per)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed as f32 / u32::MAX as f32) - 0.5
            })
            .collect();
        let w = DenseElements::from_f32(&[per as i64], values).with_resource(format!("w{i}"));
        let c = f.push_op(Operation::new("arith.constant", vec![], vec![ty.clone()]).with_attr("value", Attribute::Dense(w)));
        acc = Value::Result(f.push_op(Operation::new("nn.add", vec![acc, Value::Result(c, 0)], vec![ty.clone()])), 0);
    }
    f.push_op(Operation::new("func.return", vec![acc], vec![]));
    Module { functions: vec![f], ..Module::default() }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    let text = print_module(&weights_module(), &PrintOptions::default());
    let mb = text.len() as f64 / 1e6;
    let src = SourceFile::new("bench.mlir", &text);
    let parse = best_of(5, || {
        parse_module(&src).expect("bench module parses");
    });
    let module = parse_module(&src).expect("bench module parses");
    let print = best_of(5, || {
        print_module(&module, &PrintOptions::default());
    });
    println!("module: {mb:.1} MB of text, {TOTAL_WEIGHTS} f32 weights in {TENSORS} resources");
    println!("parse: {:.1} ms  ({:.0} MB/s)", parse.as_secs_f64() * 1e3, mb / parse.as_secs_f64());
    println!("print: {:.1} ms  ({:.0} MB/s)", print.as_secs_f64() * 1e3, mb / print.as_secs_f64());
}
