//! The values computed so far. Each tensor is dropped right after the op that
//! reads it last, so a network holds only its live activations, not all of them.

use std::collections::HashMap;

use dfq_ir::{Function, Value};

use crate::tensor::Tensor;

/// An operand as an op receives it: moved out of the store when this op is its
/// last reader (so elementwise ops can work in place), borrowed otherwise.
pub(crate) enum Operand<'a> {
    Owned(Tensor),
    Borrowed(&'a Tensor),
}

impl Operand<'_> {
    pub fn get(&self) -> &Tensor {
        match self {
            Operand::Owned(t) => t,
            Operand::Borrowed(t) => t,
        }
    }

    pub fn into_owned(self) -> Tensor {
        match self {
            Operand::Owned(t) => t,
            Operand::Borrowed(t) => t.clone(),
        }
    }
}

pub(crate) struct ValueStore {
    values: HashMap<Value, Tensor>,
    /// Position in program order of the last op reading each value.
    last_use: HashMap<Value, usize>,
}

impl ValueStore {
    pub fn new(func: &Function) -> ValueStore {
        let mut last_use = HashMap::new();
        for (pos, id) in func.ops().enumerate() {
            for &v in func.op(id).operands() {
                last_use.insert(v, pos);
            }
        }
        ValueStore { values: HashMap::new(), last_use }
    }

    /// Records a computed value; one nobody reads is dropped at once.
    pub fn define(&mut self, v: Value, t: Tensor) {
        if self.last_use.contains_key(&v) {
            self.values.insert(v, t);
        }
    }

    /// The operands of the op at `pos`. Values read for the last time, and only
    /// once by this op, are moved out of the store.
    pub fn operands(&mut self, operands: &[Value], pos: usize) -> Result<Vec<Operand<'_>>, Value> {
        let mut owned: Vec<Option<Tensor>> = operands
            .iter()
            .map(|v| {
                let read_once = operands.iter().filter(|&w| w == v).count() == 1;
                if read_once && self.last_use.get(v) == Some(&pos) {
                    self.values.remove(v)
                } else {
                    None
                }
            })
            .collect();
        let values = &self.values;
        operands
            .iter()
            .zip(&mut owned)
            .map(|(v, o)| match o.take() {
                Some(t) => Ok(Operand::Owned(t)),
                None => values.get(v).map(Operand::Borrowed).ok_or(*v),
            })
            .collect()
    }

    /// Drops the values whose last reader was the op at `pos`.
    pub fn release(&mut self, operands: &[Value], pos: usize) {
        for v in operands {
            if self.last_use.get(v) == Some(&pos) {
                self.values.remove(v);
            }
        }
    }

    /// Number of tensors currently held.
    #[cfg(test)]
    pub fn live(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use dfq_ir::{Argument, ElementType, Operation, Type};

    use super::*;

    #[test]
    fn frees_values_after_their_last_use() {
        let t = Type::tensor(&[2], ElementType::F32);
        let mut f = Function::new("f", vec![Argument::new(t.clone())], vec![t.clone()]);
        let a = f.push_op(Operation::new("nn.relu", vec![Value::Arg(0)], vec![t.clone()]));
        let b = f.push_op(Operation::new("nn.add", vec![Value::Result(a, 0), Value::Result(a, 0)], vec![t.clone()]));
        f.push_op(Operation::new("func.return", vec![Value::Result(b, 0)], vec![]));

        let x = || Tensor::from_f32(vec![2], vec![1.0, 2.0]);
        let mut store = ValueStore::new(&f);
        store.define(Value::Arg(0), x());
        assert!(matches!(store.operands(&[Value::Arg(0)], 0).unwrap()[0], Operand::Owned(_)));
        store.release(&[Value::Arg(0)], 0);
        store.define(Value::Result(a, 0), x());
        // Read twice by one op: borrowed both times, dropped afterwards.
        let ops = store.operands(&[Value::Result(a, 0), Value::Result(a, 0)], 1).unwrap();
        assert!(ops.iter().all(|o| matches!(o, Operand::Borrowed(_))));
        store.release(&[Value::Result(a, 0)], 1);
        assert_eq!(store.live(), 0);
    }
}
