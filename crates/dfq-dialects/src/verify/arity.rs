//! Operand and result counts, allowing for optional and variadic operands.

use crate::signature::{Issue, OpSignature};

pub(super) fn check(sig: &OpSignature) -> Vec<Issue> {
    let mut issues = Vec::new();
    let got = sig.operands.len();
    let expected = match sig.def.operand_count_range() {
        (min, Some(max)) if got < min || got > max => Some(count_range(min, max, "operand")),
        (min, None) if got < min => Some(format!("at least {}", plural(min, "operand"))),
        _ => None,
    };
    if let Some(expected) = expected {
        issues.push(Issue::new(format!("expects {expected}, got {got}")));
    }
    if let Some(declared) = sig.declared {
        let want = sig.def.results.len();
        if declared.len() != want {
            issues.push(Issue::new(format!("expects {}, got {}", plural(want, "result"), declared.len())));
        }
    }
    issues
}

fn count_range(min: usize, max: usize, noun: &str) -> String {
    match max - min {
        0 => plural(min, noun),
        1 => format!("{min} or {}", plural(max, noun)),
        _ => format!("{min} to {}", plural(max, noun)),
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
