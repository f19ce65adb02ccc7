//! Result shapes from the operands' runtime shapes.
//!
//! The dialects' own type rules run again on the concrete shapes: a graph with
//! dynamic (`?`) sizes passed the verifier with those checks skipped, and the
//! kernels index buffers on the assumption that every shape agrees.

use dfq_dialects::{infer_types, InferredType};
use dfq_ir::{Operation, TensorType, Type};

use crate::signature::shape_fits;

/// The shape of the op's (single) result for operands of these types and shapes.
pub(crate) fn result_shape(op: &Operation, operands: &[(&Type, &[usize])]) -> Result<Vec<usize>, String> {
    let concrete: Vec<Type> = operands.iter().map(|&(ty, shape)| with_shape(ty, shape)).collect();
    let refs: Vec<&Type> = concrete.iter().collect();
    let inferred = infer_types(&op.name, &refs, &op.attributes)?;
    let dims = match inferred.first() {
        Some(InferredType::Known(Type::Tensor(t))) => t.shape.clone(),
        Some(InferredType::FreeElement(shape)) => shape.clone(),
        Some(InferredType::Known(Type::Scalar(_))) => Vec::new(),
        None => return Err("has no result to compute".into()),
    };
    let shape: Vec<usize> = dims
        .iter()
        .map(|d| d.and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("has a result of unknown size {dims:?}"))?;
    match op.results.first() {
        Some(declared) if !shape_fits(&shape, declared) => {
            Err(format!("computes a result of shape {shape:?} from its operands, but declares '{declared}'"))
        }
        _ => Ok(shape),
    }
}

/// `ty` with its dimensions replaced by the runtime `shape` (scalars stay scalars).
fn with_shape(ty: &Type, shape: &[usize]) -> Type {
    match ty {
        Type::Tensor(t) => Type::Tensor(TensorType {
            shape: shape.iter().map(|&d| Some(d as i64)).collect(),
            element: t.element.clone(),
        }),
        Type::Scalar(_) => ty.clone(),
    }
}
