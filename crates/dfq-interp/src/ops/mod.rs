//! From IR ops to kernels: each op reads its attributes and operand types,
//! checks what the kernel relies on, and calls it. Errors are messages; the
//! caller prefixes the op name and attaches its location.

mod constant;
mod nn;
mod qnn;
mod qparams;
mod shapes;
mod shared;

use dfq_dialects as d;
use dfq_ir::{Function, OpId, Operation, Type};

use crate::kernels::window::Window;
use crate::signature::dtype_of;
use crate::store::Operand;
use crate::tensor::{Tensor, TensorData};

/// Runs op `id` on its operands and returns its result.
pub(crate) fn execute(func: &Function, id: OpId, operands: Vec<Operand<'_>>) -> Result<Tensor, String> {
    let op = func.op(id);
    if op.name == d::arith::Constant::NAME {
        return constant::materialize(op);
    }
    let typed: Vec<(&Type, &[usize])> =
        op.operands().iter().zip(&operands).map(|(&v, t)| (func.value_type(v), t.get().shape.as_slice())).collect();
    let out_shape = shapes::result_shape(op, &typed)?;
    let mut cx = OpCx { func, id, operands: operands.into_iter().map(Some).collect(), out_shape };
    match op.name.as_str() {
        d::nn::Conv2d::NAME => nn::conv2d(&mut cx),
        d::nn::BatchNorm::NAME => nn::batch_norm(&mut cx),
        d::nn::Relu::NAME => nn::relu(&mut cx),
        d::nn::Relu6::NAME => nn::relu6(&mut cx),
        d::nn::Sigmoid::NAME => nn::sigmoid(&mut cx),
        d::nn::Softmax::NAME => nn::softmax(&mut cx),
        d::nn::Clip::NAME => nn::clip(&mut cx),
        d::nn::Prelu::NAME => nn::prelu(&mut cx),
        d::nn::Add::NAME => nn::add(&mut cx),
        d::nn::Mul::NAME => nn::mul(&mut cx),
        d::nn::Concat::NAME => shared::concat(&mut cx),
        d::nn::MaxPool2d::NAME | d::qnn::MaxPool2d::NAME => shared::max_pool2d(&mut cx),
        d::nn::AvgPool2d::NAME => nn::avg_pool2d(&mut cx),
        d::nn::GlobalAvgPool::NAME => nn::global_avg_pool(&mut cx),
        d::nn::Flatten::NAME | d::nn::Reshape::NAME | d::qnn::Flatten::NAME | d::qnn::Reshape::NAME => {
            shared::reshape(&mut cx)
        }
        d::nn::Linear::NAME => nn::linear(&mut cx),
        d::qnn::Quantize::NAME => qnn::quantize(&mut cx),
        d::qnn::Dequantize::NAME => qnn::dequantize(&mut cx),
        d::qnn::Requantize::NAME => qnn::requantize(&mut cx),
        d::qnn::Conv2d::NAME => qnn::conv2d(&mut cx),
        d::qnn::Linear::NAME => qnn::linear(&mut cx),
        d::qnn::Add::NAME => qnn::add(&mut cx),
        d::qnn::Clamp::NAME => qnn::clamp(&mut cx),
        d::qnn::ChannelClamp::NAME => qnn::channel_clamp(&mut cx),
        d::qnn::AvgPool2d::NAME => qnn::avg_pool2d(&mut cx),
        d::qnn::GlobalAvgPool::NAME => qnn::global_avg_pool(&mut cx),
        d::qnn::Concat::NAME => qnn::concat(&mut cx),
        d::quant::Scast::NAME => shared::storage_cast(&mut cx),
        _ => Err("is not supported by the interpreter".into()),
    }
}

/// What an op sees while it runs: the function, its operands, its result shape.
pub(crate) struct OpCx<'a> {
    func: &'a Function,
    id: OpId,
    operands: Vec<Option<Operand<'a>>>,
    out_shape: Vec<usize>,
}

