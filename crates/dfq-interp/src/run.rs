//! The execution loop: verify, check the inputs, run the ops in program order.

use dfq_ir::{Diagnostics, Function, Module, Operation, Value};

use crate::error::InterpError;
use crate::ops;
use crate::signature::{check_inputs, conforms};
use crate::store::ValueStore;
use crate::tensor::Tensor;

/// Runs function `entry` of `module`.
pub fn run_module(module: &Module, entry: &str, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, InterpError> {
    let func = module.function(entry).ok_or_else(|| {
        let names: Vec<String> = module.functions.iter().map(|f| format!("@{}", f.name)).collect();
        InterpError::new(
            format!("the module has no function '@{entry}' (it has: {})", names.join(", ")),
            module.loc.clone(),
        )
    })?;
    run_function(func, inputs)
}

/// Runs `func` on `inputs` (one per argument, matching its type) and returns the
/// values it returns.
pub fn run_function(func: &Function, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, InterpError> {
    verify(func)?;
    check_inputs(func, &inputs)?;
    let mut store = ValueStore::new(func);
    for (i, t) in inputs.into_iter().enumerate() {
        store.define(Value::Arg(i as u32), t);
    }
    for (pos, id) in func.ops().enumerate() {
        let op = func.op(id);
        let at_op = |message: String| InterpError::new(format!("'{}' op {message}", op.name), op.loc.clone());
        let operands =
            store.operands(op.operands(), pos).map_err(|v| at_op(format!("reads {v:?} before it is computed")))?;
        if op.name == "func.return" {
            return Ok(operands.into_iter().map(|o| o.into_owned()).collect());
        }
        let result = ops::execute(func, id, operands).map_err(at_op)?;
        check_result(op, &result).map_err(at_op)?;
        store.release(op.operands(), pos);
        store.define(Value::Result(id, 0), result);
    }
    Err(InterpError::new(format!("'@{}' does not end with 'return'", func.name), func.loc.clone()))
}

/// Structural and per-op verification, so that the kernels may rely on what the
/// dialects guarantee (attribute kinds, operand counts, type constraints).
fn verify(func: &Function) -> Result<(), InterpError> {
    let mut diags = Vec::new();
    dfq_ir::verify_function(func, dfq_dialects::registry(), &mut diags);
    let Some(first) = diags.first() else { return Ok(()) };
    let more = match diags.len() {
        1 => String::new(),
        n => format!(" (and {} more problems: {})", n - 1, Diagnostics(diags[1..].to_vec())),
    };
    Err(InterpError::new(format!("cannot run an invalid function: {}{more}", first.message), first.loc.clone()))
}

/// Every op here has exactly one result; its tensor must fit the declared type.
fn check_result(op: &Operation, result: &Tensor) -> Result<(), String> {
    match op.results.as_slice() {
        [ty] if conforms(result, ty) => Ok(()),
        [ty] => Err(format!("computed {}, which does not match its declared result type '{ty}'", result.describe())),
        results => Err(format!("has {} results; the interpreter runs single-result ops", results.len())),
    }
}
