//! Operand and result types: each against its declared constraint, then the
//! op's type-relating traits.

use dfq_ir::Type;

use crate::constraints::check_quant_axis;
use crate::signature::{Issue, OpSignature};
use crate::spec::Trait;

pub(super) fn check_constraints(sig: &OpSignature) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (i, &ty) in sig.operands.iter().enumerate() {
        let Some(def) = sig.def.operand_at(i, sig.operands.len()) else { continue };
        let label = format!("operand #{i} ('{}')", def.name);
        if !def.constraint.accepts(ty) {
            issues.push(Issue::at_operand(i, format!("{label} must be a {}, got {ty}", def.constraint.description())));
        } else if let Err(e) = check_quant_axis(ty) {
            issues.push(Issue::at_operand(i, format!("{label} {ty} {e}")));
        }
    }
    for (i, (ty, def)) in sig.declared.unwrap_or_default().iter().zip(sig.def.results).enumerate() {
        if !def.constraint.accepts(ty) {
            issues.push(Issue::new(format!("result #{i} must be a {}, got {ty}", def.constraint.description())));
        } else if let Err(e) = check_quant_axis(ty) {
            issues.push(Issue::new(format!("result #{i} {ty} {e}")));
        }
    }
    issues
}

/// MLIR's `SameOperandsAndResult*` traits, worded as MLIR words them.
pub(super) fn check_traits(sig: &OpSignature) -> Vec<Issue> {
    let all: Vec<&Type> = sig.operands.iter().copied().chain(sig.declared.unwrap_or_default()).collect();
    let Some((first, rest)) = all.split_first() else { return Vec::new() };
    let same = |what: &str, eq: &dyn Fn(&Type, &Type) -> bool| {
        let differs = rest.iter().any(|t| !eq(first, t));
        differs.then(|| Issue::new(format!("requires the same {what} for all operands and results")))
    };
    let mut issues = Vec::new();
    for t in sig.def.traits {
        let issue = match t {
            Trait::SameOperandsAndResultType => same("type", &|a, b| a == b),
            Trait::SameOperandsAndResultElementType => same("element type", &|a, b| a.element() == b.element()),
            Trait::SameOperandsAndResultShape => same("shape", &|a, b| shape_of(a) == shape_of(b)),
            _ => None,
        };
        issues.extend(issue);
    }
    issues
}

/// A scalar has the shape of a rank-0 tensor.
fn shape_of(ty: &Type) -> &[Option<i64>] {
    ty.as_tensor().map_or(&[], |t| &t.shape)
}
