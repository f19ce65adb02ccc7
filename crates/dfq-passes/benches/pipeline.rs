//! Wall time of the full DFQ pipeline on a MobileNetV2-size model (3.5 M
//! parameters): parse → fold-bn, equalize, absorb-bias, quantize, bias-correct →
//! print, in process, best of 3. Then how the passes scale with length: a
//! 100k-op chain against a 25k-op one, time per op side by side (1.0 = linear).
//!
//! `cargo bench -p dfq-passes --bench pipeline`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use dfq_ir::{parse_module, print_module, PrintOptions, SourceFile};

fn main() {
    let text = print_module(&dfq_fixtures::mobilenet_v2(1), &PrintOptions::default());
    let pipeline = dfq_passes::pipeline::RECOMMENDED.join(",");
    let mut best = f64::INFINITY;
    let mut phases = (0.0, 0.0, 0.0);
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut module = parse_module(&SourceFile::new("mobilenet_v2.mlir", &text)).expect("fixture parses");
        let t1 = Instant::now();
        common::run_passes(&mut module, &pipeline);
        let t2 = Instant::now();
        let out = print_module(&module, &PrintOptions::default());
        let t3 = Instant::now();
        std::hint::black_box(out);
        let total = (t3 - t0).as_secs_f64();
        if total < best {
            best = total;
            phases = ((t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), (t3 - t2).as_secs_f64());
        }
    }
    println!("MobileNetV2-size model, {:.1} MB of text, pipeline {pipeline}", text.len() as f64 / 1e6);
    println!(
        "parse {:.0} ms + passes {:.0} ms + print {:.0} ms = {:.0} ms (goal < 1000 ms)",
        phases.0 * 1e3,
        phases.1 * 1e3,
        phases.2 * 1e3,
        best * 1e3
    );
    long_chains();
}

fn long_chains() {
    let pipeline = format!("{},lower-int8", dfq_passes::pipeline::RECOMMENDED.join(","));
    let per_op = |ops: usize| {
        // Nothing for the layer passes to do: what shows is each pass's cost per op.
        let text = dfq_fixtures::stress::relu_chain(ops, " {dfq.range = [-1.0, 1.0]}");
        let mut best = f64::INFINITY;
        for _ in 0..2 {
            let mut module = parse_module(&SourceFile::new("chain.mlir", &text)).expect("chain parses");
            let t0 = Instant::now();
            common::run_passes(&mut module, &pipeline);
            best = best.min(t0.elapsed().as_secs_f64());
        }
        best / ops as f64
    };
    let (short, long) = (per_op(25_000), per_op(100_000));
    println!("ReLU chains, pipeline {pipeline}");
    println!(
        "time per op: 25k ops {:.1} us, 100k ops {:.1} us; ratio {:.2} (1.0 = linear, 4.0 = quadratic)",
        short * 1e6,
        long * 1e6,
        long / short
    );
}
