//! `relu6-to-relu`: the paper's ablation replaces every ReLU6 by ReLU — which
//! changes the function where activations exceed 6 — so that equalization
//! needs no per-channel clips.

mod common;

use common::{count_ops, parse, run_passes};
use dfq_fixtures::tiny;
use dfq_interp::{run_function, Tensor};

#[test]
fn every_relu6_becomes_a_relu() {
    let mut m = tiny(1);
    let f = &m.functions[0];
    let (relu6s, relus) = (count_ops(f, "nn.relu6"), count_ops(f, "nn.relu"));
    assert!(relu6s > 0);
    run_passes(&mut m, "relu6-to-relu");
    let f = &m.functions[0];
    assert_eq!(count_ops(f, "nn.relu6"), 0);
    assert_eq!(count_ops(f, "nn.relu"), relus + relu6s);
}

#[test]
fn only_values_above_six_change() {
    let text = r#"
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "nn.relu6"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
"#;
    let mut m = parse(text);
    run_passes(&mut m, "relu6-to-relu");
    let x = Tensor::from_f32(vec![1, 4], vec![-1.0, 3.0, 6.0, 9.0]);
    let y = run_function(&m.functions[0], vec![x]).unwrap();
    assert_eq!(y[0].as_f32().unwrap(), &[0.0, 3.0, 6.0, 9.0]);
}

#[test]
fn equalization_then_needs_no_clips() {
    let mut m = tiny(1);
    run_passes(&mut m, "fold-bn,relu6-to-relu,equalize");
    let f = &m.functions[0];
    assert_eq!(count_ops(f, "nn.clip") + count_ops(f, "nn.relu6"), 0);
}
