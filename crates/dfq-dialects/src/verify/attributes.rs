//! Attribute presence and kinds. Names outside the op's declaration are errors,
//! except `dfq.`-prefixed ones, which passes use for metadata (e.g. BN statistics).

use dfq_ir::Attribute;

use crate::def::{Presence, METADATA_PREFIX};
use crate::signature::{Issue, OpSignature};
use crate::spec::AttrKind;

pub(super) fn check(sig: &OpSignature) -> Vec<Issue> {
    let mut issues = Vec::new();
    for def in sig.def.attributes {
        match sig.attributes.get(def.name) {
            None if matches!(def.presence, Presence::Required) => {
                issues.push(Issue::new(format!("requires attribute '{}'", def.name)));
            }
            Some(attr) if !has_kind(attr, def.kind) => issues.push(Issue::new(format!(
                "attribute '{}' must be {}, got {}",
                def.name,
                def.kind.mlir_name(),
                describe(attr)
            ))),
            _ => {}
        }
    }
    for name in sig.attributes.keys() {
        if sig.def.attribute(name).is_none() && !name.starts_with(METADATA_PREFIX) {
            issues.push(Issue::new(format!(
                "has no attribute '{name}' (only declared attributes and '{METADATA_PREFIX}*' metadata are allowed)"
            )));
        }
    }
    issues
}

/// Integers and floats of any width are accepted: `groups = 1 : i32` and a bare
/// `epsilon = 1.0e-3` (an f64) mean what they say.
fn has_kind(attr: &Attribute, kind: AttrKind) -> bool {
    match kind {
        AttrKind::I64 => matches!(attr, Attribute::Int { .. }),
        AttrKind::F32 => matches!(attr, Attribute::Float { .. }),
        AttrKind::Bool => matches!(attr, Attribute::Bool(_)),
        AttrKind::String => matches!(attr, Attribute::String(_)),
        AttrKind::I64Array => matches!(attr, Attribute::DenseI64Array(_)),
        AttrKind::Elements => matches!(attr, Attribute::Dense(_) | Attribute::Int { .. } | Attribute::Float { .. }),
    }
}

/// The attribute's kind, with the type of a number: `f64` says more than `float`.
fn describe(attr: &Attribute) -> String {
    match attr {
        Attribute::Int { ty, .. } | Attribute::Float { ty, .. } => ty.to_string(),
        other => other.kind().to_string(),
    }
}
