//! `arith.constant`: dense elements (splats expanded) or a typed scalar, stored
//! as the declared result type's element type (a quantized weight's integers
//! as its storage type).

use dfq_ir::{Attribute, DenseData, DenseElements, Operation};

use crate::signature::dtype_of;
use crate::tensor::{DType, Tensor, TensorData};

pub(super) fn materialize(op: &Operation) -> Result<Tensor, String> {
    let ty = op.results.first().ok_or("has no result")?;
    let dtype = dtype_of(ty)?;
    match op.attr("value") {
        Some(Attribute::Dense(d)) => dense(d, dtype),
        Some(&Attribute::Float { value, .. }) if dtype == DType::F32 => {
            Ok(Tensor::from_f32(Vec::new(), vec![value as f32]))
        }
        Some(&Attribute::Int { value, .. }) => Ok(Tensor::new(Vec::new(), TensorData::from_i64s(dtype, [value])?)),
        Some(other) => Err(format!("cannot hold a {} value as '{ty}'", other.kind())),
        None => Err("requires attribute 'value'".into()),
    }
}

fn dense(d: &DenseElements, dtype: DType) -> Result<Tensor, String> {
    let shape = d
        .ty()
        .static_shape()
        .and_then(|s| s.into_iter().map(|x| usize::try_from(x).ok()).collect::<Option<Vec<_>>>())
        .ok_or_else(|| format!("has the non-static type '{}'", d.ty()))?;
    let data = match (dtype, d.data()) {
        (DType::F32, DenseData::F32(_) | DenseData::F64(_)) => TensorData::F32(d.to_f32_vec()),
        (DType::F32, _) => return Err(format!("holds {} elements for an f32 result", d.ty().element)),
        (_, DenseData::F32(_) | DenseData::F64(_)) => {
            return Err(format!("holds float elements for a {} result", dtype.name()))
        }
        // Integers of whatever width the literal was written in, range-checked.
        (_, _) => TensorData::from_i64s(dtype, (0..d.num_elements() as usize).map(|i| d.get_i64(i)))?,
    };
    Ok(Tensor::new(shape, data))
}
