//! Clip and Softmax (Relu, Sigmoid and PRelu are direct, see `optable`).

use dfq_dialects::nn;
use dfq_ir::{Attribute, Attributes, Value};

use crate::builder::{attrs, GraphBuilder};
use crate::node::Node;
use crate::optable::nn_op;

/// Clip with bounds [0, 6] is ReLU6, [0, ∞) is ReLU (the forms passes look
/// for); other constant bounds give `nn.clip`. Opset < 11 has the bounds as
/// attributes, later opsets as optional inputs.
pub fn clip(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let (min, max) = if b.opset() < 11 {
        (Bound::Attr(node.attrs.float("min", f32::NEG_INFINITY)?), Bound::Attr(node.attrs.float("max", f32::INFINITY)?))
    } else {
        (bound_input(b, node, 1, f32::NEG_INFINITY)?, bound_input(b, node, 2, f32::INFINITY)?)
    };
    match (min.value(), max.value()) {
        (lo, hi) if lo == 0.0 && hi == 6.0 => unary(b, node, nn::Relu6::NAME),
        (lo, hi) if lo == 0.0 && hi == f32::INFINITY => unary(b, node, nn_op("Relu")?),
        (lo, hi) if lo > hi => Err(format!("min {lo} is greater than max {hi}")),
        _ => {
            let x = b.value(node.required_input(0)?)?;
            let out = node.output()?;
            let lo = min.materialize(b, &format!("{out}_min"))?;
            let hi = max.materialize(b, &format!("{out}_max"))?;
            let y = b.emit(nn::Clip::NAME, vec![x, lo, hi], Attributes::new(), out)?;
            b.bind(out, y);
            Ok(())
        }
    }
}

/// A clip bound: from an attribute or a default, or a named scalar constant.
enum Bound {
    Attr(f32),
    Input { name: String, value: f32 },
}

impl Bound {
    fn value(&self) -> f32 {
        match self {
            Bound::Attr(v) | Bound::Input { value: v, .. } => *v,
        }
    }

    /// A scalar operand: the named constant itself, or a new `tensor<f32>`.
    fn materialize(&self, b: &mut GraphBuilder, hint: &str) -> Result<Value, String> {
        match self {
            Bound::Input { name, .. } => b.value(name),
            Bound::Attr(v) => Ok(b.add_constant(hint, &[], vec![*v])),
        }
    }
}

fn bound_input(b: &GraphBuilder, node: &Node, i: usize, default: f32) -> Result<Bound, String> {
    let Some(name) = node.input(i) else {
        return Ok(Bound::Attr(default));
    };
    let which = if i == 1 { "min" } else { "max" };
    let c = b.require_constant(name, which)?;
    let value =
        c.scalar_f32().ok_or_else(|| format!("{which} '{name}' must be a single float, got shape {:?}", c.dims))?;
    Ok(Bound::Input { name: name.to_string(), value })
}

/// Opset 13 normalizes along `axis` alone (default −1), as `nn.softmax` does.
/// Earlier opsets flatten to 2-D at `axis` (default 1) and normalize the rows:
/// the same unless dimensions follow `axis`, in which case a reshape to 2-D and
/// back around the softmax keeps the old meaning.
pub fn softmax(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let x = b.value(node.required_input(0)?)?;
    let out = node.output()?;
    let shape = b.shape(x)?;
    let rank = shape.len() as i64;
    let default_axis = if b.opset() >= 13 { -1 } else { 1 };
    let axis = node.attrs.int("axis", default_axis)?;
    if !(-rank..rank).contains(&axis) {
        return Err(format!("axis {axis} is out of range for a rank-{rank} input"));
    }
    let axis = axis.rem_euclid(rank) as usize;
    let trailing: i64 = shape[axis + 1..].iter().product();
    let softmax = nn_op("Softmax")?;
    if b.opset() >= 13 || trailing == 1 {
        let y = b.emit(softmax, vec![x], attrs([("axis", Attribute::i64(axis as i64))]), out)?;
        b.bind(out, y);
        return Ok(());
    }
    let rows: i64 = shape[..axis].iter().product();
    let cols: i64 = shape[axis..].iter().product();
    let flat = b.emit(
        nn::Reshape::NAME,
        vec![x],
        attrs([("shape", Attribute::DenseI64Array(vec![rows, cols]))]),
        &format!("{out}_2d"),
    )?;
    let soft = b.emit(softmax, vec![flat], attrs([("axis", Attribute::i64(1))]), &format!("{out}_2d_softmax"))?;
    let y = b.emit(nn::Reshape::NAME, vec![soft], attrs([("shape", Attribute::DenseI64Array(shape))]), out)?;
    b.bind(out, y);
    Ok(())
}

fn unary(b: &mut GraphBuilder, node: &Node, op: &str) -> Result<(), String> {
    let x = b.value(node.required_input(0)?)?;
    let out = node.output()?;
    let y = b.emit(op, vec![x], Attributes::new(), out)?;
    b.bind(out, y);
    Ok(())
}
