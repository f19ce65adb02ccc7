//! Flatten, Reshape and Concat.

use dfq_dialects::nn;
use dfq_ir::Attribute;

use crate::builder::{attrs, GraphBuilder};
use crate::node::Node;
use crate::optable::nn_op;

pub fn flatten(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let x = b.value(node.required_input(0)?)?;
    let axis = node.attrs.int("axis", 1)?;
    let out = node.output()?;
    let y = b.emit(nn_op("Flatten")?, vec![x], attrs([("axis", Attribute::i64(axis))]), out)?;
    b.bind(out, y);
    Ok(())
}

/// The target shape is an attribute before opset 5 and a constant input after.
pub fn reshape(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let x = b.value(node.required_input(0)?)?;
    let shape = match node.input(1) {
        Some(name) => {
            let c = b.require_constant(name, "shape")?;
            c.as_i64().ok_or_else(|| format!("shape '{name}' must be an integer tensor"))?.to_vec()
        }
        None => node.attrs.ints("shape")?.ok_or("the target shape is missing (no input #1, no 'shape' attribute)")?,
    };
    if node.attrs.int("allowzero", 0)? != 0 && shape.contains(&0) {
        return Err("allowzero = 1 with a 0 in the shape (an empty dimension) is not supported".into());
    }
    let out = node.output()?;
    let y = b.emit(nn::Reshape::NAME, vec![x], attrs([("shape", Attribute::DenseI64Array(shape))]), out)?;
    b.bind(out, y);
    Ok(())
}

pub fn concat(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    if !node.attrs.has("axis") {
        return Err("attribute 'axis' is required".into());
    }
    let axis = node.attrs.int("axis", 0)?;
    let inputs = node.inputs().map(|name| b.value(name)).collect::<Result<Vec<_>, _>>()?;
    let out = node.output()?;
    let y = b.emit(nn_op("Concat")?, inputs, attrs([("axis", Attribute::i64(axis))]), out)?;
    b.bind(out, y);
    Ok(())
}
