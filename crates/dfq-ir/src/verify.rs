//! Structural verification: what must hold for any function whatever its ops mean.
//! Op semantics (operand counts, attributes, shapes) come from an [`OpVerifier`],
//! which the dialect registry implements.

use std::collections::HashSet;

use petgraph::algo::kosaraju_scc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::func::{Function, Module, OpId, Value};
use crate::types::Type;

/// Per-op semantic checks, provided by the dialects.
pub trait OpVerifier {
    /// Reports problems with `op` (already known to be structurally sound).
    fn verify_op(&self, func: &Function, op: OpId, diags: &mut Vec<Diagnostic>);
}

/// Verifies every function of `module`: terminators, dataflow cycles, dominance,
/// then each op through `ops`.
pub fn verify_module(module: &Module, ops: &dyn OpVerifier) -> Result<(), Diagnostics> {
    let mut diags = Vec::new();
    // Symbols are unique (the parser says so too, for text).
    for (i, f) in module.functions.iter().enumerate() {
        if let Some(prev) = module.functions[..i].iter().find(|g| g.name == f.name) {
            diags.push(
                Diagnostic::error(f.loc.clone(), format!("redefinition of symbol '@{}'", f.name))
                    .with_note(prev.loc.clone(), "previous definition is here"),
            );
        }
    }
    for f in &module.functions {
        verify_function(f, ops, &mut diags);
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}

pub fn verify_function(f: &Function, ops: &dyn OpVerifier, diags: &mut Vec<Diagnostic>) {
    let before = diags.len();
    verify_sizes(f, diags);
    verify_terminator(f, diags);
    let in_cycle = verify_acyclic(f, diags);
    verify_dominance(f, &in_cycle, diags);
    if diags.len() > before {
        // Op semantics assume a well-formed graph.
        return;
    }
    for id in f.ops() {
        ops.verify_op(f, id, diags);
    }
}

/// Modules built in code (the ONNX importer, passes) never went through the
/// parser's size check: every type must still have a size dfq can allocate.
fn verify_sizes(f: &Function, diags: &mut Vec<Diagnostic>) {
    let too_large = |ty: &Type| ty.as_tensor().and_then(|t| t.size_problem());
    for (i, arg) in f.args.iter().enumerate() {
        if let Some(problem) = too_large(&arg.ty) {
            diags.push(Diagnostic::error(arg.loc.clone().or(f.loc.clone()), format!("argument #{i}: {problem}")));
        }
    }
    for (i, ty) in f.result_types.iter().enumerate() {
        if let Some(problem) = too_large(ty) {
            diags.push(Diagnostic::error(f.loc.clone(), format!("result #{i} of '@{}': {problem}", f.name)));
        }
    }
    for id in f.ops() {
        let op = f.op(id);
        for (i, ty) in op.results.iter().enumerate() {
            if let Some(problem) = too_large(ty) {
                diags.push(Diagnostic::error(op.loc.clone(), format!("result #{i} of '{}': {problem}", op.name)));
            }
        }
    }
}

fn verify_terminator(f: &Function, diags: &mut Vec<Diagnostic>) {
    let Some(last) = f.ops().next_back() else {
        diags.push(Diagnostic::error(f.loc.clone(), format!("function '@{}' has no body; it must end with 'return'", f.name)));
        return;
    };
    for id in f.ops() {
        if f.op(id).name == "func.return" && id != last {
            diags.push(Diagnostic::error(f.op(id).loc.clone(), "'return' must be the last operation of the function"));
        }
    }
    let term = f.op(last);
    if term.name != "func.return" {
        diags.push(Diagnostic::error(term.loc.clone(), "the function body must end with 'return'"));
        return;
    }
    let returned: Vec<_> = term.operands().iter().map(|&v| f.value_type(v)).collect();
    if returned.len() != f.result_types.len() {
        diags.push(
            Diagnostic::error(
                term.loc.clone(),
                format!("'return' has {} operands, but '@{}' returns {} values", returned.len(), f.name, f.result_types.len()),
            )
            .with_note(f.loc.clone(), "function declared here"),
        );
        return;
    }
    for (i, (got, want)) in returned.iter().zip(&f.result_types).enumerate() {
        if *got != want {
            diags.push(
                Diagnostic::error(
                    term.loc.clone(),
                    format!("type of return operand #{i} ('{got}') does not match the function result type ('{want}')"),
                )
                .with_note(f.loc.clone(), "function declared here"),
            );
        }
    }
}

/// Reports each dataflow cycle once; returns the ops on cycles.
fn verify_acyclic(f: &Function, diags: &mut Vec<Diagnostic>) -> HashSet<OpId> {
    let mut in_cycle = HashSet::new();
    let positions = f.program_positions();
    // Kosaraju, not Tarjan: petgraph's Tarjan recurses once per op on a chain, so
    // a long model (100k ops) overflowed the stack; Kosaraju's DFS is iterative.
    let mut cycles: Vec<Vec<OpId>> = kosaraju_scc(f.graph())
        .into_iter()
        .filter(|scc| scc.len() > 1 || f.graph().contains_edge(scc[0], scc[0]))
        .collect();
    for scc in &mut cycles {
        scc.sort_by_key(|op| positions[op]);
    }
    cycles.sort_by_key(|scc| positions[&scc[0]]);
    for scc in cycles {
        let first = f.op(scc[0]);
        let mut d = Diagnostic::error(
            first.loc.clone(),
            format!("dataflow cycle through {} operation(s): '{}' depends on its own result", scc.len(), first.name),
        );
        for &op in &scc[1..] {
            d = d.with_note(f.op(op).loc.clone(), format!("'{}' is part of the cycle", f.op(op).name));
        }
        diags.push(d);
        in_cycle.extend(scc);
    }
    in_cycle
}

fn verify_dominance(f: &Function, in_cycle: &HashSet<OpId>, diags: &mut Vec<Diagnostic>) {
    let positions = f.program_positions();
    for id in f.ops() {
        if in_cycle.contains(&id) {
            continue;
        }
        let op = f.op(id);
        for (i, &v) in op.operands().iter().enumerate() {
            if !f.is_valid_value(v) {
                diags.push(Diagnostic::error(op.loc.clone(), format!("operand #{i} refers to a value that does not exist")));
                continue;
            }
            if let Value::Result(producer, _) = v {
                if positions[&producer] >= positions[&id] {
                    diags.push(
                        Diagnostic::error(op.loc.clone(), format!("operand #{i} does not dominate this use"))
                            .with_note(f.op(producer).loc.clone(), "operand defined here (after its use)"),
                    );
                }
            }
        }
    }
}
