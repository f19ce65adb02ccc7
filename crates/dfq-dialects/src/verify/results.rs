//! Declared result types against the inferred ones, and integer clamp bounds
//! against the result's storage range.

use dfq_ir::{TensorType, Type};

use crate::infer::InferredType;
use crate::shapes;
use crate::signature::{Issue, OpSignature};

/// Pairs of integer bounds some qnn ops carry, checked wherever an op declares them.
const BOUND_PAIRS: &[(&str, &str)] = &[("act_min", "act_max"), ("min", "max")];

pub(super) fn check(sig: &OpSignature) -> Vec<Issue> {
    let declared = sig.declared.unwrap_or_default();
    let inferred = match shapes::infer(sig) {
        Ok(inferred) => inferred,
        Err(issue) => return vec![issue],
    };
    let several = declared.len() > 1;
    let mut issues: Vec<Issue> = inferred
        .iter()
        .zip(declared)
        .enumerate()
        .filter_map(|(i, (inferred, declared))| mismatch(inferred, declared, several.then_some(i)))
        .collect();
    for &(lo, hi) in BOUND_PAIRS {
        if sig.def.attribute(lo).is_some() && sig.def.attribute(hi).is_some() {
            issues.extend(check_bounds(sig, lo, hi));
        }
    }
    issues
}

fn mismatch(inferred: &InferredType, declared: &Type, index: Option<usize>) -> Option<Issue> {
    let expected = match inferred {
        InferredType::Known(t) => t.clone(),
        // The element is the builder's choice: only the shape is compared.
        InferredType::FreeElement(shape) => {
            Type::Tensor(TensorType { shape: shape.clone(), element: declared.element().clone() })
        }
    };
    if compatible(&expected, declared) {
        return None;
    }
    let what = if expected.element() == declared.element() { "shape" } else { "type" };
    let result = index.map_or("result".to_string(), |i| format!("result #{i}"));
    Some(Issue::new(format!("{result} {what} {declared} does not match the inferred {expected}")))
}

/// Equal up to dynamic sizes, which match any size.
fn compatible(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::Tensor(a), Type::Tensor(b)) => {
            a.element == b.element
                && a.rank() == b.rank()
                && a.shape.iter().zip(&b.shape).all(|(x, y)| x.is_none() || y.is_none() || x == y)
        }
        _ => a == b,
    }
}

fn check_bounds(sig: &OpSignature, lo: &str, hi: &str) -> Vec<Issue> {
    let mut issues = Vec::new();
    let (min, max) = (sig.optional_i64(lo), sig.optional_i64(hi));
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            issues.push(Issue::new(format!("{lo} ({min}) must not exceed {hi} ({max})")));
        }
    }
    let result = sig.declared.and_then(|d| d.first());
    let Some((result, quant)) = result.and_then(|t| Some((t, t.element().as_quant()?))) else { return issues };
    let (storage_min, storage_max) = quant.storage_min_max();
    for (name, value) in [(lo, min), (hi, max)] {
        if let Some(v) = value.filter(|v| !(storage_min..=storage_max).contains(v)) {
            issues.push(Issue::new(format!(
                "{name} ({v}) is outside the storage range [{storage_min}, {storage_max}] of the result type {result}"
            )));
        }
    }
    issues
}
