//! A QDQ model (`dfq-opt --quantize`: float ops between `qnn.dequantize` and
//! `qnn.quantize`) is lowered to integer `qnn` ops before it runs, as
//! `dfq-opt --lower-int8` does: the JIT compiles integer graphs, and both engines
//! then compute the same integers.

use dfq_ir::Module;
use dfq_rewrite::{Pass, PassContext};

use super::Failure;
use crate::load;

/// Whether some function quantizes a computed value or a constant (a weight): what
/// lower-int8 rewrites. A lowered model quantizes only its arguments.
fn is_qdq(module: &Module) -> bool {
    module.functions.iter().any(|f| {
        f.ops().any(|id| {
            let op = f.op(id);
            op.name == "qnn.quantize" && op.operands().first().is_some_and(|v| v.producer().is_some())
        })
    })
}

/// Lowers `module` if it is in QDQ form, with a note on stderr unless `quiet`.
pub fn lower_if_qdq(mut module: Module, path: &str, quiet: bool) -> Result<Module, Failure> {
    if !is_qdq(&module) {
        return Ok(module);
    }
    let mut ctx = PassContext::default();
    dfq_passes::LowerInt8.run(&mut module, &mut ctx).map_err(|e| Failure::plain(format!("lower-int8: {e}")))?;
    // The pass's output is checked like dfq-opt checks it: a failure here is a bug of the pass.
    dfq_dialects::verify_module(&module)
        .map_err(|d| Failure::plain(format!("lower-int8 produced an invalid module: {d}")))?;
    if !quiet {
        let left = match ctx.diagnostics.len() {
            0 => String::new(),
            n => {
                format!(", {n} part{} left in float (dfq-opt --lower-int8 shows where)", if n == 1 { "" } else { "s" })
            }
        };
        eprintln!(
            "dfq-run: note: '{}' is in QDQ form: lowered it to integer ops (lower-int8) before running{left}",
            load::display_name(path)
        );
    }
    Ok(module)
}
