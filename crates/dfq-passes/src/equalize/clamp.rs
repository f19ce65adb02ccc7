//! Clamping activations seen as per-channel bounds — `nn.relu` is [0, ∞),
//! `nn.relu6` [0, 6], `nn.clip` its constant bounds — and their rewriting into a
//! `nn.clip` with one bound per channel, which is how `equalize` keeps ReLU6
//! exact under channel scaling and how `absorb-bias` lowers a cap.

use dfq_ir::{Attribute, DenseElements, Function, OpId, Operation, Value};

use crate::layer::insert_constant;

/// The bounds of a clamp along axis 1: one value for every feature, or one per
/// feature.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Bounds {
    pub lo: Vec<f32>,
    pub hi: Vec<f32>,
}

impl Bounds {
    /// The bounds of a ReLU, ReLU6, or clip with constant bounds.
    pub fn read(f: &Function, op: OpId) -> Option<Bounds> {
        let operation = f.op(op);
        let (lo, hi) = match operation.name.as_str() {
            "nn.relu" => (vec![0.0], vec![f32::INFINITY]),
            "nn.relu6" => (vec![0.0], vec![6.0]),
            "nn.clip" => (constant_values(f, operation.operands()[1])?, constant_values(f, operation.operands()[2])?),
            _ => return None,
        };
        Some(Bounds { lo, hi })
    }

    pub fn lo(&self, feature: usize) -> f32 {
        at(&self.lo, feature)
    }

    pub fn hi(&self, feature: usize) -> f32 {
        at(&self.hi, feature)
    }
}

fn at(bound: &[f32], feature: usize) -> f32 {
    if bound.len() == 1 {
        bound[0]
    } else {
        bound[feature]
    }
}

/// The values of a constant bound: a dense tensor (any shape the verifier allows
/// for clip bounds, which all list one value or one per channel in order) or a
/// scalar float.
fn constant_values(f: &Function, v: Value) -> Option<Vec<f32>> {
    let op = f.op(v.producer()?);
    if op.name != "arith.constant" {
        return None;
    }
    match op.attr("value")? {
        Attribute::Dense(d) if d.ty().element.is_float() => Some(d.to_f32_vec()),
        Attribute::Float { value, .. } => Some(vec![*value as f32]),
        _ => None,
    }
}

/// Replaces the clamp `op` by `nn.clip(input, lo, hi)` with bounds of shape (C),
/// C being `lo.len()`, the input's axis-1 size. The new op keeps the old one's
/// result name and location; the old op is removed (its bound constants are left
/// for dead-code removal).
pub(crate) fn replace_with_clip(f: &mut Function, op: OpId, bounds: Bounds) -> OpId {
    let old = f.op(op).clone();
    let name = old.result_names[0].clone();
    let base = name.clone().unwrap_or_else(|| "clip".into());
    let n = bounds.lo.len() as i64;
    debug_assert_eq!(bounds.lo.len(), bounds.hi.len());
    let lo = insert_constant(f, op, DenseElements::from_f32(&[n], bounds.lo), format!("{base}_min"));
    let hi = insert_constant(f, op, DenseElements::from_f32(&[n], bounds.hi), format!("{base}_max"));
    let mut clip = Operation::new("nn.clip", vec![old.operands()[0], lo, hi], old.results.clone()).with_loc(old.loc);
    clip.result_names = vec![name];
    let clip = f.insert_op_before(op, clip);
    f.replace_all_uses(Value::Result(op, 0), Value::Result(clip, 0));
    f.remove_op(op);
    clip
}
