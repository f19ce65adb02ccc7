//! `fold-bn`: folds `nn.batch_norm` into the conv2d or linear that feeds it.
//!
//! With σ = sqrt(var + ε): W' = W·γ/σ per output channel and b' = (b − μ)·γ/σ + β.
//! The layer's output then has, per channel, the distribution batch norm
//! normalized to during training: mean β and standard deviation |γ| (γ may be
//! negative). Those statistics are recorded on the layer (`dfq.preact_mean`,
//! `dfq.preact_std`) for equalize, absorb-bias, quantize and bias-correct.

use dfq_dialects::nn;
use dfq_ir::{Diagnostic, Function, Module, OpId, Value};
use dfq_rewrite::{Pass, PassContext, PassError, PassInfo};

use crate::dce::remove_dead_ops;
use crate::layer::{constant_f32, single_user, ChannelStats, Layer};

pub fn info() -> PassInfo {
    PassInfo {
        name: "fold-bn",
        summary: "Fold batch norms into the preceding conv/linear and record per-channel output statistics",
        options: &[],
        create: |_| Ok(Box::new(FoldBatchNorm)),
    }
}

pub struct FoldBatchNorm;

impl Pass for FoldBatchNorm {
    fn name(&self) -> &'static str {
        "fold-bn"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            crate::finite::check_finite(f, "fold-bn").map_err(PassError::Diagnostics)?;
            let bns: Vec<OpId> = f.ops().filter(|&op| nn::BatchNorm::cast(f, op).is_some()).collect();
            for bn in bns {
                if let Err(why) = fold(f, bn) {
                    let msg = format!("batch norm left unfolded: {why}");
                    ctx.diagnostics.push(Diagnostic::remark(f.op(bn).loc.clone(), msg));
                }
            }
            remove_dead_ops(f);
        }
        Ok(())
    }
}

/// BN parameters, per channel.
struct Params {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    mean: Vec<f32>,
    var: Vec<f32>,
    eps: f32,
}

fn read_params(f: &Function, bn: nn::BatchNorm) -> Result<Params, &'static str> {
    let get = |v| constant_f32(f, v).ok_or("its parameters are not constants");
    Ok(Params { gamma: get(bn.scale())?, beta: get(bn.bias())?, mean: get(bn.mean())?, var: get(bn.var())?, eps: bn.epsilon() })
}

fn fold(f: &mut Function, bn_op: OpId) -> Result<(), &'static str> {
    let bn = nn::BatchNorm::cast(f, bn_op).expect("caller found a batch norm");
    let producer = bn.input().producer().ok_or("its input is a function argument")?;
    let mut layer = Layer::read(f, producer).ok_or("its input is not a conv2d or linear with constant weights")?;
    if single_user(f, Value::Result(producer, 0)) != Some(bn_op) {
        return Err("the layer's output has other users, which must keep seeing the unnormalized value");
    }
    let p = read_params(f, bn)?;
    if p.gamma.len() != layer.out_channels() {
        return Err("its channel count differs from the layer's");
    }
    // NaN variances fail this test too.
    if !p.var.iter().all(|&v| v + p.eps > 0.0) {
        return Err("a variance plus epsilon is not positive");
    }
    for o in 0..layer.out_channels() {
        let scale = p.gamma[o] / (p.var[o] + p.eps).sqrt();
        layer.row_mut(o).iter_mut().for_each(|w| *w *= scale);
        layer.bias[o] = (layer.bias[o] - p.mean[o]) * scale + p.beta[o];
    }
    let stats = ChannelStats { mean: p.beta.clone(), std: p.gamma.iter().map(|g| g.abs()).collect() };
    let bn_out = Value::Result(bn_op, 0);
    let bn_name = f.op(bn_op).result_names[0].clone();
    layer.write(f);
    stats.write(f, producer);
    if f.op(producer).result_names[0].is_none() {
        f.op_mut(producer).result_names[0] = bn_name;
    }
    f.replace_all_uses(bn_out, Value::Result(producer, 0));
    f.remove_op(bn_op);
    Ok(())
}
