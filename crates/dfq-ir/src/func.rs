//! Functions as petgraph dataflow graphs: nodes are ops, edges are SSA values
//! flowing from a producer's result to a consumer's operand.
//!
//! Operands are stored on the op (their order matters) and mirrored as graph edges
//! so that users of a value are found without scanning. All mutation goes through
//! `Function` so the two never disagree. Program order is an explicit linked list
//! ([`crate::order`]), which keeps printing deterministic whatever petgraph does
//! with indices.

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::attr::{Attribute, Attributes};
use crate::diag::Location;
use crate::order::{Ops, ProgramOrder};
use crate::types::Type;

/// A stable handle to an op in its function.
pub type OpId = NodeIndex;

/// An SSA value: a function argument or a result of an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Arg(u32),
    Result(OpId, u32),
}

impl Value {
    pub fn producer(self) -> Option<OpId> {
        match self {
            Value::Result(op, _) => Some(op),
            Value::Arg(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// Full name, `dialect.op`.
    pub name: String,
    operands: Vec<Value>,
    pub results: Vec<Type>,
    pub attributes: Attributes,
    pub loc: Option<Location>,
    /// Names the results had in the source (`%w`), kept for readable output.
    pub result_names: Vec<Option<String>>,
}

impl Operation {
    pub fn new(name: impl Into<String>, operands: Vec<Value>, results: Vec<Type>) -> Operation {
        let result_names = vec![None; results.len()];
        Operation { name: name.into(), operands, results, attributes: Attributes::new(), loc: None, result_names }
    }

    pub fn with_attr(mut self, name: impl Into<String>, value: Attribute) -> Operation {
        self.attributes.insert(name.into(), value);
        self
    }

    pub fn with_loc(mut self, loc: Option<Location>) -> Operation {
        self.loc = loc;
        self
    }

    pub fn with_result_name(mut self, index: usize, name: impl Into<String>) -> Operation {
        self.result_names[index] = Some(name.into());
        self
    }

    pub fn operands(&self) -> &[Value] {
        &self.operands
    }

    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.get(name)
    }

    pub fn dialect(&self) -> &str {
        self.name.split_once('.').map_or("", |(d, _)| d)
    }
}

/// Which result of the producer feeds which operand of the consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Use {
    pub result: u32,
    pub operand: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub ty: Type,
    pub attributes: Attributes,
    pub name: Option<String>,
    pub loc: Option<Location>,
}

impl Argument {
    pub fn new(ty: Type) -> Argument {
        Argument { ty, attributes: Attributes::new(), name: None, loc: None }
    }
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub args: Vec<Argument>,
    pub result_types: Vec<Type>,
    pub attributes: Attributes,
    pub loc: Option<Location>,
    graph: StableDiGraph<Operation, Use>,
    order: ProgramOrder,
}

impl Function {
    pub fn new(name: impl Into<String>, args: Vec<Argument>, result_types: Vec<Type>) -> Function {
        Function {
            name: name.into(),
            args,
            result_types,
            attributes: Attributes::new(),
            loc: None,
            graph: StableDiGraph::new(),
            order: ProgramOrder::default(),
        }
    }

    /// The underlying dataflow graph (read-only: mutate through `Function`).
    pub fn graph(&self) -> &StableDiGraph<Operation, Use> {
        &self.graph
    }

    /// Ops in program order.
    pub fn ops(&self) -> Ops<'_> {
        self.order.iter()
    }

    pub fn num_ops(&self) -> usize {
        self.order.len()
    }

    pub fn op(&self, id: OpId) -> &Operation {
        &self.graph[id]
    }

    pub fn contains(&self, id: OpId) -> bool {
        self.graph.contains_node(id)
    }

    /// Mutable access to an op's name, results, attributes and location. Operands
    /// change through [`Function::set_operand`].
    pub fn op_mut(&mut self, id: OpId) -> &mut Operation {
        &mut self.graph[id]
    }

    pub fn value_type(&self, v: Value) -> &Type {
        match v {
            Value::Arg(i) => &self.args[i as usize].ty,
            Value::Result(op, r) => &self.graph[op].results[r as usize],
        }
    }

    /// Checks that `v` names an existing argument or result.
    pub fn is_valid_value(&self, v: Value) -> bool {
        match v {
            Value::Arg(i) => (i as usize) < self.args.len(),
            Value::Result(op, r) => self.graph.node_weight(op).is_some_and(|o| (r as usize) < o.results.len()),
        }
    }

    /// Appends `op` at the end of the function.
    pub fn push_op(&mut self, op: Operation) -> OpId {
        let id = self.add_node(op);
        self.order.push(id);
        id
    }

    /// Inserts `op` right before `anchor` in program order.
    pub fn insert_op_before(&mut self, anchor: OpId, op: Operation) -> OpId {
        assert!(self.graph.contains_node(anchor), "insert_op_before: the anchor is not an op of this function");
        let id = self.add_node(op);
        self.order.insert_before(anchor, id);
        id
    }

    /// Inserts `op` right after `anchor` in program order.
    pub fn insert_op_after(&mut self, anchor: OpId, op: Operation) -> OpId {
        assert!(self.graph.contains_node(anchor), "insert_op_after: the anchor is not an op of this function");
        let id = self.add_node(op);
        self.order.insert_after(anchor, id);
        id
    }

    fn add_node(&mut self, op: Operation) -> OpId {
        let operands = op.operands.clone();
        let id = self.graph.add_node(op);
        for (i, v) in operands.into_iter().enumerate() {
            self.add_edge(v, id, i as u32);
        }
        id
    }

