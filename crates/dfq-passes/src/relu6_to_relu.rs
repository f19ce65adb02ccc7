//! `relu6-to-relu`: replaces every `nn.relu6` by `nn.relu`.
//!
//! This changes the function: activations above 6 are no longer capped. It is
//! the paper's choice (and AIMET's) for making ReLU6 networks equalizable, kept
//! as an ablation; `equalize` itself keeps ReLU6 exact as a per-channel clip.

use dfq_ir::{Function, Module, OpId, Operation, Value};
use dfq_rewrite::{Pass, PassContext, PassError, PassInfo};

pub fn info() -> PassInfo {
    PassInfo {
        name: "relu6-to-relu",
        summary: "Replace ReLU6 by ReLU (the paper's ablation; changes the function)",
        options: &[],
        create: |_| Ok(Box::new(Relu6ToRelu)),
    }
}

pub struct Relu6ToRelu;

impl Pass for Relu6ToRelu {
    fn name(&self) -> &'static str {
        "relu6-to-relu"
    }

    fn run(&self, module: &mut Module, _ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            let relu6s: Vec<OpId> = f.ops().filter(|&op| f.op(op).name == "nn.relu6").collect();
            for op in relu6s {
                replace_with_relu(f, op);
            }
        }
        Ok(())
    }
}

/// A new `nn.relu` with the same input, result type, name and location.
fn replace_with_relu(f: &mut Function, op: OpId) {
    let old = f.op(op).clone();
    let mut relu = Operation::new("nn.relu", old.operands().to_vec(), old.results).with_loc(old.loc);
    relu.result_names = old.result_names;
    let relu = f.insert_op_before(op, relu);
    f.replace_all_uses(Value::Result(op, 0), Value::Result(relu, 0));
    f.remove_op(op);
}
