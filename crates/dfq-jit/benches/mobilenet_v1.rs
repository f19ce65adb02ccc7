//! MobileNetV1 (568.7 M MAC) in int8 through the JIT: compile time, median
//! latency at 1 and 2 threads, GOPS (2·MAC / time); the f32 network too.
//!
//! `cargo bench -p dfq-jit --bench mobilenet_v1 [-- --runs 50 --check --threads N --tiny]`
//! (`--check` also compares the int8 output with the interpreter's, bit for bit).

use std::time::{Duration, Instant};

use dfq_fixtures::{count_macs, mobilenet_v1, Activation};
use dfq_interp::{Tensor, TensorData};
use dfq_ir::Module;
use dfq_jit::{CompiledFunction, JitOptions, KernelChoice};
use dfq_rewrite::{parse_pipeline, PassContext};

fn passes(mut module: Module, pipeline: &str) -> Module {
    let registry = dfq_passes::registry();
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).expect("pipeline") {
        let (pass, _) = registry.create(&entry).expect("pass");
        pass.run(&mut module, &mut ctx).expect("pass runs");
    }
    module
}

fn input(seed: u64, shape: Vec<usize>) -> Tensor {
    // A deterministic image-like input in the network's range.
    let n = shape.iter().product::<usize>();
    let data = (0..n).map(|i| ((i as u64 * 2654435761 + seed) % 1000) as f32 / 1000.0 * 4.0 - 2.0).collect();
    Tensor::new(shape, TensorData::F32(data))
}

/// Median wall time of `runs` runs after `warmup` runs.
fn median_latency(f: &CompiledFunction, x: &Tensor, warmup: usize, runs: usize) -> Duration {
    for _ in 0..warmup {
        f.run(vec![x.clone()]).expect("run");
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let x = x.clone();
            let t = Instant::now();
            f.run(vec![x]).expect("run");
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = args.iter().position(|a| a == "--runs").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(30);
    let check = args.iter().any(|a| a == "--check");
    let float_too = !args.iter().any(|a| a == "--int8-only");
    let thread_counts: Vec<usize> = match args.iter().position(|a| a == "--threads").and_then(|i| args.get(i + 1)) {
        Some(t) => vec![t.parse().expect("--threads N")],
        None => vec![1, 2],
    };

    // `--tiny`: the shipped example network instead (1.1 M MAC), where per-step
    // threading costs show.
    let tiny = args.iter().any(|a| a == "--tiny");
    let net = if tiny { dfq_fixtures::tiny(1) } else { mobilenet_v1(1, Activation::Relu) };
    let macs = count_macs(&net);
    println!("{}: {:.1} M MAC", if tiny { "tiny 32×32" } else { "MobileNetV1 224×224" }, macs as f64 / 1e6);
    let t = Instant::now();
    let int8 = passes(net.clone(), "fold-bn,quantize,lower-int8");
    println!("fold-bn → quantize → lower-int8: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let x = input(7, dfq_interp::expected_input(&int8.functions[0], 0).expect("input").0);
    let mut graphs = vec![("int8", int8.clone())];
    if float_too {
        graphs.push(("f32 (BN folded)", passes(net, "fold-bn")));
    }
    for (name, module) in &graphs {
        let func = &module.functions[0];
        for &threads in &thread_counts {
            let opts = JitOptions { threads, kernel: KernelChoice::Auto };
            let f = CompiledFunction::compile(func, &opts).expect("compile");
            let lat = median_latency(&f, &x, 5, runs);
            let gops = 2.0 * macs as f64 / lat.as_secs_f64() / 1e9;
            println!(
                "{name:16} {threads} thread{}: compile {:6.1} ms, kernel {}, median {:7.3} ms over {runs} runs, {gops:6.1} GOPS",
                if threads == 1 { " " } else { "s" },
                f.stats().compile_time.as_secs_f64() * 1e3,
                f.stats().kernel,
                lat.as_secs_f64() * 1e3,
            );
        }
    }
    if args.iter().any(|a| a == "--profile") {
        let threads = if args.iter().any(|a| a == "--2") { 2 } else { 1 };
        let f = CompiledFunction::compile(&int8.functions[0], &JitOptions { threads, kernel: KernelChoice::Auto }).expect("compile");
        let mut total = Duration::ZERO;
        for (label, t) in f.profile(std::slice::from_ref(&x), runs).expect("profile") {
            total += t;
            println!("{:9.1} µs  {label}", t.as_secs_f64() * 1e6);
        }
        println!("{:9.1} µs  total of step medians", total.as_secs_f64() * 1e6);
    }
    if check {
        let func = &int8.functions[0];
        let f = CompiledFunction::compile(func, &JitOptions::default()).expect("compile");
        let got = f.run(vec![x.clone()]).expect("run");
        let expect = dfq_interp::run_function(func, vec![x]).expect("interpreter");
        assert_eq!(got, expect, "JIT and interpreter differ");
        println!("int8 output equals the interpreter's, bit for bit");
    }
}
