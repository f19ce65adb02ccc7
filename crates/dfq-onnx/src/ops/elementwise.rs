//! Add, Mul → `nn.add`, `nn.mul` (numpy broadcasting, as since opset 7).

use dfq_ir::Attributes;

use crate::builder::GraphBuilder;
use crate::node::Node;

pub fn add(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    binary(b, node, "nn.add")
}

pub fn mul(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    binary(b, node, "nn.mul")
}

fn binary(b: &mut GraphBuilder, node: &Node, op: &str) -> Result<(), String> {
    if node.attrs.has("axis") {
        return Err("the legacy 'broadcast'/'axis' form (opset < 7) is not supported".into());
    }
    let lhs = b.value(node.required_input(0)?)?;
    let rhs = b.value(node.required_input(1)?)?;
    let out = node.output()?;
    let y = b.emit(op, vec![lhs, rhs], Attributes::new(), out)?;
    b.bind(out, y);
    Ok(())
}