impl<'a> OpCx<'a> {
    pub fn op(&self) -> &'a Operation {
        self.func.op(self.id)
    }

    /// The op's typed view (`nn::Conv2d`, ...) for its attributes.
    pub fn view<V>(&self, cast: fn(&'a Function, OpId) -> Option<V>) -> Result<V, String> {
        cast(self.func, self.id).ok_or_else(|| "reached the wrong handler".into())
    }

    pub fn num_operands(&self) -> usize {
        self.operands.len()
    }

    pub fn input(&self, i: usize) -> Result<&Tensor, String> {
        self.operands.get(i).and_then(Option::as_ref).map(Operand::get).ok_or_else(|| format!("has no operand #{i}"))
    }

    /// Operand `i` by value (moved if this op reads it last, else copied), for
    /// ops that compute in place.
    pub fn take(&mut self, i: usize) -> Result<Tensor, String> {
        self.operands
            .get_mut(i)
            .and_then(Option::take)
            .map(Operand::into_owned)
            .ok_or_else(|| format!("has no operand #{i}"))
    }

    pub fn shape(&self, i: usize) -> Result<&[usize], String> {
        Ok(&self.input(i)?.shape)
    }

    pub fn f32(&self, i: usize) -> Result<&[f32], String> {
        let t = self.input(i)?;
        t.as_f32().ok_or_else(|| format!("operand #{i} must hold f32, got {}", t.describe()))
    }

    /// The stored integers of an 8- or 32-bit integer operand, widened.
    pub fn ints(&self, i: usize) -> Result<Vec<i32>, String> {
        let t = self.input(i)?;
        t.data.to_i32s().ok_or_else(|| format!("operand #{i} must hold 8- or 32-bit integers, got {}", t.describe()))
    }

    pub fn operand_type(&self, i: usize) -> Result<&'a Type, String> {
        let v = self.op().operands().get(i).ok_or_else(|| format!("has no operand #{i}"))?;
        Ok(self.func.value_type(*v))
    }

    pub fn result_type(&self) -> Result<&'a Type, String> {
        self.op().results.first().ok_or_else(|| "has no result".into())
    }

    pub fn out_shape(&self) -> &[usize] {
        &self.out_shape
    }

    pub fn f32_output(&self, data: Vec<f32>) -> Tensor {
        Tensor { shape: self.out_shape.clone(), data: TensorData::F32(data) }
    }

    /// A result of the declared integer storage type.
    pub fn int_output(&self, values: Vec<i32>) -> Result<Tensor, String> {
        let dtype = dtype_of(self.result_type()?)?;
        Ok(Tensor { shape: self.out_shape.clone(), data: TensorData::from_i32s(dtype, values)? })
    }
}

/// Exactly `N` non-negative values of an array attribute.
pub(crate) fn usizes<const N: usize>(name: &str, values: &[i64]) -> Result<[usize; N], String> {
    let out: Option<Vec<usize>> = values.iter().map(|&v| usize::try_from(v).ok()).collect();
    out.and_then(|v| v.try_into().ok())
        .ok_or_else(|| format!("attribute '{name}' must hold {N} values ≥ 0, got {values:?}"))
}

/// The window of a conv or pool: `input` (N, C, H, W) and `output` shapes,
/// attributes as declared (dilations are 1 for pools).
pub(crate) fn window(
    kernel: [usize; 2],
    strides: &[i64],
    dilations: &[i64],
    pads: &[i64],
    input: &[usize],
    output: &[usize],
) -> Result<Window, String> {
    let pads = usizes::<4>("pads", pads)?;
    if input.len() != 4 || output.len() != 4 {
        return Err(format!("needs 4-D (N, C, H, W) tensors, got shapes {input:?} and {output:?}"));
    }
    Ok(Window {
        kernel,
        strides: usizes("strides", strides)?,
        dilations: usizes("dilations", dilations)?,
        pad_begin: [pads[0], pads[1]],
        input: [input[2], input[3]],
        output: [output[2], output[3]],
    })
}

/// Normalizes an axis in [−rank, rank).
pub(crate) fn axis(axis: i64, rank: usize) -> Result<usize, String> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    usize::try_from(a).ok().filter(|&a| a < rank).ok_or_else(|| format!("axis {axis} is out of range for rank {rank}"))
}