    fn add_edge(&mut self, v: Value, consumer: OpId, operand: u32) {
        if let Value::Result(producer, result) = v {
            self.graph.add_edge(producer, consumer, Use { result, operand });
        }
    }

    pub fn set_operand(&mut self, op: OpId, index: usize, v: Value) {
        let old = self.graph[op].operands[index];
        if let Value::Result(producer, result) = old {
            let edge = self
                .graph
                .edges_connecting(producer, op)
                .find(|e| *e.weight() == Use { result, operand: index as u32 })
                .map(|e| e.id());
            if let Some(edge) = edge {
                self.graph.remove_edge(edge);
            }
        }
        self.graph[op].operands[index] = v;
        self.add_edge(v, op, index as u32);
    }

    /// Replaces all operands of `op` (e.g. when a pattern drops an optional one).
    pub fn set_operands(&mut self, op: OpId, operands: Vec<Value>) {
        let incoming: Vec<_> = self.graph.edges_directed(op, Direction::Incoming).map(|e| e.id()).collect();
        for e in incoming {
            self.graph.remove_edge(e);
        }
        for (i, &v) in operands.iter().enumerate() {
            self.add_edge(v, op, i as u32);
        }
        self.graph[op].operands = operands;
    }

    /// Every (consumer, operand index) that reads `v`, in program order.
    pub fn users(&self, v: Value) -> Vec<(OpId, usize)> {
        let mut users: Vec<(OpId, usize)> = match v {
            Value::Result(producer, result) => self
                .graph
                .edges_directed(producer, Direction::Outgoing)
                .filter(|e| e.weight().result == result)
                .map(|e| (e.target(), e.weight().operand as usize))
                .collect(),
            Value::Arg(_) => self
                .ops()
                .flat_map(|op| {
                    self.graph[op].operands.iter().enumerate().filter(|(_, &o)| o == v).map(move |(i, _)| (op, i))
                })
                .collect(),
        };
        users.sort_by_key(|&(op, i)| (self.order.key(op), i));
        users
    }

    pub fn has_users(&self, v: Value) -> bool {
        match v {
            Value::Result(producer, result) => {
                self.graph.edges_directed(producer, Direction::Outgoing).any(|e| e.weight().result == result)
            }
            Value::Arg(_) => !self.users(v).is_empty(),
        }
    }

    /// Redirects every use of `old` to `new`.
    pub fn replace_all_uses(&mut self, old: Value, new: Value) {
        for (op, i) in self.users(old) {
            self.set_operand(op, i, new);
        }
    }

    /// Removes an op whose results are unused.
    pub fn remove_op(&mut self, id: OpId) {
        debug_assert!(
            self.graph.edges_directed(id, Direction::Outgoing).next().is_none(),
            "removing an op whose results are still used"
        );
        self.order.remove(id);
        self.graph.remove_node(id);
    }

    /// Op id → index in program order.
    pub fn program_positions(&self) -> std::collections::HashMap<OpId, usize> {
        self.ops().enumerate().map(|(i, op)| (op, i)).collect()
    }

    /// A key that increases along program order: sorts or compares ops in O(1)
    /// each. Valid until the function's ops change.
    pub fn program_key(&self, op: OpId) -> u64 {
        self.order.key(op)
    }

    /// The op that ends the function (`func.return`), if there is one.
    pub fn terminator(&self) -> Option<OpId> {
        self.order.last().filter(|&op| self.graph[op].name == "func.return")
    }

    /// Values the function returns.
    pub fn returned_values(&self) -> &[Value] {
        self.terminator().map_or(&[], |t| self.graph[t].operands())
    }
}

/// A module: functions plus module-level attributes.
#[derive(Clone, Debug, Default)]
pub struct Module {
    pub name: Option<String>,
    pub attributes: Attributes,
    pub functions: Vec<Function>,
    pub loc: Option<Location>,
}

impl Module {
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ElementType;

    fn t() -> Type {
        Type::tensor(&[4], ElementType::F32)
    }

    #[test]
    fn uses_follow_mutation() {
        let mut f = Function::new("main", vec![Argument::new(t())], vec![t()]);
        let a = f.push_op(Operation::new("nn.relu", vec![Value::Arg(0)], vec![t()]));
        let b = f.push_op(Operation::new("nn.relu", vec![Value::Result(a, 0)], vec![t()]));
        let ret = f.push_op(Operation::new("func.return", vec![Value::Result(b, 0)], vec![]));
        assert_eq!(f.users(Value::Result(a, 0)), vec![(b, 0)]);
        assert_eq!(f.users(Value::Arg(0)), vec![(a, 0)]);
        f.replace_all_uses(Value::Result(b, 0), Value::Result(a, 0));
        assert_eq!(f.users(Value::Result(a, 0)), vec![(b, 0), (ret, 0)]);
        assert!(!f.has_users(Value::Result(b, 0)));
        f.remove_op(b);
        assert_eq!(f.ops().collect::<Vec<_>>(), vec![a, ret]);
        assert_eq!(f.returned_values(), &[Value::Result(a, 0)]);
    }

    #[test]
    fn insertion_keeps_program_order() {
        let mut f = Function::new("main", vec![Argument::new(t())], vec![]);
        let a = f.push_op(Operation::new("nn.relu", vec![Value::Arg(0)], vec![t()]));
        let c = f.push_op(Operation::new("func.return", vec![], vec![]));
        let b = f.insert_op_before(c, Operation::new("nn.relu", vec![Value::Result(a, 0)], vec![t()]));
        assert_eq!(f.ops().collect::<Vec<_>>(), vec![a, b, c]);
    }
}
