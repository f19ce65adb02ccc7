//! `canonicalize`: local simplifications that never change what the graph computes.
//!
//! - reshape/flatten of a constant becomes a constant of the new shape;
//! - reshape/flatten to the type it already has, and single-input concat, vanish;
//! - reshape of reshape (or flatten) becomes one reshape.

use dfq_ir::{Attribute, DenseElements, Function, Module, OpId, Type, Value};
use dfq_rewrite::{
    apply_patterns_greedily, GreedyConfig, NewOp, OptionKind, OptionSpec, Pass, PassContext, PassError, PassInfo,
    Patch, Pattern,
};

pub fn info() -> PassInfo {
    PassInfo {
        name: "canonicalize",
        summary: "Fold shape ops of constants and remove identity ops",
        options: &[OptionSpec {
            name: "max-rewrites",
            kind: OptionKind::Int,
            default: "100000",
            help: "Stop with an error after this many rewrites",
        }],
        create: |o| {
            let max = o.int("max-rewrites");
            if max < 1 {
                return Err("canonicalize: max-rewrites must be positive".into());
            }
            Ok(Box::new(Canonicalize { max_rewrites: max as usize }))
        },
    }
}

pub struct Canonicalize {
    pub max_rewrites: usize,
}

impl Pass for Canonicalize {
    fn name(&self) -> &'static str {
        "canonicalize"
    }

    fn run(&self, module: &mut Module, _ctx: &mut PassContext) -> Result<(), PassError> {
        let patterns: [&dyn Pattern; 4] = [&FoldReshapeOfConstant, &RemoveIdentityReshape, &ComposeReshapes, &RemoveSingleConcat];
        for f in &mut module.functions {
            apply_patterns_greedily(f, &patterns, GreedyConfig { max_rewrites: self.max_rewrites })
                .map_err(|e| PassError::Message(format!("canonicalize on '@{}': {e}", f.name)))?;
            crate::dce::remove_dead_ops(f);
        }
        Ok(())
    }
}

fn is_shape_op(name: &str) -> bool {
    name == "nn.reshape" || name == "nn.flatten"
}

fn single_result_type(f: &Function, op: OpId) -> Option<&Type> {
    match f.op(op).results.as_slice() {
        [t] => Some(t),
        _ => None,
    }
}

struct FoldReshapeOfConstant;

impl Pattern for FoldReshapeOfConstant {
    fn name(&self) -> &'static str {
        "fold-reshape-of-constant"
    }

    fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
        if !is_shape_op(&f.op(op).name) {
            return None;
        }
        let producer = f.op(op).operands().first()?.producer()?;
        let constant = f.op(producer);
        let Some(Attribute::Dense(d)) = constant.attr("value").filter(|_| constant.name == "arith.constant") else {
            return None;
        };
        let Type::Tensor(new_ty) = single_result_type(f, op)? else { return None };
        if new_ty.num_elements() != Some(d.num_elements()) {
            return None;
        }
        // A reshaped constant is a new tensor: it does not keep the old resource key.
        let folded = DenseElements::new(new_ty.clone(), d.data().clone()).ok()?;
        let mut patch = Patch::new();
        let name = f.op(op).result_names[0].clone().or_else(|| constant.result_names[0].clone());
        let v = patch.add_op(
            NewOp::new("arith.constant", vec![], vec![Type::Tensor(new_ty.clone())])
                .with_attr("value", Attribute::Dense(folded))
                .with_result_name(name),
        );
        patch.replace(Value::Result(op, 0), v);
        patch.erase(op);
        patch.erase(producer);
        Some(patch)
    }
}

struct RemoveIdentityReshape;

impl Pattern for RemoveIdentityReshape {
    fn name(&self) -> &'static str {
        "remove-identity-reshape"
    }

    fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
        if !is_shape_op(&f.op(op).name) {
            return None;
        }
        let input = *f.op(op).operands().first()?;
        (f.value_type(input) == single_result_type(f, op)?).then(|| replace_with(op, input))
    }
}

struct ComposeReshapes;

impl Pattern for ComposeReshapes {
    fn name(&self) -> &'static str {
        "compose-reshapes"
    }

    fn root(&self) -> Option<&'static str> {
        Some("nn.reshape")
    }

    fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
        let inner = f.op(op).operands().first()?.producer()?;
        if !is_shape_op(&f.op(inner).name) {
            return None;
        }
        let source = *f.op(inner).operands().first()?;
        let result_ty = single_result_type(f, op)?.clone();
        // A 0 in the shape copies a dimension of the input, which composing changes.
        let Some(Attribute::DenseI64Array(shape)) = f.op(op).attr("shape") else { return None };
        if shape.contains(&0) {
            return None;
        }
        let mut patch = Patch::new();
        let mut new = NewOp::new("nn.reshape", vec![source.into()], vec![result_ty])
            .with_result_name(f.op(op).result_names[0].clone());
        new.attributes = f.op(op).attributes.clone();
        let v = patch.add_op(new);
        patch.replace(Value::Result(op, 0), v);
        patch.erase(op);
        patch.erase(inner);
        Some(patch)
    }
}

struct RemoveSingleConcat;

impl Pattern for RemoveSingleConcat {
    fn name(&self) -> &'static str {
        "remove-single-input-concat"
    }

    fn root(&self) -> Option<&'static str> {
        Some("nn.concat")
    }

    fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
        match f.op(op).operands() {
            [only] if f.value_type(*only) == single_result_type(f, op)? => Some(replace_with(op, *only)),
            _ => None,
        }
    }
}

fn replace_with(op: OpId, value: Value) -> Patch {
    let mut patch = Patch::new();
    patch.replace(Value::Result(op, 0), value);
    patch.erase(op);
    patch
}
