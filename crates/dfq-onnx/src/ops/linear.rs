//! Gemm and MatMul (+ Add) → `nn.linear`, whose weight is (M, K): ONNX Gemm's B
//! with transB = 1. Other layouts are transposed here, once, as constants.

use dfq_dialects::nn;
use dfq_ir::{Attributes, Value};

use crate::builder::GraphBuilder;
use crate::node::Node;

/// y = alpha · A · op(B) + beta · C, with A (N, K) and C broadcasting to (M).
pub fn gemm(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    if node.attrs.int("transA", 0)? != 0 {
        return Err("transA = 1 is not supported".into());
    }
    let trans_b = node.attrs.int("transB", 0)? != 0;
    let alpha = node.attrs.float("alpha", 1.0)?;
    let beta = node.attrs.float("beta", 1.0)?;
    let a = matrix_input(b, node)?;
    let b_name = node.required_input(1)?;
    let weight = if trans_b && alpha == 1.0 {
        b.value(b_name)?
    } else {
        let (dims, data) = constant_matrix(b, b_name)?;
        let (w_dims, w) = if trans_b { (dims, data) } else { ([dims[1], dims[0]], transpose(&data, dims[0], dims[1])) };
        b.add_constant(b_name, &w_dims, w.into_iter().map(|v| v * alpha).collect())
    };
    let m = b.shape(weight)?[0];
    let bias = node.input(2).map(|c| bias(b, c, m, beta)).transpose()?;
    linear(b, a, weight, bias, node.output()?)
}

/// A (N, K) × B (K, M) with a constant B; an `Add` of a bias that the import
/// plan folded into this node becomes the linear's bias.
pub fn matmul(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let a = matrix_input(b, node)?;
    let b_name = node.required_input(1)?;
    let (dims, data) = constant_matrix(b, b_name)?;
    let [k, m] = dims;
    let weight = b.add_constant(b_name, &[m, k], transpose(&data, k, m));
    match node.absorbs {
        Some(add) => {
            let product = node.output()?;
            let bias_name = add.input.iter().find(|i| *i != product).ok_or("the folded Add has no bias input")?;
            let bias = bias(b, bias_name, m, 1.0)?;
            let out = add.output.first().ok_or("the folded Add has no output")?;
            linear(b, a, weight, Some(bias), out)
        }
        None => linear(b, a, weight, None, node.output()?),
    }
}

/// Whether a constant of shape `dims` added to an (N, M) product is a bias:
/// it broadcasts along rows only.
pub fn is_bias_shape(dims: &[i64], m: i64) -> bool {
    match dims.split_last() {
        None => true,
        Some((&last, leading)) => (last == m || last == 1) && leading.iter().all(|&d| d == 1),
    }
}

fn linear(b: &mut GraphBuilder, a: Value, weight: Value, bias: Option<Value>, out: &str) -> Result<(), String> {
    let mut operands = vec![a, weight];
    operands.extend(bias);
    let y = b.emit(nn::Linear::NAME, operands, Attributes::new(), out)?;
    b.bind(out, y);
    Ok(())
}

fn matrix_input(b: &mut GraphBuilder, node: &Node) -> Result<Value, String> {
    let a = b.value(node.required_input(0)?)?;
    let shape = b.shape(a)?;
    if shape.len() != 2 {
        return Err(format!("input A must be a matrix (N, K), got shape {shape:?}; flatten it first"));
    }
    Ok(a)
}

fn constant_matrix(b: &GraphBuilder, name: &str) -> Result<([i64; 2], Vec<f32>), String> {
    let c = b.require_constant(name, "B")?;
    let dims = <[i64; 2]>::try_from(c.dims.as_slice())
        .map_err(|_| format!("B '{name}' must be a matrix, got shape {:?}", c.dims))?;
    let data = c.as_f32().ok_or_else(|| format!("B '{name}' must be a float tensor"))?;
    Ok((dims, data.to_vec()))
}

/// The bias as an (M) operand: the constant itself when it already is one,
/// else a new constant, expanded from one element if need be and scaled.
fn bias(b: &mut GraphBuilder, name: &str, m: i64, scale: f32) -> Result<Value, String> {
    let c = b.require_constant(name, "bias")?;
    let data = c.as_f32().ok_or_else(|| format!("bias '{name}' must be a float tensor"))?;
    if !is_bias_shape(&c.dims, m) {
        return Err(format!("bias '{name}' of shape {:?} does not broadcast along rows to ({m})", c.dims));
    }
    if c.dims == [m] && scale == 1.0 {
        return b.value(name);
    }
    let expanded = if data.len() == 1 { vec![data[0]; m as usize] } else { data.to_vec() };
    Ok(b.add_constant(name, &[m], expanded.into_iter().map(|v| v * scale).collect()))
}

/// Row-major (rows, cols) → (cols, rows).
fn transpose(data: &[f32], rows: i64, cols: i64) -> Vec<f32> {
    let (rows, cols) = (rows as usize, cols as usize);
    (0..cols).flat_map(|c| (0..rows).map(move |r| data[r * cols + c])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes_row_major() {
        assert_eq!(transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }

    #[test]
    fn bias_shapes_broadcast_along_rows() {
        assert!(is_bias_shape(&[4], 4) && is_bias_shape(&[1, 4], 4) && is_bias_shape(&[], 4) && is_bias_shape(&[1], 4));
        assert!(!is_bias_shape(&[4, 1], 4) && !is_bias_shape(&[2, 4], 4) && !is_bias_shape(&[3], 4));
    }
}
