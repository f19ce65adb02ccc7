//! The function being built: ONNX value names bound to SSA values or to
//! constants, and ops appended with result types from the dialects' inference.

use std::collections::HashMap;
use std::rc::Rc;

use dfq_dialects::infer_types;
use dfq_ir::{Attribute, Attributes, DenseElements, Function, Operation, Type, Value};

use crate::names::NameTable;
use crate::tensor::Constant;

/// What an ONNX value name stands for.
#[derive(Clone)]
enum Binding {
    /// An SSA value, with the constant it holds if it is one.
    Value { value: Value, constant: Option<Rc<Constant>> },
    /// A constant not yet materialized: it becomes an `arith.constant` on first
    /// use as an operand, so constants that only give attributes (a reshape's
    /// shape, a clip's bounds) leave nothing behind.
    Constant(Rc<Constant>),
    /// An output dfq does not compute; the text says which.
    Unavailable(String),
}

pub struct GraphBuilder {
    func: Function,
    names: NameTable,
    bindings: HashMap<String, Binding>,
    /// Version of the default (`ai.onnx`) operator set.
    opset: i64,
}

impl GraphBuilder {
    /// `names` already holds the argument names.
    pub fn new(func: Function, names: NameTable, opset: i64) -> GraphBuilder {
        GraphBuilder { func, names, bindings: HashMap::new(), opset }
    }

    pub fn opset(&self) -> i64 {
        self.opset
    }

    pub fn bind(&mut self, onnx_name: &str, value: Value) {
        self.bindings.insert(onnx_name.to_string(), Binding::Value { value, constant: None });
    }

    /// Makes `onnx_name` another name for whatever `source` is (Identity, Dropout).
    pub fn alias(&mut self, onnx_name: &str, source: &str) -> Result<(), String> {
        let binding = self.binding(source)?.clone();
        self.bindings.insert(onnx_name.to_string(), binding);
        Ok(())
    }

    pub fn bind_constant(&mut self, onnx_name: &str, constant: Constant) {
        self.bindings.insert(onnx_name.to_string(), Binding::Constant(Rc::new(constant)));
    }

    pub fn mark_unavailable(&mut self, onnx_name: &str, why: String) {
        self.bindings.entry(onnx_name.to_string()).or_insert(Binding::Unavailable(why));
    }

    pub fn is_bound(&self, onnx_name: &str) -> bool {
        self.bindings.contains_key(onnx_name)
    }

    /// The constant `onnx_name` holds, if it is a compile-time constant.
    pub fn constant(&self, onnx_name: &str) -> Result<Option<Rc<Constant>>, String> {
        Ok(match self.binding(onnx_name)? {
            Binding::Value { constant, .. } => constant.clone(),
            Binding::Constant(c) => Some(c.clone()),
            Binding::Unavailable(_) => None,
        })
    }

    /// Like [`GraphBuilder::constant`], but a non-constant is an error naming `what`.
    pub fn require_constant(&self, onnx_name: &str, what: &str) -> Result<Rc<Constant>, String> {
        self.constant(onnx_name)?
            .ok_or_else(|| format!("{what} '{onnx_name}' must be a constant (an initializer or a Constant node)"))
    }

    /// The SSA value of `onnx_name`, materializing a constant on first use.
    pub fn value(&mut self, onnx_name: &str) -> Result<Value, String> {
        match self.binding(onnx_name)?.clone() {
            Binding::Value { value, .. } => Ok(value),
            Binding::Unavailable(why) => Err(why),
            Binding::Constant(c) => {
                let Some(data) = c.as_f32() else {
                    return Err(format!("'{onnx_name}' is an integer tensor, which dfq cannot use as a float operand"));
                };
                let value = self.add_constant(onnx_name, &c.dims, data.to_vec());
                self.bindings.insert(onnx_name.to_string(), Binding::Value { value, constant: Some(c) });
                Ok(value)
            }
        }
    }

    /// A new f32 `arith.constant` named after `name_hint`.
    pub fn add_constant(&mut self, name_hint: &str, dims: &[i64], data: Vec<f32>) -> Value {
        let name = self.names.claim(name_hint, "cst");
        let dense = DenseElements::from_f32(dims, data);
        let op = Operation::new("arith.constant", vec![], vec![Type::Tensor(dense.ty().clone())])
            .with_attr("value", Attribute::Dense(dense))
            .with_result_name(0, name);
        Value::Result(self.func.push_op(op), 0)
    }

    /// The static shape of `v` (every shape is static once the inputs are).
    pub fn shape(&self, v: Value) -> Result<Vec<i64>, String> {
        self.func
            .value_type(v)
            .as_tensor()
            .and_then(|t| t.static_shape())
            .ok_or_else(|| format!("expected a tensor of static shape, got {}", self.func.value_type(v)))
    }

    /// Appends op `name` with its inferred result type; the result is named after
    /// the ONNX value `result_name`.
    pub fn emit(
        &mut self,
        name: &str,
        operands: Vec<Value>,
        attributes: Attributes,
        result_name: &str,
    ) -> Result<Value, String> {
        let types: Vec<&Type> = operands.iter().map(|&v| self.func.value_type(v)).collect();
        let inferred = infer_types(name, &types, &attributes)?;
        let results = inferred
            .into_iter()
            .map(|t| t.known().cloned().ok_or_else(|| format!("'{name}' has a result type dfq cannot infer")))
            .collect::<Result<Vec<Type>, String>>()?;
        let ssa_name = self.names.claim(result_name, name.trim_start_matches("nn."));
        let mut op = Operation::new(name, operands, results).with_result_name(0, ssa_name);
        op.attributes = attributes;
        Ok(Value::Result(self.func.push_op(op), 0))
    }

    /// Ends the function with `return outputs`.
    pub fn finish(mut self, outputs: Vec<Value>) -> Function {
        self.func.result_types = outputs.iter().map(|&v| self.func.value_type(v).clone()).collect();
        self.func.push_op(Operation::new("func.return", outputs, vec![]));
        self.func
    }

    fn binding(&self, onnx_name: &str) -> Result<&Binding, String> {
        self.bindings.get(onnx_name).ok_or_else(|| {
            format!("value '{onnx_name}' is not defined before its use (is the graph topologically sorted?)")
        })
    }
}

/// Attributes from `(name, value)` pairs.
pub fn attrs<const N: usize>(pairs: [(&str, Attribute); N]) -> Attributes {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
