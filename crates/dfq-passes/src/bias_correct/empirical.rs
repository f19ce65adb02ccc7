//! Empirical bias correction (Nagel et al. 2019, §4.2, with data): run the
//! float model and the quantized (QDQ) model on calibration inputs with the
//! reference interpreter, measure per output channel the mean error of each
//! quantized layer's output, E[W̃x̃] − E[Wx] (pre-activation), and subtract it
//! from the layer's bias.
//!
//! Layers are corrected one at a time in program order, so a layer's measured
//! error already includes the corrections of everything upstream (as in the
//! paper); the float model does not change and runs once. The error measured is the whole systematic shift of
//! the quantized model at that layer (weights, activation rounding and clipping
//! upstream), not just ε·E[x]. This uses data: it is not data-free.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use dfq_interp::{expected_input, run_function, Tensor, TensorData};
use dfq_ir::{Argument, Diagnostic, Function, OpId, Operation, Value};
use dfq_rewrite::{PassContext, PassError};

use super::{not_corrected, replace_bias};
use crate::dce::remove_dead_ops;
use crate::layer::QuantizedLayer;

/// The calibration inputs as read from the `.npy` file: float32, any shape
/// until a function's signature says how to split it into samples.
pub struct Calibration {
    path: String,
    data: Tensor,
}

impl Calibration {
    pub fn load(path: &str) -> Result<Calibration, String> {
        let data = dfq_npy::read(Path::new(path)).map_err(|e| format!("bias-correct: calibration data: {e}"))?;
        if !matches!(data.data, TensorData::F32(_)) {
            return Err(format!(
                "bias-correct: calibration data '{path}' holds {} values; it must be float32 (save x.astype(np.float32))",
                dfq_npy::numpy_dtype(data.dtype())
            ));
        }
        Ok(Calibration { path: path.to_string(), data })
    }

    /// The inputs for `f`'s one argument: the file is a batch N×D1×… split into
    /// runs of the argument's batch size B (N a multiple of B), or a single
    /// sample shaped like the argument, with or without a leading 1.
    fn samples(&self, f: &Function) -> Result<Vec<Tensor>, Diagnostic> {
        let error = |message: String| Diagnostic::error(f.args.first().and_then(|a| a.loc.clone()).or(f.loc.clone()), message);
        if f.args.len() != 1 {
            return Err(error(format!(
                "bias-correct: '@{}' takes {} arguments; calibration data holds inputs for one",
                f.name,
                f.args.len()
            )));
        }
        let (arg, dtype) = expected_input(f, 0).map_err(|e| error(format!("bias-correct: {}", e.message)))?;
        if dtype != "f32" {
            return Err(error(format!("bias-correct: '@{}' takes {dtype} inputs; calibration data is float32", f.name)));
        }
        let file = &self.data.shape;
        let values = self.data.as_f32().unwrap_or_default();
        let per_run: usize = arg.iter().product();
        let batch_fits = !arg.is_empty()
            && file.len() == arg.len()
            && file[1..] == arg[1..]
            && arg[0] > 0
            && file[0] > 0
            && file[0].is_multiple_of(arg[0]);
        let single = !arg.is_empty() && arg[0] == 1 && file[..] == arg[1..];
        if per_run == 0 || !(batch_fits || single) {
            let rest = shape_text(&arg[1.min(arg.len())..]);
            let want = match arg.first() {
                Some(1) if arg.len() > 1 => format!("Nx{rest} (a batch) or {rest} (one sample)"),
                Some(b) if arg.len() > 1 => format!("Nx{rest} with N a multiple of {b}"),
                _ => format!("a multiple of {per_run} values"),
            };
            return Err(error(format!(
                "bias-correct: calibration data '{}' holds a {} float32 array, which is no input of '@{}': \
                 its argument is {}, so the file must be {want}",
                self.path,
                shape_text(file),
                f.name,
                f.args[0].ty
            )));
        }
        Ok(values.chunks_exact(per_run).map(|run| Tensor::from_f32(arg.clone(), run.to_vec())).collect())
    }
}

/// `2x3x4`, or `scalar`.
fn shape_text<T: ToString>(shape: &[T]) -> String {
    if shape.is_empty() {
        return "scalar".into();
    }
    shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("x")
}

