//! Add, Mul → `nn.add`, `nn.mul` (numpy broadcasting, as since opset 7), and the
//! other attribute-free operators of the shared table.

use dfq_ir::Attributes;

use crate::builder::GraphBuilder;
use crate::node::Node;
use crate::optable::nn_op;

/// Add and Mul, refusing the legacy 'broadcast'/'axis' form.
pub fn binary(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    if node.attrs.has("axis") {
        return Err("the legacy 'broadcast'/'axis' form (opset < 7) is not supported".into());
    }
    let op = nn_op(node.op_type())?;
    let lhs = b.value(node.required_input(0)?)?;
    let rhs = b.value(node.required_input(1)?)?;
    let out = node.output()?;
    let y = b.emit(op, vec![lhs, rhs], Attributes::new(), out)?;
    b.bind(out, y);
    Ok(())
}

/// Relu, Sigmoid, PRelu, GlobalAveragePool: every input in order, no attributes.
pub fn direct(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let op = nn_op(node.op_type())?;
    let operands = node.inputs().map(|name| b.value(name)).collect::<Result<Vec<_>, _>>()?;
    let out = node.output()?;
    let y = b.emit(op, operands, Attributes::new(), out)?;
    b.bind(out, y);
    Ok(())
}
