//! What the checks and the type rules see of an op: its definition, operand types,
//! attributes and, when an existing op is verified, its declared result types.

use dfq_ir::{Attribute, Attributes, TensorType, Type};

use crate::def::{OpDef, Presence};
use crate::infer::InferredType;
use crate::spec::Trait;

pub(crate) struct OpSignature<'a> {
    pub def: &'static OpDef,
    pub operands: Vec<&'a Type>,
    pub attributes: &'a Attributes,
    /// `None` when inferring types for an op that does not exist yet.
    pub declared: Option<&'a [Type]>,
}

/// A problem with an op, optionally blamed on one operand (whose definition the
/// diagnostic then points at).
#[derive(Debug)]
pub(crate) struct Issue {
    pub message: String,
    pub operand: Option<usize>,
}

impl Issue {
    pub fn new(message: impl Into<String>) -> Issue {
        Issue { message: message.into(), operand: None }
    }

    pub fn at_operand(operand: usize, message: impl Into<String>) -> Issue {
        Issue { message: message.into(), operand: Some(operand) }
    }
}

impl<'a> OpSignature<'a> {
    /// The declared name of operand position `i`, for messages.
    pub fn operand_name(&self, i: usize) -> &'static str {
        self.def.operand_at(i, self.operands.len()).map_or("?", |o| o.name)
    }

    pub fn operand(&self, i: usize) -> Option<&'a Type> {
        self.operands.get(i).copied()
    }

    /// Operand `i` as a ranked tensor (type constraints have made sure it is one).
    pub fn tensor(&self, i: usize) -> Result<&'a TensorType, Issue> {
        match self.operands.get(i) {
            Some(Type::Tensor(t)) => Ok(t),
            Some(other) => Err(Issue::at_operand(i, format!("{} must be a tensor, got {other}", self.operand_name(i)))),
            None => Err(Issue::new(format!("has no operand #{i}"))),
        }
    }

    /// Operand `i` as a tensor of rank `rank`; `layout` names its axes for the message.
    pub fn tensor_of_rank(&self, i: usize, rank: usize, layout: &str) -> Result<&'a TensorType, Issue> {
        let t = self.tensor(i)?;
        if t.rank() != rank {
            return Err(Issue::at_operand(
                i,
                format!("{} must be {rank}-D {layout}, got {}", self.operand_name(i), self.operands[i]),
            ));
        }
        Ok(t)
    }

    /// The attribute as written, or its declared default.
    pub fn attribute(&self, name: &str) -> Option<Attribute> {
        if let Some(a) = self.attributes.get(name) {
            return Some(a.clone());
        }
        match &self.def.attribute(name)?.presence {
            Presence::Default(d) => Some(d.to_attribute()),
            Presence::Required | Presence::Optional => None,
        }
    }

    pub fn i64(&self, name: &str) -> Result<i64, Issue> {
        self.typed(name, Attribute::as_int)
    }

    pub fn optional_i64(&self, name: &str) -> Option<i64> {
        self.attribute(name).and_then(|a| a.as_int())
    }

    pub fn i64_array(&self, name: &str) -> Result<Vec<i64>, Issue> {
        self.typed(name, |a| a.as_i64_array().map(<[i64]>::to_vec))
    }

    fn typed<T>(&self, name: &str, get: impl Fn(&Attribute) -> Option<T>) -> Result<T, Issue> {
        let attr = self.attribute(name).ok_or_else(|| Issue::new(format!("requires attribute '{name}'")))?;
        get(&attr).ok_or_else(|| Issue::new(format!("attribute '{name}' has the wrong kind ({})", attr.kind())))
    }

    /// A result of the given shape whose element type follows the op's declaration:
    /// the input's, unless the result is quantized, which its builder chooses.
    pub fn like_input(&self, shape: Vec<Option<i64>>) -> InferredType {
        let keeps_element = self.def.has_trait(Trait::SameOperandsAndResultElementType)
            || self.def.has_trait(Trait::SameOperandsAndResultType);
        let quantized = self.def.results.first().is_some_and(|r| r.constraint.is_quantized());
        if quantized && !keeps_element {
            return InferredType::FreeElement(shape);
        }
        let element = self.operands[0].element().clone();
        InferredType::Known(Type::Tensor(TensorType { shape, element }))
    }
}
