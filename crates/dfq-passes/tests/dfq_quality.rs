//! The point of DFQ, measured through the reference interpreter on the seeded
//! fixtures that carry the imbalanced-range pathology: the data-free pipeline
//! must beat naive per-tensor int8 by a wide margin, and bias correction must
//! shrink the systematic (mean) output error. Figures for every pipeline:
//! `cargo bench -p dfq-passes --bench ablation`.

mod common;

use common::metrics::{mean_error_shift, sqnr_db};
use common::{random_inputs, run_passes};
use dfq_ir::Module;

const NAIVE: &str = "fold-bn,quantize";
const DFQ_WITHOUT_BC: &str = "fold-bn,equalize,absorb-bias,quantize";
const DFQ: &str = "fold-bn,equalize,absorb-bias,quantize,bias-correct";

fn quantized(fp32: &Module, pipeline: &str) -> Module {
    let mut m = fp32.clone();
    run_passes(&mut m, pipeline);
    m
}

fn check(name: &str, fp32: Module, min_gain_db: f64) {
    let xs = random_inputs(&fp32.functions[0], 11, 4);
    let naive = quantized(&fp32, NAIVE);
    let dfq = quantized(&fp32, DFQ);
    let (naive_db, dfq_db) = (sqnr_db(&fp32, &naive, &xs), sqnr_db(&fp32, &dfq, &xs));
    println!("{name}: naive {naive_db:.1} dB, DFQ {dfq_db:.1} dB");
    assert!(dfq_db >= naive_db + min_gain_db, "{name}: DFQ {dfq_db:.1} dB vs naive {naive_db:.1} dB");

    let naive_bc = quantized(&fp32, "fold-bn,quantize,bias-correct");
    let (before, after) = (mean_error_shift(&fp32, &naive, &xs), mean_error_shift(&fp32, &naive_bc, &xs));
    println!("{name}: mean output shift {before:.3e} → {after:.3e} with bias correction");
    assert!(after < 0.8 * before, "{name}: bias correction left the mean shift at {after:.3e} (was {before:.3e})");
}

#[test]
fn dfq_beats_naive_on_tiny() {
    check("tiny(1)", dfq_fixtures::tiny(1), 6.0);
}

#[test]
fn dfq_beats_naive_on_mobilenet_v2_size() {
    let fp32 = dfq_fixtures::mobilenet_v2(1);
    check("mobilenet_v2(1)", fp32.clone(), 10.0);
    // After equalization too, bias correction lowers the mean shift.
    let xs = random_inputs(&fp32.functions[0], 11, 4);
    let before = mean_error_shift(&fp32, &quantized(&fp32, DFQ_WITHOUT_BC), &xs);
    let after = mean_error_shift(&fp32, &quantized(&fp32, DFQ), &xs);
    assert!(after < before, "bias correction after CLE: {before:.3e} → {after:.3e}");
}
