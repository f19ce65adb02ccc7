//! How IR types map to runtime tensors: the element type a value is stored as,
//! and the checks of inputs and results against their declared types.

use dfq_ir::{ElementType, Function, Signedness, Type};

use crate::error::InterpError;
use crate::tensor::{DType, Tensor};

/// The element type values of `ty` are stored as. Quantized values are stored
/// as their storage integers: up to 8 bits in i8 or u8, wider grids (the 16-bit
/// ones of QDQ models) widened to i32.
pub(crate) fn dtype_of(ty: &Type) -> Result<DType, String> {
    let dtype = match ty.element() {
        ElementType::F32 => Some(DType::F32),
        ElementType::Index => Some(DType::I64),
        ElementType::Int { width, signedness } => match (width, *signedness == Signedness::Unsigned) {
            (8, false) => Some(DType::I8),
            (8, true) => Some(DType::U8),
            (32, false) => Some(DType::I32),
            (64, false) => Some(DType::I64),
            _ => None,
        },
        ElementType::Quant(q) => match (q.storage_width, q.storage_signed) {
            (1..=8, true) => Some(DType::I8),
            (1..=8, false) => Some(DType::U8),
            (9..=32, true) | (9..=31, false) => Some(DType::I32),
            _ => None,
        },
        _ => None,
    };
    dtype.ok_or_else(|| format!("values of type '{ty}' are not supported by the interpreter"))
}

/// The declared dimensions of `ty`, `None` for dynamic ones; scalars have none.
fn declared_dims(ty: &Type) -> Vec<Option<usize>> {
    match ty {
        Type::Tensor(t) => t.shape.iter().map(|d| d.and_then(|d| usize::try_from(d).ok())).collect(),
        Type::Scalar(_) => Vec::new(),
    }
}

/// Whether `shape` fits the declared dimensions (dynamic ones match any size).
pub(crate) fn shape_fits(shape: &[usize], ty: &Type) -> bool {
    let dims = declared_dims(ty);
    dims.len() == shape.len() && dims.iter().zip(shape).all(|(d, &s)| d.is_none_or(|d| d == s))
}

/// Whether `t` is a valid runtime value of type `ty`.
pub(crate) fn conforms(t: &Tensor, ty: &Type) -> bool {
    dtype_of(ty).is_ok_and(|d| d == t.data.kind()) && shape_fits(&t.shape, ty)
}

/// The shape and element type argument `index` of `func` expects, for callers
/// that build inputs (a CLI validating files, tests drawing random data).
pub fn expected_input(func: &Function, index: usize) -> Result<(Vec<usize>, &'static str), InterpError> {
    let arg = func.args.get(index).ok_or_else(|| {
        InterpError::new(
            format!("'@{}' has {} arguments, there is no argument #{index}", func.name, func.args.len()),
            func.loc.clone(),
        )
    })?;
    let at_arg = |message: String| InterpError::new(format!("{} {message}", arg_name(func, index)), arg.loc.clone());
    let dtype = dtype_of(&arg.ty).map_err(at_arg)?;
    let shape = declared_dims(&arg.ty).into_iter().collect::<Option<Vec<usize>>>();
    let shape = shape.ok_or_else(|| at_arg(format!("has the dynamic type '{}' and no fixed shape", arg.ty)))?;
    Ok((shape, dtype.name()))
}

/// Checks the inputs' count, element types and shapes against the signature.
pub(crate) fn check_inputs(func: &Function, inputs: &[Tensor]) -> Result<(), InterpError> {
    if inputs.len() != func.args.len() {
        return Err(InterpError::new(
            format!("'@{}' takes {} arguments, but {} inputs were given", func.name, func.args.len(), inputs.len()),
            func.loc.clone(),
        ));
    }
    for (i, (arg, input)) in func.args.iter().zip(inputs).enumerate() {
        let dtype =
            dtype_of(&arg.ty).map_err(|e| InterpError::new(format!("{}: {e}", arg_name(func, i)), arg.loc.clone()))?;
        if !conforms(input, &arg.ty) {
            return Err(InterpError::new(
                format!(
                    "{} expects '{}' (stored as {}), got {}",
                    arg_name(func, i),
                    arg.ty,
                    dtype.name(),
                    input.describe()
                ),
                arg.loc.clone(),
            ));
        }
    }
    Ok(())
}

/// "argument #0 (%x) of '@main'".
fn arg_name(func: &Function, index: usize) -> String {
    match func.args.get(index).and_then(|a| a.name.as_deref()) {
        Some(name) => format!("argument #{index} (%{name}) of '@{}'", func.name),
        None => format!("argument #{index} of '@{}'", func.name),
    }
}
