//! Result type inference, for passes that build ops and for the verifier.

use dfq_ir::{Attributes, ElementType, Function, OpId, TensorType, Type};

use crate::registry::registry;
use crate::signature::OpSignature;
use crate::{shapes, verify};

/// A result type as an op's operands and attributes determine it.
#[derive(Clone, Debug, PartialEq)]
pub enum InferredType {
    Known(Type),
    /// A tensor of this shape whose element type is the builder's choice: the
    /// quantization of a qnn op's output is a decision, not a consequence.
    FreeElement(Vec<Option<i64>>),
}

impl InferredType {
    /// The full type, if the operands determine it.
    pub fn known(&self) -> Option<&Type> {
        match self {
            InferredType::Known(t) => Some(t),
            InferredType::FreeElement(_) => None,
        }
    }

    /// The full type, taking `element` where the element type is free.
    pub fn with_free_element(self, element: ElementType) -> Type {
        match self {
            InferredType::Known(t) => t,
            InferredType::FreeElement(shape) => Type::Tensor(TensorType { shape, element }),
        }
    }
}

/// The result types of `op`, computed from its operands and attributes. A free
/// element type (a qnn output's quantization) is taken from the op's declared
/// result. Errors are messages without the `'name' op` prefix.
pub fn infer_result_types(func: &Function, op: OpId) -> Result<Vec<Type>, String> {
    let operation = func.op(op);
    let def = registry().lookup(&operation.name).ok_or_else(|| format!("unknown operation '{}'", operation.name))?;
    let sig = OpSignature {
        def,
        operands: operation.operands().iter().map(|&v| func.value_type(v)).collect(),
        attributes: &operation.attributes,
        declared: Some(&operation.results),
    };
    let inferred = infer_checked(&sig)?;
    inferred
        .into_iter()
        .enumerate()
        .map(|(i, t)| match (t, operation.results.get(i)) {
            (InferredType::Known(t), _) => Ok(t),
            (InferredType::FreeElement(shape), Some(Type::Tensor(declared))) => {
                Ok(Type::Tensor(TensorType { shape, element: declared.element.clone() }))
            }
            (InferredType::FreeElement(_), _) => Err(format!(
                "result #{i} is a tensor whose element type the op's builder chooses, and none is declared"
            )),
        })
        .collect()
}

/// The result types an op named `name` would have with these operand types and
/// attributes: for building a new op without computing its shape by hand.
pub fn infer_types(name: &str, operands: &[&Type], attributes: &Attributes) -> Result<Vec<InferredType>, String> {
    let def = registry().lookup(name).ok_or_else(|| format!("unknown operation '{name}'"))?;
    let sig = OpSignature { def, operands: operands.to_vec(), attributes, declared: None };
    infer_checked(&sig)
}

/// Checks operands and attributes first, so the rules may rely on them.
fn infer_checked(sig: &OpSignature) -> Result<Vec<InferredType>, String> {
    if let Some(issue) = verify::check_inputs(sig).into_iter().next() {
        return Err(issue.message);
    }
    shapes::infer(sig).map_err(|issue| issue.message)
}