/// Corrects every quantized layer of `f` with a quantized bias; returns how
/// many it corrected.
///
/// The quantized model runs op by op in program order, each op once per sample
/// (values are dropped once all their users ran): when layer k is reached, its
/// output is measured, its bias corrected, and only the bias's quantize pair
/// and the layer itself run again, so everything after it sees the correction.
/// (Rerunning the network up to each layer would cost O(layers²).)
pub(super) fn correct_function(
    f: &mut Function,
    calibration: &Calibration,
    ctx: &mut PassContext,
) -> Result<usize, PassError> {
    let mut layers = Vec::new();
    for op in f.ops().collect::<Vec<_>>() {
        match QuantizedLayer::read(f, op) {
            Some(QuantizedLayer { bias_quantize: Some(_), .. }) => layers.push(op),
            Some(_) => ctx.diagnostics.push(not_corrected(f, op, "it has no quantized bias to adjust")),
            None => {}
        }
    }
    if layers.is_empty() {
        return Ok(0);
    }
    let samples = calibration.samples(f)?;
    let outputs: Vec<Value> = layers.iter().map(|&op| Value::Result(op, 0)).collect();
    let reference = channel_means(&returning(&float_model(f), &outputs), &samples)?;
    let mut envs: Vec<HashMap<Value, Tensor>> = samples.into_iter().map(|x| HashMap::from([(Value::Arg(0), x)])).collect();
    let mut computed: HashSet<OpId> = HashSet::new();
    let mut corrected = 0;
    for (&op, float) in layers.iter().zip(&reference) {
        let pending: Vec<OpId> =
            f.ops().take_while(|&o| o != op).chain([op]).filter(|o| !computed.contains(o)).collect();
        run_ops(f, &pending, &mut envs)?;
        computed.extend(pending);
        let Some(QuantizedLayer { layer, bias_quantize: Some(bias_quantize), .. }) = QuantizedLayer::read(f, op) else {
            continue;
        };
        let outputs: Option<Vec<&Tensor>> = envs.iter().map(|env| env.get(&Value::Result(op, 0))).collect();
        let quantized = outputs.and_then(|t| mean_per_channel(t.into_iter()));
        // The bias the layer saw, DQ(Q(b)): correcting that one, not b, keeps
        // the rounding of the old bias out of the new one's error.
        let bias_dq = f.op(op).operands()[2];
        let seen = envs.first().and_then(|env| env.get(&bias_dq)).and_then(Tensor::as_f32).unwrap_or(&layer.bias);
        match quantized {
            Some(q) if q.len() == seen.len() && float.len() == seen.len() => {
                let bias = (seen.iter().zip(q.iter().zip(float))).map(|(&b, (q, r))| (b as f64 - (q - r)) as f32).collect();
                let constant = replace_bias(f, bias_quantize, bias);
                // The new bias reaches the layer through its quantize pair: run those again.
                let bias_dequantize = bias_dq.producer();
                let redo: Vec<OpId> =
                    [constant.producer(), Some(bias_quantize), bias_dequantize, Some(op)].into_iter().flatten().collect();
                run_ops(f, &redo, &mut envs)?;
                computed.extend(redo);
                corrected += 1;
            }
            _ => ctx.diagnostics.push(not_corrected(f, op, "its output channels do not match its bias")),
        }
        drop_unneeded(f, &computed, &mut envs);
    }
    Ok(corrected)
}

/// Runs `ops` of `f` (in program order) on every sample: operands they do not
/// produce are read from the sample's `env`, and their results stored there.
fn run_ops(f: &Function, ops: &[OpId], envs: &mut [HashMap<Value, Tensor>]) -> Result<(), PassError> {
    if ops.is_empty() {
        return Ok(());
    }
    // The ops as a function of the values they read from outside.
    let mut g = Function::new(f.name.clone(), Vec::new(), Vec::new());
    let mut inside: HashMap<Value, Value> = HashMap::new();
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for &id in ops {
        let op = f.op(id);
        let operands = op
            .operands()
            .iter()
            .map(|&v| {
                *inside.entry(v).or_insert_with(|| {
                    reads.push(v);
                    g.args.push(Argument::new(f.value_type(v).clone()));
                    Value::Arg(g.args.len() as u32 - 1)
                })
            })
            .collect();
        let mut copy = Operation::new(op.name.clone(), operands, op.results.clone()).with_loc(op.loc.clone());
        copy.attributes = op.attributes.clone();
        let new_id = g.push_op(copy);
        for r in 0..op.results.len() as u32 {
            inside.insert(Value::Result(id, r), Value::Result(new_id, r));
            writes.push(Value::Result(id, r));
        }
    }
    g.result_types = writes.iter().map(|&v| f.value_type(v).clone()).collect();
    g.push_op(Operation::new("func.return", writes.iter().map(|v| inside[v]).collect(), vec![]));
    for env in envs.iter_mut() {
        let inputs = reads
            .iter()
            .map(|v| env.get(v).cloned())
            .collect::<Option<Vec<Tensor>>>()
            .ok_or_else(|| PassError::Message("bias-correct: internal error: an operand was not computed".into()))?;
        let results = run_function(&g, inputs).map_err(|e| {
            Diagnostic::error(e.loc, format!("bias-correct: cannot run the model on the calibration data: {}", e.message))
        })?;
        env.extend(writes.iter().copied().zip(results));
    }
    Ok(())
}

