//! Inputs for stress tests and benches of long functions.

/// The text of `@main`: `ops` chained `nn.relu`s on a `tensor<4xf32>`, one op
/// per line. `arg_attrs` goes after the argument's type (e.g.
/// ` {dfq.range = [-1.0, 1.0]}` for the quantizer, or empty).
pub fn relu_chain(ops: usize, arg_attrs: &str) -> String {
    let mut text = format!("func.func @main(%x: tensor<4xf32>{arg_attrs}) -> tensor<4xf32> {{\n");
    let mut prev = "%x".to_string();
    for i in 0..ops {
        text.push_str(&format!("  %{i} = \"nn.relu\"({prev}) : (tensor<4xf32>) -> tensor<4xf32>\n"));
        prev = format!("%{i}");
    }
    text.push_str(&format!("  return {prev} : tensor<4xf32>\n}}\n"));
    text
}
