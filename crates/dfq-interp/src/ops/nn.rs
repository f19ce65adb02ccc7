//! The `nn` ops in f32, with ONNX semantics. (Concat, max pooling, flatten and
//! reshape are in `shared`, as the qnn ops of those names do the same.)

use dfq_dialects::nn;

use super::{axis, window, OpCx};
use crate::kernels::broadcast::zip_with;
use crate::kernels::conv::{self, ConvShape};
use crate::kernels::norm::{self, BatchNormParams};
use crate::kernels::{elementwise, linear as fc, pool};
use crate::tensor::{Tensor, TensorData};

type OpResult = Result<Tensor, String>;

pub(super) fn conv2d(cx: &mut OpCx) -> OpResult {
    let op = cx.view(nn::Conv2d::cast)?;
    let shape = conv_shape(cx, op.groups(), op.strides(), op.dilations(), op.pads())?;
    let bias = match op.bias() {
        Some(_) => Some(cx.f32(2)?),
        None => None,
    };
    let out = conv::conv2d(
        cx.f32(0)?,
        cx.f32(1)?,
        &shape,
        |o| bias.map_or(0.0, |b| b[o]),
        |a: &mut f32, x: f32, w: f32| *a += x * w,
    );
    Ok(cx.f32_output(out))
}

/// The sizes of a convolution whose input is operand 0 and weight operand 1.
pub(super) fn conv_shape(
    cx: &OpCx,
    groups: i64,
    strides: &[i64],
    dilations: &[i64],
    pads: &[i64],
) -> Result<ConvShape, String> {
    let (x, w) = (cx.shape(0)?, cx.shape(1)?);
    if w.len() != 4 {
        return Err(format!("weight must be 4-D (O, C / groups, KH, KW), got shape {w:?}"));
    }
    Ok(ConvShape {
        batch: x[0],
        in_channels: x[1],
        out_channels: w[0],
        groups: usize::try_from(groups).map_err(|_| format!("attribute 'groups' must be ≥ 1, got {groups}"))?,
        window: window([w[2], w[3]], strides, dilations, pads, x, cx.out_shape())?,
    })
}

pub(super) fn batch_norm(cx: &mut OpCx) -> OpResult {
    let epsilon = cx.view(nn::BatchNorm::cast)?.epsilon();
    let (channels, inner) = channels_and_inner(cx.shape(0)?);
    let mut x = cx.take(0)?;
    let p = BatchNormParams { scale: cx.f32(1)?, bias: cx.f32(2)?, mean: cx.f32(3)?, var: cx.f32(4)?, epsilon };
    norm::batch_norm(f32_mut(&mut x)?, channels, inner, &p);
    Ok(x)
}

pub(super) fn relu(cx: &mut OpCx) -> OpResult {
    in_place(cx, elementwise::relu)
}

pub(super) fn relu6(cx: &mut OpCx) -> OpResult {
    in_place(cx, elementwise::relu6)
}

pub(super) fn sigmoid(cx: &mut OpCx) -> OpResult {
    in_place(cx, elementwise::sigmoid)
}

pub(super) fn softmax(cx: &mut OpCx) -> OpResult {
    let shape = cx.shape(0)?.to_vec();
    let a = axis(cx.view(nn::Softmax::cast)?.axis(), shape.len())?;
    let inner = shape[a + 1..].iter().product();
    in_place(cx, |x| norm::softmax(x, shape[a], inner))
}

/// Bounds are scalars or per channel (axis 1): 1 or C values each.
pub(super) fn clip(cx: &mut OpCx) -> OpResult {
    let (channels, inner) = channels_and_inner(cx.shape(0)?);
    let (lo, hi) = (cx.f32(1)?.to_vec(), cx.f32(2)?.to_vec());
    for (name, b) in [("min", &lo), ("max", &hi)] {
        if b.len() != 1 && b.len() != channels {
            return Err(format!("bound '{name}' has {} values for {channels} channels", b.len()));
        }
    }
    in_place(cx, |x| elementwise::clip_channels(x, channels, inner, &lo, &hi))
}

pub(super) fn prelu(cx: &mut OpCx) -> OpResult {
    let out = zip_with((cx.f32(0)?, cx.shape(0)?), (cx.f32(1)?, cx.shape(1)?), cx.out_shape(), |x, slope| {
        if x < 0.0 {
            slope * x
        } else {
            x
        }
    });
    Ok(cx.f32_output(out))
}

pub(super) fn add(cx: &mut OpCx) -> OpResult {
    binary(cx, |a, b| a + b)
}

pub(super) fn mul(cx: &mut OpCx) -> OpResult {
    binary(cx, |a, b| a * b)
}

fn binary(cx: &mut OpCx, f: impl Fn(f32, f32) -> f32) -> OpResult {
    let out = zip_with((cx.f32(0)?, cx.shape(0)?), (cx.f32(1)?, cx.shape(1)?), cx.out_shape(), f);
    Ok(cx.f32_output(out))
}

pub(super) fn avg_pool2d(cx: &mut OpCx) -> OpResult {
    let op = cx.view(nn::AvgPool2d::cast)?;
    let win = super::shared::pool_window(cx, op.kernel(), op.strides(), op.pads())?;
    let planes = cx.shape(0)?[..2].iter().product();
    let sums = pool::window_sums(cx.f32(0)?, planes, &win, op.count_include_pad(), 0.0f32, |s, v| s + v);
    Ok(cx.f32_output(sums.into_iter().map(|(sum, count)| sum / count as f32).collect()))
}

pub(super) fn global_avg_pool(cx: &mut OpCx) -> OpResult {
    let shape = cx.shape(0)?;
    let plane: usize = shape[2..].iter().product();
    if plane == 0 {
        return Err(format!("cannot average over the empty spatial axes of {shape:?}"));
    }
    Ok(cx.f32_output(pool::global_avg_pool(cx.f32(0)?, plane)))
}

pub(super) fn linear(cx: &mut OpCx) -> OpResult {
    let (x, w) = (cx.shape(0)?, cx.shape(1)?);
    let sizes = (x[0], x[1], w[0]);
    let bias = if cx.num_operands() > 2 { Some(cx.f32(2)?) } else { None };
    let out = fc::linear(
        cx.f32(0)?,
        cx.f32(1)?,
        sizes,
        |m| bias.map_or(0.0, |b| b[m]),
        |a: &mut f32, x: f32, w: f32| *a += x * w,
    );
    Ok(cx.f32_output(out))
}

/// (C, product of the axes after 1) of an (N, C, ...) shape; rank < 2 is one channel.
fn channels_and_inner(shape: &[usize]) -> (usize, usize) {
    match shape {
        [_, c, rest @ ..] => (*c, rest.iter().product()),
        _ => (1, shape.iter().product()),
    }
}

fn in_place(cx: &mut OpCx, f: impl FnOnce(&mut [f32])) -> OpResult {
    let mut x = cx.take(0)?;
    f(f32_mut(&mut x)?);
    Ok(x)
}

fn f32_mut(t: &mut Tensor) -> Result<&mut [f32], String> {
    let described = t.describe();
    match &mut t.data {
        TensorData::F32(v) => Ok(v),
        _ => Err(format!("operand #0 must hold f32, got {described}")),
    }
}
