//! f32 forward-pass time of the reference interpreter on the shipped example and
//! on a full-size MobileNetV2. Run with `cargo bench -p dfq-interp --bench forward`.

use std::path::Path;
use std::time::{Duration, Instant};

use dfq_interp::{expected_input, run_function, Tensor};
use dfq_ir::{parse_module, Function, SourceFile};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/mobilenet_tiny.mlir");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let tiny = parse_module(&SourceFile::new(&path.display().to_string(), &text)).expect("the example parses");
    report("examples/mobilenet_tiny.mlir", tiny.function("main").expect("@main"), 20);

    let v2 = dfq_fixtures::mobilenet_v2(1);
    report("dfq_fixtures::mobilenet_v2(1), 224x224", v2.function("main").expect("@main"), 3);
}

/// Runs `func` once to warm up, then `runs` times, and prints the best and median.
fn report(name: &str, func: &Function, runs: usize) {
    let input = sample_input(func);
    run_function(func, vec![input.clone()]).expect("the network runs");
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let out = run_function(func, vec![input.clone()]).expect("the network runs");
            let elapsed = start.elapsed();
            assert!(out[0].to_f32_lossy().iter().all(|v| v.is_finite()));
            elapsed
        })
        .collect();
    times.sort();
    println!("{name}: f32 forward best {:.2} ms, median {:.2} ms ({runs} runs)", ms(times[0]), ms(times[runs / 2]));
}

/// A deterministic input in [-1, 1].
fn sample_input(func: &Function) -> Tensor {
    let (shape, dtype) = expected_input(func, 0).expect("a static f32 input");
    assert_eq!(dtype, "f32");
    let n = shape.iter().product();
    Tensor::from_f32(shape, (0..n).map(|i| ((i * 7919) % 2001) as f32 / 1000.0 - 1.0).collect())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
