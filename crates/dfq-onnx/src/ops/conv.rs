//! Conv → `nn.conv2d`.

use dfq_ir::Attribute;

use crate::builder::{attrs, GraphBuilder};
use crate::node::Node;
use crate::ops::window::{pair, Window};
use crate::optable::nn_op;

pub fn conv(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let x = b.value(node.required_input(0)?)?;
    let w = b.value(node.required_input(1)?)?;
    let (x_shape, w_shape) = (b.shape(x)?, b.shape(w)?);
    if x_shape.len() != 4 || w_shape.len() != 4 {
        return Err(format!(
            "only 2-D convolutions are supported (4-D input and weight), got input {x_shape:?} and weight {w_shape:?}"
        ));
    }
    let kernel = [w_shape[2], w_shape[3]];
    if let Some(declared) = node.attrs.ints("kernel_shape")? {
        if declared != kernel {
            return Err(format!("kernel_shape {declared:?} does not match the weight's spatial size {kernel:?}"));
        }
    }
    let window = Window {
        input: [x_shape[2], x_shape[3]],
        kernel,
        strides: pair(&node.attrs, "strides", 1)?,
        dilations: pair(&node.attrs, "dilations", 1)?,
    };
    let pads = window.pads(&node.attrs)?;
    let mut operands = vec![x, w];
    if let Some(bias) = node.input(2) {
        operands.push(b.value(bias)?);
    }
    let attributes = attrs([
        ("strides", Attribute::DenseI64Array(window.strides.to_vec())),
        ("pads", Attribute::DenseI64Array(pads.to_vec())),
        ("dilations", Attribute::DenseI64Array(window.dilations.to_vec())),
        ("groups", Attribute::i64(node.attrs.int("group", 1)?)),
    ]);
    let out = node.output()?;
    let y = b.emit(nn_op("Conv")?, operands, attributes, out)?;
    b.bind(out, y);
    Ok(())
}
