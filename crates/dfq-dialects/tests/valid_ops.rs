//! A valid use of every registered op verifies.

mod common;

use dfq_dialects::registry;

const CORPUS: &[(&str, &str)] = &[
    ("nn.mlir", include_str!("valid/nn.mlir")),
    ("qnn.mlir", include_str!("valid/qnn.mlir")),
    ("builtin.mlir", include_str!("valid/builtin.mlir")),
];

#[test]
fn nn_ops_verify() {
    common::assert_valid(CORPUS[0].1);
}

#[test]
fn qnn_ops_verify() {
    common::assert_valid(CORPUS[1].1);
}

#[test]
fn builtin_ops_verify() {
    common::assert_valid(CORPUS[2].1);
}

/// Adding an op to a TOML file without a valid use here fails this test.
#[test]
fn corpus_covers_every_registered_op() {
    let used: Vec<String> = CORPUS
        .iter()
        .flat_map(|(_, text)| common::parse(text).functions)
        .flat_map(|f| f.ops().map(|id| f.op(id).name.clone()).collect::<Vec<_>>())
        .collect();
    let missing: Vec<&str> =
        registry().ops().iter().map(|op| op.name).filter(|n| !used.iter().any(|u| u == n)).collect();
    assert!(missing.is_empty(), "no valid use of {missing:?} in tests/valid/");
}
