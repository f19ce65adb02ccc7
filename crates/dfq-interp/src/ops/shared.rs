//! Ops that move elements without arithmetic, the same in f32 and on stored
//! integers: max pooling, concatenation (qnn.concat requantizes first, then
//! joins here), flatten and reshape.

use dfq_dialects::{nn, qnn};

use super::{axis, usizes, window, OpCx};
use crate::kernels::layout::{concat as join, split_at_axis};
use crate::kernels::pool;
use crate::kernels::window::Window;
use crate::tensor::{DType, Element, Tensor, TensorData};

/// `$f::<T>(args)` with T the Rust element type of `$dtype`.
macro_rules! with_element {
    ($dtype:expr, $f:ident($($arg:expr),*)) => {
        match $dtype {
            DType::F32 => $f::<f32>($($arg),*),
            DType::I8 => $f::<i8>($($arg),*),
            DType::U8 => $f::<u8>($($arg),*),
            DType::I32 => $f::<i32>($($arg),*),
            DType::I64 => $f::<i64>($($arg),*),
        }
    };
}

/// The window of a pool over operand 0; every window must hold an input element.
pub(super) fn pool_window(cx: &OpCx, kernel: &[i64], strides: &[i64], pads: &[i64]) -> Result<Window, String> {
    let x = cx.shape(0)?;
    let win = window(usizes("kernel", kernel)?, strides, &[1, 1], pads, x, cx.out_shape())?;
    if win.input.contains(&0) {
        return Err(format!("cannot pool over the empty spatial axes of {x:?}"));
    }
    Ok(win)
}

pub(super) fn max_pool2d(cx: &mut OpCx) -> Result<Tensor, String> {
    let (kernel, strides, pads) = match cx.view(nn::MaxPool2d::cast) {
        Ok(op) => (op.kernel(), op.strides(), op.pads()),
        Err(_) => {
            let op = cx.view(qnn::MaxPool2d::cast)?;
            (op.kernel(), op.strides(), op.pads())
        }
    };
    let win = pool_window(cx, kernel, strides, pads)?;
    let x = cx.input(0)?;
    let data = with_element!(x.data.kind(), max_pool_as(x, &win))?;
    Ok(Tensor { shape: cx.out_shape().to_vec(), data })
}

fn max_pool_as<T: Element + PartialOrd>(x: &Tensor, win: &Window) -> Result<TensorData, String> {
    let v = T::slice(&x.data).ok_or_else(|| format!("cannot pool {}", x.describe()))?;
    Ok(T::wrap(pool::max_pool2d(v, x.shape[..2].iter().product(), win)))
}

pub(super) fn concat(cx: &mut OpCx) -> Result<Tensor, String> {
    let first = cx.shape(0)?;
    let a = axis(cx.view(nn::Concat::cast)?.axis(), first.len())?;
    let (outer, inner) = split_at_axis(first, a);
    let inputs: Vec<&Tensor> = (0..cx.num_operands()).map(|i| cx.input(i)).collect::<Result<_, _>>()?;
    let data = with_element!(inputs[0].data.kind(), join_as(&inputs, a, outer, inner))?;
    Ok(Tensor { shape: cx.out_shape().to_vec(), data })
}

pub(super) fn join_as<T: Element>(
    inputs: &[&Tensor],
    a: usize,
    outer: usize,
    inner: usize,
) -> Result<TensorData, String> {
    let parts = inputs
        .iter()
        .map(|t| T::slice(&t.data).map(|v| (v, t.shape[a])))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| format!("inputs hold different element types, starting with {}", inputs[0].describe()))?;
    Ok(T::wrap(join(&parts, outer, inner)))
}

/// Flatten and reshape keep the elements and change the shape.
/// `quant.scast`: the same stored bits under the result's type, so the `i8`
/// storage integers of a `u8`-stored type are reinterpreted, not converted.
pub(super) fn storage_cast(cx: &mut OpCx) -> Result<Tensor, String> {
    let target = crate::signature::dtype_of(cx.result_type()?)?;
    let t = cx.take(0)?;
    let data = match (t.data, target) {
        (TensorData::I8(v), DType::U8) => TensorData::U8(v.into_iter().map(|x| x as u8).collect()),
        (TensorData::U8(v), DType::I8) => TensorData::I8(v.into_iter().map(|x| x as i8).collect()),
        (data, _) if data.kind() == target => data,
        (data, _) => return Err(format!("cannot reinterpret {} elements as {}", data.dtype(), target.name())),
    };
    Ok(Tensor::new(t.shape, data))
}

pub(super) fn reshape(cx: &mut OpCx) -> Result<Tensor, String> {
    let mut t = cx.take(0)?;
    t.shape = cx.out_shape().to_vec();
    Ok(t)
}
