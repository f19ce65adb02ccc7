//! Whole-module verification: the ops through the registry, plus what op
//! verifiers cannot see, the function arguments' `dfq.range` attributes.

use dfq_ir::{Argument, Attribute, Diagnostic, Diagnostics, Function, Module};

use crate::registry::{registry, Registry};

/// The argument attribute giving the range of a network input, `[min, max]`,
/// from which quantization derives the input's scale.
pub const RANGE_ATTR: &str = "dfq.range";

/// Verifies `module` against all dialects.
pub fn verify_module(module: &Module) -> Result<(), Diagnostics> {
    verify_module_with(module, registry())
}

/// Verifies `module` against `registry` (e.g. one that allows unregistered dialects).
pub fn verify_module_with(module: &Module, registry: &Registry) -> Result<(), Diagnostics> {
    let mut diags = Vec::new();
    for func in &module.functions {
        verify_arguments(func, &mut diags);
    }
    if let Err(ops) = dfq_ir::verify_module(module, registry) {
        diags.extend(ops.0);
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

/// Checks the argument attributes of `func`.
pub fn verify_arguments(func: &Function, diags: &mut Vec<Diagnostic>) {
    for (i, arg) in func.args.iter().enumerate() {
        if let Err(e) = input_range(arg) {
            let name = arg.name.as_ref().map_or(format!("#{i}"), |n| format!("%{n}"));
            diags.push(Diagnostic::error(arg.loc.clone(), format!("argument {name} of '@{}': {e}", func.name)));
        }
    }
}

/// The argument's `dfq.range` as (min, max), `None` if it has none. The bounds
/// must be finite numbers with min ≤ max.
pub fn input_range(arg: &Argument) -> Result<Option<(f64, f64)>, String> {
    let Some(attr) = arg.attributes.get(RANGE_ATTR) else { return Ok(None) };
    let bounds = match attr {
        Attribute::Array(items) => items.iter().map(Attribute::as_float).collect::<Option<Vec<f64>>>(),
        Attribute::DenseI64Array(items) => Some(items.iter().map(|&v| v as f64).collect()),
        _ => None,
    };
    let Some(&[min, max]) = bounds.as_deref() else {
        return Err(format!("'{RANGE_ATTR}' must be an array of two numbers [min, max], got {}", describe(attr)));
    };
    if !min.is_finite() || !max.is_finite() {
        return Err(format!("'{RANGE_ATTR}' bounds must be finite, got [{min}, {max}]"));
    }
    if min > max {
        return Err(format!("'{RANGE_ATTR}' has min {min} greater than max {max}"));
    }
    Ok(Some((min, max)))
}

fn describe(attr: &Attribute) -> String {
    match attr {
        Attribute::Array(items) if items.len() != 2 => format!("an array of {} elements", items.len()),
        Attribute::Array(items) => {
            let odd = items.iter().find(|a| a.as_float().is_none()).map_or("?", Attribute::kind);
            format!("an array holding a {odd}")
        }
        other => other.kind().to_string(),
    }
}
