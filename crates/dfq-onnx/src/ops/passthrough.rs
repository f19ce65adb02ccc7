//! Nodes that produce no op: Identity and Dropout (inference) rename their
//! input; Constant binds a value that becomes an `arith.constant` where used.

use crate::builder::GraphBuilder;
use crate::node::Node;
use crate::tensor::{decode_tensor, ConstData, Constant};

pub fn identity(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    b.alias(node.output()?, node.required_input(0)?)
}

/// Inference-mode dropout is the identity; its mask output is not computed.
pub fn dropout(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    if let Some(training) = node.input(2) {
        let on = b.constant(training)?.and_then(|c| c.as_i64().map(|v| v.iter().any(|&x| x != 0)));
        if on != Some(false) {
            return Err("training_mode must be a constant false".into());
        }
    }
    identity(b, node)
}

pub fn constant(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let value = constant_value(node)?;
    b.bind_constant(node.output()?, value);
    Ok(())
}

/// The value of a Constant node: `value` (a tensor) or, since opset 12, one of
/// `value_float`, `value_floats`, `value_int`, `value_ints`.
pub fn constant_value(node: &Node) -> Result<Constant, String> {
    let a = &node.attrs;
    if let Some(t) = a.tensor("value")? {
        return decode_tensor(t).map_err(|e| format!("its value cannot be read: {e}"));
    }
    let from = |dims: Vec<i64>, data| Constant { dims, data };
    if a.has("value_float") {
        return Ok(from(vec![], ConstData::F32(vec![a.float("value_float", 0.0)?])));
    }
    if a.has("value_int") {
        return Ok(from(vec![], ConstData::I64(vec![a.int("value_int", 0)?])));
    }
    if let Some(v) = a.ints("value_ints")? {
        return Ok(from(vec![v.len() as i64], ConstData::I64(v)));
    }
    if let Some(v) = a.floats("value_floats")? {
        return Ok(from(vec![v.len() as i64], ConstData::F32(v)));
    }
    Err("only tensor, float and int values are supported (not sparse or string constants)".into())
}
