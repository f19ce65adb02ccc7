//! `dce`: removes ops whose results nobody reads.

use dfq_ir::{Function, Module, Value};
use dfq_rewrite::{Pass, PassContext, PassError, PassInfo};

pub fn info() -> PassInfo {
    PassInfo {
        name: "dce",
        summary: "Remove operations whose results are unused",
        options: &[],
        create: |_| Ok(Box::new(Dce)),
    }
}

pub struct Dce;

/// Ops of these dialects have no side effects, so an unused one can go. Ops of
/// unknown dialects are kept: we cannot know what they do.
fn is_pure(name: &str) -> bool {
    ["nn.", "qnn.", "arith."].iter().any(|d| name.starts_with(d))
}

impl Pass for Dce {
    fn name(&self) -> &'static str {
        "dce"
    }

    fn run(&self, module: &mut Module, _ctx: &mut PassContext) -> Result<(), PassError> {
        module.functions.iter_mut().for_each(remove_dead_ops);
        Ok(())
    }
}

/// Walks backwards so a chain of dead ops goes in one sweep.
pub fn remove_dead_ops(f: &mut Function) {
    let ops: Vec<_> = f.ops().rev().collect();
    for id in ops {
        let op = f.op(id);
        let used = (0..op.results.len() as u32).any(|r| f.has_users(Value::Result(id, r)));
        if !used && is_pure(&op.name) {
            f.remove_op(id);
        }
    }
}
