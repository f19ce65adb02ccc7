//! Which types satisfy each `TypeConstraint`, and the well-formedness of
//! quantized tensor types.

use dfq_ir::{ElementType, QuantParams, Signedness, Type};

use crate::spec::TypeConstraint;

impl TypeConstraint {
    pub fn accepts(self, ty: &Type) -> bool {
        let tensor_element = ty.as_tensor().map(|t| &t.element);
        match self {
            TypeConstraint::Any => true,
            TypeConstraint::AnyTensor => tensor_element.is_some(),
            TypeConstraint::FloatTensor => tensor_element.is_some_and(ElementType::is_float),
            TypeConstraint::FloatTensorOrScalar => ty.element().is_float(),
            TypeConstraint::QuantTensor => tensor_element.is_some_and(|e| e.as_quant().is_some()),
            TypeConstraint::Quant8Tensor => tensor_element
                .and_then(ElementType::as_quant)
                .is_some_and(|q| q.storage_width == 8 && matches!(q.params, QuantParams::PerTensor { .. })),
            TypeConstraint::QuantI8Weight => tensor_element.and_then(ElementType::as_quant).is_some_and(|q| {
                q.storage_width == 8
                    && q.storage_signed
                    && matches!(q.params, QuantParams::PerTensor { .. } | QuantParams::PerAxis { axis: 0, .. })
            }),
            TypeConstraint::I32Tensor => tensor_element.is_some_and(|e| {
                matches!(e, ElementType::Int { width: 32, signedness: Signedness::Signless | Signedness::Signed })
            }),
        }
    }
}

/// A per-axis quantized tensor needs its axis in range and one scale per index
/// along it; the parser cannot check this, as it reads the element type alone.
pub(crate) fn check_quant_axis(ty: &Type) -> Result<(), String> {
    let Some(t) = ty.as_tensor() else { return Ok(()) };
    let Some(QuantParams::PerAxis { axis, scales, .. }) = t.element.as_quant().map(|q| &q.params) else {
        return Ok(());
    };
    let Some(dim) = usize::try_from(*axis).ok().and_then(|a| t.shape.get(a)) else {
        return Err(format!("has quantization axis {axis}, but its rank is {}", t.rank()));
    };
    match dim {
        Some(d) if *d != scales.len() as i64 => {
            Err(format!("has {} quantization scales along axis {axis}, whose size is {d}", scales.len()))
        }
        _ => Ok(()),
    }
}
