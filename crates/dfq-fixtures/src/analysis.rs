//! Measurements of `nn` graphs: parameter and MAC counts, and the per-channel
//! weight ranges batch-norm folding would produce (DFQ's motivating problem).

use dfq_ir::{DenseElements, Function, Module, OpId, Value};

/// Trainable parameters as PyTorch counts them: conv and linear weights and
/// biases, batch-norm scale and shift (running statistics are buffers, not
/// parameters).
pub fn count_params(module: &Module) -> u64 {
    let mut total = 0;
    for f in &module.functions {
        for id in f.ops() {
            let op = f.op(id);
            let params = match op.name.as_str() {
                "nn.conv2d" | "nn.linear" => &op.operands()[1..],
                "nn.batch_norm" => &op.operands()[1..3],
                _ => continue,
            };
            total += params.iter().map(|&v| elements(f, v)).sum::<u64>();
        }
    }
    total
}

/// Multiply-accumulates of the convs and linear layers, the "mult-adds" papers
/// report: each output element costs one MAC per weight that reaches it.
pub fn count_macs(module: &Module) -> u64 {
    let mut total = 0;
    for f in &module.functions {
        for id in f.ops() {
            let op = f.op(id);
            if op.name != "nn.conv2d" && op.name != "nn.linear" {
                continue;
            }
            let weight = f.value_type(op.operands()[1]).as_tensor().expect("weights are tensors");
            let out_channels = weight.shape[0].expect("static weight shape") as u64;
            let per_output = weight.num_elements().expect("static weight shape") / out_channels;
            let outputs = op.results[0].as_tensor().and_then(|t| t.num_elements()).expect("static result shape");
            total += outputs * per_output;
        }
    }
    total
}

/// The per-output-channel ranges `max |W·γ/√(σ²+ε)|` of one conv after folding
/// the batch norm that follows it.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedRanges {
    pub conv: OpId,
    /// The weight constant's name without its `_w` suffix, if it has one.
    pub layer: Option<String>,
    pub depthwise: bool,
    pub ranges: Vec<f32>,
}

impl FoldedRanges {
    /// Largest over smallest channel range; infinite if a channel is all zero.
    pub fn spread(&self) -> f32 {
        let max = self.ranges.iter().copied().fold(0.0, f32::max);
        let min = self.ranges.iter().copied().fold(f32::INFINITY, f32::min);
        max / min
    }
}

/// Folded ranges of every conv whose result feeds a batch norm, all operands
/// being constants.
pub fn folded_ranges(f: &Function) -> Vec<FoldedRanges> {
    let mut out = Vec::new();
    for id in f.ops() {
        let bn = f.op(id);
        if bn.name != "nn.batch_norm" {
            continue;
        }
        let Some(conv_id) = bn.operands()[0].producer().filter(|&c| f.op(c).name == "nn.conv2d") else { continue };
        let conv = f.op(conv_id);
        let [weight, gamma, var] = [conv.operands()[1], bn.operands()[1], bn.operands()[4]].map(|v| constant(f, v));
        let (Some(weight), Some(gamma), Some(var)) = (weight, gamma, var) else { continue };
        let (weight, gamma, var) = (weight.to_f32_vec(), gamma.to_f32_vec(), var.to_f32_vec());
        let epsilon = bn.attr("epsilon").and_then(|a| a.as_float()).unwrap_or(1e-5) as f32;
        let per_channel = weight.len() / gamma.len();
        let ranges = weight
            .chunks_exact(per_channel)
            .zip(gamma.iter().zip(&var))
            .map(|(w, (g, v))| {
                let scale = (g / (v + epsilon).sqrt()).abs();
                w.iter().fold(0.0f32, |m, x| m.max(x.abs() * scale))
            })
            .collect();
        let groups = conv.attr("groups").and_then(|a| a.as_int()).unwrap_or(1) as usize;
        let in_per_group = f.value_type(conv.operands()[1]).as_tensor().and_then(|t| t.shape[1]);
        let layer = f.op(conv.operands()[1].producer().expect("constant weight")).result_names[0].clone();
        out.push(FoldedRanges {
            conv: conv_id,
            layer: layer.map(|n| n.strip_suffix("_w").map_or(n.clone(), str::to_string)),
            depthwise: groups > 1 && groups == gamma.len() && in_per_group == Some(1),
            ranges,
        });
    }
    out
}

/// The value of `v` if an `arith.constant` with a dense value defines it.
pub fn constant(f: &Function, v: Value) -> Option<&DenseElements> {
    let op = f.op(v.producer()?);
    (op.name == "arith.constant").then(|| op.attr("value")?.as_dense())?
}

fn elements(f: &Function, v: Value) -> u64 {
    f.value_type(v).as_tensor().and_then(|t| t.num_elements()).unwrap_or(1)
}
