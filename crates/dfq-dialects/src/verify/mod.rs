//! Per-op verification: the registry's `OpVerifier`.
//!
//! The checks run in stages, and a stage runs only when the earlier ones found
//! nothing, because each relies on what the earlier ones established (operand
//! positions, attribute kinds, type constraints).

mod arity;
mod attributes;
mod results;
mod types;

use dfq_ir::{Diagnostic, Function, OpId, Operation, Value};

use crate::registry::Registry;
use crate::signature::{Issue, OpSignature};

type Stage = fn(&OpSignature) -> Vec<Issue>;

/// Stages that need only the operands and attributes (type inference runs these).
const INPUT_STAGES: &[Stage] = &[arity::check, attributes::check, types::check_constraints];
/// Stages that also need the declared results.
const RESULT_STAGES: &[Stage] = &[types::check_traits, results::check];

pub(crate) fn verify_op(registry: &Registry, func: &Function, id: OpId, diags: &mut Vec<Diagnostic>) {
    let op = func.op(id);
    let Some(def) = registry.lookup(&op.name) else {
        diags.extend(unregistered(registry, op));
        return;
    };
    let sig = OpSignature {
        def,
        operands: op.operands().iter().map(|&v| func.value_type(v)).collect(),
        attributes: &op.attributes,
        declared: Some(&op.results),
    };
    let issues = first_failing(INPUT_STAGES.iter().chain(RESULT_STAGES), &sig);
    diags.extend(issues.into_iter().map(|issue| diagnostic(func, op, &sig, issue)));
}

pub(crate) fn check_inputs(sig: &OpSignature) -> Vec<Issue> {
    first_failing(INPUT_STAGES.iter(), sig)
}

fn first_failing<'s>(stages: impl Iterator<Item = &'s Stage>, sig: &OpSignature) -> Vec<Issue> {
    stages.map(|stage| stage(sig)).find(|issues| !issues.is_empty()).unwrap_or_default()
}

fn unregistered(registry: &Registry, op: &Operation) -> Option<Diagnostic> {
    let dialect = op.dialect();
    let message = if registry.has_dialect(dialect) {
        format!("unknown operation '{}' in dialect '{dialect}'", op.name)
    } else if registry.allows_unregistered() {
        return None;
    } else {
        format!(
            "operation '{}' belongs to the unregistered dialect '{dialect}' (allow unregistered dialects to accept it)",
            op.name
        )
    };
    Some(Diagnostic::error(op.loc.clone(), message))
}

/// `'nn.conv2d' op <message>`, with a note at the definition of the operand to blame.
fn diagnostic(func: &Function, op: &Operation, sig: &OpSignature, issue: Issue) -> Diagnostic {
    let d = Diagnostic::error(op.loc.clone(), format!("'{}' op {}", op.name, issue.message));
    let Some(i) = issue.operand else { return d };
    let label = format!("operand #{i} ('{}')", sig.operand_name(i));
    match op.operands()[i] {
        Value::Result(producer, _) => d.with_note(func.op(producer).loc.clone(), format!("{label} defined here")),
        Value::Arg(a) => {
            d.with_note(func.args[a as usize].loc.clone(), format!("{label} is argument #{a} of '@{}'", func.name))
        }
    }
}
