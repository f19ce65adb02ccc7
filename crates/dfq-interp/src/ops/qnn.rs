//! The `qnn` ops with the exact integer semantics of `dialects/qnn.toml`.
//! (Max pooling, flatten and reshape are in `shared`.)

use dfq_dialects::qnn;

use super::qparams::{per_element, per_output_channel, per_tensor, TensorQuant};
use super::{axis, OpCx};
use crate::kernels::layout::{concat as join, split_at_axis};
use crate::kernels::qconv::{self, QLayer};
use crate::kernels::qelementwise::{self as qe, AddParams, Rescaling, ADD_LEFT_SHIFT};
use crate::kernels::qpool::{self, QPool};
use crate::quant::{OutputRange, Requantizer};
use crate::signature::dtype_of;
use crate::tensor::{Tensor, TensorData};

type OpResult = Result<Tensor, String>;

pub(super) fn quantize(cx: &mut OpCx) -> OpResult {
    let ty = cx.result_type()?;
    let (params, range) = per_element(ty, cx.out_shape())?;
    let values = qe::quantize(cx.f32(0)?, &params, range);
    Ok(Tensor { shape: cx.out_shape().to_vec(), data: TensorData::from_i64s(dtype_of(ty)?, values)? })
}

pub(super) fn dequantize(cx: &mut OpCx) -> OpResult {
    let (params, _) = per_element(cx.operand_type(0)?, cx.shape(0)?)?;
    Ok(cx.f32_output(qe::dequantize(&cx.ints(0)?, &params)))
}

pub(super) fn requantize(cx: &mut OpCx) -> OpResult {
    let r = rescaling(cx, 0)?;
    cx.int_output(qe::requantize(&cx.ints(0)?, &r)?)
}

pub(super) fn conv2d(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::Conv2d::cast)?;
    let shape = super::nn::conv_shape(cx, op.groups(), op.strides(), op.dilations(), op.pads())?;
    let q = LayerQuant::read(cx, shape.out_channels, op.act_min(), op.act_max())?;
    let bias = optional_bias(cx, op.bias().is_some())?;
    let out = qconv::qconv2d(&cx.ints(0)?, &cx.ints(1)?, &shape, &q.layer(bias))?;
    cx.int_output(out)
}

pub(super) fn linear(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::Linear::cast)?;
    let (x, w) = (cx.shape(0)?, cx.shape(1)?);
    let sizes = (x[0], x[1], w[0]);
    let q = LayerQuant::read(cx, sizes.2, op.act_min(), op.act_max())?;
    let bias = optional_bias(cx, op.bias().is_some())?;
    let out = qconv::qlinear(&cx.ints(0)?, &cx.ints(1)?, sizes, &q.layer(bias))?;
    cx.int_output(out)
}

/// TFLite's add: both sides to the scale s = 2·max(s_l, s_r) with 20 extra bits,
/// the sum to the output scale.
pub(super) fn add(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::Add::cast)?;
    let (l, r) = (per_tensor(cx.operand_type(0)?)?, per_tensor(cx.operand_type(1)?)?);
    let out = per_tensor(cx.result_type()?)?;
    let s = 2.0 * l.scale.max(r.scale);
    let p = AddParams {
        zeros: [l.zero_point, r.zero_point],
        sides: [Requantizer::new(l.scale / s)?, Requantizer::new(r.scale / s)?],
        sum: Requantizer::new(s / ((1u64 << ADD_LEFT_SHIFT) as f64 * out.scale))?,
        output: output_range(&out, op.act_min(), op.act_max())?,
    };
    let values = qe::add((&cx.ints(0)?, cx.shape(0)?), (&cx.ints(1)?, cx.shape(1)?), cx.out_shape(), &p)?;
    cx.int_output(values)
}

pub(super) fn clamp(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::Clamp::cast)?;
    let bound = |name: &str, v: i64| i32::try_from(v).map_err(|_| format!("attribute '{name}' ({v}) is outside i32"));
    let (lo, hi) = (bound("min", op.min())?, bound("max", op.max())?);
    let mut values = cx.ints(0)?;
    qe::clamp(&mut values, lo, hi);
    cx.int_output(values)
}

pub(super) fn channel_clamp(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::ChannelClamp::cast)?;
    let shape = cx.shape(0)?;
    let (min, max) = (op.min(), op.max());
    if shape.len() < 2 || min.len() != shape[1] || max.len() != shape[1] {
        return Err(format!("needs one bound pair per channel of {shape:?}, got {} and {}", min.len(), max.len()));
    }
    let bound = |v: i64| i32::try_from(v).map_err(|_| format!("bound {v} is outside i32"));
    let bounds: Vec<(i32, i32)> =
        min.iter().zip(max.iter()).map(|(&lo, &hi)| Ok((bound(lo)?, bound(hi)?))).collect::<Result<_, String>>()?;
    let mut values = cx.ints(0)?;
    let plane: usize = shape[2..].iter().product();
    if plane > 0 {
        // Row-major (N, C, rest…): each run of `plane` values belongs to one channel.
        for (k, run) in values.chunks_mut(plane).enumerate() {
            let (lo, hi) = bounds[k % shape[1]];
            qe::clamp(run, lo, hi);
        }
    }
    cx.int_output(values)
}

