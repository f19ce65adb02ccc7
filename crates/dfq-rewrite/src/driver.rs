//! The greedy driver: apply patterns until none matches, with a limit so a pair of
//! patterns undoing each other reports an error instead of spinning forever.

use std::collections::{HashSet, VecDeque};
use std::fmt;

use dfq_ir::{Function, OpId};

use crate::patch::Pattern;

#[derive(Clone, Copy, Debug)]
pub struct GreedyConfig {
    pub max_rewrites: usize,
}

impl Default for GreedyConfig {
    fn default() -> GreedyConfig {
        GreedyConfig { max_rewrites: 100_000 }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RewriteStats {
    pub rewrites: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewriteError {
    pub limit: usize,
    pub last_pattern: &'static str,
}

impl fmt::Display for RewriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "patterns did not converge within {} rewrites (last applied: '{}')",
            self.limit, self.last_pattern
        )
    }
}

impl std::error::Error for RewriteError {}

/// Applies `patterns` to `func` until no pattern matches any op.
pub fn apply_patterns_greedily(
    func: &mut Function,
    patterns: &[&dyn Pattern],
    config: GreedyConfig,
) -> Result<RewriteStats, RewriteError> {
    let mut worklist: VecDeque<OpId> = func.ops().collect();
    let mut queued: HashSet<OpId> = worklist.iter().copied().collect();
    let mut stats = RewriteStats::default();
    while let Some(op) = worklist.pop_front() {
        queued.remove(&op);
        if !func.contains(op) {
            continue;
        }
        let name = func.op(op).name.clone();
        for pattern in patterns {
            if pattern.root().is_some_and(|r| r != name) {
                continue;
            }
            let Some(patch) = pattern.match_op(func, op) else { continue };
            stats.rewrites += 1;
            if stats.rewrites > config.max_rewrites {
                return Err(RewriteError { limit: config.max_rewrites, last_pattern: pattern.name() });
            }
            let touched = patch.apply(func, op);
            let revisit = touched.into_iter().chain(func.contains(op).then_some(op));
            for t in revisit {
                if queued.insert(t) {
                    worklist.push_back(t);
                }
            }
            break;
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::{NewOp, Patch};
    use dfq_ir::{Argument, ElementType, Operation, Type, Value};

    fn t() -> Type {
        Type::tensor(&[2], ElementType::F32)
    }

    /// relu(relu(x)) → relu(x)
    struct FoldDoubleRelu;
    impl Pattern for FoldDoubleRelu {
        fn name(&self) -> &'static str {
            "fold-double-relu"
        }
        fn root(&self) -> Option<&'static str> {
            Some("nn.relu")
        }
        fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
            let inner = f.op(op).operands()[0].producer()?;
            (f.op(inner).name == "nn.relu").then(|| {
                let mut p = Patch::new();
                p.replace(Value::Result(op, 0), Value::Result(inner, 0));
                p.erase(op);
                p
            })
        }
    }

    /// Wraps every relu in another relu: never converges.
    struct Grow;
    impl Pattern for Grow {
        fn name(&self) -> &'static str {
            "grow"
        }
        fn match_op(&self, f: &Function, op: OpId) -> Option<Patch> {
            (f.op(op).name == "nn.relu").then(|| {
                let mut p = Patch::new();
                let v = p.add_op(NewOp::new("nn.relu", vec![f.op(op).operands()[0].into()], vec![t()]));
                p.replace(Value::Result(op, 0), v);
                p.erase(op);
                p
            })
        }
    }

    fn chain(n: usize) -> Function {
        let mut f = Function::new("main", vec![Argument::new(t())], vec![t()]);
        let mut v = Value::Arg(0);
        for _ in 0..n {
            v = Value::Result(f.push_op(Operation::new("nn.relu", vec![v], vec![t()])), 0);
        }
        f.push_op(Operation::new("func.return", vec![v], vec![]));
        f
    }

    #[test]
    fn folds_to_fixpoint() {
        let mut f = chain(5);
        let stats = apply_patterns_greedily(&mut f, &[&FoldDoubleRelu], GreedyConfig::default()).unwrap();
        assert_eq!(stats.rewrites, 4);
        assert_eq!(f.num_ops(), 2);
    }

    #[test]
    fn limit_stops_divergence() {
        let mut f = chain(1);
        let err = apply_patterns_greedily(&mut f, &[&Grow], GreedyConfig { max_rewrites: 10 }).unwrap_err();
        assert_eq!(err, RewriteError { limit: 10, last_pattern: "grow" });
    }
}
