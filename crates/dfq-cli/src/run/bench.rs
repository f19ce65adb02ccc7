//! `dfq-run --bench`: how fast the selected engine runs the entry function.
//!
//! ```text
//! model        mobilenet_tiny.q.mlir (@main)
//! engine       jit
//! kernel       avx512-vnni
//! threads      2
//! compile      8.516 ms
//! runs         20 (after 3 warm-up)
//! median       217.1 µs
//! min          199.1 µs
//! p90          225.7 µs
//! MACs         1.10 M
//! GOPS         10.15
//! ```

use std::fmt::Write;
use std::time::{Duration, Instant};

use dfq_interp::Tensor;
use dfq_ir::Function;

use super::engine::Prepared;
use super::{json, Failure};

/// The --bench flags, part of dfq-run's command line. --eval conflicts with each
/// (so that clap does not drop --runs' requirement of --bench).
#[derive(clap::Args, Debug)]
pub(super) struct BenchArgs {
    /// Time the entry function instead of summarizing its results: engine, kernel, threads,
    /// compile time, the median, min and p90 latency of --runs runs after --warmup runs, and
    /// GOPS (2 x the MACs of the convs and linear layers, over the median).
    #[arg(long, conflicts_with = "eval")]
    pub bench: bool,

    /// Timed runs of --bench.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "bench", conflicts_with = "eval",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,

    /// Untimed runs of --bench before the timed ones (caches, page faults, thread start-up).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "bench", conflicts_with = "eval")]
    pub warmup: u32,
}

/// The measurements of one --bench.
pub struct Bench {
    engine: &'static str,
    kernel: Option<String>,
    threads: usize,
    compile: Option<Duration>,
    warmup: u32,
    /// Sorted.
    latencies: Vec<Duration>,
    macs: u64,
}

/// Runs `prepared` `warmup` times, then `runs` timed times, on copies of `inputs`
/// (copied before the clock starts). Returns the last run's results too.
pub fn measure(prepared: &Prepared, inputs: &[Tensor], args: &BenchArgs) -> Result<(Bench, Vec<Tensor>), Failure> {
    let mut results = Vec::new();
    for _ in 0..args.warmup {
        results = prepared.run(inputs.to_vec())?;
    }
    let mut latencies = Vec::with_capacity(args.runs as usize);
    for _ in 0..args.runs {
        let copy = inputs.to_vec();
        let start = Instant::now();
        results = prepared.run(copy)?;
        latencies.push(start.elapsed());
    }
    latencies.sort();
    let bench = Bench {
        engine: prepared.engine_name(),
        kernel: prepared.kernel().map(|k| k.to_string()),
        threads: prepared.threads(),
        compile: prepared.compile_time(),
        warmup: args.warmup,
        latencies,
        macs: count_macs(prepared.func),
    };
    Ok((bench, results))
}

impl Bench {
    pub fn median(&self) -> Duration {
        let n = self.latencies.len();
        match n {
            0 => Duration::ZERO,
            _ if n % 2 == 1 => self.latencies[n / 2],
            _ => (self.latencies[n / 2 - 1] + self.latencies[n / 2]) / 2,
        }
    }

    /// Nearest rank: the smallest latency at least 90% of the runs do not exceed.
    pub fn p90(&self) -> Duration {
        let rank = (self.latencies.len() * 9).div_ceil(10);
        self.latencies.get(rank.saturating_sub(1)).copied().unwrap_or_default()
    }

    pub fn min(&self) -> Duration {
        self.latencies.first().copied().unwrap_or_default()
    }

    /// 2 x MACs per second of the median run, in 10⁹.
    pub fn gops(&self) -> f64 {
        let seconds = self.median().as_secs_f64();
        if seconds > 0.0 {
            2.0 * self.macs as f64 / seconds / 1e9
        } else {
            0.0
        }
    }

    pub fn text(&self, model: &str, entry: &str) -> String {
        let mut out = String::new();
        let mut line = |label: &str, value: String| {
            let _ = writeln!(out, "{label:<13}{value}");
        };
        line("model", format!("{model} (@{entry})"));
        line("engine", self.engine.to_string());
        line("kernel", self.kernel.clone().unwrap_or_else(|| "-".to_string()));
        line("threads", self.threads.to_string());
        line("compile", self.compile.map_or("-".to_string(), duration));
        line("runs", format!("{} (after {} warm-up)", self.latencies.len(), self.warmup));
        line("median", duration(self.median()));
        line("min", duration(self.min()));
        line("p90", duration(self.p90()));
        line("MACs", scaled(self.macs as f64));
        line("GOPS", format!("{:.2}", self.gops()));
        out
    }