/// Forgets the values whose users have all run.
fn drop_unneeded(f: &Function, computed: &HashSet<OpId>, envs: &mut [HashMap<Value, Tensor>]) {
    let Some(first) = envs.first() else { return };
    let done: Vec<Value> =
        first.keys().copied().filter(|&v| f.users(v).iter().all(|(user, _)| computed.contains(user))).collect();
    for env in envs.iter_mut() {
        for v in &done {
            env.remove(v);
        }
    }
}

/// `f` without its quantization: every `dequantize(quantize(x))` reads `x`.
/// What is left is the float model, with the biases as they were before
/// correction (they sit in front of the bias quantize ops).
fn float_model(f: &Function) -> Function {
    let mut g = f.clone();
    for op in g.ops().collect::<Vec<_>>() {
        if g.op(op).name != "qnn.dequantize" {
            continue;
        }
        let Some(q) = g.op(op).operands().first().and_then(|v| v.producer()) else { continue };
        if g.op(q).name == "qnn.quantize" {
            let x = g.op(q).operands()[0];
            g.replace_all_uses(Value::Result(op, 0), x);
        }
    }
    remove_dead_ops(&mut g);
    g
}

/// `f` returning `values` instead of its results, with the ops that do not
/// contribute to them removed.
fn returning(f: &Function, values: &[Value]) -> Function {
    let mut g = f.clone();
    if let Some(ret) = g.terminator() {
        g.remove_op(ret);
    }
    g.result_types = values.iter().map(|&v| g.value_type(v).clone()).collect();
    g.push_op(Operation::new("func.return", values.to_vec(), vec![]));
    remove_dead_ops(&mut g);
    g
}

/// Runs `g` on every sample; per result, the mean of each channel.
fn channel_means(g: &Function, samples: &[Tensor]) -> Result<Vec<Vec<f64>>, PassError> {
    let mut per_sample = Vec::new();
    for x in samples {
        let results = run_function(g, vec![x.clone()]).map_err(|e| {
            Diagnostic::error(e.loc, format!("bias-correct: cannot run the model on the calibration data: {}", e.message))
        })?;
        per_sample.push(results);
    }
    (0..g.result_types.len())
        .map(|i| {
            mean_per_channel(per_sample.iter().map(|r| &r[i])).ok_or_else(|| {
                PassError::from(Diagnostic::error(g.loc.clone(), "bias-correct: a layer output is not an f32 tensor with channels"))
            })
        })
        .collect()
}

/// The mean of each channel (axis 1) over the batch and all other positions
/// of every tensor; `None` unless all are f32 of rank ≥ 2 and alike in channels.
fn mean_per_channel<'a>(tensors: impl Iterator<Item = &'a Tensor>) -> Option<Vec<f64>> {
    let mut sums: Vec<f64> = Vec::new();
    let mut count = 0usize;
    for t in tensors {
        let (Some(values), [batch, channels, rest @ ..]) = (t.as_f32(), t.shape.as_slice()) else { return None };
        let inner: usize = rest.iter().product();
        if count == 0 {
            sums = vec![0.0; *channels];
        } else if sums.len() != *channels {
            return None;
        }
        for n in 0..*batch {
            for (c, sum) in sums.iter_mut().enumerate() {
                let start = (n * channels + c) * inner;
                *sum += values[start..start + inner].iter().map(|&v| v as f64).sum::<f64>();
            }
        }
        count += batch * inner;
    }
    (count > 0).then(|| sums.into_iter().map(|s| s / count as f64).collect())
}
