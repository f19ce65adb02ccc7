//! Patterns describe a rewrite as a [`Patch`] instead of mutating the function:
//! matching stays side-effect free and the driver owns all bookkeeping.

use dfq_ir::{Attribute, Attributes, Function, OpId, Operation, Type, Value};

/// A value in a patch: one that exists, or a result of an op the patch adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchValue {
    Existing(Value),
    New { op: usize, result: u32 },
}

impl From<Value> for PatchValue {
    fn from(v: Value) -> PatchValue {
        PatchValue::Existing(v)
    }
}

/// An op to create, inserted before the op the pattern matched.
#[derive(Clone, Debug)]
pub struct NewOp {
    pub name: String,
    pub operands: Vec<PatchValue>,
    pub results: Vec<Type>,
    pub attributes: Attributes,
    pub result_names: Vec<Option<String>>,
}

impl NewOp {
    pub fn new(name: impl Into<String>, operands: Vec<PatchValue>, results: Vec<Type>) -> NewOp {
        let result_names = vec![None; results.len()];
        NewOp { name: name.into(), operands, results, attributes: Attributes::new(), result_names }
    }

    pub fn with_attr(mut self, name: impl Into<String>, value: Attribute) -> NewOp {
        self.attributes.insert(name.into(), value);
        self
    }

    pub fn with_result_name(mut self, name: Option<String>) -> NewOp {
        self.result_names[0] = name;
        self
    }
}

#[derive(Clone, Debug, Default)]
pub struct Patch {
    pub new_ops: Vec<NewOp>,
    pub replacements: Vec<(Value, PatchValue)>,
    pub erase: Vec<OpId>,
}

impl Patch {
    pub fn new() -> Patch {
        Patch::default()
    }

    /// Adds an op; returns its first result.
    pub fn add_op(&mut self, op: NewOp) -> PatchValue {
        self.new_ops.push(op);
        PatchValue::New { op: self.new_ops.len() - 1, result: 0 }
    }

    /// Every use of `old` will read `new` instead.
    pub fn replace(&mut self, old: Value, new: impl Into<PatchValue>) {
        self.replacements.push((old, new.into()));
    }

    /// Removes `op`; its results must be unused once the replacements are done.
    pub fn erase(&mut self, op: OpId) {
        self.erase.push(op);
    }

    /// Applies the patch with new ops placed before `anchor`. Returns the ops whose
    /// inputs or outputs changed, for the driver's worklist.
    pub(crate) fn apply(self, func: &mut Function, anchor: OpId) -> Vec<OpId> {
        let mut created: Vec<OpId> = Vec::with_capacity(self.new_ops.len());
        let resolve = |v: PatchValue, created: &[OpId]| match v {
            PatchValue::Existing(v) => v,
            PatchValue::New { op, result } => Value::Result(created[op], result),
        };
        for new in self.new_ops {
            let operands = new.operands.iter().map(|&v| resolve(v, &created)).collect();
            let mut op = Operation::new(new.name, operands, new.results).with_loc(func.op(anchor).loc.clone());
            op.attributes = new.attributes;
            op.result_names = new.result_names;
            created.push(func.insert_op_before(anchor, op));
        }
        let mut touched = created.clone();
        for (old, new) in self.replacements {
            let new = resolve(new, &created);
            touched.extend(func.users(old).into_iter().map(|(user, _)| user));
            func.replace_all_uses(old, new);
        }
        for op in self.erase {
            if !func.contains(op) {
                continue;
            }
            let results = func.op(op).results.len() as u32;
            if (0..results).any(|r| func.has_users(Value::Result(op, r))) {
                continue;
            }
            touched.extend(func.op(op).operands().iter().filter_map(|v| v.producer()));
            func.remove_op(op);
        }
        touched.retain(|&op| func.contains(op));
        touched
    }
}

/// A local rewrite: looks at one op and its neighbourhood, proposes a patch.
pub trait Pattern {
    fn name(&self) -> &'static str;

    /// The op name this pattern is rooted at; `None` tries it on every op.
    fn root(&self) -> Option<&'static str> {
        None
    }

    fn match_op(&self, func: &Function, op: OpId) -> Option<Patch>;
}
