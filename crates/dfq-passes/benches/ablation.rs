//! The DFQ ablation on the seeded fixtures: output SQNR (dB) of each pipeline's
//! quantized model against the FP32 model, through the reference interpreter,
//! plus the systematic (mean) output error that bias correction targets.
//!
//! `cargo bench -p dfq-passes --bench ablation`

#[path = "../tests/common/mod.rs"]
mod common;

use common::metrics::{mean_error_shift, sqnr_db};
use common::{random_inputs, run_passes};
use dfq_fixtures::{mobilenet_v2, random, tiny, RandomNetConfig};
use dfq_ir::Module;

const ROWS: &[(&str, &str)] = &[
    ("naive W8A8 per-tensor", "fold-bn,quantize"),
    ("+ CLE", "fold-bn,equalize,quantize"),
    ("+ CLE + absorb", "fold-bn,equalize,absorb-bias,quantize"),
    ("+ CLE + absorb + bias-correct (DFQ)", "fold-bn,equalize,absorb-bias,quantize,bias-correct"),
    ("DFQ, ReLU6 → ReLU (paper's ablation)", "fold-bn,relu6-to-relu,equalize,absorb-bias,quantize,bias-correct"),
    ("DFQ, lowered to int8", "fold-bn,equalize,absorb-bias,quantize,bias-correct,lower-int8"),
    ("naive + bias-correct", "fold-bn,quantize,bias-correct"),
    ("per-channel W8A8", "fold-bn,quantize{per-channel}"),
    ("naive W6A8 per-tensor", "fold-bn,quantize{weight-bits=6}"),
    ("DFQ W6A8 per-tensor", "fold-bn,equalize,absorb-bias,quantize{weight-bits=6},bias-correct"),
];

fn main() {
    let mut fixtures: Vec<(String, Module)> = vec![("tiny(1)".into(), tiny(1))];
    fixtures.extend((1..=3).map(|s| (format!("random({s})"), random(s, &RandomNetConfig::default()))));
    if std::env::args().all(|a| a != "--quick") {
        fixtures.push(("mobilenet_v2(1)".into(), mobilenet_v2(1)));
    }
    println!("Output SQNR vs FP32 in dB (higher is better) / mean output shift |E[q − f]|\n");
    print!("| pipeline |");
    for (name, _) in &fixtures {
        print!(" {name} |");
    }
    println!("\n|---|{}", "---|".repeat(fixtures.len()));
    let inputs: Vec<_> = fixtures.iter().map(|(_, m)| random_inputs(&m.functions[0], 11, 4)).collect();
    for (label, pipeline) in ROWS {
        print!("| {label} |");
        for ((_, fp32), xs) in fixtures.iter().zip(&inputs) {
            let mut q = fp32.clone();
            run_passes(&mut q, pipeline);
            print!(" {:.1} / {:.2e} |", sqnr_db(fp32, &q, xs), mean_error_shift(fp32, &q, xs));
        }
        println!();
    }
}
