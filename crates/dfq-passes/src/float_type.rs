//! The quantizer's types express f32 values (`!quant.uniform<u8:f32, ...>`), and
//! the scales, ranges and corrections of the DFQ passes are computed for f32
//! tensors. A model in another float type (f16, bf16, f64) would get qnn ops
//! whose expressed type does not match their operands, so such a function is
//! refused where the other type first appears, with the way out.

use dfq_ir::{Diagnostic, Diagnostics, ElementType, Function, Type};

fn non_f32_float(ty: &Type) -> bool {
    ty.as_tensor().is_some_and(|t| t.element.is_float() && t.element != ElementType::F32)
}

/// An error at each argument of `f`, and at the first op, whose type is a float
/// tensor other than f32.
pub fn check_f32(f: &Function, pass: &str) -> Result<(), Diagnostics> {
    let why = "quantizes f32 models; convert the model to f32 first (e.g. when exporting it)";
    let mut diags: Vec<Diagnostic> = f
        .args
        .iter()
        .enumerate()
        .filter(|(_, a)| non_f32_float(&a.ty))
        .map(|(i, a)| {
            let name = a.name.clone().map_or(format!("#{i}"), |n| format!("%{n}"));
            Diagnostic::error(a.loc.clone().or(f.loc.clone()), format!("{pass}: argument {name} is '{}'; dfq {why}", a.ty))
        })
        .collect();
    let first_op = f.ops().find_map(|id| {
        let op = f.op(id);
        op.results.iter().find(|ty| non_f32_float(ty)).map(|ty| (op, ty))
    });
    if let Some((op, ty)) = first_op {
        diags.push(Diagnostic::error(op.loc.clone(), format!("{pass}: '{}' produces '{ty}'; dfq {why}", op.name)));
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}