    pub fn json(&self, model: &str, entry: &str) -> String {
        let ms = |d: Duration| format!("{:.6}", d.as_secs_f64() * 1e3);
        json::object(&[
            ("model", json::string(model)),
            ("entry", json::string(entry)),
            ("engine", json::string(self.engine)),
            ("kernel", json::or_null(self.kernel.as_deref().map(json::string))),
            ("threads", self.threads.to_string()),
            ("compile_ms", json::or_null(self.compile.map(ms))),
            ("runs", self.latencies.len().to_string()),
            ("warmup", self.warmup.to_string()),
            ("median_ms", ms(self.median())),
            ("min_ms", ms(self.min())),
            ("p90_ms", ms(self.p90())),
            ("macs", self.macs.to_string()),
            ("gops", format!("{:.3}", self.gops())),
        ])
    }
}

/// Multiply-accumulates of one run: each output element of a conv or linear layer
/// (float or integer) costs one MAC per weight that reaches it, the count papers
/// report. Ops with a dynamic shape count 0.
pub fn count_macs(func: &Function) -> u64 {
    let elements = |ty: &dfq_ir::Type| ty.as_tensor().and_then(|t| t.num_elements());
    func.ops()
        .filter_map(|id| {
            let op = func.op(id);
            if !matches!(op.name.as_str(), "nn.conv2d" | "nn.linear" | "qnn.conv2d" | "qnn.linear") {
                return None;
            }
            let weight = func.value_type(*op.operands().get(1)?);
            let out_channels = weight.as_tensor()?.shape.first().copied()??;
            let per_output = elements(weight)?.checked_div(u64::try_from(out_channels).ok()?)?;
            elements(op.results.first()?)?.checked_mul(per_output)
        })
        .fold(0u64, u64::saturating_add)
}

/// `412.3 µs`, `9.812 ms`, `1.234 s`.
fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// `1.10 M`, `385.3 M`, `4.12 G`.
fn scaled(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.2} G", n / 1e9),
        n if n >= 1e6 => format!("{:.2} M", n / 1e6),
        n if n >= 1e3 => format!("{:.2} k", n / 1e3),
        n => format!("{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(micros: &[u64]) -> Bench {
        let mut latencies: Vec<Duration> = micros.iter().map(|&u| Duration::from_micros(u)).collect();
        latencies.sort();
        Bench {
            engine: "jit",
            kernel: Some("avx2".into()),
            threads: 2,
            compile: None,
            warmup: 1,
            latencies,
            macs: 1_000_000,
        }
    }

    #[test]
    fn median_min_and_p90() {
        let b = bench(&[50, 10, 40, 20, 30]);
        assert_eq!(
            (b.median(), b.min(), b.p90()),
            (Duration::from_micros(30), Duration::from_micros(10), Duration::from_micros(50))
        );
        let b = bench(&[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
        assert_eq!((b.median(), b.p90()), (Duration::from_micros(55), Duration::from_micros(90)));
        // 2·10⁶ operations in 55 µs.
        assert!((b.gops() - 2e6 / 55e-6 / 1e9).abs() < 1e-9);
    }

    #[test]
    fn macs_of_convs_and_linear_layers() {
        let src = dfq_ir::SourceFile::new(
            "m.mlir",
            r#"func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x10xf32> {
  %w = arith.constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = "nn.conv2d"(%x, %w) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = "nn.flatten"(%0) {axis = 1 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x64xf32>
  %v = arith.constant dense<0.5> : tensor<10x64xf32>
  %2 = "nn.linear"(%1, %v) : (tensor<1x64xf32>, tensor<10x64xf32>) -> tensor<1x10xf32>
  return %2 : tensor<1x10xf32>
}
"#,
        );
        let module = dfq_ir::parse_module(&src).unwrap();
        // 64 outputs x 27 weights each, then 10 outputs x 64.
        assert_eq!(count_macs(&module.functions[0]), 64 * 27 + 10 * 64);
    }

    #[test]
    fn text_and_json_labels() {
        let b = bench(&[1500, 2500, 2000]);
        let text = b.text("m.mlir", "main");
        for line in [
            "model        m.mlir (@main)",
            "engine       jit",
            "kernel       avx2",
            "threads      2",
            "compile      -",
            "runs         3 (after 1 warm-up)",
            "median       2.000 ms",
            "min          1.500 ms",
            "p90          2.500 ms",
            "MACs         1.00 M",
            "GOPS         1.00",
        ] {
            assert!(text.contains(&format!("{line}\n")), "{line} in\n{text}");
        }
        let json = b.json("m.mlir", "main");
        for field in ["\"median_ms\": 2.000000", "\"compile_ms\": null", "\"kernel\": \"avx2\"", "\"gops\": 1.000"] {
            assert!(json.contains(field), "{field} in\n{json}");
        }
    }
}
