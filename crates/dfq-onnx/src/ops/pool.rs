//! MaxPool, AveragePool → `nn.max_pool2d`, `nn.avg_pool2d` (GlobalAveragePool
//! is direct, see `optable`).

use dfq_ir::Attribute;

use crate::builder::{attrs, GraphBuilder};
use crate::node::Node;
use crate::ops::window::{pair, Window};
use crate::optable::nn_op;

pub fn max_pool(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    pool(b, node, None)
}

pub fn average_pool(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let count_include_pad = node.attrs.int("count_include_pad", 0)? != 0;
    pool(b, node, Some(count_include_pad))
}

/// `count_include_pad` is `Some` for average pooling.
fn pool(b: &mut GraphBuilder, node: &Node, count_include_pad: Option<bool>) -> Result<(), String> {
    let op = nn_op(node.op_type())?;
    let x = b.value(node.required_input(0)?)?;
    let shape = b.shape(x)?;
    if shape.len() != 4 {
        return Err(format!("only 2-D pooling is supported (a 4-D input), got {shape:?}"));
    }
    let kernel = node.attrs.ints("kernel_shape")?.ok_or("attribute 'kernel_shape' is required")?;
    let kernel = <[i64; 2]>::try_from(kernel.as_slice())
        .map_err(|_| format!("only 2-D pooling is supported, got kernel_shape {kernel:?}"))?;
    if pair(&node.attrs, "dilations", 1)? != [1, 1] {
        return Err("dilated pooling is not supported".into());
    }
    let window =
        Window { input: [shape[2], shape[3]], kernel, strides: pair(&node.attrs, "strides", 1)?, dilations: [1, 1] };
    let mut pads = window.pads(&node.attrs)?;
    if node.attrs.int("ceil_mode", 0)? != 0 {
        ceil_mode_pads(&window, &mut pads, count_include_pad)?;
    }
    let mut attributes = attrs([
        ("kernel", Attribute::DenseI64Array(kernel.to_vec())),
        ("strides", Attribute::DenseI64Array(window.strides.to_vec())),
        ("pads", Attribute::DenseI64Array(pads.to_vec())),
    ]);
    if let Some(include) = count_include_pad {
        attributes.insert("count_include_pad".into(), Attribute::Bool(include));
    }
    let out = node.output()?;
    let y = b.emit(op, vec![x], attributes, out)?;
    b.bind(out, y);
    Ok(())
}

/// `nn` pools round down. Where ONNX's ceil mode adds a last window, extra end
/// padding adds it too; that is exact when padding never counts (max pooling,
/// and averages with `count_include_pad = 0`).
fn ceil_mode_pads(window: &Window, pads: &mut [i64; 4], count_include_pad: Option<bool>) -> Result<(), String> {
    for axis in 0..2 {
        let (floor, ceil) = (window.output_floor(axis, pads), window.output_ceil(axis, pads));
        if ceil == floor {
            continue;
        }
        if count_include_pad == Some(true) {
            return Err(
                "ceil_mode = 1 with count_include_pad = 1 changes the output size, which dfq cannot express".into()
            );
        }
        let covered = window.input[axis] + pads[axis] + pads[axis + 2];
        pads[axis + 2] += (ceil - 1) * window.strides[axis] + window.kernel[axis] - covered;
    }
    Ok(())
}