pub(super) fn avg_pool2d(cx: &mut OpCx) -> OpResult {
    let op = cx.view(qnn::AvgPool2d::cast)?;
    let win = super::shared::pool_window(cx, op.kernel(), op.strides(), op.pads())?;
    let planes = cx.shape(0)?[..2].iter().product();
    let out = qpool::avg_pool2d(&cx.ints(0)?, planes, &win, op.count_include_pad(), &pool_quant(cx)?)?;
    cx.int_output(out)
}

pub(super) fn global_avg_pool(cx: &mut OpCx) -> OpResult {
    let shape = cx.shape(0)?;
    let plane: usize = shape[2..].iter().product();
    if plane == 0 {
        return Err(format!("cannot average over the empty spatial axes of {shape:?}"));
    }
    let out = qpool::global_avg_pool(&cx.ints(0)?, plane, &pool_quant(cx)?)?;
    cx.int_output(out)
}

/// Each input requantized to the output (a copy where the quantization agrees), then joined.
pub(super) fn concat(cx: &mut OpCx) -> OpResult {
    let first = cx.shape(0)?;
    let a = axis(cx.view(qnn::Concat::cast)?.axis(), first.len())?;
    let (outer, inner) = split_at_axis(first, a);
    let parts = (0..cx.num_operands())
        .map(|i| Ok((qe::requantize(&cx.ints(i)?, &rescaling(cx, i)?)?, cx.shape(i)?[a])))
        .collect::<Result<Vec<_>, String>>()?;
    let slices: Vec<(&[i32], usize)> = parts.iter().map(|(v, len)| (v.as_slice(), *len)).collect();
    cx.int_output(join(&slices, outer, inner))
}

/// Operand `i`'s way to the result's quantization: Rescale(q − z_in, s_in / s_out).
fn rescaling(cx: &OpCx, i: usize) -> Result<Rescaling, String> {
    let (input, out) = (per_tensor(cx.operand_type(i)?)?, per_tensor(cx.result_type()?)?);
    Ok(Rescaling {
        input_zero: input.zero_point,
        requant: Requantizer::new(input.scale / out.scale)?,
        output: output_range(&out, None, None)?,
    })
}

fn pool_quant(cx: &OpCx) -> Result<QPool, String> {
    let (input, out) = (per_tensor(cx.operand_type(0)?)?, per_tensor(cx.result_type()?)?);
    Ok(QPool {
        input_zero: input.zero_point,
        input_scale: input.scale,
        output_scale: out.scale,
        output: output_range(&out, None, None)?,
    })
}

/// The storage range of the output intersected with the fused activation bounds.
fn output_range(out: &TensorQuant, act_min: Option<i64>, act_max: Option<i64>) -> Result<OutputRange, String> {
    let (lo, hi) = out.range;
    OutputRange::new(out.zero_point, act_min.map_or(lo, |a| a.max(lo)), act_max.map_or(hi, |a| a.min(hi)))
}

fn optional_bias<'c>(cx: &'c OpCx, present: bool) -> Result<Option<&'c [i32]>, String> {
    if !present {
        return Ok(None);
    }
    let b = cx.input(2)?;
    b.as_i32().map(Some).ok_or_else(|| format!("bias must hold i32, got {}", b.describe()))
}

/// The quantization of a conv or linear layer: input operand 0, weight operand 1.
struct LayerQuant {
    input_zero: i32,
    weight_zeros: Vec<i32>,
    requant: Vec<Requantizer>,
    output: OutputRange,
}

impl LayerQuant {
    fn read(cx: &OpCx, channels: usize, act_min: Option<i64>, act_max: Option<i64>) -> Result<LayerQuant, String> {
        let input = per_tensor(cx.operand_type(0)?)?;
        let (weight_scales, weight_zeros) = per_output_channel(cx.operand_type(1)?, channels)?;
        let out = per_tensor(cx.result_type()?)?;
        // M[o] = s_in·s_w[o] / s_out, in f64, in that order.
        let requant = weight_scales
            .iter()
            .enumerate()
            .map(|(o, &s_w)| {
                Requantizer::new(input.scale * s_w / out.scale).map_err(|e| format!("output channel {o}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(LayerQuant {
            // An 8-bit activation's zero point lies in its storage range.
            input_zero: input.zero_point as i32,
            weight_zeros,
            requant,
            output: output_range(&out, act_min, act_max)?,
        })
    }

    fn layer<'a>(&'a self, bias: Option<&'a [i32]>) -> QLayer<'a> {
        QLayer {
            input_zero: self.input_zero,
            weight_zeros: &self.weight_zeros,
            bias,
            requant: &self.requant,
            output: self.output,
        }
    }
}
