//! NaN and infinite weights. The IR can hold them (MLIR spells them as hex bit
//! patterns), and a float model may even run with some, but no data-free step
//! means anything on them: a NaN weight makes a layer's range, its equalization
//! scale and its bias correction NaN, and a quantizer then silently picks
//! arbitrary scales. So the DFQ passes refuse such a function up front, with an
//! error at each offending constant, rather than emit garbage.

use dfq_ir::{Attribute, DenseElements, Diagnostic, Diagnostics, Function};

/// Errors at every float constant (and every dense float attribute, such as the
/// statistics fold-bn records) of `f` that holds a NaN or an infinity.
pub fn check_finite(f: &Function, pass: &str) -> Result<(), Diagnostics> {
    let mut diags = Vec::new();
    for id in f.ops() {
        let op = f.op(id);
        for (name, attr) in &op.attributes {
            let Attribute::Dense(d) = attr else { continue };
            let Some(i) = first_non_finite(d) else { continue };
            let what = match op.name.as_str() {
                "arith.constant" => "constant".to_string(),
                _ => format!("'{}' attribute '{name}'", op.name),
            };
            let v = d.get_f64(i);
            diags.push(Diagnostic::error(
                op.loc.clone(),
                format!(
                    "{pass}: {what} holds {} at element {i}{} of '{}'; \
                     data-free quantization needs finite weights (fix the model, or re-export it)",
                    describe(v),
                    index_text(d, i),
                    d.ty()
                ),
            ));
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

fn first_non_finite(d: &DenseElements) -> Option<usize> {
    if !d.data().kind().is_float() {
        return None;
    }
    // A splat stores one value: look at that only, never at 2^31 copies.
    let stored = d.data().len();
    (0..stored).find(|&i| !d.data().get_f64(i).is_finite())
}

fn describe(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "+infinity"
    } else {
        "-infinity"
    }
}

/// ` [0, 1, 0, 0]`, the multi-index of flat element `i`, for tensors of rank 2+.
fn index_text(d: &DenseElements, i: usize) -> String {
    let Some(shape) = d.ty().static_shape() else { return String::new() };
    if shape.len() < 2 || d.is_splat() {
        return if d.is_splat() { " (a splat: every element)".into() } else { String::new() };
    }
    let mut rest = i;
    let mut index = vec![0; shape.len()];
    for (k, &dim) in shape.iter().enumerate().rev() {
        let dim = dim.max(1) as usize;
        index[k] = rest % dim;
        rest /= dim;
    }
    let parts: Vec<String> = index.iter().map(|x| x.to_string()).collect();
    format!(" (index [{}])", parts.join(", "))
}
