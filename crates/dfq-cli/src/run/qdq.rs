//! A QDQ model (`dfq-opt --quantize`: float ops between `qnn.dequantize` and
//! `qnn.quantize`) is lowered to integer `qnn` ops before it runs, as
//! `dfq-opt --lower-int8` does: the JIT compiles integer graphs, and both engines
//! then compute the same integers.

use dfq_ir::Module;
use dfq_rewrite::{Pass, PassContext};

/// Whether some function quantizes a computed value or a constant (a weight): what
/// lower-int8 rewrites. A lowered model quantizes only its arguments.
pub fn is_qdq(module: &Module) -> bool {
    module.functions.iter().any(|f| {
        f.ops().any(|id| {
            let op = f.op(id);
            op.name == "qnn.quantize" && op.operands().first().is_some_and(|v| v.producer().is_some())
        })
    })
}

/// Lowers `module` with lower-int8 if it is in QDQ form. Returns None if it was not,
/// else how many places the pass left in float (its remarks).
pub fn lower_if_qdq(module: &mut Module) -> Result<Option<usize>, String> {
    if !is_qdq(module) {
        return Ok(None);
    }
    let mut ctx = PassContext::default();
    dfq_passes::LowerInt8.run(module, &mut ctx).map_err(|e| format!("lower-int8: {e}"))?;
    // Checked as dfq-opt checks every pass's output: a failure here is a bug of the pass.
    dfq_dialects::verify_module(module).map_err(|d| format!("lower-int8 produced an invalid module: {d}"))?;
    Ok(Some(ctx.diagnostics.len()))
}

/// The note saying that `path` was lowered, `left` places staying in float.
pub fn note(tool: &str, path: &str, doing: &str, left: usize) -> String {
    let left = match left {
        0 => String::new(),
        n => format!(", {n} part{} left in float (dfq-opt --lower-int8 shows where)", if n == 1 { "" } else { "s" }),
    };
    format!("{tool}: note: '{path}' is in QDQ form: lowered it to integer ops (lower-int8) before {doing}{left}")
}
